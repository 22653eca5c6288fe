package hawker

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user or an API key may do. Global roles live on the user;
// shop roles on a [ShopMember].
type Role string

const (
	RoleAdmin     Role = "admin"     // operator: everything, in every shop
	RoleSeller    Role = "seller"    // runs shops: catalog, stock, shows, orders
	RoleHost      Role = "host"      // hosts a shop's shows
	RoleModerator Role = "moderator" // moderates a shop's show chat
	RoleBuyer     Role = "buyer"     // watches, chats, buys
)

// ValidRole reports whether r is one of the five roles.
func ValidRole(r Role) bool {
	switch r {
	case RoleAdmin, RoleSeller, RoleHost, RoleModerator, RoleBuyer:
		return true
	}
	return false
}

// ValidShopRole reports whether r can be held inside a shop.
func ValidShopRole(r Role) bool {
	return r == RoleSeller || r == RoleHost || r == RoleModerator
}

// User is an account. Email is unique without regard to case.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Market       string    `json:"market"`
	Roles        []Role    `json:"roles"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Limits of account fields.
const (
	MaxNameLen      = 200
	MaxEmailLen     = 254
	MinPasswordLen  = 8
	MaxPasswordLen  = 256
	SessionLifetime = 30 * 24 * time.Hour
)

// NormalizeEmail returns the form of an email address used for uniqueness.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidateSignup checks what a new user sends. Returns EINVALID with the field.
func ValidateSignup(email, password, name string) error {
	if len(email) > MaxEmailLen {
		return FieldError("email", "email is too long")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) || !strings.Contains(addr.Address, "@") {
		return FieldError("email", "email must be an address like anna@example.com")
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return FieldError("password", "password must have at least %d characters", MinPasswordLen)
	}
	if len(password) > MaxPasswordLen {
		return FieldError("password", "password must have at most %d bytes", MaxPasswordLen)
	}
	return ValidateText("name", name, 1, MaxNameLen)
}

// ValidateText checks that s is valid UTF-8 of min..max characters without
// control characters other than newline and tab.
func ValidateText(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "%s must be valid UTF-8", field)
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if n < min {
		if min == 1 {
			return FieldError(field, "%s is required", field)
		}
		return FieldError(field, "%s must have at least %d characters", field, min)
	}
	if utf8.RuneCountInString(s) > max {
		return FieldError(field, "%s must have at most %d characters", field, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return FieldError(field, "%s must not contain control characters", field)
		}
	}
	return nil
}

// Session is a logged-in user's credential. The token itself is never
// stored: only its hash. Cookie sessions also carry a CSRF token that
// cookie-authenticated writes must echo in X-CSRF-Token.
type Session struct {
	ID        string
	UserID    string
	TokenHash string // hex SHA-256 of the token
	Cookie    bool   // made for the web UI (cookie); false for bearer tokens
	CSRFToken string // cookie sessions only
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIKey lets a server act with a role. Only the hash of the key is stored.
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	KeyHash   string     `json:"-"`
	Prefix    string     `json:"prefix"` // first characters of the key, to tell keys apart
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// ShopMember gives a user a role inside one shop.
type ShopMember struct {
	ShopID string `json:"shop_id"`
	UserID string `json:"user_id"`
	Role   Role   `json:"role"`
}

// Actor is who makes a request: a user (with global roles and shop
// memberships) or an API key (with its one role). The zero Actor is anonymous.
type Actor struct {
	User   *User
	APIKey *APIKey
	// Shops maps shop id to the actor's role in that shop.
	Shops map[string]Role
}

// Anonymous reports whether nobody is authenticated.
func (a *Actor) Anonymous() bool { return a == nil || (a.User == nil && a.APIKey == nil) }

// Has reports whether the actor holds the global role.
func (a *Actor) Has(r Role) bool {
	switch {
	case a == nil:
		return false
	case a.APIKey != nil:
		return a.APIKey.Role == r
	case a.User != nil:
		return slices.Contains(a.User.Roles, r)
	}
	return false
}

// IsAdmin reports whether the actor may do everything.
func (a *Actor) IsAdmin() bool { return a.Has(RoleAdmin) }

// ShopRole returns the actor's role in the shop, or "" without one.
func (a *Actor) ShopRole(shopID string) Role {
	if a == nil {
		return ""
	}
	return a.Shops[shopID]
}

// CanManageShop reports whether the actor may change the shop's catalog,
// stock, team and orders: an admin or a seller of the shop.
func (a *Actor) CanManageShop(shopID string) bool {
	return a.IsAdmin() || a.ShopRole(shopID) == RoleSeller
}

// CanHostShop reports whether the actor may run the shop's shows: an admin,
// a seller or a host of the shop.
func (a *Actor) CanHostShop(shopID string) bool {
	r := a.ShopRole(shopID)
	return a.IsAdmin() || r == RoleSeller || r == RoleHost
}

// CanSeeShopPrivate reports whether the actor belongs to the shop's team
// (or is an admin) and may read its private data such as stock figures.
func (a *Actor) CanSeeShopPrivate(shopID string) bool {
	return a.IsAdmin() || a.ShopRole(shopID) != ""
}
