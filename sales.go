package hawker

import (
	"context"
	"time"
)

// ShowSales sums up the orders placed in one show that count as sales: the
// reserved ones whose reservation still runs (PayBy after the time asked
// about), and the paid and fulfilled ones. Cancelled, expired and refunded
// orders count nowhere.
type ShowSales struct {
	// Orders and Units count the orders and the units of their lines.
	Orders int64
	Units  int64
	// GMV is the sum of the orders' totals, one entry per currency (a show
	// may run in markets of several currencies), ordered by currency
	// code; empty without orders.
	GMV []Money
	// ByState counts the orders per state: always the three states that
	// count (reserved, paid, fulfilled), zero when none.
	ByState map[OrderState]int64
}

// SalesStore sums up orders without reading them one by one (the sqlite
// and postgres stores implement it).
type SalesStore interface {
	// ShowSales sums up the sales of the show as of at, in one aggregate
	// read (see [ShowSales]). An unknown show has no sales: zero counts,
	// no error.
	ShowSales(ctx context.Context, showID string, at time.Time) (*ShowSales, error)
}

// SalesStates are the order states that count as sales, in their order.
var SalesStates = []OrderState{OrderReserved, OrderPaid, OrderFulfilled}

// NewShowSales returns empty sales: zero counts, every state of
// [SalesStates] at zero.
func NewShowSales() *ShowSales {
	s := &ShowSales{GMV: []Money{}, ByState: make(map[OrderState]int64, len(SalesStates))}
	for _, st := range SalesStates {
		s.ByState[st] = 0
	}
	return s
}

// Add counts n orders in the state and currency, with their units and
// total. Stores call it once per row of their aggregate, in currency order.
func (s *ShowSales) Add(state OrderState, currency string, n, units, total int64) {
	s.Orders += n
	s.Units += units
	s.ByState[state] += n
	for i := range s.GMV {
		if s.GMV[i].Currency == currency {
			s.GMV[i].Amount += total
			return
		}
	}
	s.GMV = append(s.GMV, Money{Amount: total, Currency: currency})
}
