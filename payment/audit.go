package payment

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"hawker"
)

// The payment invariants `hawker audit` checks beside the stock ones: never
// charge twice, never keep money for an order that is not paid, never take
// an amount that is not the order's. Each store checks each invariant with
// one query and builds the findings with the functions below, so that both
// stores report them alike.
//
// "Captured" is a payment that took money: succeeded (taken) or refunded
// (taken, then given back). The flow (see the package documentation)
// captures only after the inventory engine confirmed the order, so a
// healthy store may hold, at any instant:
//
//   - a reserved order with pending, requires_action, authorized, failed
//     or canceled payments (being paid, or declined);
//   - a paid order whose payment is still authorized (confirmed, the
//     capture not done yet: the request or the reconcile loop finishes it);
//   - an expired, cancelled or refunded order with an authorized or
//     requires_action payment (to be voided by the reconcile loop);
//   - a refunded order with a succeeded payment (the reconcile loop
//     refunds it);
//   - a refunded payment of any order (a refund at the gateway, or money
//     captured for an order that could no longer be paid and given back).
//
// None of these is a violation.
const (
	// InvDoubleCapture: no order has more than one captured payment.
	InvDoubleCapture = "double_capture"
	// InvPaidWithoutCapture: a paid or fulfilled order has a captured
	// payment, or an authorized one being captured.
	InvPaidWithoutCapture = "paid_without_capture"
	// InvCapturedUnpaid: no succeeded payment belongs to an order that is
	// reserved, expired or cancelled (money taken for nothing; a refunded
	// order's money is returned by the reconcile loop).
	InvCapturedUnpaid = "captured_unpaid_order"
	// InvRefundExceeds: the refunded payments of an order add up to no
	// more than the order's total, the most one capture takes.
	InvRefundExceeds = "refund_exceeds_capture"
	// InvAmountMismatch: every payment's amount and currency are its
	// order's total. With the invariants above, a paid order has exactly
	// one captured payment of its total.
	InvAmountMismatch = "amount_mismatch"
)

// Violation is one broken payment invariant found by a store's audit
// (`hawker audit`).
type Violation struct {
	Invariant string // one of the Inv… constants
	OrderID   string // the order at fault
	PaymentID string // the payment at fault; "" when the order's payments as a whole are
	// Problem says what is wrong, with the figures, for people.
	Problem string
}

func (v Violation) String() string {
	if v.PaymentID != "" {
		return "payment " + v.PaymentID + " of order " + v.OrderID + ": " + v.Problem
	}
	return "order " + v.OrderID + ": " + v.Problem
}

// Captured is a captured payment of an order charged more than once, as
// the double-capture query returns it.
type Captured struct {
	OrderID   string
	PaymentID string
	State     State
	Amount    hawker.Money
}

// DoubleCaptures turns the captured payments of orders charged more than
// once, ordered by order, into one violation per order.
func DoubleCaptures(rows []Captured) []Violation {
	var out []Violation
	for len(rows) > 0 {
		n := 1
		for n < len(rows) && rows[n].OrderID == rows[0].OrderID {
			n++
		}
		parts := make([]string, n)
		for i, r := range rows[:n] {
			parts[i] = fmt.Sprintf("%s (%s, %s)", r.PaymentID, r.State, money(r.Amount))
		}
		out = append(out, Violation{Invariant: InvDoubleCapture, OrderID: rows[0].OrderID,
			Problem: fmt.Sprintf("charged %d times: %s", n, strings.Join(parts, ", "))})
		rows = rows[n:]
	}
	return out
}

// PaidWithoutCapture is a paid or fulfilled order that no captured or
// authorized payment pays.
func PaidWithoutCapture(orderID string, state hawker.OrderState) Violation {
	return Violation{Invariant: InvPaidWithoutCapture, OrderID: orderID,
		Problem: fmt.Sprintf("order is %s, but no payment of it is captured or being captured", state)}
}

// CapturedUnpaid is a succeeded payment of an order that is not paid.
func CapturedUnpaid(paymentID, orderID string, amount hawker.Money, state hawker.OrderState) Violation {
	return Violation{Invariant: InvCapturedUnpaid, OrderID: orderID, PaymentID: paymentID,
		Problem: fmt.Sprintf("captured %s, but the order is %s", money(amount), state)}
}

// RefundExceeds is an order whose refunded payments add up to more than
// its total.
func RefundExceeds(orderID string, refunded, total hawker.Money) Violation {
	return Violation{Invariant: InvRefundExceeds, OrderID: orderID,
		Problem: fmt.Sprintf("refunded %s, more than the %s captured for it", money(refunded), money(total))}
}

// AmountMismatch is a payment whose amount or currency is not its order's
// total.
func AmountMismatch(paymentID, orderID string, state State, amount, total hawker.Money) Violation {
	return Violation{Invariant: InvAmountMismatch, OrderID: orderID, PaymentID: paymentID,
		Problem: fmt.Sprintf("%s payment of %s, but the order's total is %s", state, money(amount), money(total))}
}

// SortViolations orders violations by order, invariant and payment, the
// order stores return them in.
func SortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.OrderID, b.OrderID), cmp.Compare(a.Invariant, b.Invariant), cmp.Compare(a.PaymentID, b.PaymentID))
	})
}

func money(m hawker.Money) string { return fmt.Sprintf("%d %s", m.Amount, m.Currency) }
