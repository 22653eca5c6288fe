package payment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/market"
	"hawker/payment"
	"hawker/payment/testpay"
	"hawker/postgres"
	"hawker/postgres/pgtest"
	"hawker/sqlite"
)

// The flow on the real parts: a SQLite or PostgreSQL store, the
// group-commit inventory engine over it, and the test provider. The HTTP
// tests run the flow again through the API.

// clock is a settable server clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stores is a database as every part of the flow sees it.
type stores interface {
	hawker.Store
	payment.Store
	payment.Orders
	inventory.Store
}

type env struct {
	t      *testing.T
	kind   string // sqlite or postgres
	path   string // the SQLite file, or the PostgreSQL URL with its schema
	db     stores
	store  payment.Store // what the service uses (db, or a wrapper)
	engine *inventory.GroupCommit
	tp     *testpay.Provider
	svc    *payment.Service
	clock  *clock
	buyer  string
	shop   string
	sku    string
	keys   int
}

var address = &hawker.Address{Name: "Bea Buyer", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}

// eachStore runs the test on SQLite and, when HAWKER_TEST_POSTGRES_URL is
// set, on PostgreSQL (each in a fresh schema).
func eachStore(t *testing.T, fn func(t *testing.T, kind string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite") })
	t.Run("postgres", func(t *testing.T) {
		pgtest.URL(t)
		fn(t, "postgres")
	})
}

func newEnv(t *testing.T, kind string) *env {
	t.Helper()
	e := &env{t: t, kind: kind, clock: &clock{t: hawker.Now()}, tp: testpay.New()}
	if kind == "sqlite" {
		e.path = filepath.Join(t.TempDir(), "hawker.db")
	} else {
		e.path = pgtest.Schema(t, pgtest.URL(t))
	}
	e.open()
	ctx := t.Context()
	now := hawker.Now()
	buyer := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: "buyer@example.com", Name: "Bea", Market: "US",
		Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: "x", CreatedAt: now}
	must(t, e.db.CreateUser(ctx, buyer))
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "mugs", Name: "Mugs", HomeMarket: "US", Markets: []string{"US"}, CreatedAt: now}
	must(t, e.db.CreateShop(ctx, shop, nil))
	sku := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "M-1", Prices: map[string]int64{"US": 1999}, OnHand: 10}
	must(t, e.db.CreateProduct(ctx, &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: "Mug",
		SKUs: []*hawker.SKU{sku}, CreatedAt: now, UpdatedAt: now}))
	e.buyer, e.shop, e.sku = buyer.ID, shop.ID, sku.ID
	return e
}

// open starts (or restarts, as a new process would) the store, the engine
// and the service; the test provider's ledger survives, like a gateway's.
func (e *env) open() {
	t := e.t
	var db stores
	if e.kind == "sqlite" {
		sdb, err := sqlite.Open(t.Context(), e.path, sqlite.Options{})
		must(t, err)
		t.Cleanup(func() { sdb.Close() })
		db = sdb
	} else {
		db = pgtest.OpenURL(t, e.path, postgres.Options{})
	}
	e.db, e.store = db, db
	e.engine = inventory.New(db, inventory.Config{Markets: market.Default(), Clock: e.clock.now})
	t.Cleanup(func() { e.engine.Close() })
	e.newService(e.tp)
}

