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
)

// auditAnswer is the JSON of GET /api/v1/admin/audit.
type auditAnswer struct {
	OK         bool `json:"ok"`
	Violations []struct {
		SKUID   string `json:"sku_id"`
		DealID  string `json:"deal_id"`
		Problem string `json:"problem"`
	} `json:"violations"`
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

// fakeAuditor answers AuditStock with what it holds.
type fakeAuditor struct {
	vs  []inventory.Violation
	err error
}

func (a fakeAuditor) AuditStock(context.Context) ([]inventory.Violation, error) { return a.vs, a.err }

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
	t.Run("store error", func(t *testing.T) {
		f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Auditor: fakeAuditor{err: errors.New("disk on fire")}}})
		body := f.must(t, "GET", "/api/v1/admin/audit", f.AdminKey, nil, http.StatusInternalServerError)
		if strings.Contains(string(body), "fire") {
			t.Errorf("the 500 gives details away: %s", body)
		}
	})
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
