package hawkerhttp

import (
	"strings"
	"testing"
	"time"

	"hawker"
)

// oaDealSequence is the flash-deal part of the conformance sequence:
// launching deals (with their refusals), reading them, the show's
// active_deal, ordering at the deal price, and ending them. It works on
// shows and a product of its own.
func oaDealSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghostShow = "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys"
	const ghostDeal = "/api/v1/deals/deal_01jbz3n8q4m2x7c5v6w9t0r1ys"
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shops/" + f.ShopA + "/products", token: sellerA, body: map[string]any{
		"title": "Deal sequence", "skus": []any{map[string]any{"code": "DS-" + oaUnique(), "prices": map[string]any{"US": 2000, "DE": 1900}, "on_hand": 4}}}, want: 201})
	product := oaJSON(t, b)["product"].(map[string]any)
	productID := product["id"].(string)
	sku := product["skus"].([]any)[0].(map[string]any)["id"].(string)
	newShow := func(markets ...string) string {
		_, b := c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{"shop_id": f.ShopA, "title": "Deal night", "markets": markets}, want: 201})
		id := oaStr(oaJSON(t, b), "show", "id")
		c.call(oaReq{method: "PUT", path: "/api/v1/shows/" + id + "/products", token: host, body: map[string]any{"product_ids": []string{productID}}, want: 200})
		return id
	}
	show := newShow("US")
	deals := "/api/v1/shows/" + show + "/deals"
	deal := func(extra map[string]any) map[string]any {
		body := map[string]any{"sku_id": sku, "price": 1500, "quantity": 2, "max_per_buyer": 1, "duration_seconds": 60}
		for k, v := range extra {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return body
	}

	// a deal, its replay, and a reused key
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + show + "/start", token: host, want: 200})
	key := map[string]string{IdempotencyHeader: "deal-" + oaUnique()}
	_, first := c.call(oaReq{method: "POST", path: deals, token: host, header: key, body: deal(nil), want: 201})
	d := oaJSON(t, first)["deal"].(map[string]any)
	dealID, _ := d["id"].(string)
	if d["state"] != "active" || d["remaining"] != float64(2) || d["product_id"] != productID || d["now"] == nil || d["prices"].(map[string]any)["US"] != float64(1500) {
		t.Errorf("new deal = %s", first)
	}
	_, again := c.call(oaReq{method: "POST", path: deals, token: host, header: key, body: deal(nil), want: 201})
	if oaStr(oaJSON(t, again), "deal", "id") != dealID {
		t.Errorf("replay made another deal: %s", again)
	}
	c.call(oaReq{method: "POST", path: deals, token: host, header: key, body: deal(map[string]any{"quantity": 1}), want: 422})
	c.call(oaReq{method: "POST", path: deals, token: host, header: map[string]string{IdempotencyHeader: strings.Repeat("k", 256)}, body: deal(nil), want: 422, wantField: IdempotencyHeader, docRejects: true})

	// one deal at a time
	c.call(oaReq{method: "POST", path: deals, token: sellerA, body: deal(nil), want: 409})
	// refusals before anything is stored
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"price": 2000}), want: 422, wantField: "price"})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"quantity": 5}), want: 422, wantField: "quantity"})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"quantity": 0}), want: 422, wantField: "quantity", docRejects: true})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"duration_seconds": 9}), want: 422, wantField: "duration_seconds", docRejects: true})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"duration_seconds": 1201}), want: 422, wantField: "duration_seconds", docRejects: true})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"starts_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}), want: 422, wantField: "starts_at"})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"sku_id": f.SKUB}), want: 422, wantField: "sku_id"})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"price": nil, "prices": map[string]any{"DE": 100}}), want: 422, wantField: "prices.DE"})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"coupon": "x"}), want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: deals, token: host, body: deal(map[string]any{"price": "cheap"}), want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: deals, token: buyer, body: deal(nil), want: 403})
	c.call(oaReq{method: "POST", path: deals, token: sellerB, body: deal(nil), want: 403})
	c.call(oaReq{method: "POST", path: deals, body: deal(nil), want: 401})
	c.call(oaReq{method: "POST", path: ghostShow + "/deals", token: admin, body: deal(nil), want: 404})

	// reading: the deal, the show's list, the show's active_deal
	c.call(oaReq{method: "GET", path: "/api/v1/deals/" + dealID, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/deals/" + dealID, token: "hs_expired-or-never-issued", want: 401})
	c.call(oaReq{method: "GET", path: ghostDeal, want: 404})
	c.call(oaReq{method: "GET", path: "/api/v1/deals/nope", want: 404})
	_, b = c.call(oaReq{method: "GET", path: deals, want: 200})
	if items, _ := oaJSON(t, b)["items"].([]any); len(items) != 1 {
		t.Errorf("the show's deals: %s", b)
	}
	c.call(oaReq{method: "GET", path: ghostShow + "/deals", want: 404})
	_, b = c.call(oaReq{method: "GET", path: "/api/v1/shows/" + show, want: 200})
	if oaStr(oaJSON(t, b), "show", "active_deal", "id") != dealID {
		t.Errorf("active_deal of the show: %s", b)
	}

	// an order at the deal price, and the deal's own limit
	order := func() map[string]any {
		return map[string]any{"market": "US", "deal_id": dealID, "lines": []any{map[string]any{"sku_id": sku, "quantity": 1}}}
	}
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: map[string]string{IdempotencyHeader: "do-" + oaUnique()}, body: order(), want: 201})
	if oaJSON(t, b)["order"].(map[string]any)["subtotal"].(map[string]any)["amount"] != float64(1500) {
		t.Errorf("order at the deal price: %s", b)
	}
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: map[string]string{IdempotencyHeader: "do-" + oaUnique()}, body: order(), want: 409})

	// ending it
	c.call(oaReq{method: "POST", path: "/api/v1/deals/" + dealID + "/end", token: buyer, want: 403})
	c.call(oaReq{method: "POST", path: "/api/v1/deals/" + dealID + "/end", want: 401})
	c.call(oaReq{method: "POST", path: ghostDeal + "/end", token: admin, want: 404})
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/deals/" + dealID + "/end", token: host, want: 200})
	if oaStr(oaJSON(t, b), "deal", "state") != "ended" {
		t.Errorf("ended deal: %s", b)
	}
	c.call(oaReq{method: "POST", path: "/api/v1/deals/" + dealID + "/end", token: host, want: 409})
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/orders", token: sellerB, header: map[string]string{IdempotencyHeader: "do-" + oaUnique()}, body: order(), want: 409})
	if oaStr(oaJSON(t, b), "error", "code") != hawker.EDEALNOTACTIVE {
		t.Errorf("order of an ended deal: %s", b)
	}

	// a deal later, in a show of two markets; an ended show takes none
	two := newShow("US", "DE")
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + two + "/deals", token: host, body: deal(map[string]any{"starts_at": later}), want: 422, wantField: "price"})
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/shows/" + two + "/deals", token: host,
		body: deal(map[string]any{"price": nil, "prices": map[string]any{"US": 1500, "DE": 1400}, "starts_at": later, "max_per_buyer": nil}), want: 201})
	if oaStr(oaJSON(t, b), "deal", "state") != "scheduled" {
		t.Errorf("a later deal: %s", b)
	}
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + two + "/start", token: host, want: 200})
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + two + "/end", token: host, want: 200})
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + two + "/deals", token: host, body: deal(nil), want: 409})
	c.call(oaReq{method: "POST", path: "/api/v1/deals/" + oaStr(oaJSON(t, b), "deal", "id") + "/end", token: sellerA, want: 200})

	// without an inventory engine: 503
	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoRealtime: true, NoCheckout: true})
	oc := newOAClient(t, off.URL)
	offShow := authzFreshShow(t, off, hawker.ShowLive)
	oc.call(oaReq{method: "POST", path: "/api/v1/shows/" + offShow + "/deals", token: off.AdminKey,
		body: map[string]any{"sku_id": off.SKUA, "prices": map[string]any{"US": 100}, "quantity": 1, "duration_seconds": 60}, want: 503})
	for op, st := range oc.seen {
		for s := range st {
			if c.seen[op] == nil {
				c.seen[op] = map[int]bool{}
			}
			c.seen[op][s] = true
		}
	}
}

// oaDealConcrete gives the sweep real paths for the deal routes.
func oaDealConcrete(f *fixture) map[string]string {
	return map[string]string{
		"/api/v1/shows/{id}/deals": "/api/v1/shows/" + f.ShowA + "/deals",
		"/api/v1/deals/{id}":       "/api/v1/deals/deal_01jbz3n8q4m2x7c5v6w9t0r1ys",
		"/api/v1/deals/{id}/end":   "/api/v1/deals/deal_01jbz3n8q4m2x7c5v6w9t0r1ys/end",
	}
}
