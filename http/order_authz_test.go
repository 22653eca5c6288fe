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
// but get 403; so is fulfilling (sellers and admins, not the buyer);
// setting the address is for the buyer alone.
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

		// Lists: everyone signed in lists their own purchases (admin:
		// all); a shop's orders are for its sellers and admins.
		{route: "GET /api/v1/orders", want: [authzNumRoles]int{unauth, ok, ok, ok, ok, ok},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				authzFreshOrder(t, f)
				return authzReq{path: "/api/v1/orders"}
			},
			check: func(t *testing.T, role int, body []byte) {
				var l struct{ Items []hawker.Order }
				if err := json.Unmarshal(body, &l); err != nil {
					t.Fatalf("decode: %v", err)
				}
				if (role == authzAdmin || role == authzBuyer) && len(l.Items) == 0 {
					t.Errorf("%s lists no orders", authzRoleNames[role])
				}
				if role == authzAdmin {
					return
				}
				// Other cells may have made the caller buy; whatever it
				// lists is its own.
				for _, o := range l.Items {
					if o.BuyerID != l.Items[0].BuyerID {
						t.Errorf("%s lists orders of %s and %s", authzRoleNames[role], l.Items[0].BuyerID, o.BuyerID)
					}
				}
			}},
		{route: "GET /api/v1/orders", variant: "shop A", want: [authzNumRoles]int{unauth, nf, ok, nf, forbid, ok},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				authzFreshOrder(t, f)
				return authzReq{path: "/api/v1/orders?shop_id=" + f.ShopA}
			},
			check: func(t *testing.T, role int, body []byte) {
				var l struct{ Items []hawker.Order }
				if err := json.Unmarshal(body, &l); err != nil || len(l.Items) == 0 {
					t.Errorf("%s lists no orders of shop A: %v", authzRoleNames[role], err)
				}
			}},
		// The address is the buyer's alone: the team and admins see the
		// order but may not change where it goes.
		{route: "PUT /api/v1/orders/{id}/shipping-address", want: [authzNumRoles]int{unauth, ok, forbid, nf, forbid, forbid},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/orders/" + authzFreshOrder(t, f) + "/shipping-address",
					body: map[string]any{"shipping_address": usAddress()}}
			}},
		{route: "POST /api/v1/orders/{id}/fulfil", want: [authzNumRoles]int{unauth, forbid, ok, nf, forbid, ok},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				id := authzFreshOrder(t, f)
				f.confirm(t, id)
				return authzReq{path: "/api/v1/orders/" + id + "/fulfil", body: map[string]any{"tracking_number": "1Z" + oaUnique()}}
			}},
	}
}
