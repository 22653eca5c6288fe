package hawker

import (
	"slices"
	"time"
)

// Limits of flash deals.
const (
	MinDealDuration = 10 * time.Second
	MaxDealDuration = 20 * time.Minute
)

// DealState is the stored state of a deal. Whether a deal is running at an
// instant also depends on the clock: see [Deal.ActiveAt].
type DealState string

const (
	DealScheduled DealState = "scheduled" // created; runs from StartsAt to EndsAt
	DealEnded     DealState = "ended"     // ended early (sold out) or by the host
	DealCancelled DealState = "cancelled" // withdrawn before or while running
)

// Deal is a flash deal: a SKU sold in a show at a lower price, for a short
// time, up to a quantity, with an optional per-buyer limit on top of the
// SKU's own.
type Deal struct {
	ID     string `json:"id"`
	ShowID string `json:"show_id"`
	ShopID string `json:"shop_id"`
	SKUID  string `json:"sku_id"`
	// Prices maps a market code to the deal price in minor units of its
	// currency.
	Prices map[string]int64 `json:"prices"`
	// Quantity is how many units may be sold at the deal price.
	Quantity int64 `json:"quantity"`
	// MaxPerBuyer limits units per buyer within the deal; nil means only the
	// SKU's limit applies.
	MaxPerBuyer *int64    `json:"max_per_buyer"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	State       DealState `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
}

// ActiveAt reports whether the deal runs at now: not ended or cancelled,
// and StartsAt <= now < EndsAt.
func (d *Deal) ActiveAt(now time.Time) bool {
	return d.State == DealScheduled && !now.Before(d.StartsAt) && now.Before(d.EndsAt)
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
