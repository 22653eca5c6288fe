package hawkerhttp

import (
	"testing"

	"hawker"
)

// oaSalesSequence is the show sales part of the conformance sequence: the
// sums for those who run the show, the show's orders for its host (the
// host's view of an order validates against Order too), the refusals, and
// a server without checkout (503).
func oaSalesSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	id := authzFreshShow(t, f, hawker.ShowLive)
	_, sku := authzFreshProduct(t, f)
	salesOrder(t, f, buyer, id, sku, "US", 2, usAddress())
	path := "/api/v1/shows/" + id + "/sales"

	_, b := c.call(oaReq{method: "GET", path: path, token: host, want: 200})
	if s := oaJSON(t, b)["sales"].(map[string]any); s["orders"] != 1.0 || s["units"] != 2.0 || oaStr(s, "gmv", "currency") != "USD" {
		t.Errorf("sales = %s", b)
	}
	c.call(oaReq{method: "GET", path: path, token: sellerA, want: 200})
	c.call(oaReq{method: "GET", path: path, token: admin, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowScheduled) + "/sales", token: host, want: 200})
	c.call(oaReq{method: "GET", path: path, token: buyer, want: 403})
	c.call(oaReq{method: "GET", path: path, token: sellerB, want: 403})
	c.call(oaReq{method: "GET", path: path, want: 401})
	c.call(oaReq{method: "GET", path: "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys/sales", token: admin, want: 404})
	c.call(oaReq{method: "GET", path: "/api/v1/shows/nope/sales", token: admin, want: 404})

	_, b = c.call(oaReq{method: "GET", path: "/api/v1/orders?show_id=" + id, token: host, want: 200})
	items, _ := oaJSON(t, b)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("host lists the show's orders: %s", b)
	}
	if _, ok := items[0].(map[string]any)["shipping_address"]; ok {
		t.Errorf("host gets the shipping address: %s", b)
	}
	c.call(oaReq{method: "GET", path: "/api/v1/orders?show_id=" + id, token: sellerA, want: 200})

	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoCheckout: true})
	oc := newOAClient(t, off.URL)
	oc.call(oaReq{method: "GET", path: "/api/v1/shows/" + off.ShowA + "/sales", token: off.HostToken, want: 503})
	for op, st := range oc.seen {
		for s := range st {
			if c.seen[op] == nil {
				c.seen[op] = map[int]bool{}
			}
			c.seen[op][s] = true
		}
	}
}

// oaSalesConcrete gives the sweep a path of each sales route.
func oaSalesConcrete(f *fixture) map[string]string {
	return map[string]string{"/api/v1/shows/{id}/sales": "/api/v1/shows/" + f.ShowA + "/sales"}
}

// TestSalesOpenAPI runs the sales part of the conformance sequence on its
// own.
func TestSalesOpenAPI(t *testing.T) {
	f := newFixture(t)
	c := newOAClient(t, f.URL)
	oaSalesSequence(t, c, f)
}
