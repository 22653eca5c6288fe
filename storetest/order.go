package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
)

// ordStore is what the order checks need of a store: hawker.OrderStore,
// and the inventory engine's writes, which are how orders come to exist.
type ordStore interface {
	hawker.Store
	hawker.OrderStore
	inventory.Store
}

// ordHarness is a store with a buyer or two, two shops with a SKU each and
// a show of shop A, all in market DE.
type ordHarness struct {
	s              ordStore
	buyer, other   *hawker.User
	shopA, shopB   *hawker.Shop
	skuA, skuB     *hawker.SKU
	show           *hawker.Show
	addressExample *hawker.Address
	seq            int // makes idempotency keys unique
}

func newOrdHarness(t *testing.T, open opener) *ordHarness {
	t.Helper()
	st := open(t)
	s, ok := st.(ordStore)
	if !ok {
		t.Fatalf("%T does not implement hawker.OrderStore and inventory.Store", st)
	}
	h := &ordHarness{s: s}
	h.buyer = newUser(t, s, "order-buyer@example.com")
	h.other = newUser(t, s, "order-other@example.com")
	seller := newUser(t, s, "order-seller@example.com")
	h.shopA = newShop(t, s, "order-a", seller)
	h.shopB = newShop(t, s, "order-b", nil)
	pa, pb := product(h.shopA.ID, "OA"), product(h.shopB.ID, "OB")
	must(t, s.CreateProduct(t.Context(), pa))
	must(t, s.CreateProduct(t.Context(), pb))
	h.skuA, h.skuB = pa.SKUs[0], pb.SKUs[0]
	for _, sku := range []*hawker.SKU{h.skuA, h.skuB} {
		_, err := s.SetOnHand(t.Context(), sku.ID, 10_000)
		must(t, err)
	}
	h.show = &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: h.shopA.ID, HostID: seller.ID, Title: "Order show",
		Markets: []string{"DE"}, State: hawker.ShowLive, CreatedAt: hawker.Now()}
	must(t, s.CreateShow(t.Context(), h.show))
	h.addressExample = &hawker.Address{Name: "Anna Käufer", Line1: "Torstraße 1", Line2: "Hinterhaus, 3. OG", City: "Berlin",
		PostalCode: "10119", Country: "DE", Phone: "+49 30 1234567"}
	return h
}

// order builds (without storing) a reserved order of quantity units of
// the SKU, held for ten minutes.
func (h *ordHarness) order(buyer *hawker.User, sku *hawker.SKU, quantity int64, showID string, addr *hawker.Address) *hawker.Order {
	h.seq++
	now := hawker.Now()
	unit := sku.Prices["DE"]
	eur := func(n int64) hawker.Money { return hawker.Money{Amount: n, Currency: "EUR"} }
	tax := unit * quantity * 19 / 119
	return &hawker.Order{
		ID: hawker.NewID(hawker.PrefixOrder), BuyerID: buyer.ID, ShopID: sku.ShopID, Market: "DE", ShowID: showID,
		Lines:    []hawker.OrderLine{{SKUID: sku.ID, Quantity: quantity, UnitPrice: eur(unit), Total: eur(unit * quantity), Tax: eur(tax)}},
		Subtotal: eur(unit * quantity), Tax: eur(tax), Shipping: eur(0), Total: eur(unit * quantity),
		State: hawker.OrderReserved, PayBy: now.Add(10 * time.Minute), CreatedAt: now, UpdatedAt: now,
		IdempotencyKey: fmt.Sprintf("order-%d", h.seq), ShippingAddress: addr,
	}
}

// commit writes a batch of one SKU as the engine would: fenced on the
// SKU's current version, with the SKU's counters moved by the deltas.
func (h *ordHarness) commit(t testing.TB, skuID string, reserved, sold int64, b *inventory.Batch) error {
	t.Helper()
	st, err := h.s.LoadSKU(t.Context(), skuID)
	must(t, err)
	b.At = hawker.Now()
	b.SKUs = []inventory.SKUChange{{SKUID: skuID, Version: st.Version, Reserved: reserved, Sold: sold}}
	return h.s.CommitBatch(t.Context(), b)
}

