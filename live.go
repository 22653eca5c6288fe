package hawker

import (
	"context"
	"time"
)

// Limits of a live show.
const (
	// MaxShowProducts is the size of a show's shopping bag.
	MaxShowProducts = 100
	// MaxMutedPerShow is how many users may be muted in one show (the
	// same bound as package moderation's MaxMuted).
	MaxMutedPerShow = 10_000
)

// LiveShow is what a show carries besides its schedule: the pinned
// product and when it went live and ended. A show that never changed has
// the zero LiveShow.
type LiveShow struct {
	ShowID string
	// PinnedProductID is the product card viewers see; "" when none.
	PinnedProductID string
	StartedAt       *time.Time // when the show last went live
	EndedAt         *time.Time // when the show ended
}

// ShowTransitions lists, for each target state, the states a show may come
// from: scheduled → rehearsal → live → ended, a scheduled show may go live
// without rehearsing, and a rehearsal may end without going live.
var ShowTransitions = map[ShowState][]ShowState{
	ShowRehearsal: {ShowScheduled},
	ShowLive:      {ShowScheduled, ShowRehearsal},
	ShowEnded:     {ShowRehearsal, ShowLive},
}

// LiveShowStore keeps what a show needs while it runs: its state changes,
// its shopping bag and pinned product, its chat moderation settings, muted
// users and moderation audit log, and the blocked words of each market.
// Every method returns ENOTFOUND for an unknown show.
type LiveShowStore interface {
	// UpdateShowState moves the show to state to when its current state
	// is one of from, atomically, and returns the show as stored. Going
	// live records at as StartedAt, ending records EndedAt. Returns
	// ESTATE (nothing changes) when the current state is not in from.
	UpdateShowState(ctx context.Context, id string, from []ShowState, to ShowState, at time.Time) (*Show, error)
	// UpdateShow replaces the show's title, description, markets,
	// scheduled_at and cover image with s's (the caller validates them).
	// Returns ENOTFOUND for an unknown show or cover image.
	UpdateShow(ctx context.Context, s *Show) error
	// FindShowLive returns the live data of the shows that have any, by
	// show id; unknown shows and shows without live data are left out.
	FindShowLive(ctx context.Context, showIDs []string) (map[string]LiveShow, error)

	// SetShowProducts replaces the show's shopping bag with the products,
	// in order. Returns EINVALID (field "product_ids" or
	// "product_ids[i]") for more than [MaxShowProducts] products, a
	// duplicate, or a product that does not exist, is deleted or belongs
	// to another shop. A pinned product left out of the bag is unpinned
	// in the same transaction. Nothing changes on error.
	SetShowProducts(ctx context.Context, showID string, productIDs []string) error
	// FindShowProducts returns the ids of the bag's products, in order,
	// leaving out products deleted since.
	FindShowProducts(ctx context.Context, showID string) ([]string, error)
	// SetPinnedProduct pins a product of the bag, or unpins with "".
	// Returns EINVALID (field "product_id") when the product is not in
	// the bag.
	SetPinnedProduct(ctx context.Context, showID, productID string) error

	// FindShowModeration returns the show's saved chat settings
	// (DefaultModeration when none were saved) and its muted users,
	// ordered by id. It makes the store a realtime ModerationLoader.
	FindShowModeration(ctx context.Context, showID string) (Moderation, []string, error)
	// SetShowModeration saves the show's chat settings (validated by the
	// caller).
	SetShowModeration(ctx context.Context, showID string, m Moderation) error
	// SetShowMute mutes (muted true) or unmutes the user in the show;
	// both are idempotent. Returns ENOTFOUND for an unknown user and
	// EINVALID (field "user_id") when [MaxMutedPerShow] users are muted
	// already.
	SetShowMute(ctx context.Context, showID, userID string, muted bool, at time.Time) error
	// SetMarketBlockedWords replaces a market's blocked words (cleaned
	// by the caller); an empty list removes them.
	SetMarketBlockedWords(ctx context.Context, market string, words []string) error
	// FindMarketBlockedWords returns every market's blocked words.
	FindMarketBlockedWords(ctx context.Context) (map[string][]string, error)

	// ModerationLog keeps the moderation audit log: entries of a show, or
	// of a market (market words) under the market's code.
	ModerationLog
}

// ValidateShowProducts checks the ids of a shopping bag: at most
// [MaxShowProducts], each a product id, no duplicates. Returns EINVALID
// with the field ("product_ids" or "product_ids[i]").
func ValidateShowProducts(ids []string) error {
	if len(ids) > MaxShowProducts {
		return FieldError("product_ids", "a show's bag holds at most %d products", MaxShowProducts)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if !ValidID(PrefixProduct, id) {
			return FieldError(fieldIndex("product_ids", i), "not a product id")
		}
		if seen[id] {
			return FieldError(fieldIndex("product_ids", i), "the product is in the bag twice")
		}
		seen[id] = true
	}
	return nil
}
