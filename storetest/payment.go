package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/payment"
)

// paymentStores is a store seen as the payment store and as the inventory
// engine's store, which makes orders and moves them between states.
type paymentStores interface {
	hawker.Store
	payment.Store
	inventory.Store
}

// payFixture makes orders of one SKU for the payment checks.
type payFixture struct {
	s     paymentStores
	buyer *hawker.User
	shop  *hawker.Shop
	sku   *hawker.SKU
}

func newPayFixture(t *testing.T, open opener) *payFixture {
	t.Helper()
	st := open(t)
	s, ok := st.(paymentStores)
	if !ok {
		t.Fatalf("%T does not implement payment.Store and inventory.Store", st)
	}
	seller := newUser(t, s, "pay-seller@example.com")
	shop := newShop(t, s, "pay-shop", seller)
	p := product(shop.ID, "PAY-1")
	p.SKUs[0].OnHand = 1000
	must(t, s.CreateProduct(t.Context(), p))
	return &payFixture{s: s, buyer: newUser(t, s, "pay-buyer@example.com"), shop: shop, sku: p.SKUs[0]}
}

// commit applies a batch of the fixture's SKU, fenced on its version, with
// the counter deltas given.
func (f *payFixture) commit(t testing.TB, reserved, sold int64, b *inventory.Batch) {
	t.Helper()
	st, err := f.s.LoadSKU(t.Context(), f.sku.ID)
	must(t, err)
	b.At = hawker.Now()
	b.SKUs = []inventory.SKUChange{{SKUID: f.sku.ID, Version: st.Version, Reserved: reserved, Sold: sold}}
	must(t, f.s.CommitBatch(t.Context(), b))
}

// order makes a reserved order of one unit payable until payBy.
func (f *payFixture) order(t testing.TB, payBy time.Time) *hawker.Order {
	t.Helper()
	now := hawker.Now()
	eur := func(a int64) hawker.Money { return hawker.Money{Amount: a, Currency: "EUR"} }
	o := &hawker.Order{
		ID: hawker.NewID(hawker.PrefixOrder), BuyerID: f.buyer.ID, ShopID: f.shop.ID, Market: "DE",
		Lines:    []hawker.OrderLine{{SKUID: f.sku.ID, Quantity: 1, UnitPrice: eur(4999), Total: eur(4999), Tax: eur(798)}},
		Subtotal: eur(4999), Tax: eur(798), Shipping: eur(0), Total: eur(4999), State: hawker.OrderReserved,
		PayBy: payBy, CreatedAt: now, UpdatedAt: now, IdempotencyKey: "order-" + hawker.NewID("k"),
	}
	f.commit(t, 1, 0, &inventory.Batch{Orders: []*hawker.Order{o}})
	return o
}

// move takes an order through transitions (with the counters they move).
func (f *payFixture) move(t testing.TB, o *hawker.Order, to ...hawker.OrderState) {
	t.Helper()
	for _, next := range to {
		var reserved, sold int64
		switch {
		case o.State == hawker.OrderReserved && next == hawker.OrderPaid:
			reserved, sold = -1, 1
		case o.State == hawker.OrderReserved:
			reserved = -1
		case o.State == hawker.OrderPaid && next == hawker.OrderRefunded:
			sold = -1
		}
		f.commit(t, reserved, sold, &inventory.Batch{Transitions: []inventory.Transition{{OrderID: o.ID, From: o.State, To: next}}})
		o.State = next
	}
}

// payment builds (without storing) a pending payment of the order.
func (f *payFixture) payment(o *hawker.Order, key string) *payment.Payment {
	now := hawker.Now()
	return &payment.Payment{
		ID: hawker.NewID(hawker.PrefixPayment), OrderID: o.ID, BuyerID: o.BuyerID, Provider: "testpay",
		Amount: o.Total, State: payment.StatePending, IdempotencyKey: key, Fingerprint: "fp-" + key,
		CreatedAt: now, UpdatedAt: now,
	}
}

func (f *payFixture) create(t testing.TB, o *hawker.Order, key string) *payment.Payment {
	t.Helper()
	p := f.payment(o, key)
	must(t, f.s.CreatePayment(t.Context(), p))
	return p
}

func strp(s string) *string { return &s }