// place stores the orders (all of one SKU) in one batch, with their
// idempotency records.
func (h *ordHarness) place(t testing.TB, orders ...*hawker.Order) {
	t.Helper()
	b := &inventory.Batch{Orders: orders}
	var units int64
	for _, o := range orders {
		units += o.Lines[0].Quantity
		b.Records = append(b.Records, &inventory.Record{BuyerID: o.BuyerID, Key: o.IdempotencyKey, Fingerprint: "fp",
			Status: inventory.StatusCreated, OrderID: o.ID, Body: []byte(`{}`), CreatedAt: o.CreatedAt})
	}
	must(t, h.commit(t, orders[0].Lines[0].SKUID, units, 0, b))
}

// pay moves a reserved order to paid, as the engine's Confirm does.
func (h *ordHarness) pay(t testing.TB, o *hawker.Order) {
	t.Helper()
	q := o.Lines[0].Quantity
	must(t, h.commit(t, o.Lines[0].SKUID, -q, q, &inventory.Batch{
		Transitions: []inventory.Transition{{OrderID: o.ID, From: hawker.OrderReserved, To: hawker.OrderPaid}}}))
	o.State = hawker.OrderPaid
}

// refund moves a paid order to refunded, as the engine's Cancel does.
func (h *ordHarness) refund(t testing.TB, o *hawker.Order) error {
	t.Helper()
	return h.commit(t, o.Lines[0].SKUID, 0, -o.Lines[0].Quantity, &inventory.Batch{
		Transitions: []inventory.Transition{{OrderID: o.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded}}})
}

func (h *ordHarness) find(t testing.TB, id string) *hawker.Order {
	t.Helper()
	o, err := h.s.FindOrder(t.Context(), id)
	must(t, err)
	return o
}

// testOrders checks hawker.OrderStore and the order columns the engine's
// writes and FindOrder share: addresses round-trip, lists are scoped,
// filtered and paged newest first, and the two conditional updates hold
// against the engine's transitions.
func testOrders(t *testing.T, open opener) {
	t.Run("Address", func(t *testing.T) { testOrderAddress(t, newOrdHarness(t, open)) })
	t.Run("FindOrders", func(t *testing.T) { testFindOrders(t, newOrdHarness(t, open)) })
	t.Run("PageLimits", func(t *testing.T) { testOrderPageLimits(t, newOrdHarness(t, open)) })
	t.Run("Fulfil", func(t *testing.T) { testFulfilOrder(t, newOrdHarness(t, open)) })
	t.Run("FulfilRacesRefund", func(t *testing.T) { testFulfilRacesRefund(t, newOrdHarness(t, open)) })
	t.Run("AddressRacesPayment", func(t *testing.T) { testAddressRacesPayment(t, newOrdHarness(t, open)) })
}

func testOrderAddress(t *testing.T, h *ordHarness) {
	ctx := t.Context()
	with := h.order(h.buyer, h.skuA, 1, "", h.addressExample)
	without := h.order(h.buyer, h.skuA, 2, "", nil)
	h.place(t, with, without)

	// As written by the engine's batch.
	same(t, "order with address", h.find(t, with.ID), with)
	got := h.find(t, without.ID)
	same(t, "order without address", got, without)
	if got.ShippingAddress != nil || got.TrackingNumber != "" || got.Carrier != "" || got.FulfilledAt != nil {
		t.Errorf("new order without address: %+v", got)
	}

	// Set later, verbatim.
	for _, tc := range tricky {
		t.Run(tc.name, func(t *testing.T) {
			a := &hawker.Address{Name: tc.s, Line1: tc.s, Line2: tc.s, City: tc.s, Region: tc.s, PostalCode: tc.s, Country: "DE", Phone: tc.s}
			at := hawker.Now()
			o, err := h.s.SetOrderShippingAddress(ctx, without.ID, a, at)
			must(t, err)
			want := *without
			want.ShippingAddress, want.UpdatedAt = a, at
			same(t, "answer", o, &want)
			same(t, "stored", h.find(t, without.ID), &want)
			checkUTC(t, "UpdatedAt", o.UpdatedAt)
		})
	}
	// Replaced, not merged: a field left out is gone.
	short := &hawker.Address{Name: "B", Line1: "C", City: "D", Country: "DE"}
	o, err := h.s.SetOrderShippingAddress(ctx, with.ID, short, hawker.Now())
	must(t, err)
	same(t, "replaced address", o.ShippingAddress, short)

	// Only while reserved, and not once the reservation is due.
	paid := h.order(h.buyer, h.skuA, 1, "", nil)
	due := h.order(h.buyer, h.skuA, 1, "", nil)
	due.PayBy = hawker.Now().Add(-time.Second)
	h.place(t, paid, due)
	h.pay(t, paid)
	for _, o := range []*hawker.Order{paid, due} {
		_, err := h.s.SetOrderShippingAddress(ctx, o.ID, h.addressExample, hawker.Now())
		wantCode(t, err, hawker.ESTATE)
		if got := h.find(t, o.ID); got.ShippingAddress != nil || got.State != o.State {
			t.Errorf("refused address change changed the order: %+v", got)
		}
	}
	_, err = h.s.SetOrderShippingAddress(ctx, hawker.NewID(hawker.PrefixOrder), h.addressExample, hawker.Now())
	wantCode(t, err, hawker.ENOTFOUND)
}

