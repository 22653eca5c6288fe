package payment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/payment"
	"hawker/payment/testpay"
	"hawker/postgres"
	"hawker/postgres/pgtest"
)

// Never charge twice: of the payments of one order, one is captured; every
// other authorised one is voided and canceled order_already_paid.

// moreStock gives the test's SKU onHand units more.
func (e *env) moreStock(onHand int64) {
	e.t.Helper()
	sku := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "M-2", Prices: map[string]int64{"US": 1999}, OnHand: onHand}
	now := hawker.Now()
	must(e.t, e.db.CreateProduct(e.t.Context(), &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: e.shop, Title: "Big mug",
		SKUs: []*hawker.SKU{sku}, CreatedAt: now, UpdatedAt: now}))
	e.sku = sku.ID
}

// auditor is the store's payment audit (`hawker audit`).
type auditor interface {
	AuditPayments(ctx context.Context) ([]payment.Violation, error)
}

// audit fails the test on any violation of the payment invariants.
func (e *env) audit() {
	e.t.Helper()
	a, ok := e.db.(auditor)
	if !ok {
		e.t.Fatalf("%T has no payment audit", e.db)
	}
	vs, err := a.AuditPayments(e.t.Context())
	must(e.t, err)
	for _, v := range vs {
		e.t.Errorf("audit: %s %s", v.Invariant, v)
	}
}

// ref is testpay's ref of a payment.
func ref(paymentID string) string {
	return "tp_" + strings.TrimPrefix(paymentID, hawker.PrefixPayment+"_")
}

// opsOf lists the provider's operations on each ref.
func opsOf(tp *testpay.Provider) map[string][]string {
	out := map[string][]string{}
	for _, op := range tp.Ledger() {
		out[op.Ref] = append(out[op.Ref], op.Kind)
	}
	return out
}

// checkOneCapture checks the ledger of an order's payments: exactly one
// captured (the winner, when given), every other hold voided, nothing
// captured twice, and each payment's state fits.
func checkOneCapture(t *testing.T, db payment.Store, tp *testpay.Provider, ids []string, winner string) {
	t.Helper()
	ops := opsOf(tp)
	captured := 0
	for _, id := range ids {
		p, err := db.FindPayment(t.Context(), id)
		must(t, err)
		got := fmt.Sprint(ops[ref(id)])
		switch {
		case strings.Contains(got, "capture"):
			captured++
			if got != "[authorize capture]" || p.State != payment.StateSucceeded || !p.CaptureClaimed {
				t.Errorf("captured payment %s: %s, ledger %s", id, p.State, got)
			}
			if winner != "" && id != winner {
				t.Errorf("captured %s, want %s", id, winner)
			}
		case strings.Contains(got, "authorize"):
			if got != "[authorize void]" || p.State != payment.StateCanceled || p.FailureCode != payment.EALREADYPAID || p.CaptureClaimed {
				t.Errorf("losing payment %s: %s (%s) claimed=%v, ledger %s", id, p.State, p.FailureCode, p.CaptureClaimed, got)
			}
		default:
			// Never held: refused at the start (the order was paid) or its
			// check released.
			if p.State != payment.StateCanceled || p.CaptureClaimed || strings.Contains(got, "capture") {
				t.Errorf("unheld payment %s: %s claimed=%v, ledger %s", id, p.State, p.CaptureClaimed, got)
			}
		}
	}
	if captured != 1 {
		t.Errorf("%d of the order's payments captured, want 1; ledger %v", captured, tp.Ledger())
	}
}

// wantAlreadyPaid checks a 409 order_already_paid answer.
func wantAlreadyPaid(t *testing.T, r payment.Reply, what string) {
	t.Helper()
	b := decodeReply(t, r)
	if r.Status != http.StatusConflict || b.Error == nil || b.Error.Code != payment.EALREADYPAID {
		t.Errorf("%s: %d %s, want 409 %s", what, r.Status, r.Body, payment.EALREADYPAID)
	}
}