// testPayments checks payment.Store: payments round-trip, one per buyer's
// key, conditional transitions (also under a race), the decision stored
// once, webhook events applied once, pending payments freed, and the
// reconcile loop's work list.
func testPayments(t *testing.T, open opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.payment(o, tricky[0].s)
		p.State, p.ProviderRef, p.FailureCode = payment.StateRequiresAction, "tp_"+tricky[3].s, "x"
		p.NextAction, p.ClientSecret = "testpay_authorize", tricky[6].s
		p.ResponseStatus, p.Response = 201, []byte(`{"payment":{"id":"`+p.ID+`"}}`+"\n")
		must(t, f.s.CreatePayment(ctx, p))
		for name, find := range map[string]func() (*payment.Payment, error){
			"FindPayment":      func() (*payment.Payment, error) { return f.s.FindPayment(ctx, p.ID) },
			"FindPaymentByKey": func() (*payment.Payment, error) { return f.s.FindPaymentByKey(ctx, p.BuyerID, p.IdempotencyKey) },
			"FindPaymentByRef": func() (*payment.Payment, error) { return f.s.FindPaymentByRef(ctx, "testpay", p.ProviderRef) },
		} {
			got, err := find()
			must(t, err)
			same(t, name, got, p)
			checkUTC(t, name+" created_at", got.CreatedAt)
		}
		_, err := f.s.FindPayment(ctx, hawker.NewID(hawker.PrefixPayment))
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = f.s.FindPaymentByKey(ctx, f.buyer.ID, "no such key")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = f.s.FindPaymentByRef(ctx, "stripe", p.ProviderRef) // refs are per provider
		wantCode(t, err, hawker.ENOTFOUND)

		// A pending payment has no ref and no decision.
		q := f.create(t, o, "plain")
		got, err := f.s.FindPayment(ctx, q.ID)
		must(t, err)
		if got.ProviderRef != "" || got.Decided() || got.Response != nil {
			t.Errorf("pending payment read back as %+v", got)
		}
	})

	t.Run("KeyPerBuyer", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		f.create(t, o, "k1")
		wantCode(t, f.s.CreatePayment(ctx, f.payment(o, "k1")), hawker.EEXISTS)
		other := f.payment(o, "k1")
		other.BuyerID = newUser(t, f.s, "pay-other@example.com").ID
		must(t, f.s.CreatePayment(ctx, other))
		// Racing claims of one key: exactly one wins.
		errs := parallel(20, func(int) error { return f.s.CreatePayment(ctx, f.payment(o, "race")) })
		won := 0
		for _, err := range errs {
			switch hawker.ErrorCode(err) {
			case "":
				won++
			case hawker.EEXISTS:
			default:
				t.Errorf("racing claim: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d claims of one key won, want 1", won)
		}
		// A payment needs its order.
		ghost := f.payment(o, "ghost")
		ghost.OrderID = hawker.NewID(hawker.PrefixOrder)
		wantCode(t, f.s.CreatePayment(ctx, ghost), hawker.ENOTFOUND)
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.create(t, o, "u1")
		at := hawker.Now().Add(time.Second)

		// Not in from: nothing changes.
		_, err := f.s.UpdatePayment(ctx, p.ID, []payment.State{payment.StateAuthorized}, payment.Update{State: payment.StateSucceeded, At: at})
		wantCode(t, err, hawker.ESTATE)
		got, err := f.s.FindPayment(ctx, p.ID)
		must(t, err)
		same(t, "after a refused update", got, p)

		got, err = f.s.UpdatePayment(ctx, p.ID, []payment.State{payment.StatePending}, payment.Update{
			State: payment.StateRequiresAction, At: at, Ref: strp("tp_u1"), NextAction: strp("testpay_authorize"), ClientSecret: strp("sec"),
		})
		must(t, err)
		if got.State != payment.StateRequiresAction || got.ProviderRef != "tp_u1" || got.NextAction != "testpay_authorize" ||
			got.ClientSecret != "sec" || !got.UpdatedAt.Equal(at) || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("after update: %+v", got)
		}
		// Unset fields stay; "" clears the texts; an empty ref keeps the ref.
		got, err = f.s.UpdatePayment(ctx, p.ID, nil, payment.Update{State: payment.StateFailed, At: at, Ref: strp(""), FailureCode: strp("card_declined"), ClientSecret: strp("")})
		must(t, err)
		if got.State != payment.StateFailed || got.ProviderRef != "tp_u1" || got.FailureCode != "card_declined" ||
			got.NextAction != "testpay_authorize" || got.ClientSecret != "" {
			t.Errorf("after a partial update: %+v", got)
		}
		_, err = f.s.UpdatePayment(ctx, hawker.NewID(hawker.PrefixPayment), nil, payment.Update{State: payment.StateFailed, At: at})
		wantCode(t, err, hawker.ENOTFOUND)

		// A ref is one payment's, per provider.
		q := f.create(t, o, "u2")
		_, err = f.s.UpdatePayment(ctx, q.ID, nil, payment.Update{State: payment.StateAuthorized, At: at, Ref: strp("tp_u1")})
		wantCode(t, err, hawker.EEXISTS)
		r := f.payment(o, "u3")
		r.Provider = "stripe"
		must(t, f.s.CreatePayment(ctx, r))
		_, err = f.s.UpdatePayment(ctx, r.ID, nil, payment.Update{State: payment.StateAuthorized, At: at, Ref: strp("tp_u1")})
		must(t, err)
	})

	t.Run("TransitionRace", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.create(t, o, "race")
		_, err := f.s.UpdatePayment(ctx, p.ID, nil, payment.Update{State: payment.StateAuthorized, At: hawker.Now(), Ref: strp("tp_race")})
		must(t, err)
		// Twenty captures (or voids) race: exactly one moves the payment.
		errs := parallel(20, func(i int) error {
			to := payment.StateSucceeded
			if i%2 == 1 {
				to = payment.StateCanceled
			}
			_, err := f.s.UpdatePayment(ctx, p.ID, []payment.State{payment.StateAuthorized}, payment.Update{State: to, At: hawker.Now()})
			return err
		})
		won := 0
		for _, err := range errs {
			switch hawker.ErrorCode(err) {
			case "":
				won++
			case hawker.ESTATE:
			default:
				t.Errorf("racing transition: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d racing transitions won, want 1", won)
		}
	})

	t.Run("SaveResponse", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.create(t, o, "resp")
		first := []byte("{\"payment\":{\"state\":\"succeeded\"}}\n")
		got, err := f.s.SaveResponse(ctx, p.ID, 201, first)
		must(t, err)
		if got.ResponseStatus != 201 || !bytes.Equal(got.Response, first) || !got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Errorf("after SaveResponse: %d %s (updated %v, was %v)", got.ResponseStatus, got.Response, got.UpdatedAt, p.UpdatedAt)
		}
		// The first decision stays: the second gets it back.
		got, err = f.s.SaveResponse(ctx, p.ID, 409, []byte(`{"error":{}}`))
		must(t, err)
		if got.ResponseStatus != 201 || !bytes.Equal(got.Response, first) {
			t.Errorf("second SaveResponse replaced the first: %d %s", got.ResponseStatus, got.Response)
		}
		// Racing decisions: all see the one that won.
		q := f.create(t, o, "resp-race")
		bodies := make([][]byte, 10)
		errs := parallel(10, func(i int) error {
			got, err := f.s.SaveResponse(ctx, q.ID, 201, fmt.Appendf(nil, `{"n":%d}`, i))
			if err == nil {
				bodies[i] = got.Response
			}
			return err
		})
		for i, err := range errs {
			must(t, err)
			if !bytes.Equal(bodies[i], bodies[0]) {
				t.Errorf("racing SaveResponse answered %s and %s", bodies[0], bodies[i])
			}
		}
	})

	t.Run("Events", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.create(t, o, "ev")
		auth := payment.Update{State: payment.StateAuthorized, At: hawker.Now(), Ref: strp("pi_ev")}
		pend := []payment.State{payment.StatePending, payment.StateRequiresAction}

		fresh, got, err := f.s.ApplyEvent(ctx, "stripe", "evt_1", hawker.Now(), p.ID, pend, auth)
		must(t, err)
		if !fresh || got == nil || got.State != payment.StateAuthorized || got.ProviderRef != "pi_ev" {
			t.Fatalf("first event: fresh %v, payment %+v", fresh, got)
		}
		// The same event again changes nothing, even with another update.
		fresh, got, err = f.s.ApplyEvent(ctx, "stripe", "evt_1", hawker.Now(), p.ID, nil, payment.Update{State: payment.StateFailed, At: hawker.Now()})
		must(t, err)
		if fresh || got != nil {
			t.Errorf("replayed event: fresh %v, payment %+v", fresh, got)
		}
		if cur, _ := f.s.FindPayment(ctx, p.ID); cur.State != payment.StateAuthorized {
			t.Errorf("a replayed event changed the payment to %s", cur.State)
		}
		// Event ids are per provider.
		fresh, _, err = f.s.ApplyEvent(ctx, "testpay", "evt_1", hawker.Now(), "", nil, payment.Update{})
		must(t, err)
		if !fresh {
			t.Errorf("another provider's event with the same id is not fresh")
		}
		// A state outside from: the event is recorded, the payment stays.
		fresh, got, err = f.s.ApplyEvent(ctx, "stripe", "evt_2", hawker.Now(), p.ID, pend, payment.Update{State: payment.StateFailed, At: hawker.Now()})
		must(t, err)
		if !fresh || got.State != payment.StateAuthorized {
			t.Errorf("event for a moved payment: fresh %v, state %s", fresh, got.State)
		}
		// Racing deliveries of one event: one is fresh.
		freshes := make([]bool, 20)
		errs := parallel(20, func(i int) error {
			var err error
			freshes[i], _, err = f.s.ApplyEvent(ctx, "stripe", "evt_race", hawker.Now(), "", nil, payment.Update{})
			return err
		})
		n := 0
		for i, err := range errs {
			must(t, err)
			if freshes[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d of 20 racing deliveries were fresh, want 1", n)
		}
	})

	t.Run("DeletePending", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		p := f.create(t, o, "del")
		must(t, f.s.DeletePending(ctx, p.ID))
		_, err := f.s.FindPayment(ctx, p.ID)
		wantCode(t, err, hawker.ENOTFOUND)
		must(t, f.s.CreatePayment(ctx, f.payment(o, "del"))) // the key is free again

		decided := f.create(t, o, "del-decided")
		_, err = f.s.SaveResponse(ctx, decided.ID, 201, []byte("{}"))
		must(t, err)
		moved := f.create(t, o, "del-moved")
		_, err = f.s.UpdatePayment(ctx, moved.ID, nil, payment.Update{State: payment.StateFailed, At: hawker.Now()})
		must(t, err)
		for _, id := range []string{decided.ID, moved.ID} {
			must(t, f.s.DeletePending(ctx, id))
			if _, err := f.s.FindPayment(ctx, id); err != nil {
				t.Errorf("DeletePending removed payment %s: %v", id, err)
			}
		}
	})

	t.Run("FindWork", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		now := hawker.Now()
		soon, past := now.Add(10*time.Minute), now.Add(-time.Minute)
		n := 0
		mk := func(o *hawker.Order, state payment.State, updated time.Time) *payment.Payment {
			n++
			p := f.payment(o, fmt.Sprint("w", n))
			p.State, p.UpdatedAt, p.ProviderRef = state, updated, fmt.Sprint("tp_w", n)
			must(t, f.s.CreatePayment(ctx, p))
			return p
		}
		old, recent := now.Add(-time.Hour), now

		refundedOrder := f.order(t, soon)
		f.move(t, refundedOrder, hawker.OrderPaid, hawker.OrderRefunded)
		paidOrder := f.order(t, soon)
		f.move(t, paidOrder, hawker.OrderPaid)
		cancelledOrder := f.order(t, soon)
		f.move(t, cancelledOrder, hawker.OrderCancelled)
		reserved := f.order(t, soon)
		due := f.order(t, past)

		want := []*payment.Payment{
			mk(refundedOrder, payment.StateSucceeded, recent),    // refund it
			mk(reserved, payment.StateAuthorized, old),           // finish it
			mk(due, payment.StateRequiresAction, recent),         // release it: pay_by passed
			mk(cancelledOrder, payment.StateRequiresAction, old), // release it: order cancelled
		}
		mk(paidOrder, payment.StateSucceeded, old)     // paid: nothing to do
		mk(refundedOrder, payment.StateRefunded, old)  // refunded already
		mk(reserved, payment.StateAuthorized, recent)  // its request is still at it
		mk(reserved, payment.StateRequiresAction, old) // the buyer may still act
		mk(refundedOrder, payment.StateFailed, old)    // never took money
		mk(cancelledOrder, payment.StateCanceled, old) // done
		mk(reserved, payment.StatePending, old)        // waits for its key's retry

		got, err := f.s.FindWork(ctx, now, now.Add(-30*time.Second), 100)
		must(t, err)
		slices.SortFunc(want, func(a, b *payment.Payment) int {
			if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
				return c
			}
			return cmpString(a.ID, b.ID)
		})
		if g, w := ids(got, func(p *payment.Payment) string { return p.ID }), ids(want, func(p *payment.Payment) string { return p.ID }); !slices.Equal(g, w) {
			t.Errorf("FindWork = %v, want %v (oldest update first)", g, w)
		}
		got, err = f.s.FindWork(ctx, now, now.Add(-30*time.Second), 2)
		must(t, err)
		if len(got) != 2 || got[0].ID != want[0].ID {
			t.Errorf("FindWork with limit 2 = %d payments", len(got))
		}
	})
}