func (e *env) newService(providers ...payment.Provider) {
	svc, err := payment.New(payment.Config{
		Store: e.store, Orders: e.db, Checkout: e.engine, Providers: providers, Clock: e.clock.now,
	})
	must(e.t, err)
	e.svc = svc
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// order reserves quantity units (with the shipping address unless
// noAddress) and returns the order.
func (e *env) order(quantity int64, noAddress bool) *hawker.Order {
	t := e.t
	t.Helper()
	e.keys++
	d, err := e.engine.Reserve(t.Context(), inventory.Request{Order: hawker.OrderRequest{
		BuyerID: e.buyer, IdempotencyKey: fmt.Sprint("order-", e.keys), Market: "US",
		Lines: []hawker.OrderRequestLine{{SKUID: e.sku, Quantity: quantity}},
	}})
	must(t, err)
	if d.Status != 201 {
		t.Fatalf("reserve: %d %s", d.Status, d.Body)
	}
	if noAddress {
		return d.Order
	}
	o, err := e.db.SetOrderShippingAddress(t.Context(), d.OrderID, address, e.clock.now())
	must(t, err)
	return o
}

func (e *env) pay(o *hawker.Order, key, card string) (payment.Reply, error) {
	return e.svc.Pay(e.t.Context(), payment.PayRequest{
		BuyerID: e.buyer, OrderID: o.ID, IdempotencyKey: key, Provider: "testpay", Method: payment.Method{CardNumber: card},
	})
}

func (e *env) stock() hawker.Stock {
	st, err := e.engine.Stock(e.t.Context(), e.sku)
	must(e.t, err)
	return st
}

func (e *env) orderState(id string) hawker.OrderState {
	o, err := e.db.FindOrder(e.t.Context(), id)
	must(e.t, err)
	return o.State
}

// kinds lists the ledger's operations.
func (e *env) kinds() []string {
	var out []string
	for _, op := range e.tp.Ledger() {
		out = append(out, op.Kind)
	}
	return out
}

type payBody struct {
	Payment payment.View `json:"payment"`
	Order   hawker.Order `json:"order"`
	Error   *struct {
		Code string `json:"code"`
	} `json:"error"`
}

func decodeReply(t *testing.T, r payment.Reply) payBody {
	t.Helper()
	var b payBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatalf("reply %s: %v", r.Body, err)
	}
	return b
}

func TestPaySucceeds(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(2, false)
		r, err := e.pay(o, "k1", "4242 4242 4242 4242")
		must(t, err)
		b := decodeReply(t, r)
		if r.Status != 201 || b.Payment.State != "succeeded" || b.Order.State != hawker.OrderPaid || b.Payment.Amount != o.Total ||
			b.Payment.OrderID != o.ID || b.Payment.Provider != "testpay" || !hawker.ValidID(hawker.PrefixPayment, b.Payment.ID) {
			t.Fatalf("reply %d %s", r.Status, r.Body)
		}
		if st := e.stock(); st.Sold != 2 || st.Reserved != 0 {
			t.Errorf("stock after payment %+v", st)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger %s", got)
		}
		// Paying the paid order again (a new key) never moves money.
		r, err = e.pay(o, "k2", "4242424242424242")
		must(t, err)
		if r.Status != 409 || decodeReply(t, r).Error.Code != payment.EALREADYPAID {
			t.Errorf("second payment of a paid order: %d %s", r.Status, r.Body)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger after paying twice %s", got)
		}
	})
}

// TestDeclineKeepsReservation: a declined card fails the payment (201,
// failed, with the reason), the order stays reserved and its stock held
// until pay_by — then it expires and the stock comes back.
func TestDeclineKeepsReservation(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		for card, code := range map[string]string{testpay.CardDeclined: "card_declined", testpay.CardInsufficientFunds: "insufficient_funds"} {
			t.Run(code, func(t *testing.T) {
				e := newEnv(t, kind)
				o := e.order(3, false)
				r, err := e.pay(o, "k", card)
				must(t, err)
				b := decodeReply(t, r)
				if r.Status != 201 || b.Payment.State != "failed" || b.Payment.FailureCode != code || b.Order.State != hawker.OrderReserved {
					t.Fatalf("reply %d %s", r.Status, r.Body)
				}
				if st := e.stock(); st.Reserved != 3 || st.Available != 7 {
					t.Errorf("stock after a decline %+v", st)
				}
				if len(e.tp.Ledger()) != 0 {
					t.Errorf("a decline moved money: %v", e.tp.Ledger())
				}
				// Another card may pay while the reservation holds…
				e.clock.add(hawker.DefaultReservation - time.Second)
				if st := e.stock(); st.Reserved != 3 {
					t.Errorf("stock just before pay_by %+v", st)
				}
				// …and after pay_by the stock is back, and paying is refused.
				e.clock.add(2 * time.Second)
				if st := e.stock(); st.Reserved != 0 || st.Available != 10 {
					t.Errorf("stock after pay_by %+v", st)
				}
				if s := e.orderState(o.ID); s != hawker.OrderExpired {
					t.Errorf("order after pay_by: %s", s)
				}
				r, err = e.pay(o, "k-late", testpay.CardSuccess)
				must(t, err)
				if r.Status != 409 {
					t.Errorf("paying an expired order: %d %s", r.Status, r.Body)
				}
				if len(e.tp.Ledger()) != 0 {
					t.Errorf("paying an expired order moved money: %v", e.tp.Ledger())
				}
			})
		}
	})
}

