package hawker

import (
	"context"
	"io"
	"time"
)

// Page asks for one page of a list ordered by id: items with ids after
// After, at most Limit of them. Stores honour a Limit up to
// MaxPageLimit+1, because the API asks for one item beyond the page to
// know whether another page follows.
type Page struct {
	After string
	Limit int
}

// List limits (API.md: default 50, max 200).
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// Store is everything hawker keeps. The sqlite and postgres packages
// implement it; package storetest checks that they behave the same.
//
// Methods return *Error with ENOTFOUND when a row is missing and EEXISTS
// when a unique value is taken; other errors are internal.
type Store interface {
	UserStore
	AuthStore
	ShopStore
	ProductStore
	ImageStore
	ShowStore
	LiveShowStore
	StreamKeyStore
	DealStore
	ShowTeamStore

	// Ping checks that the store answers (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser stores u (ID, CreatedAt set by the caller). EEXISTS when
	// the email is taken in any letter case.
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUserByEmail matches without regard to case.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context, p Page) ([]*User, error)
	// SetUserRoles replaces the user's global roles.
	SetUserRoles(ctx context.Context, userID string, roles []Role) error
}

// AuthStore keeps sessions and API keys, by the hash of their secret.
type AuthStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByTokenHash returns ENOTFOUND for unknown or expired
	// sessions (expired as of now).
	FindSessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Session, error)
	// FindSessionActor returns the session with the token hash and the
	// actor of its user (global roles and current shop memberships), read
	// in one statement: it runs on every authenticated request. ENOTFOUND
	// for unknown sessions, sessions expired as of now and deleted users.
	FindSessionActor(ctx context.Context, hash string, now time.Time) (*Session, *Actor, error)
	DeleteSession(ctx context.Context, id string) error

	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKeyByHash returns ENOTFOUND for unknown or revoked keys.
	FindAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	FindAPIKeys(ctx context.Context, p Page) ([]*APIKey, error)
	// RevokeAPIKey marks the key revoked at the time; ENOTFOUND if unknown.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
}

// ShopStore keeps shops and their teams.
type ShopStore interface {
	// CreateShop stores the shop and, when owner is not nil, the owner's
	// membership, in one transaction. EEXISTS when the slug is taken.
	CreateShop(ctx context.Context, s *Shop, owner *ShopMember) error
	FindShopByID(ctx context.Context, id string) (*Shop, error)
	// FindShops lists shops; with memberOf set, only that user's shops.
	FindShops(ctx context.Context, memberOf string, p Page) ([]*Shop, error)
	// UpdateShop replaces name and markets (slug and home market stay).
	UpdateShop(ctx context.Context, s *Shop) error
	// PutShopMember adds the member or changes its role.
	PutShopMember(ctx context.Context, m ShopMember) error
	// DeleteShopMember removes it; ENOTFOUND if it was not a member.
	DeleteShopMember(ctx context.Context, shopID, userID string) error
	FindShopMembers(ctx context.Context, shopID string) ([]ShopMember, error)
	// FindMemberships returns the shops a user belongs to.
	FindMemberships(ctx context.Context, userID string) ([]ShopMember, error)
}

// ProductStore keeps products, SKUs, prices and stock.
type ProductStore interface {
	// CreateProduct stores the product with its SKUs and prices (ids and
	// times set by the caller), in one transaction. EEXISTS when a SKU code
	// is already used in the shop.
	CreateProduct(ctx context.Context, p *Product) error
	// FindProductByID returns the product with its SKUs (ordered by id);
	// deleted products are ENOTFOUND.
	FindProductByID(ctx context.Context, id string) (*Product, error)
	// FindProducts lists a shop's products with their SKUs.
	FindProducts(ctx context.Context, shopID string, p Page) ([]*Product, error)
	// UpdateProduct replaces the product's fields and SKUs with p's. SKUs
	// of p with an existing id are updated (code, options, prices,
	// max_per_buyer; never on_hand); SKUs with a new id are inserted with
	// their on_hand; existing SKUs missing from p are kept. EEXISTS on a
	// SKU code clash; nothing changes on error.
	UpdateProduct(ctx context.Context, p *Product) error
	// DeleteProduct hides the product (orders keep referring to it).
	DeleteProduct(ctx context.Context, id string, at time.Time) error

	// FindSKUByID returns a SKU of a live product, ENOTFOUND otherwise.
	FindSKUByID(ctx context.Context, id string) (*SKU, error)
	FindStock(ctx context.Context, skuID string) (Stock, error)
	// SetOnHand sets a SKU's on_hand. ESTATE when it would fall below
	// reserved + sold; nothing changes then.
	SetOnHand(ctx context.Context, skuID string, onHand int64) (Stock, error)
}

// ImageStore keeps image metadata; the bytes live in a [BlobStore].
type ImageStore interface {
	CreateImage(ctx context.Context, img *Image) error
	FindImageByID(ctx context.Context, id string) (*Image, error)
}

// ShowStore keeps shows (first cut).
type ShowStore interface {
	CreateShow(ctx context.Context, s *Show) error
	FindShowByID(ctx context.Context, id string) (*Show, error)
	// FindShows lists shows, filtered by shop and state when not empty,
	// ordered by id.
	FindShows(ctx context.Context, f ShowFilter, p Page) ([]*Show, error)
}

// ShowFilter narrows FindShows.
type ShowFilter struct {
	ShopID string
	States []ShowState
	Market string
}

// BlobStore keeps uploaded files by key (the data dir today, an
// S3-compatible bucket later).
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}
