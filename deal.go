package hawker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Limits of flash deals.
const (
	MinDealDuration = 10 * time.Second
	MaxDealDuration = 20 * time.Minute
	// MaxDealStartPast is how far before the server's clock a deal may be
	// asked to start: a client that sends its own "now" is a little behind.
	MaxDealStartPast = time.Second
	// MaxDealLead is how long after the show's scheduled start (or after
	// now, when that is later) a deal may start: within the show's day.
	MaxDealLead = 24 * time.Hour
)

// DealState is the stored state of a deal. Whether a deal is running at an
// instant also depends on the clock: see [Deal.ActiveAt].
type DealState string

const (
	DealScheduled DealState = "scheduled" // created; runs from StartsAt to EndsAt
	DealEnded     DealState = "ended"     // ended early (sold out) or by the host
	DealCancelled DealState = "cancelled" // withdrawn before it started
	// DealActive is never stored: it is what [Deal.StateAt] says of a
	// scheduled deal while it runs, for answers and announcements.
	DealActive DealState = "active"
)

// Deal is a flash deal: a SKU sold in a show at a lower price, for a short
// time, up to a quantity, with an optional per-buyer limit on top of the
// SKU's own.
type Deal struct {
	ID     string `json:"id"`
	ShowID string `json:"show_id"`
	ShopID string `json:"shop_id"`
	SKUID  string `json:"sku_id"`
	// ProductID is the SKU's product, filled in by the store's reads.
	ProductID string `json:"product_id"`
	// Prices maps a market code to the deal price in minor units of its
	// currency.
	Prices map[string]int64 `json:"prices"`
	// Quantity is how many units may be sold at the deal price.
	Quantity int64 `json:"quantity"`
	// MaxPerBuyer limits units per buyer within the deal; nil means only the
	// SKU's limit applies.
	MaxPerBuyer *int64 `json:"max_per_buyer"`
	// Remaining is Quantity less the units live orders took, as the store
	// read it (the inventory engine keeps its own count while it decides).
	Remaining int64     `json:"remaining"`
	StartsAt  time.Time `json:"starts_at"`
	// EndsAt is when the deal ends, or when it ended when the host ended
	// it early.
	EndsAt time.Time `json:"ends_at"`
	// State is the stored state (scheduled, ended, cancelled), or, in a
	// copy made by [Deal.At], the state at an instant.
	State     DealState `json:"state"`
	CreatedAt time.Time `json:"created_at"`

	// CreatedBy (the user's or API key's id) and IdempotencyKey identify
	// the request that created the deal, so that a retry finds it;
	// Fingerprint tells a retry from another request with the same key.
	CreatedBy      string `json:"-"`
	IdempotencyKey string `json:"-"`
	Fingerprint    string `json:"-"`
}

// ActiveAt reports whether the deal runs at now: not ended or cancelled,
// and StartsAt <= now < EndsAt.
func (d *Deal) ActiveAt(now time.Time) bool {
	return (d.State == DealScheduled || d.State == DealActive) && !now.Before(d.StartsAt) && now.Before(d.EndsAt)
}

// StateAt is the deal's state at now as clients see it: scheduled before
// StartsAt, active while it runs, ended from EndsAt on (or when it ended
// early), cancelled when withdrawn before it started.
func (d *Deal) StateAt(now time.Time) DealState {
	switch {
	case d.State == DealEnded || d.State == DealCancelled:
		return d.State
	case now.Before(d.StartsAt):
		return DealScheduled
	case now.Before(d.EndsAt):
		return DealActive
	}
	return DealEnded
}

// At returns a copy of the deal as answered and announced at now: State is
// [Deal.StateAt] now. Clients count down against EndsAt and the server's
// now sent beside it, never their own clock.
func (d *Deal) At(now time.Time) *Deal {
	c := *d
	c.State = d.StateAt(now)
	return &c
}

// Overlaps reports whether two deals' times intersect: each starts before
// the other ends.
func (d *Deal) Overlaps(o *Deal) bool {
	return d.StartsAt.Before(o.EndsAt) && o.StartsAt.Before(d.EndsAt)
}

// ValidateStart checks when a new deal starts, against the server's now
// and the show it runs in: not more than [MaxDealStartPast] before now,
// and at most [MaxDealLead] after the later of now and the show's
// scheduled start. Returns EINVALID with field starts_at.
func (d *Deal) ValidateStart(now time.Time, show *Show) error {
	if d.StartsAt.Before(now.Add(-MaxDealStartPast)) {
		return FieldError("starts_at", "starts_at is in the past (the server's time is %s)", now.Format(time.RFC3339))
	}
	latest := now
	if show != nil && show.ScheduledAt != nil && show.ScheduledAt.After(latest) {
		latest = *show.ScheduledAt
	}
	if d.StartsAt.After(latest.Add(MaxDealLead)) {
		return FieldError("starts_at", "a deal starts within %d hours of the show's start", int(MaxDealLead/time.Hour))
	}
	return nil
}