func testFindOrders(t *testing.T, h *ordHarness) {
	ctx := t.Context()
	// Made in this order, so their ids (and the expected lists, newest
	// first) follow it.
	a1 := h.order(h.buyer, h.skuA, 1, h.show.ID, h.addressExample)
	a2 := h.order(h.other, h.skuA, 2, "", nil)
	a3 := h.order(h.buyer, h.skuA, 3, "", nil)
	h.place(t, a1, a2, a3)
	b1 := h.order(h.buyer, h.skuB, 1, "", nil)
	b2 := h.order(h.other, h.skuB, 1, "", nil)
	h.place(t, b1, b2)
	a4 := h.order(h.other, h.skuA, 1, h.show.ID, nil)
	h.place(t, a4)
	h.pay(t, a3)
	h.pay(t, b2)
	fulfilled, err := h.s.FulfilOrder(ctx, a3.ID, hawker.Fulfilment{TrackingNumber: "1Z999", Carrier: "UPS"}, hawker.Now())
	must(t, err)
	*a3 = *fulfilled

	newestFirst := func(os ...*hawker.Order) []string {
		out := ids(os, func(o *hawker.Order) string { return o.ID })
		slices.Sort(out)
		slices.Reverse(out)
		return out
	}
	for _, tc := range []struct {
		name string
		q    hawker.OrderQuery
		want []string
	}{
		{"all", hawker.OrderQuery{}, newestFirst(a1, a2, a3, a4, b1, b2)},
		{"buyer", hawker.OrderQuery{BuyerID: h.buyer.ID}, newestFirst(a1, a3, b1)},
		{"shop", hawker.OrderQuery{ShopID: h.shopA.ID}, newestFirst(a1, a2, a3, a4)},
		{"show", hawker.OrderQuery{ShowID: h.show.ID}, newestFirst(a1, a4)},
		{"state", hawker.OrderQuery{State: hawker.OrderReserved}, newestFirst(a1, a2, a4, b1)},
		{"shop and state", hawker.OrderQuery{ShopID: h.shopB.ID, State: hawker.OrderPaid}, newestFirst(b2)},
		{"buyer and shop", hawker.OrderQuery{BuyerID: h.other.ID, ShopID: h.shopA.ID}, newestFirst(a2, a4)},
		{"everything", hawker.OrderQuery{BuyerID: h.buyer.ID, ShopID: h.shopA.ID, ShowID: h.show.ID, State: hawker.OrderReserved}, newestFirst(a1)},
		{"fulfilled", hawker.OrderQuery{State: hawker.OrderFulfilled}, newestFirst(a3)},
		{"unknown buyer", hawker.OrderQuery{BuyerID: hawker.NewID(hawker.PrefixUser)}, []string{}},
		{"unknown shop", hawker.OrderQuery{ShopID: hawker.NewID(hawker.PrefixShop)}, []string{}},
		{"after the last", hawker.OrderQuery{BuyerID: h.buyer.ID, Page: hawker.Page{After: a1.ID}}, []string{}},
		{"after the first", hawker.OrderQuery{BuyerID: h.buyer.ID, Page: hawker.Page{After: b1.ID}}, newestFirst(a1, a3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.s.FindOrders(ctx, tc.q)
			must(t, err)
			if got == nil {
				t.Fatal("FindOrders returned nil, want an empty list")
			}
			same(t, "ids", ids(got, func(o *hawker.Order) string { return o.ID }), tc.want)
		})
	}

	// Whole orders, as FindOrder reads them.
	all, err := h.s.FindOrders(ctx, hawker.OrderQuery{})
	must(t, err)
	for _, o := range all {
		same(t, "listed order "+o.ID, o, h.find(t, o.ID))
		checkUTC(t, "PayBy", o.PayBy)
	}
	for _, o := range all {
		if o.ID == a1.ID {
			same(t, "address in the list", o.ShippingAddress, h.addressExample)
		}
		if o.ID == a3.ID && (o.TrackingNumber != "1Z999" || o.Carrier != "UPS" || o.FulfilledAt == nil) {
			t.Errorf("fulfilled order in the list: %+v", o)
		}
	}

	// Paging: pages of two walk the buyer's and the shop's orders without
	// gaps or repeats.
	for _, q := range []hawker.OrderQuery{{BuyerID: h.buyer.ID}, {ShopID: h.shopA.ID}, {}} {
		whole, err := h.s.FindOrders(ctx, q)
		must(t, err)
		var walked []string
		p := q
		p.Page = hawker.Page{Limit: 2}
		for range 100 {
			page, err := h.s.FindOrders(ctx, p)
			must(t, err)
			if len(page) > 2 {
				t.Fatalf("page of %d, limit 2", len(page))
			}
			if len(page) == 0 {
				break
			}
			for _, o := range page {
				walked = append(walked, o.ID)
			}
			p.Page.After = page[len(page)-1].ID
		}
		same(t, fmt.Sprintf("paged %+v", q), walked, ids(whole, func(o *hawker.Order) string { return o.ID }))
	}
}

