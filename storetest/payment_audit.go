package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hawker"
	"hawker/payment"
)

// paymentAuditor is a store that checks the payment invariants (see
// payment/audit.go).
type paymentAuditor interface {
	AuditPayments(ctx context.Context) ([]payment.Violation, error)
}

// auditFixture is a payFixture whose store audits payments.
type auditFixture struct {
	*payFixture
	a      paymentAuditor
	orders hawker.OrderStore
	keys   int
}

func newAuditFixture(t *testing.T, open opener) *auditFixture {
	t.Helper()
	f := newPayFixture(t, open)
	a, ok := f.s.(paymentAuditor)
	os, ok2 := f.s.(hawker.OrderStore)
	if !ok || !ok2 {
		t.Fatalf("%T does not audit payments or store orders", f.s)
	}
	return &auditFixture{payFixture: f, a: a, orders: os}
}

// orderIn makes an order of one unit and takes it to state (fulfilled
// through FulfilOrder, the others through the engine's transitions).
func (f *auditFixture) orderIn(t *testing.T, state hawker.OrderState) *hawker.Order {
	t.Helper()
	o := f.order(t, hawker.Now().Add(10*time.Minute))
	switch state {
	case hawker.OrderReserved:
	case hawker.OrderFulfilled:
		f.move(t, o, hawker.OrderPaid)
		_, err := f.orders.FulfilOrder(t.Context(), o.ID, hawker.Fulfilment{TrackingNumber: "1Z999"}, hawker.Now())
		must(t, err)
		o.State = hawker.OrderFulfilled
	case hawker.OrderRefunded:
		f.move(t, o, hawker.OrderPaid, hawker.OrderRefunded)
	default:
		f.move(t, o, state)
	}
	return o
}

// pay stores a payment of the order in state, of amount (the order's
// total when nil). Rows are written as they are, however wrong: the
// corruptions an audit must find.
func (f *auditFixture) pay(t *testing.T, o *hawker.Order, state payment.State, amount *hawker.Money) *payment.Payment {
	t.Helper()
	f.keys++
	p := f.payment(o, fmt.Sprint("audit-", f.keys))
	p.State = state
	if state != payment.StatePending {
		p.ProviderRef = fmt.Sprint("tp_audit_", hawker.NewID("r"))
	}
	if amount != nil {
		p.Amount = *amount
	}
	must(t, f.s.CreatePayment(t.Context(), p))
	return p
}

// audit runs the audit and returns its violations as
// "invariant order payment" lines and their problems.
func (f *auditFixture) audit(t *testing.T) (lines, problems []string) {
	t.Helper()
	vs, err := f.a.AuditPayments(t.Context())
	must(t, err)
	lines = []string{}
	for _, v := range vs {
		if v.Problem == "" || !strings.Contains(v.String(), v.OrderID) {
			t.Errorf("violation without a readable problem: %+v", v)
		}
		lines = append(lines, strings.TrimSpace(v.Invariant+" "+v.OrderID+" "+v.PaymentID))
		problems = append(problems, v.Problem)
	}
	return lines, problems
}