// TestThreeDSecureThenOtherCard is the audit's double capture: a 3-D
// Secure payment A is left open, card B pays the order, then A's check is
// approved. A's hold is voided, A ends canceled order_already_paid (409),
// and the order is charged once.
func TestThreeDSecureThenOtherCard(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		for _, tc := range []struct {
			name      string
			reconcile bool // the reconcile loop runs before the approval
		}{{"approved", false}, {"released by the loop, then approved", true}} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, kind)
				o := e.order(1, false)
				ra, err := e.pay(o, "kA", testpay.CardRequiresAction)
				must(t, err)
				a := decodeReply(t, ra).Payment
				if ra.Status != 201 || a.State != "requires_action" {
					t.Fatalf("A: %d %s", ra.Status, ra.Body)
				}
				rb, err := e.pay(o, "kB", testpay.CardSuccess)
				must(t, err)
				b := decodeReply(t, rb)
				if rb.Status != 201 || b.Payment.State != "succeeded" || b.Order.State != hawker.OrderPaid {
					t.Fatalf("B: %d %s", rb.Status, rb.Body)
				}
				if tc.reconcile {
					if n, err := e.svc.Reconcile(t.Context()); n != 1 || err != nil {
						t.Fatalf("reconcile: %d, %v", n, err)
					}
				}
				r, err := e.svc.CompleteAction(t.Context(), e.buyer, a.ID, true)
				must(t, err)
				wantAlreadyPaid(t, r, "approving A")
				p, err := e.db.FindPayment(t.Context(), a.ID)
				must(t, err)
				if p.State != payment.StateCanceled || p.CaptureClaimed {
					t.Errorf("A: %s claimed=%v", p.State, p.CaptureClaimed)
				}
				// Asking again answers the same; the loop finds nothing to do.
				again, err := e.svc.CompleteAction(t.Context(), e.buyer, a.ID, true)
				must(t, err)
				wantAlreadyPaid(t, again, "approving A again")
				e.clock.add(payment.DefaultStaleAfter + time.Second)
				if n, err := e.svc.Reconcile(t.Context()); n != 0 || err != nil {
					t.Errorf("reconcile after: %d, %v", n, err)
				}

				ops := opsOf(e.tp)
				if got := fmt.Sprint(ops[ref(b.Payment.ID)]); got != "[authorize capture]" {
					t.Errorf("B's ledger %s", got)
				}
				wantA := "[authorize void]"
				if tc.reconcile {
					wantA = "[void]" // released before the bank held anything
				}
				if got := fmt.Sprint(ops[ref(a.ID)]); got != wantA {
					t.Errorf("A's ledger %s, want %s", got, wantA)
				}
				if !tc.reconcile && p.FailureCode != payment.EALREADYPAID {
					t.Errorf("A's failure code %q", p.FailureCode)
				}
				if st := e.stock(); st.Sold != 1 || st.Reserved != 0 {
					t.Errorf("stock %+v", st)
				}
				e.audit()
			})
		}
	})
}

// webhookProvider is testpay with webhooks whose payload is the event
// itself (no signature): a Stripe-like provider for the service.
type webhookProvider struct{ *testpay.Provider }

func (webhookProvider) ParseWebhook(payload []byte, _ http.Header) (*payment.Event, error) {
	var ev payment.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// TestWebhookAfterOtherCard: the same race through a webhook (Stripe's
// amount_capturable_updated after Stripe.js finished 3-D Secure): the late
// authorisation is voided, not captured. A capture the gateway reports
// for a payment that never claimed (taken behind hawker's back) is
// refunded at once.
func TestWebhookAfterOtherCard(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.newService(webhookProvider{e.tp})
		o := e.order(1, false)
		ra, err := e.pay(o, "kA", testpay.CardRequiresAction)
		must(t, err)
		a := decodeReply(t, ra).Payment
		rb, err := e.pay(o, "kB", testpay.CardSuccess)
		must(t, err)
		if rb.Status != 201 || decodeReply(t, rb).Payment.State != "succeeded" {
			t.Fatalf("B: %d %s", rb.Status, rb.Body)
		}
		ev, _ := json.Marshal(payment.Event{ID: "evt_1", Kind: payment.EventAuthorized, Ref: ref(a.ID), Amount: a.Amount})
		res, err := e.svc.Webhook(t.Context(), testpay.Name, ev, nil)
		must(t, err)
		if res.Result != "processed" {
			t.Errorf("webhook %+v", res)
		}
		p, err := e.db.FindPayment(t.Context(), a.ID)
		must(t, err)
		if p.State != payment.StateCanceled || p.FailureCode != payment.EALREADYPAID {
			t.Errorf("A after the webhook: %s (%s)", p.State, p.FailureCode)
		}
		// Void at the gateway (the test provider's ledger does not know the
		// webhook's authorisation: it came from "Stripe.js").
		if got := fmt.Sprint(opsOf(e.tp)[ref(a.ID)]); got != "[void]" {
			t.Errorf("A's ledger %s", got)
		}
		e.audit()

		// A payment the gateway reports captured although hawker never
		// claimed it (captured from the gateway's dashboard) for an order
		// another payment paid: the money goes back at once. (The audit
		// rightly counts it: the buyer was charged twice, once refunded.)
		o2 := e.order(1, false)
		r1, err := e.pay(o2, "k1", testpay.CardRequiresAction)
		must(t, err)
		a2 := decodeReply(t, r1).Payment
		if r2, err := e.pay(o2, "k2", testpay.CardSuccess); err != nil || r2.Status != 201 {
			t.Fatalf("paying o2: %v %s", err, r2.Body)
		}
		ev, _ = json.Marshal(payment.Event{ID: "evt_2", Kind: payment.EventCaptured, Ref: ref(a2.ID), Amount: a2.Amount})
		if _, err := e.svc.Webhook(t.Context(), testpay.Name, ev, nil); err != nil {
			t.Fatal(err)
		}
		p, err = e.db.FindPayment(t.Context(), a2.ID)
		must(t, err)
		if p.State != payment.StateRefunded || p.FailureCode != payment.EALREADYPAID || p.CaptureClaimed {
			t.Errorf("captured behind hawker's back: %s (%s) claimed=%v", p.State, p.FailureCode, p.CaptureClaimed)
		}
		if got := fmt.Sprint(opsOf(e.tp)[ref(a2.ID)]); got != "[refund]" {
			t.Errorf("its ledger %s", got)
		}
	})
}

