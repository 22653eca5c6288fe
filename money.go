package hawker

// Money is an amount in the minor units of a currency (cents for USD, whole
// dong for VND). Never a float.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Limits on amounts a shop may enter, so that every sum and tax computation
// stays far inside int64.
const (
	MaxPrice    = 1_000_000_000_000 // minor units per unit (10^12: ~10 billion USD, ~1 trillion VND)
	MaxQuantity = 10_000            // units per order line
	MaxOnHand   = 1_000_000_000     // units of stock per SKU
)