// hookProvider runs a hook after each authorisation: the order changes
// between the hold and the confirmation.
type hookProvider struct {
	*testpay.Provider
	afterAuthorize func()
}

func (h hookProvider) Authorize(ctx context.Context, req payment.AuthorizeRequest) (*payment.Result, error) {
	r, err := h.Provider.Authorize(ctx, req)
	if err == nil && h.afterAuthorize != nil {
		h.afterAuthorize()
	}
	return r, err
}

// TestUnpayableOrderNeverCaptured: an order that expires or is cancelled
// between the authorisation and the confirmation is never captured: the
// hold is voided, the payment is canceled and the answer is 409 — a
// decision, replayed as it was.
func TestUnpayableOrderNeverCaptured(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		for _, tc := range []struct {
			name string
			do   func(e *env, o *hawker.Order)
			want hawker.OrderState
		}{
			{"expired", func(e *env, o *hawker.Order) { e.clock.add(hawker.DefaultReservation + time.Second) }, hawker.OrderExpired},
			{"cancelled", func(e *env, o *hawker.Order) {
				if _, err := e.engine.Cancel(context.Background(), o.ID); err != nil {
					panic(err)
				}
			}, hawker.OrderCancelled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, kind)
				o := e.order(1, false)
				e.newService(hookProvider{Provider: e.tp, afterAuthorize: func() { tc.do(e, o) }})
				r, err := e.pay(o, "k", testpay.CardSuccess)
				must(t, err)
				if r.Status != 409 || decodeReply(t, r).Error.Code != hawker.ESTATE {
					t.Fatalf("reply %d %s", r.Status, r.Body)
				}
				if got := fmt.Sprint(e.kinds()); got != "[authorize void]" {
					t.Errorf("the provider saw %s, want [authorize void]", got)
				}
				p, err := e.db.FindPaymentByKey(t.Context(), e.buyer, "k")
				must(t, err)
				if p.State != payment.StateCanceled {
					t.Errorf("payment %s", p.State)
				}
				if s := e.orderState(o.ID); s != tc.want {
					t.Errorf("order %s, want %s", s, tc.want)
				}
				again, err := e.pay(o, "k", testpay.CardSuccess)
				must(t, err)
				if again.Status != 409 || !bytes.Equal(again.Body, r.Body) {
					t.Errorf("replay %d %s, want %s", again.Status, again.Body, r.Body)
				}
				if got := fmt.Sprint(e.kinds()); got != "[authorize void]" {
					t.Errorf("the replay moved money: %s", got)
				}
			})
		}
	})
}

// TestSameKeyConcurrently sends one key 20 times at once: one
// authorisation, one capture, 20 identical answers.
func TestSameKeyConcurrently(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		const n = 20
		replies := make([]payment.Reply, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				replies[i], errs[i] = e.pay(o, "same", testpay.CardSuccess)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			must(t, errs[i])
			if replies[i].Status != 201 || !bytes.Equal(replies[i].Body, replies[0].Body) {
				t.Errorf("reply %d: %d %s, want %s", i, replies[i].Status, replies[i].Body, replies[0].Body)
			}
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger %s", got)
		}
	})
}

// TestReplayAfterRestart: the decision is stored; a restarted process
// replays it as it was, and the same key with another body is refused.
func TestReplayAfterRestart(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		first, err := e.pay(o, "k", testpay.CardSuccess)
		must(t, err)
		e.engine.Close()
		e.db.Close()
		e.open()
		again, err := e.pay(o, "k", "4242-4242-4242-4242") // the same card, typed differently
		must(t, err)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || !again.Replayed {
			t.Errorf("after a restart: %d %s, want %d %s", again.Status, again.Body, first.Status, first.Body)
		}
		_, err = e.pay(o, "k", testpay.CardDeclined)
		if hawker.ErrorCode(err) != hawker.EKEYREUSED {
			t.Errorf("same key, other card: %v", err)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger %s", got)
		}
	})
}