// TestConcurrentPaymentsOneOrder races payments of one order (new cards
// and 3-D Secure approvals, with different keys) many times: each order
// is captured exactly once and every other hold is voided.
func TestConcurrentPaymentsOneOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		e.moreStock(1000)
		iterations := 25
		if testing.Short() {
			iterations = 5
		}
		for i := range iterations {
			raceOneOrder(t, e, []*payment.Service{e.svc}, e.db, i)
			if t.Failed() {
				return
			}
		}
		e.audit()
	})
}

// raceOneOrder makes a reserved order with two 3-D Secure payments, then
// at once approves both and pays with three cards, each on one of the
// services in turn; exactly one payment is captured.
func raceOneOrder(t *testing.T, e *env, svcs []*payment.Service, db payment.Store, i int) {
	t.Helper()
	o := e.order(1, false)
	var ids []string
	var approvals []string
	for j := range 2 {
		r, err := svcs[j%len(svcs)].Pay(t.Context(), payment.PayRequest{BuyerID: e.buyer, OrderID: o.ID,
			IdempotencyKey: fmt.Sprintf("3ds-%d-%d", i, j), Provider: testpay.Name, Method: payment.Method{CardNumber: testpay.CardRequiresAction}})
		must(t, err)
		id := decodeReply(t, r).Payment.ID
		ids, approvals = append(ids, id), append(approvals, id)
	}
	const cards = 3
	n := len(approvals) + cards
	replies := make([]payment.Reply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for j := range n {
		svc := svcs[j%len(svcs)]
		wg.Go(func() {
			<-start
			if j < len(approvals) {
				replies[j], errs[j] = svc.CompleteAction(context.Background(), e.buyer, approvals[j], true)
				return
			}
			replies[j], errs[j] = svc.Pay(context.Background(), payment.PayRequest{BuyerID: e.buyer, OrderID: o.ID,
				IdempotencyKey: fmt.Sprintf("card-%d-%d", i, j), Provider: testpay.Name, Method: payment.Method{CardNumber: testpay.CardSuccess}})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for j := range n {
		if errs[j] != nil {
			t.Fatalf("iteration %d, call %d: %v", i, j, errs[j])
		}
		b := decodeReply(t, replies[j])
		switch {
		case replies[j].Status/100 == 2 && b.Payment.State == "succeeded":
			won++
		case replies[j].Status == http.StatusConflict && b.Error != nil && b.Error.Code == payment.EALREADYPAID:
		default:
			t.Errorf("iteration %d, call %d: %d %s", i, j, replies[j].Status, replies[j].Body)
		}
		if j >= len(approvals) {
			p, err := db.FindPaymentByKey(t.Context(), e.buyer, fmt.Sprintf("card-%d-%d", i, j))
			must(t, err)
			ids = append(ids, p.ID)
		}
	}
	if won != 1 {
		t.Errorf("iteration %d: %d payments succeeded, want 1", i, won)
	}
	checkOneCapture(t, db, e.tp, ids, "")
	if s := e.orderState(o.ID); s != hawker.OrderPaid {
		t.Errorf("iteration %d: order %s", i, s)
	}
}

// TestTwoProcessesOnePostgres races payments of one order through two
// services, each with its own connection pool — two hawker processes on
// one database; only the store keeps them apart (their in-process locks
// know nothing of each other). They share the inventory engine, which is
// not under test here.
func TestTwoProcessesOnePostgres(t *testing.T) {
	pgtest.URL(t)
	e := newEnv(t, "postgres")
	e.moreStock(1000)
	second := pgtest.OpenURL(t, e.path, postgres.Options{})
	svc2, err := payment.New(payment.Config{Store: second, Orders: second, Checkout: e.engine, Providers: []payment.Provider{e.tp}, Clock: e.clock.now})
	must(t, err)
	svcs := []*payment.Service{e.svc, svc2}
	iterations := 25
	if testing.Short() {
		iterations = 5
	}
	for i := range iterations {
		raceOneOrder(t, e, svcs, second, i)
		if t.Failed() {
			return
		}
	}
	e.audit()
}

// TestClaimedPaymentRecovery: a payment that claimed the capture and then
// failed or crashed — before the gateway captured, or after it did but
// before the record — is captured exactly once after a restart, never
// voided; a later payment of the order loses and is voided.
func TestClaimedPaymentRecovery(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		for _, tc := range []struct {
			name  string
			crash func(e *env) // set up the failure of A's capture or its record
		}{
			{"before the capture", func(e *env) { e.tp.FailNext("capture", 1) }},
			{"after the capture", func(e *env) {
				e.store = &failingStore{Store: e.db, state: payment.StateSucceeded, fails: 1}
				e.newService(e.tp)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, kind)
				o := e.order(1, false)
				rb, err := e.pay(o, "kB", testpay.CardRequiresAction)
				must(t, err)
				b := decodeReply(t, rb).Payment

				tc.crash(e)
				if _, err := e.pay(o, "kA", testpay.CardSuccess); err == nil {
					t.Fatal("A's failure did not happen")
				}
				a, err := e.db.FindPaymentByKey(t.Context(), e.buyer, "kA")
				must(t, err)
				if a.State != payment.StateAuthorized || !a.CaptureClaimed || a.Decided() {
					t.Fatalf("A after the failure: %s claimed=%v decided=%v", a.State, a.CaptureClaimed, a.Decided())
				}
				if s := e.orderState(o.ID); s != hawker.OrderPaid {
					t.Fatalf("order %s", s)
				}

				// A restart, as a new process.
				e.engine.Close()
				e.db.Close()
				e.open()
				// B's check approved meanwhile: the order is A's.
				r, err := e.svc.CompleteAction(t.Context(), e.buyer, b.ID, true)
				must(t, err)
				wantAlreadyPaid(t, r, "approving B")
				// A is left to its request until stale, then finished by the loop.
				if n, err := e.svc.Reconcile(t.Context()); n != 0 || err != nil {
					t.Errorf("reconcile of a fresh claim: %d, %v", n, err)
				}
				e.clock.add(payment.DefaultStaleAfter + time.Second)
				if n, err := e.svc.Reconcile(t.Context()); n != 1 || err != nil {
					t.Errorf("reconcile: %d, %v", n, err)
				}
				checkOneCapture(t, e.db, e.tp, []string{a.ID, b.ID}, a.ID)
				// The key resumes nothing more: the decision is A's success.
				ra, err := e.pay(o, "kA", testpay.CardSuccess)
				must(t, err)
				if ra.Status != 201 || decodeReply(t, ra).Payment.State != "succeeded" {
					t.Errorf("A's key after recovery: %d %s", ra.Status, ra.Body)
				}
				if n, err := e.svc.Reconcile(t.Context()); n != 0 || err != nil {
					t.Errorf("reconcile after: %d, %v", n, err)
				}
				e.audit()
			})
		}
	})
}

// TestClaimedPaymentOrderRefunded: the seller refunds the order while its
// claimed payment's capture is still to do: the payment is captured (it
// may have been already; a void would not undo that) and then refunded —
// money back once, never voided.
func TestClaimedPaymentOrderRefunded(t *testing.T) {
	eachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		o := e.order(1, false)
		e.tp.FailNext("capture", 1)
		if _, err := e.pay(o, "k", testpay.CardSuccess); hawker.ErrorCode(err) != payment.EUNAVAILABLE {
			t.Fatalf("Pay with the capture failing: %v", err)
		}
		if _, err := e.engine.Cancel(t.Context(), o.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.add(payment.DefaultStaleAfter + time.Second)
		for range 2 {
			if _, err := e.svc.Reconcile(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		p, err := e.db.FindPaymentByKey(t.Context(), e.buyer, "k")
		must(t, err)
		if p.State != payment.StateRefunded || !p.CaptureClaimed {
			t.Errorf("payment %s claimed=%v", p.State, p.CaptureClaimed)
		}
		if got := fmt.Sprint(e.kinds()); got != "[authorize capture refund]" {
			t.Errorf("ledger %s", got)
		}
		e.audit()
	})
}
