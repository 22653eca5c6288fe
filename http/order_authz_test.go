package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"testing"

	"hawker"
)

// authzOrderBody is a one-unit US order of the SKU.
func authzOrderBody(skuID string) map[string]any {
	return map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": skuID, "quantity": 1}}}
}

// authzKey returns headers with a fresh Idempotency-Key.
func authzKey() http.Header {
	h := http.Header{}
	h.Set(IdempotencyHeader, "authz-"+oaUnique())
	return h
}

// authzFreshOrder places a one-unit order of a fresh product of shop A as
// the buyer and returns its id.
func authzFreshOrder(t *testing.T, f *fixture) string {
	t.Helper()
	_, sku := authzFreshProduct(t, f)
	h := authzKey()
	h.Set("Authorization", "Bearer "+f.BuyerToken)
	resp, body := f.doHeader(t, "POST", "/api/v1/orders", h, authzOrderBody(sku))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("place order: status %d: %s", resp.StatusCode, body)
	}
	var out struct{ Order hawker.Order }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode order: %v", err)
	}
	return out.Order.ID
}

// authzOrderRows are the matrix rows of the order routes. Any user may
// buy (an API key may not: 403). An order is private to its buyer, its
// shop's team and admins (others 404); cancelling is for the buyer (while
// unpaid), the shop's sellers and admins — the shop's hosts see the order
// but get 403.
func authzOrderRows() []authzRow {
	const (
		ok, created    = http.StatusOK, http.StatusCreated
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	fresh := func(suffix string) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/orders/" + authzFreshOrder(t, f) + suffix}
		}
	}
	return []authzRow{
		{route: "POST /api/v1/orders", want: [authzNumRoles]int{unauth, created, created, created, created, forbid},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				_, sku := authzFreshProduct(t, f)
				return authzReq{path: "/api/v1/orders", body: authzOrderBody(sku), header: authzKey()}
			}},
		{route: "GET /api/v1/orders/{id}", want: [authzNumRoles]int{unauth, ok, ok, nf, ok, ok}, prepare: fresh("")},
		{route: "POST /api/v1/orders/{id}/cancel", want: [authzNumRoles]int{unauth, ok, ok, nf, forbid, ok}, prepare: fresh("/cancel")},
	}
}