// TestRefusals: bad input is refused before anything is stored, so the
// key stays free.
func TestRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, true)
		for _, tc := range []struct {
			name  string
			req   payment.PayRequest
			code  string
			field string
		}{
			{"not Luhn", payment.PayRequest{Provider: "testpay", Method: payment.Method{CardNumber: "4242 4242 4242 4241"}}, hawker.EINVALID, "card_number"},
			{"letters", payment.PayRequest{Provider: "testpay", Method: payment.Method{CardNumber: "4242abcd42424242"}}, hawker.EINVALID, "card_number"},
			{"a real card", payment.PayRequest{Provider: "testpay", Method: payment.Method{CardNumber: "4111 1111 1111 1111"}}, hawker.EINVALID, "card_number"},
			{"no card", payment.PayRequest{Provider: "testpay"}, hawker.EINVALID, "card_number"},
			{"unknown provider", payment.PayRequest{Provider: "paypal", Method: payment.Method{CardNumber: testpay.CardSuccess}}, hawker.EINVALID, "provider"},
			{"no address", payment.PayRequest{Provider: "testpay", Method: payment.Method{CardNumber: testpay.CardSuccess}}, hawker.EINVALID, "shipping_address"},
			{"address abroad", payment.PayRequest{Provider: "testpay", Method: payment.Method{CardNumber: testpay.CardSuccess},
				ShippingAddress: &hawker.Address{Name: "A", Line1: "B", City: "C", Country: "DE"}}, hawker.EINVALID, "shipping_address.country"},
			{"another buyer's order", payment.PayRequest{BuyerID: hawker.NewID(hawker.PrefixUser), Provider: "testpay", Method: payment.Method{CardNumber: testpay.CardSuccess}}, hawker.ENOTFOUND, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.req.BuyerID == "" {
					tc.req.BuyerID = e.buyer
				}
				tc.req.OrderID, tc.req.IdempotencyKey = o.ID, "k"
				_, err := e.svc.Pay(t.Context(), tc.req)
				var he *hawker.Error
				if !errors.As(err, &he) || he.Code != tc.code || he.Field != tc.field {
					t.Errorf("Pay = %v, want %s on %q", err, tc.code, tc.field)
				}
			})
		}
		// The key is free: with an address in the request, the order gets it
		// and is paid.
		r, err := e.svc.Pay(t.Context(), payment.PayRequest{BuyerID: e.buyer, OrderID: o.ID, IdempotencyKey: "k", Provider: "testpay",
			Method: payment.Method{CardNumber: testpay.CardSuccess}, ShippingAddress: address})
		must(t, err)
		b := decodeReply(t, r)
		if r.Status != 201 || b.Order.State != hawker.OrderPaid || b.Order.ShippingAddress == nil || *b.Order.ShippingAddress != *address {
			t.Errorf("pay with the address: %d %s", r.Status, r.Body)
		}
	})
}

// TestThreeDSecure: the 3-D Secure card waits for the buyer; approval
// pays, refusal fails; asking again answers the payment as it is.
func TestThreeDSecure(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		r, err := e.pay(o, "k", testpay.CardRequiresAction)
		must(t, err)
		b := decodeReply(t, r)
		if r.Status != 201 || b.Payment.State != "requires_action" || b.Payment.NextAction == nil || b.Payment.NextAction.Type != testpay.NextAction {
			t.Fatalf("reply %d %s", r.Status, r.Body)
		}
		if len(e.tp.Ledger()) != 0 {
			t.Errorf("money moved before the approval: %v", e.tp.Ledger())
		}
		_, err = e.svc.CompleteAction(t.Context(), hawker.NewID(hawker.PrefixUser), b.Payment.ID, true)
		if hawker.ErrorCode(err) != hawker.ENOTFOUND {
			t.Errorf("another buyer approving: %v", err)
		}
		a, err := e.svc.CompleteAction(t.Context(), e.buyer, b.Payment.ID, true)
		must(t, err)
		ab := decodeReply(t, a)
		if a.Status != 200 || ab.Payment.State != "succeeded" || ab.Order.State != hawker.OrderPaid || ab.Payment.NextAction != nil {
			t.Fatalf("approval %d %s", a.Status, a.Body)
		}
		a2, err := e.svc.CompleteAction(t.Context(), e.buyer, b.Payment.ID, false)
		must(t, err)
		if decodeReply(t, a2).Payment.State != "succeeded" {
			t.Errorf("a refusal after the approval changed the payment: %s", a2.Body)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger %s", got)
		}
		// The key's decision is still the first answer (requires_action).
		again, err := e.pay(o, "k", testpay.CardRequiresAction)
		must(t, err)
		if !bytes.Equal(again.Body, r.Body) {
			t.Errorf("replay %s, want %s", again.Body, r.Body)
		}

		o2 := e.order(1, false)
		r, err = e.pay(o2, "k2", testpay.CardRequiresAction)
		must(t, err)
		id := decodeReply(t, r).Payment.ID
		a, err = e.svc.CompleteAction(t.Context(), e.buyer, id, false)
		must(t, err)
		if ab := decodeReply(t, a); ab.Payment.State != "failed" || ab.Payment.FailureCode != "authentication_failed" || ab.Order.State != hawker.OrderReserved {
			t.Errorf("refusal %s", a.Body)
		}
	})
}