// testOrderPageLimits: an unset limit is a default page, a limit above a
// page and one is cut to that.
func testOrderPageLimits(t *testing.T, h *ordHarness) {
	n := hawker.MaxPageLimit + 5
	orders := make([]*hawker.Order, n)
	for i := range orders {
		orders[i] = h.order(h.buyer, h.skuA, 1, "", nil)
	}
	h.place(t, orders...)
	for _, tc := range []struct {
		limit, want int
	}{
		{0, hawker.DefaultPageLimit},
		{-1, hawker.DefaultPageLimit},
		{7, 7},
		{hawker.MaxPageLimit + 1, hawker.MaxPageLimit + 1},
		{10_000, hawker.MaxPageLimit + 1},
	} {
		got, err := h.s.FindOrders(t.Context(), hawker.OrderQuery{BuyerID: h.buyer.ID, Page: hawker.Page{Limit: tc.limit}})
		must(t, err)
		if len(got) != tc.want {
			t.Errorf("limit %d: %d orders, want %d", tc.limit, len(got), tc.want)
		}
		if len(got) > 0 && got[0].ID != orders[n-1].ID {
			t.Errorf("limit %d: first order %s, want the newest %s", tc.limit, got[0].ID, orders[n-1].ID)
		}
	}
}

func testFulfilOrder(t *testing.T, h *ordHarness) {
	ctx := t.Context()
	o := h.order(h.buyer, h.skuA, 2, "", h.addressExample)
	h.place(t, o)
	f := hawker.Fulfilment{TrackingNumber: "JD014600001234567890", Carrier: "DHL"}

	// Not before payment.
	_, err := h.s.FulfilOrder(ctx, o.ID, f, hawker.Now())
	wantCode(t, err, hawker.ESTATE)
	same(t, "unpaid order after a refused fulfilment", h.find(t, o.ID), o)

	h.pay(t, o)
	before := h.find(t, o.ID)
	at := hawker.Now()
	got, err := h.s.FulfilOrder(ctx, o.ID, f, at)
	must(t, err)
	want := *before
	want.State, want.TrackingNumber, want.Carrier, want.FulfilledAt, want.UpdatedAt = hawker.OrderFulfilled, f.TrackingNumber, f.Carrier, &at, at
	same(t, "fulfilled", got, &want)
	same(t, "stored", h.find(t, o.ID), &want)
	checkUTC(t, "FulfilledAt", *got.FulfilledAt)

	// Once: a second fulfilment is refused and changes nothing.
	_, err = h.s.FulfilOrder(ctx, o.ID, hawker.Fulfilment{TrackingNumber: "other"}, hawker.Now())
	wantCode(t, err, hawker.ESTATE)
	same(t, "after a second fulfilment", h.find(t, o.ID), &want)

	// The units stay sold, and the engine no longer refunds the order.
	st, err := h.s.FindStock(ctx, h.skuA.ID)
	must(t, err)
	if st.Sold != 2 || st.Reserved != 0 {
		t.Errorf("stock after fulfilment = %+v, want 2 sold", st)
	}
	if err := h.refund(t, o); !errors.Is(err, inventory.ErrStale) {
		t.Errorf("refunding a fulfilled order: %v, want ErrStale", err)
	}

	// Without a carrier; and orders in other states.
	plain := h.order(h.buyer, h.skuA, 1, "", nil)
	refunded := h.order(h.buyer, h.skuA, 1, "", nil)
	h.place(t, plain, refunded)
	h.pay(t, plain)
	h.pay(t, refunded)
	must(t, h.refund(t, refunded))
	got, err = h.s.FulfilOrder(ctx, plain.ID, hawker.Fulfilment{TrackingNumber: "123"}, hawker.Now())
	must(t, err)
	if got.Carrier != "" || got.TrackingNumber != "123" || got.State != hawker.OrderFulfilled {
		t.Errorf("fulfilled without carrier: %+v", got)
	}
	_, err = h.s.FulfilOrder(ctx, refunded.ID, f, hawker.Now())
	wantCode(t, err, hawker.ESTATE)
	_, err = h.s.FulfilOrder(ctx, hawker.NewID(hawker.PrefixOrder), f, hawker.Now())
	wantCode(t, err, hawker.ENOTFOUND)
}

