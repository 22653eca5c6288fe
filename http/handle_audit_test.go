package hawkerhttp

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/payment"
)

// auditAnswer is the JSON of GET /api/v1/admin/audit.
type auditAnswer struct {
	OK         bool `json:"ok"`
	Violations []struct {
		SKUID   string `json:"sku_id"`
		DealID  string `json:"deal_id"`
		Problem string `json:"problem"`
	} `json:"violations"`
	PaymentViolations []struct {
		Invariant string `json:"invariant"`
		OrderID   string `json:"order_id"`
		PaymentID string `json:"payment_id"`
		Problem   string `json:"problem"`
	} `json:"payment_violations"`
	CheckedAt time.Time `json:"checked_at"`
}

// TestAuditRoute audits the fixture's real SQLite store: clean after
// orders, then a stored counter that no order explains, corrupted with
// SQL behind the store's back, is reported.
func TestAuditRoute(t *testing.T) {
	f := newFixture(t)
	authzFreshOrder(t, f)
	before := hawker.Now()
	var out auditAnswer
	f.mustJSON(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK, &out)
	if !out.OK || len(out.Violations) != 0 {
		t.Fatalf("a consistent store fails its audit: %+v", out)
	}
	if out.CheckedAt.Before(before.Add(-time.Second)) || out.CheckedAt.After(hawker.Now().Add(time.Second)) {
		t.Errorf("checked_at %v is not the server's now (%v)", out.CheckedAt, before)
	}

	// One unit reserved by no order (the schema's CHECK allows it: 1 + 0
	// <= on_hand).
	raw, err := sql.Open("sqlite", filepath.Join(filepath.Dir(f.BlobDir), "hawker.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE skus SET reserved = reserved + 1 WHERE id = ?`, f.SKUA); err != nil {
		t.Fatalf("corrupt: %v", err)
	}
	out = auditAnswer{}
	f.mustJSON(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK, &out)
	if out.OK || len(out.Violations) != 1 || out.Violations[0].SKUID != f.SKUA || out.Violations[0].DealID != "" ||
		!strings.Contains(out.Violations[0].Problem, "reserved 1, but reserved orders hold 0") {
		t.Fatalf("the corrupted counter is not reported: %+v", out)
	}
}

// TestAuditRoutePayments audits the fixture's real SQLite store with a
// paid order: clean; then the order charged a second time, written with
// SQL behind the store's back, is a payment violation (the stock stays
// clean, ok is false).
func TestAuditRoutePayments(t *testing.T) {
	f := newFixture(t)
	id := authzFreshOrder(t, f)
	f.confirm(t, id)
	var out auditAnswer
	f.mustJSON(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK, &out)
	if !out.OK || len(out.Violations) != 0 || out.PaymentViolations == nil || len(out.PaymentViolations) != 0 {
		t.Fatalf("a paid order fails the audit: %+v", out)
	}

	raw, err := sql.Open("sqlite", filepath.Join(filepath.Dir(f.BlobDir), "hawker.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO payments (id, order_id, buyer_id, provider, amount, currency, state, idempotency_key,
		fingerprint, created_at, updated_at)
		SELECT id || 'x', order_id, buyer_id, provider, amount, currency, 'succeeded', 'again', fingerprint, created_at, updated_at
		FROM payments WHERE order_id = ?`, id); err != nil {
		t.Fatalf("corrupt: %v", err)
	}
	out = auditAnswer{}
	f.mustJSON(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK, &out)
	if out.OK || len(out.Violations) != 0 || len(out.PaymentViolations) != 1 {
		t.Fatalf("the second capture is not reported: %+v", out)
	}
	v := out.PaymentViolations[0]
	if v.Invariant != payment.InvDoubleCapture || v.OrderID != id || v.PaymentID != "" || !strings.HasPrefix(v.Problem, "charged 2 times: ") {
		t.Errorf("violation %+v", v)
	}
}

// fakeAuditor answers the audits with what it holds.
type fakeAuditor struct {
	vs   []inventory.Violation
	pvs  []payment.Violation
	err  error // of the stock audit
	perr error // of the payment audit
}

func (a fakeAuditor) AuditStock(context.Context) ([]inventory.Violation, error) { return a.vs, a.err }
func (a fakeAuditor) AuditPayments(context.Context) ([]payment.Violation, error) {
	return a.pvs, a.perr
}

func TestAuditRouteAnswers(t *testing.T) {
	t.Run("deal violation", func(t *testing.T) {
		f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Auditor: fakeAuditor{vs: []inventory.Violation{
			{SKUID: "sku_1", DealID: "deal_1", Problem: "taken 3, but live orders hold 2"},
		}}}})
		body := f.must(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK)
		var out auditAnswer
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		if out.OK || len(out.Violations) != 1 || out.Violations[0].DealID != "deal_1" || out.Violations[0].SKUID != "sku_1" {
			t.Fatalf("answer %s", body)
		}
	})
	t.Run("payment violation", func(t *testing.T) {
		f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Auditor: fakeAuditor{pvs: []payment.Violation{
			{Invariant: payment.InvCapturedUnpaid, OrderID: "ord_1", PaymentID: "pay_1", Problem: "captured 1999 USD, but the order is expired"},
		}}}})
		body := f.must(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusOK)
		var out auditAnswer
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		if out.OK || out.Violations == nil || len(out.Violations) != 0 || len(out.PaymentViolations) != 1 ||
			out.PaymentViolations[0].PaymentID != "pay_1" || out.PaymentViolations[0].Invariant != payment.InvCapturedUnpaid {
			t.Fatalf("answer %s", body)
		}
	})
	for name, a := range map[string]fakeAuditor{
		"store error":         {err: errors.New("disk on fire")},
		"payment store error": {perr: errors.New("disk on fire")},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Auditor: a}})
			body := f.must(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusInternalServerError)
			if strings.Contains(string(body), "fire") {
				t.Errorf("the 500 gives details away: %s", body)
			}
		})
	}
	t.Run("no auditor", func(t *testing.T) {
		// A store that is only a hawker.Store cannot audit.
		f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"},
			WrapStore: func(s hawker.Store) hawker.Store { return struct{ hawker.Store }{s} }})
		body := f.must(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusServiceUnavailable)
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != codeUnavailable {
			t.Fatalf("answer %s", body)
		}
	})
}

// recordCapture stores a succeeded payment of the order's total, as the
// payment flow leaves one when it confirms an order: tests that confirm
// through the engine keep the store's payment audit clean.
func (f *fixture) recordCapture(t *testing.T, orderID string) {
	t.Helper()
	ps, ok := f.Store.(payment.Store)
	orders, ok2 := f.Store.(payment.Orders)
	if !ok || !ok2 {
		t.Fatalf("%T cannot store payments or find orders", f.Store)
	}
	o, err := orders.FindOrder(context.Background(), orderID)
	if err != nil {
		t.Fatalf("find %s: %v", orderID, err)
	}
	now := hawker.Now()
	p := &payment.Payment{ID: hawker.NewID(hawker.PrefixPayment), OrderID: o.ID, BuyerID: o.BuyerID, Provider: "testpay",
		ProviderRef: "tp_fixture_" + o.ID, Amount: o.Total, State: payment.StateSucceeded,
		IdempotencyKey: "fixture-" + o.ID, Fingerprint: "fixture", CreatedAt: now, UpdatedAt: now}
	if err := ps.CreatePayment(context.Background(), p); err != nil {
		t.Fatalf("record the capture of %s: %v", orderID, err)
	}
}
