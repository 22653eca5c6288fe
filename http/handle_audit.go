package hawkerhttp

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/payment"
)

// Auditor checks the stock and payment invariants (the sqlite and postgres
// stores implement it): for every SKU reserved + sold <= on_hand and
// counters equal to its orders' units, for every deal taken units equal to
// its orders'; no order charged twice, every paid or fulfilled order
// captured (or being captured), no money kept for an order that is not
// paid, no order refunded more than its total, every payment of its
// order's total (see payment/audit.go).
type Auditor interface {
	AuditStock(ctx context.Context) ([]inventory.Violation, error)
	AuditPayments(ctx context.Context) ([]payment.Violation, error)
}

// auditor returns the configured Auditor, else the store when it is one,
// else nil (the audit route answers 503).
func (s *Server) auditor() Auditor {
	if s.cfg.Auditor != nil {
		return s.cfg.Auditor
	}
	a, _ := s.store.(Auditor)
	return a
}

// violationJSON is one broken invariant in the audit's answer.
type violationJSON struct {
	SKUID   string `json:"sku_id"`
	DealID  string `json:"deal_id,omitempty"`
	Problem string `json:"problem"`
}

// paymentViolationJSON is one broken payment invariant in the audit's
// answer.
type paymentViolationJSON struct {
	Invariant string `json:"invariant"`
	OrderID   string `json:"order_id"`
	PaymentID string `json:"payment_id,omitempty"`
	Problem   string `json:"problem"`
}

// handleAudit runs the stock and payment audits (admin), the route beside
// `hawker audit`. Violations are a finding, not a failure of the request:
// the answer is 200 with ok false.
func handleAudit(a Auditor) http.Handler {
	type response struct {
		OK                bool                   `json:"ok"`
		Violations        []violationJSON        `json:"violations"`
		PaymentViolations []paymentViolationJSON `json:"payment_violations"`
		CheckedAt         time.Time              `json:"checked_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireAdmin(r); err != nil {
			Error(w, r, err)
			return
		}
		if a == nil {
			Error(w, r, hawker.Errorf(codeUnavailable, "The audit is not available on this server."))
			return
		}
		at := hawker.Now()
		vs, err := a.AuditStock(r.Context())
		if err != nil {
			Error(w, r, fmt.Errorf("audit stock: %w", err))
			return
		}
		pvs, err := a.AuditPayments(r.Context())
		if err != nil {
			Error(w, r, fmt.Errorf("audit payments: %w", err))
			return
		}
		out := response{OK: len(vs) == 0 && len(pvs) == 0, Violations: make([]violationJSON, 0, len(vs)),
			PaymentViolations: make([]paymentViolationJSON, 0, len(pvs)), CheckedAt: at}
		for _, v := range vs {
			out.Violations = append(out.Violations, violationJSON{SKUID: v.SKUID, DealID: v.DealID, Problem: v.Problem})
		}
		for _, v := range pvs {
			out.PaymentViolations = append(out.PaymentViolations, paymentViolationJSON{
				Invariant: v.Invariant, OrderID: v.OrderID, PaymentID: v.PaymentID, Problem: v.Problem})
		}
		encode(w, http.StatusOK, out)
	})
}