// testFulfilRacesRefund races a fulfilment against the engine's refund of
// the same paid order: exactly one wins, and the order and the stock say
// which.
func testFulfilRacesRefund(t *testing.T, h *ordHarness) {
	const rounds = 10
	var fulfilled, refunded int
	for i := range rounds {
		o := h.order(h.buyer, h.skuA, 1, "", nil)
		h.place(t, o)
		h.pay(t, o)
		errs := parallel(2, func(j int) error {
			if j == 0 {
				_, err := h.s.FulfilOrder(t.Context(), o.ID, hawker.Fulfilment{TrackingNumber: fmt.Sprint("T", i)}, hawker.Now())
				return err
			}
			// The engine decides on the SKU's version it read and retries
			// when it went stale while the order is still paid.
			var err error
			for range 10 {
				err = h.refund(t, o)
				if !errors.Is(err, inventory.ErrStale) || h.find(t, o.ID).State != hawker.OrderPaid {
					break
				}
			}
			return err
		})
		got := h.find(t, o.ID)
		switch {
		case errs[0] == nil && errors.Is(errs[1], inventory.ErrStale) && got.State == hawker.OrderFulfilled:
			fulfilled++
		case hawker.ErrorCode(errs[0]) == hawker.ESTATE && errs[1] == nil && got.State == hawker.OrderRefunded:
			refunded++
		default:
			t.Fatalf("round %d: fulfil %v, refund %v, order %s", i, errs[0], errs[1], got.State)
		}
	}
	st, err := h.s.FindStock(t.Context(), h.skuA.ID)
	must(t, err)
	if st.Sold != int64(fulfilled) || st.Reserved != 0 {
		t.Errorf("stock %+v after %d fulfilled and %d refunded orders", st, fulfilled, refunded)
	}
	t.Logf("%d fulfilled first, %d refunded first", fulfilled, refunded)
}

// testAddressRacesPayment races an address change against the engine's
// confirmation of the same reserved order: the address is set only if it
// came first, and the payment always goes through.
func testAddressRacesPayment(t *testing.T, h *ordHarness) {
	for i := range 10 {
		o := h.order(h.buyer, h.skuA, 1, "", nil)
		h.place(t, o)
		errs := parallel(2, func(j int) error {
			if j == 0 {
				_, err := h.s.SetOrderShippingAddress(t.Context(), o.ID, h.addressExample, hawker.Now())
				return err
			}
			// An address change moves no SKU version and no state: the
			// payment never goes stale over it.
			q := o.Lines[0].Quantity
			return h.commit(t, o.Lines[0].SKUID, -q, q, &inventory.Batch{
				Transitions: []inventory.Transition{{OrderID: o.ID, From: hawker.OrderReserved, To: hawker.OrderPaid}}})
		})
		got := h.find(t, o.ID)
		if errs[1] != nil || got.State != hawker.OrderPaid {
			t.Fatalf("round %d: payment %v, order %s", i, errs[1], got.State)
		}
		switch {
		case errs[0] == nil && got.ShippingAddress != nil:
		case hawker.ErrorCode(errs[0]) == hawker.ESTATE && got.ShippingAddress == nil:
		default:
			t.Fatalf("round %d: address %v, stored %+v", i, errs[0], got.ShippingAddress)
		}
	}
}
