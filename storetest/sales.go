package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
)

// testShowSales checks hawker.SalesStore: a show's sales count its
// running reservations and its paid and fulfilled orders (never
// cancelled, expired or refunded ones, nor other shows'), with the units
// of every line and the totals per currency.
func testShowSales(t *testing.T, open opener) {
	h := newOrdHarness(t, open)
	ss, ok := h.s.(hawker.SalesStore)
	if !ok {
		t.Fatalf("%T does not implement hawker.SalesStore", h.s)
	}
	ctx := t.Context()
	sales := func(t *testing.T, showID string, at time.Time) *hawker.ShowSales {
		t.Helper()
		s, err := ss.ShowSales(ctx, showID, at)
		must(t, err)
		if s == nil || s.GMV == nil || s.ByState == nil {
			t.Fatalf("ShowSales = %+v: want non-nil GMV and ByState", s)
		}
		return s
	}
	empty := hawker.NewShowSales()
	same(t, "a show without orders", sales(t, h.show.ID, hawker.Now()), empty)
	same(t, "an unknown show", sales(t, hawker.NewID(hawker.PrefixShow), hawker.Now()), empty)

	other := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: h.shopA.ID, Title: "Other show",
		Markets: []string{"DE"}, State: hawker.ShowLive, CreatedAt: hawker.Now()}
	must(t, h.s.CreateShow(ctx, other))

	show := h.show.ID
	reserved := h.order(h.buyer, h.skuA, 2, show, nil)
	due := h.order(h.buyer, h.skuA, 7, show, nil)
	due.PayBy = hawker.Now().Add(-time.Second)
	paid := h.order(h.other, h.skuA, 3, show, h.addressExample)
	fulfilled := h.order(h.buyer, h.skuA, 1, show, nil)
	cancelled := h.order(h.buyer, h.skuA, 5, show, nil)
	refunded := h.order(h.other, h.skuA, 4, show, nil)
	elsewhere := h.order(h.buyer, h.skuA, 6, other.ID, nil)
	noShow := h.order(h.buyer, h.skuA, 8, "", nil)
	h.place(t, reserved, due, paid, fulfilled, cancelled, refunded, elsewhere, noShow)
	h.pay(t, paid)
	h.pay(t, fulfilled)
	_, err := h.s.FulfilOrder(ctx, fulfilled.ID, hawker.Fulfilment{TrackingNumber: "1Z1"}, hawker.Now())
	must(t, err)
	must(t, h.commit(t, h.skuA.ID, -5, 0, &inventory.Batch{
		Transitions: []inventory.Transition{{OrderID: cancelled.ID, From: hawker.OrderReserved, To: hawker.OrderCancelled}}}))
	h.pay(t, refunded)
	must(t, h.refund(t, refunded))

	// An order of two lines (two SKUs of one product) in another currency.
	two := product(h.shopA.ID, "S1", "S2")
	must(t, h.s.CreateProduct(ctx, two))
	for _, sku := range two.SKUs {
		_, err := h.s.SetOnHand(ctx, sku.ID, 100)
		must(t, err)
	}
	usd := func(n int64) hawker.Money { return hawker.Money{Amount: n, Currency: "USD"} }
	multi := h.order(h.buyer, two.SKUs[0], 1, show, nil)
	multi.Market = "US"
	multi.Lines = []hawker.OrderLine{
		{SKUID: two.SKUs[0].ID, Quantity: 1, UnitPrice: usd(1000), Total: usd(1000), Tax: usd(0)},
		{SKUID: two.SKUs[1].ID, Quantity: 4, UnitPrice: usd(250), Total: usd(1000), Tax: usd(0)},
	}
	multi.Subtotal, multi.Tax, multi.Shipping, multi.Total = usd(2000), usd(160), usd(500), usd(2660)
	b := &inventory.Batch{At: hawker.Now(), Orders: []*hawker.Order{multi}, Records: []*inventory.Record{{BuyerID: multi.BuyerID,
		Key: multi.IdempotencyKey, Fingerprint: "fp", Status: inventory.StatusCreated, OrderID: multi.ID, Body: []byte(`{}`), CreatedAt: multi.CreatedAt}}}
	for _, l := range multi.Lines {
		st, err := h.s.LoadSKU(ctx, l.SKUID)
		must(t, err)
		b.SKUs = append(b.SKUs, inventory.SKUChange{SKUID: l.SKUID, Version: st.Version, Reserved: l.Quantity})
	}
	slices.SortFunc(b.SKUs, func(x, y inventory.SKUChange) int { return strings.Compare(x.SKUID, y.SKUID) })
	must(t, h.s.CommitBatch(ctx, b))

	eur := func(os ...*hawker.Order) int64 {
		var n int64
		for _, o := range os {
			n += o.Total.Amount
		}
		return n
	}
	for _, tc := range []struct {
		name string
		show string
		at   time.Time
		want *hawker.ShowSales
	}{
		{"now", show, hawker.Now(), &hawker.ShowSales{Orders: 4, Units: 2 + 3 + 1 + 5,
			GMV:     []hawker.Money{{Amount: eur(reserved, paid, fulfilled), Currency: "EUR"}, usd(2660)},
			ByState: map[hawker.OrderState]int64{hawker.OrderReserved: 2, hawker.OrderPaid: 1, hawker.OrderFulfilled: 1}}},
		// Once the reservations are due they no longer count.
		{"after pay_by", show, hawker.Now().Add(time.Hour), &hawker.ShowSales{Orders: 2, Units: 3 + 1,
			GMV:     []hawker.Money{{Amount: eur(paid, fulfilled), Currency: "EUR"}},
			ByState: map[hawker.OrderState]int64{hawker.OrderReserved: 0, hawker.OrderPaid: 1, hawker.OrderFulfilled: 1}}},
		{"other show", other.ID, hawker.Now(), &hawker.ShowSales{Orders: 1, Units: 6,
			GMV:     []hawker.Money{{Amount: eur(elsewhere), Currency: "EUR"}},
			ByState: map[hawker.OrderState]int64{hawker.OrderReserved: 1, hawker.OrderPaid: 0, hawker.OrderFulfilled: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same(t, "sales", sales(t, tc.show, tc.at), tc.want)
		})
	}

	// The list of the show's orders agrees with the sum (FindOrders by
	// ShowID, the list the studio pages through).
	list, err := h.s.FindOrders(ctx, hawker.OrderQuery{ShowID: show})
	must(t, err)
	same(t, "show's orders", ids(list, func(o *hawker.Order) string { return o.ID }),
		func() []string {
			out := ids([]*hawker.Order{reserved, due, paid, fulfilled, cancelled, refunded, multi}, func(o *hawker.Order) string { return o.ID })
			slices.Sort(out)
			slices.Reverse(out)
			return out
		}())
}