// DealFingerprint identifies what a request to create a deal asks for (the
// hex SHA-256 of its JSON), so that a retry with the same Idempotency-Key
// can be told from another request that reuses the key.
func DealFingerprint(request any) string {
	b, _ := json.Marshal(request)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Validate checks a new deal for its SKU: a duration of
// [MinDealDuration]..[MaxDealDuration], at least one price, each for a
// market the SKU has a price in and strictly between 0 and that price, a
// quantity of 1..available (the SKU's units not yet reserved or sold), and
// a per-buyer limit of 1..[MaxQuantity] when set. Returns EINVALID with the
// field at fault.
func (d *Deal) Validate(sku *SKU, available int64) error {
	if d.SKUID != sku.ID {
		return FieldError("sku_id", "the deal is for another SKU")
	}
	dur := d.EndsAt.Sub(d.StartsAt)
	if dur < MinDealDuration || dur > MaxDealDuration {
		return FieldError("duration_seconds", "a deal runs %d s to %d min", int(MinDealDuration/time.Second), int(MaxDealDuration/time.Minute))
	}
	if len(d.Prices) == 0 {
		return FieldError("price", "a deal needs a price")
	}
	markets := make([]string, 0, len(d.Prices))
	for m := range d.Prices {
		markets = append(markets, m)
	}
	slices.Sort(markets) // report the same field every time
	for _, m := range markets {
		regular, ok := sku.Prices[m]
		if !ok {
			return FieldError("prices."+m, "the SKU has no price in %s", m)
		}
		if p := d.Prices[m]; p <= 0 || p >= regular {
			return FieldError("prices."+m, "the deal price must be 1..%d, below the SKU's price", regular-1)
		}
	}
	if d.Quantity < 1 || d.Quantity > available {
		return FieldError("quantity", "quantity must be 1..%d (the units available)", available)
	}
	if d.MaxPerBuyer != nil && (*d.MaxPerBuyer < 1 || *d.MaxPerBuyer > MaxQuantity) {
		return FieldError("max_per_buyer", "max_per_buyer must be 1..%d", MaxQuantity)
	}
	return nil
}

// DealStore keeps flash deals. The inventory engine decides on a SKU's
// deals and fences every decision on the SKU's version (see package
// inventory's Store): creating a deal and ending it early move that
// version in the same transaction, so the engine never sells at a price
// the store no longer has. The engine itself moves a deal's taken units and
// ends it when sold out.
type DealStore interface {
	// CreateDeal stores d (ID, times, prices, state scheduled and the
	// request's CreatedBy, IdempotencyKey and Fingerprint set by the
	// caller) and moves its SKU's version, in one transaction. Returns
	// ESTATE when d.ShowID is set and another deal of the show in state
	// scheduled overlaps d in time ([Deal.Overlaps]); EINVALID (field
	// sku_id) when the SKU is not of d.ShopID or its product is deleted;
	// ENOTFOUND when the SKU or the shop is unknown; EEXISTS when the id,
	// or a non-empty IdempotencyKey of the same CreatedBy, is taken.
	// Nothing is stored on error. ProductID and Remaining are filled in.
	CreateDeal(ctx context.Context, d *Deal) error
	// FindDeal returns the deal, ENOTFOUND if unknown.
	FindDeal(ctx context.Context, id string) (*Deal, error)
	// FindDealByKey returns the deal created with the idempotency key by
	// createdBy, ENOTFOUND if none.
	FindDealByKey(ctx context.Context, createdBy, key string) (*Deal, error)
	// FindShowDeals returns the show's deals in every state, ordered by
	// id (creation).
	FindShowDeals(ctx context.Context, showID string) ([]*Deal, error)
	// FindActiveDeals returns, per show id, the deal that runs at now
	// ([Deal.ActiveAt]); shows without one are left out.
	FindActiveDeals(ctx context.Context, showIDs []string, now time.Time) (map[string]*Deal, error)
	// FindDealsEndingAfter returns the deals in state scheduled that
	// belong to a show and end after t — those that run or will — ordered
	// by StartsAt, at most limit of them: what a scheduler announces.
	FindDealsEndingAfter(ctx context.Context, t time.Time, limit int) ([]*Deal, error)
	// EndDeal ends a deal early at at, moving its SKU's version in the same
	// transaction: a deal running at at becomes ended with EndsAt = at, a
	// deal that has not started cancelled. Returns the deal as stored
	// after; ESTATE when it is already ended or cancelled or its time is
	// over; ENOTFOUND when unknown.
	EndDeal(ctx context.Context, id string, at time.Time) (*Deal, error)
}
