package hawker

import "slices"

// TaxMode says whether a market's prices include tax.
type TaxMode string

const (
	// TaxInclusive prices include VAT/GST; the tax is a part of the price.
	TaxInclusive TaxMode = "inclusive"
	// TaxExclusive prices exclude sales tax; the tax is added on top.
	TaxExclusive TaxMode = "exclusive"
)

// Market feature flags.
const (
	FeatureCOD          = "cod"
	FeatureAuctions     = "auctions"
	FeatureCommentToBuy = "comment_to_buy"
)

// Market is one country a shop can sell to, with its currency, tax rules,
// languages and legal rules. Markets come from configuration (see package
// market), never from clients.
type Market struct {
	Code       string  `json:"code"` // ISO 3166-1 alpha-2, upper case
	Name       string  `json:"name"`
	Currency   string  `json:"currency"`    // ISO 4217
	MinorUnits int     `json:"minor_units"` // digits after the decimal point (CLDR)
	TaxMode    TaxMode `json:"tax_mode"`
	// TaxRateBps is the tax rate in basis points (1900 = 19 %); for
	// exclusive markets it is the rate when no region rate applies.
	TaxRateBps int64 `json:"tax_rate_bps"`
	// RegionTaxBps holds per-region rates of exclusive markets (US states).
	RegionTaxBps   map[string]int64 `json:"region_tax_bps,omitempty"`
	Locales        []string         `json:"locales"`
	WithdrawalDays int              `json:"withdrawal_days"`
	Features       []string         `json:"features"`
	// ReservationMinutes is how long an unpaid order holds stock.
	ReservationMinutes int `json:"reservation_minutes"`
}

// HasFeature reports whether the market enables the feature flag.
func (m *Market) HasFeature(f string) bool { return slices.Contains(m.Features, f) }

// Markets is the set of configured markets, looked up by code.
type Markets interface {
	// Market returns the market with the code; ok is false for unknown codes.
	Market(code string) (*Market, bool)
	// All returns every market, ordered by code.
	All() []*Market
}
