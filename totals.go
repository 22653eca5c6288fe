package hawker

import (
	"fmt"
	"math/bits"
	"strings"
)

// MaxOrderLines is the most lines one order may have. With [MaxPrice] and
// [MaxQuantity] it bounds every sum in [Market.Totals] far inside int64
// (100 × 10^12 × 10^4 = 10^18, tax at most as much again).
const MaxOrderLines = 100

// MaxTaxBps is the largest tax rate a market may configure: 100 %.
const MaxTaxBps = 10_000

// LineInput is one order line as priced: the unit price in minor units of
// the market's currency and the number of units.
type LineInput struct {
	UnitPrice int64 `json:"unit_price"`
	Quantity  int64 `json:"quantity"`
}

// LineTotal is one priced order line. Total is UnitPrice × Quantity. In an
// inclusive market Tax is the part of Total that is tax; in an exclusive
// market Tax is charged on top of Total.
type LineTotal struct {
	UnitPrice int64 `json:"unit_price"`
	Quantity  int64 `json:"quantity"`
	Total     int64 `json:"total"`
	Tax       int64 `json:"tax"`
}

// Totals are the sums of an order. Subtotal is the sum of line totals and
// Tax the sum of line taxes. Total is what the buyer pays: Subtotal +
// Shipping in an inclusive market, Subtotal + Tax + Shipping in an
// exclusive one.
type Totals struct {
	Lines    []LineTotal `json:"lines"`
	Subtotal Money       `json:"subtotal"`
	Tax      Money       `json:"tax"`
	Shipping Money       `json:"shipping"`
	Total    Money       `json:"total"`
}

// Totals prices an order in the market. Region picks a regional rate in an
// exclusive market (a US state such as "CA"); without a configured rate for
// it the market's TaxRateBps applies. Inclusive markets ignore region.
//
// Tax is rounded per line, half to even, in minor units, so that a line's
// tax does not change when other lines are added and so that rounding has no
// bias over many orders.
//
// Shipping is not taxed here: whether it is taxable differs per US state and
// under VAT it follows the goods, so it is charged as given until orders have
// a shipping model.
//
// Returns EINVALID (with the field) for no lines, more than [MaxOrderLines],
// a quantity outside 1..[MaxQuantity], a unit price outside 0..[MaxPrice] or
// shipping outside 0..[MaxPrice]. A market with a broken tax configuration
// returns an internal error.
func (m *Market) Totals(lines []LineInput, region string, shipping int64) (Totals, error) {
	if len(lines) == 0 {
		return Totals{}, FieldError("lines", "an order needs at least one line")
	}
	if len(lines) > MaxOrderLines {
		return Totals{}, FieldError("lines", "at most %d lines per order", MaxOrderLines)
	}
	for i, l := range lines {
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return Totals{}, FieldError(fieldIndex("lines", i)+".quantity", "quantity must be 1..%d", MaxQuantity)
		}
		if l.UnitPrice < 0 || l.UnitPrice > MaxPrice {
			return Totals{}, FieldError(fieldIndex("lines", i)+".unit_price", "unit price must be 0..%d minor units", int64(MaxPrice))
		}
	}
	if shipping < 0 || shipping > MaxPrice {
		return Totals{}, FieldError("shipping", "shipping must be 0..%d minor units", int64(MaxPrice))
	}

	rate, err := m.taxRate(region)
	if err != nil {
		return Totals{}, err
	}
	// Inclusive: tax = total × rate / (10000 + rate), the tax inside a gross
	// price. Exclusive: tax = total × rate / 10000, added on top.
	divisor := uint64(10_000)
	if m.TaxMode == TaxInclusive {
		divisor += uint64(rate)
	}

	t := Totals{Lines: make([]LineTotal, len(lines))}
	var subtotal, tax int64
	for i, l := range lines {
		total := l.UnitPrice * l.Quantity // ≤ 10^16: validated above
		lt := LineTotal{
			UnitPrice: l.UnitPrice,
			Quantity:  l.Quantity,
			Total:     total,
			Tax:       mulDivHalfEven(uint64(total), uint64(rate), divisor),
		}
		t.Lines[i] = lt
		subtotal += lt.Total
		tax += lt.Tax
	}
	grand := subtotal + shipping
	if m.TaxMode == TaxExclusive {
		grand += tax
	}
	t.Subtotal = Money{Amount: subtotal, Currency: m.Currency}
	t.Tax = Money{Amount: tax, Currency: m.Currency}
	t.Shipping = Money{Amount: shipping, Currency: m.Currency}
	t.Total = Money{Amount: grand, Currency: m.Currency}
	return t, nil
}

// taxRate returns the rate in basis points that applies in region. Bad
// rates are a configuration bug, not the caller's fault, so they are
// internal errors.
func (m *Market) taxRate(region string) (int64, error) {
	rate := m.TaxRateBps
	switch m.TaxMode {
	case TaxInclusive:
	case TaxExclusive:
		// Upper case so "ca" from a form finds the configured "CA".
		if r, ok := m.RegionTaxBps[strings.ToUpper(region)]; ok {
			rate = r
		}
	default:
		return 0, fmt.Errorf("market %s: unknown tax mode %q", m.Code, m.TaxMode)
	}
	if rate < 0 || rate > MaxTaxBps {
		return 0, fmt.Errorf("market %s: tax rate %d bps outside 0..%d", m.Code, rate, MaxTaxBps)
	}
	return rate, nil
}

// mulDivHalfEven returns a × b / d rounded half to even. The product is kept
// in 128 bits because a line total (≤ 10^16) times a rate (≤ 10^4) exceeds
// int64. The caller guarantees d > 0 and a × b / d < 2^63.
func mulDivHalfEven(a, b, d uint64) int64 {
	hi, lo := bits.Mul64(a, b)
	q, r := bits.Div64(hi, lo, d) // hi < d is guaranteed by the limits, else Div64 panics
	// r < d ≤ 20000, so 2r cannot overflow.
	if 2*r > d || (2*r == d && q%2 == 1) {
		q++
	}
	return int64(q)
}