// testPaymentAudit checks AuditPayments: every state a healthy system
// passes through (payments in flight included) is clean, and each
// invariant, broken on purpose with rows no flow writes, is reported.
func testPaymentAudit(t *testing.T, open opener) {
	eur := func(a int64) *hawker.Money { return &hawker.Money{Amount: a, Currency: "EUR"} }

	t.Run("Healthy", func(t *testing.T) {
		t.Parallel()
		f := newAuditFixture(t, open)
		if got, _ := f.audit(t); len(got) != 0 {
			t.Fatalf("an empty store: %v", got)
		}
		// Being paid: tries, declines, a 3-D Secure check, a hold being
		// confirmed.
		o := f.orderIn(t, hawker.OrderReserved)
		for _, s := range []payment.State{payment.StatePending, payment.StateRequiresAction, payment.StateAuthorized,
			payment.StateFailed, payment.StateCanceled} {
			f.pay(t, o, s, nil)
		}
		// Paid, after a decline; paid with the capture still to do.
		o = f.orderIn(t, hawker.OrderPaid)
		f.pay(t, o, payment.StateFailed, nil)
		f.pay(t, o, payment.StateSucceeded, nil)
		f.pay(t, f.orderIn(t, hawker.OrderPaid), payment.StateAuthorized, nil)
		// Fulfilled; fulfilled and refunded at the gateway afterwards.
		f.pay(t, f.orderIn(t, hawker.OrderFulfilled), payment.StateSucceeded, nil)
		f.pay(t, f.orderIn(t, hawker.OrderFulfilled), payment.StateRefunded, nil)
		// Refunded: the refund still to do, done, or the hold voided
		// (cancelled between confirmation and capture).
		f.pay(t, f.orderIn(t, hawker.OrderRefunded), payment.StateSucceeded, nil)
		f.pay(t, f.orderIn(t, hawker.OrderRefunded), payment.StateRefunded, nil)
		f.pay(t, f.orderIn(t, hawker.OrderRefunded), payment.StateCanceled, nil)
		// Expired and cancelled: holds still to void, and money captured
		// for them given back.
		for _, st := range []hawker.OrderState{hawker.OrderExpired, hawker.OrderCancelled} {
			o := f.orderIn(t, st)
			f.pay(t, o, payment.StateAuthorized, nil)
			f.pay(t, o, payment.StateRequiresAction, nil)
			f.pay(t, o, payment.StateCanceled, nil)
			f.pay(t, f.orderIn(t, st), payment.StateRefunded, nil)
		}
		// Paid by another payment than the first, declined one.
		o = f.orderIn(t, hawker.OrderPaid)
		f.pay(t, o, payment.StateCanceled, nil)
		f.pay(t, o, payment.StateSucceeded, nil)
		if got, problems := f.audit(t); len(got) != 0 {
			t.Fatalf("a healthy store fails its payment audit: %v %q", got, problems)
		}
	})

	for _, tc := range []struct {
		name string
		// corrupt writes the rows and returns the violations they must
		// raise, as "invariant order payment" lines.
		corrupt func(t *testing.T, f *auditFixture) []string
		problem string // a part of one violation's problem
	}{
		{"DoubleCapture", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderPaid)
			f.pay(t, o, payment.StateSucceeded, nil)
			f.pay(t, o, payment.StateSucceeded, nil)
			return []string{payment.InvDoubleCapture + " " + o.ID}
		}, "charged 2 times"},
		{"DoubleCaptureOneRefunded", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderFulfilled)
			f.pay(t, o, payment.StateRefunded, nil)
			f.pay(t, o, payment.StateSucceeded, nil)
			f.pay(t, f.orderIn(t, hawker.OrderPaid), payment.StateSucceeded, nil) // clean
			return []string{payment.InvDoubleCapture + " " + o.ID}
		}, "refunded, 4999 EUR"},
		{"PaidWithoutPayment", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderPaid)
			return []string{payment.InvPaidWithoutCapture + " " + o.ID}
		}, "order is paid, but no payment"},
		{"FulfilledOnlyDeclined", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderFulfilled)
			f.pay(t, o, payment.StateFailed, nil)
			f.pay(t, o, payment.StateCanceled, nil)
			f.pay(t, o, payment.StateRequiresAction, nil)
			return []string{payment.InvPaidWithoutCapture + " " + o.ID}
		}, "order is fulfilled"},
		{"CapturedForExpired", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderExpired)
			p := f.pay(t, o, payment.StateSucceeded, nil)
			return []string{payment.InvCapturedUnpaid + " " + o.ID + " " + p.ID}
		}, "captured 4999 EUR, but the order is expired"},
		{"CapturedForCancelledAndReserved", func(t *testing.T, f *auditFixture) []string {
			c := f.orderIn(t, hawker.OrderCancelled)
			pc := f.pay(t, c, payment.StateSucceeded, nil)
			r := f.orderIn(t, hawker.OrderReserved)
			pr := f.pay(t, r, payment.StateSucceeded, nil)
			return []string{payment.InvCapturedUnpaid + " " + c.ID + " " + pc.ID, payment.InvCapturedUnpaid + " " + r.ID + " " + pr.ID}
		}, "but the order is"},
		{"RefundExceeds", func(t *testing.T, f *auditFixture) []string {
			// More refunded than one capture takes: the refunded payment's
			// amount cannot be the order's either.
			o := f.orderIn(t, hawker.OrderRefunded)
			p := f.pay(t, o, payment.StateRefunded, eur(5000))
			return []string{payment.InvAmountMismatch + " " + o.ID + " " + p.ID, payment.InvRefundExceeds + " " + o.ID}
		}, "refunded payment of 5000 EUR, but the order's total is 4999 EUR"},
		{"RefundedTwice", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderExpired)
			f.pay(t, o, payment.StateRefunded, nil)
			f.pay(t, o, payment.StateRefunded, nil)
			return []string{payment.InvDoubleCapture + " " + o.ID, payment.InvRefundExceeds + " " + o.ID}
		}, "charged 2 times"},
		{"AmountMismatch", func(t *testing.T, f *auditFixture) []string {
			o := f.orderIn(t, hawker.OrderPaid)
			p := f.pay(t, o, payment.StateSucceeded, eur(4998))
			r := f.orderIn(t, hawker.OrderReserved)
			q := f.pay(t, r, payment.StateFailed, &hawker.Money{Amount: 4999, Currency: "USD"})
			return []string{payment.InvAmountMismatch + " " + o.ID + " " + p.ID, payment.InvAmountMismatch + " " + r.ID + " " + q.ID}
		}, "succeeded payment of 4998 EUR, but the order's total is 4999 EUR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newAuditFixture(t, open)
			// A healthy order beside the corrupted ones stays unreported.
			f.pay(t, f.orderIn(t, hawker.OrderPaid), payment.StateSucceeded, nil)
			want := tc.corrupt(t, f)
			// The audit's order: by order, then invariant, then payment.
			slices.SortFunc(want, func(a, b string) int {
				fa, fb := strings.Fields(a), strings.Fields(b)
				return cmp.Or(cmp.Compare(fa[1], fb[1]), cmp.Compare(fa[0], fb[0]), cmp.Compare(a, b))
			})
			got, problems := f.audit(t)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("violations:\n got %q\nwant %q", got, want)
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.problem) }) {
				t.Errorf("no problem in %q tells %q", problems, tc.problem)
			}
		})
	}
}