// TestActionAfterExpiry: a 3-D Secure approval that comes after pay_by
// is voided (409), and the reconcile loop releases checks nobody
// finished.
func TestActionAfterExpiry(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		r, err := e.pay(o, "k", testpay.CardRequiresAction)
		must(t, err)
		id := decodeReply(t, r).Payment.ID
		o2 := e.order(1, false)
		r2, err := e.pay(o2, "k2", testpay.CardRequiresAction)
		must(t, err)
		id2 := decodeReply(t, r2).Payment.ID

		e.clock.add(hawker.DefaultReservation + time.Second)
		a, err := e.svc.CompleteAction(t.Context(), e.buyer, id, true)
		must(t, err)
		if a.Status != 409 {
			t.Errorf("approval after pay_by: %d %s", a.Status, a.Body)
		}
		n, err := e.svc.Reconcile(t.Context())
		must(t, err)
		p2, err := e.db.FindPayment(t.Context(), id2)
		must(t, err)
		if n != 1 || p2.State != payment.StateCanceled || p2.FailureCode != "order_expired" {
			t.Errorf("reconcile moved %d; the unfinished check is %s (%s)", n, p2.State, p2.FailureCode)
		}
		for _, op := range e.tp.Ledger() {
			if op.Kind == "capture" {
				t.Errorf("captured after pay_by: %v", e.tp.Ledger())
			}
		}
	})
}

// failingStore fails the first UpdatePayment to the state given, after
// doing nothing: a crash between the provider's call and the record of
// it.
type failingStore struct {
	payment.Store
	mu    sync.Mutex
	state payment.State
	fails int
}

func (f *failingStore) UpdatePayment(ctx context.Context, id string, from []payment.State, upd payment.Update) (*payment.Payment, error) {
	f.mu.Lock()
	if upd.State == f.state && f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return nil, errors.New("simulated crash")
	}
	f.mu.Unlock()
	return f.Store.UpdatePayment(ctx, id, from, upd)
}

// countingProvider counts refund calls (the ledger counts refunds done).
type countingProvider struct {
	*testpay.Provider
	mu      sync.Mutex
	refunds int
}

func (c *countingProvider) Refund(ctx context.Context, ref string, amount hawker.Money, key string) error {
	c.mu.Lock()
	c.refunds++
	c.mu.Unlock()
	return c.Provider.Refund(ctx, ref, amount, key)
}

// TestRefundExactlyOnce: the seller cancels a paid order (refunded); the
// reconcile loop refunds the payment. A crash between the refund and its
// record makes the next pass refund again — with the same idempotency
// key, so the gateway refunds once.
func TestRefundExactlyOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		fs := &failingStore{Store: e.db, state: payment.StateRefunded, fails: 1}
		e.store = fs
		cp := &countingProvider{Provider: e.tp}
		e.newService(cp)
		o := e.order(1, false)
		r, err := e.pay(o, "k", testpay.CardSuccess)
		must(t, err)
		id := decodeReply(t, r).Payment.ID
		if n, err := e.svc.Reconcile(t.Context()); n != 0 || err != nil {
			t.Fatalf("reconcile before the refund: %d, %v", n, err)
		}
		if _, err := e.engine.Cancel(t.Context(), o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Reconcile(t.Context()); err == nil {
			t.Fatalf("the simulated crash did not happen")
		}
		p, err := e.db.FindPayment(t.Context(), id)
		must(t, err)
		if p.State != payment.StateSucceeded {
			t.Fatalf("after the crash: %s", p.State)
		}
		n, err := e.svc.Reconcile(t.Context())
		must(t, err)
		p, err = e.db.FindPayment(t.Context(), id)
		must(t, err)
		if n != 1 || p.State != payment.StateRefunded {
			t.Errorf("second pass moved %d, payment %s", n, p.State)
		}
		if n, err := e.svc.Reconcile(t.Context()); n != 0 || err != nil {
			t.Errorf("third pass: %d, %v", n, err)
		}
		refunds := 0
		for _, op := range e.tp.Ledger() {
			if op.Kind == "refund" {
				refunds++
				if op.Amount != o.Total {
					t.Errorf("refunded %v, want %v", op.Amount, o.Total)
				}
			}
		}
		if refunds != 1 || cp.refunds != 2 {
			t.Errorf("%d refunds done from %d calls; want 1 from 2", refunds, cp.refunds)
		}
	})
}

