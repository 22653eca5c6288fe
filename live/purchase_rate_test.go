package live

import (
	"testing"

	"hawker"
)

// A flash sale confirms far more orders than viewers need to see: the
// announcements of one show stay within the burst, another show keeps its
// own allowance, and the rest are counted as sampled.
func TestPurchaseRateBound(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, func(c *Config) { c.PurchaseRate = 0.001; c.PurchaseBurst = 3 })
	b.e = e
	p, sku := s.product()
	busy, quiet := s.show(hawker.ShowLive, p), s.show(hawker.ShowLive, p)
	buyer := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: "Anna Schmidt"}
	s.users[buyer.ID] = buyer
	paid := func(show string) *hawker.Order {
		return &hawker.Order{ID: hawker.NewID(hawker.PrefixOrder), BuyerID: buyer.ID, ShowID: show, State: hawker.OrderPaid,
			Lines: []hawker.OrderLine{{SKUID: sku, Quantity: 1}}}
	}
	for range 200 {
		e.OnOrder(paid(busy))
	}
	e.OnOrder(paid(quiet))
	b.wait(t)
	var nBusy, nQuiet int
	for _, ev := range h.of("purchase") {
		switch ev.show {
		case busy:
			nBusy++
		case quiet:
			nQuiet++
		}
	}
	if nBusy != 3 || nQuiet != 1 {
		t.Errorf("announced %d in the busy show (want the burst, 3) and %d in the quiet one (want 1)", nBusy, nQuiet)
	}
	if got := e.Sampled(); got != 197 {
		t.Errorf("sampled %d, want 197", got)
	}
}