// TestOutageResumes: a capture that fails leaves the payment authorised
// (the order confirmed); the same key resumes it, and so would the
// reconcile loop.
func TestOutageResumes(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		e.tp.FailNext("capture", 1)
		_, err := e.pay(o, "k", testpay.CardSuccess)
		if hawker.ErrorCode(err) != payment.EUNAVAILABLE {
			t.Fatalf("Pay with the gateway down = %v", err)
		}
		p, err := e.db.FindPaymentByKey(t.Context(), e.buyer, "k")
		must(t, err)
		if p.State != payment.StateAuthorized || p.Decided() {
			t.Fatalf("after the outage: %s decided=%v", p.State, p.Decided())
		}
		r, err := e.pay(o, "k", testpay.CardSuccess)
		must(t, err)
		if b := decodeReply(t, r); r.Status != 201 || b.Payment.State != "succeeded" || b.Payment.ID != p.ID {
			t.Errorf("retry %d %s", r.Status, r.Body)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture]" {
			t.Errorf("ledger %s", got)
		}

		// The same outage, finished by the reconcile loop once the payment is
		// stale; the key then replays what the loop left.
		o2 := e.order(1, false)
		e.tp.FailNext("capture", 1)
		if _, err := e.pay(o2, "k2", testpay.CardSuccess); hawker.ErrorCode(err) != payment.EUNAVAILABLE {
			t.Fatalf("second outage: %v", err)
		}
		if n, _ := e.svc.Reconcile(t.Context()); n != 0 {
			t.Errorf("the loop took a payment its request may still hold")
		}
		e.clock.add(payment.DefaultStaleAfter + time.Second)
		if n, err := e.svc.Reconcile(t.Context()); n != 1 || err != nil {
			t.Errorf("reconcile: %d, %v", n, err)
		}
		if s := e.orderState(o2.ID); s != hawker.OrderPaid {
			t.Errorf("order %s", s)
		}
		r, err = e.pay(o2, "k2", testpay.CardSuccess)
		must(t, err)
		if decodeReply(t, r).Payment.State != "succeeded" {
			t.Errorf("after the loop: %s", r.Body)
		}
	})
}

// refusingProvider refuses the first authorisation as invalid input, as
// Stripe does for a PaymentMethod it does not know.
type refusingProvider struct {
	*testpay.Provider
	mu      sync.Mutex
	refuses int
}

func (r *refusingProvider) Authorize(ctx context.Context, req payment.AuthorizeRequest) (*payment.Result, error) {
	r.mu.Lock()
	refuse := r.refuses > 0
	r.refuses--
	r.mu.Unlock()
	if refuse {
		return nil, hawker.FieldError("card_number", "the provider does not know this card")
	}
	return r.Provider.Authorize(ctx, req)
}

// TestProviderRefusalFreesKey: a provider's refusal of the input is not a
// decision: the key stays free for the corrected request.
func TestProviderRefusalFreesKey(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.newService(&refusingProvider{Provider: e.tp, refuses: 1})
		o := e.order(1, false)
		_, err := e.pay(o, "k", testpay.CardDeclined)
		var he *hawker.Error
		if !errors.As(err, &he) || he.Code != hawker.EINVALID || he.Field != "card_number" {
			t.Fatalf("refused authorisation: %v", err)
		}
		if _, err := e.db.FindPaymentByKey(t.Context(), e.buyer, "k"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
			t.Errorf("the refused payment was kept: %v", err)
		}
		r, err := e.pay(o, "k", testpay.CardSuccess)
		must(t, err)
		if decodeReply(t, r).Payment.State != "succeeded" {
			t.Errorf("corrected request: %d %s", r.Status, r.Body)
		}
	})
}
