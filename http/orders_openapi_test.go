package hawkerhttp

import (
	"strings"
	"testing"
)

// oaOrderSequence is the checkout part of the conformance sequence:
// placing orders (decisions, replays, refusals), reading and cancelling
// them, each with its error answers. It buys a product of its own so that
// the fixture's stock stays as the other parts expect.
func oaOrderSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghost = "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys"
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shops/" + f.ShopA + "/products", token: sellerA, body: map[string]any{
		"title": "Order sequence", "skus": []any{map[string]any{"code": "OS-" + oaUnique(), "prices": map[string]any{"US": 500}, "on_hand": 3}}}, want: 201})
	sku := oaJSON(t, b)["product"].(map[string]any)["skus"].([]any)[0].(map[string]any)["id"].(string)
	key := func(k string) map[string]string { return map[string]string{IdempotencyHeader: k} }
	line := func(sku string, q any) map[string]any {
		return map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": sku, "quantity": q}}}
	}
	k1 := "oa-" + oaUnique()

	// a decision, and its replay
	_, first := c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(k1), body: line(sku, 1), want: 201})
	order := oaJSON(t, first)["order"].(map[string]any)
	id, _ := order["id"].(string)
	if order["state"] != "reserved" || oaStr(order, "total", "currency") != "USD" || order["pay_by"] == nil {
		t.Errorf("new order = %s", first)
	}
	_, again := c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(k1), body: line(sku, 1), want: 201})
	if string(again) != string(first) {
		t.Errorf("replay differs:\n%s\n%s", first, again)
	}
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(k1), body: line(sku, 2), want: 422})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: line(sku, 5), want: 409})

	// refusals before a decision
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, body: line(sku, 1), want: 422, wantField: IdempotencyHeader, docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(strings.Repeat("k", 256)), body: line(sku, 1), want: 422, wantField: IdempotencyHeader, docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: line(sku, 0), want: 422, wantField: "lines[0].quantity", docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: map[string]any{"market": "ZZ", "lines": []any{map[string]any{"sku_id": sku, "quantity": 1}}}, want: 422, wantField: "market"})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: line(f.SKUB, 1), want: 422, wantField: "lines[0].sku_id"})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: line("sku_01jbz3n8q4m2x7c5v6w9t0r1ys", 1), want: 422, wantField: "lines[0].sku_id"})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: map[string]any{"market": "US", "lines": []any{}, "coupon": "x"}, want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()), body: line(sku, "one"), want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: admin, header: key("oa-" + oaUnique()), body: line(sku, 1), want: 403})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", header: key("oa-" + oaUnique()), body: line(sku, 1), want: 401})

	// reading
	path := "/api/v1/orders/" + id
	c.call(oaReq{method: "GET", path: path, token: buyer, want: 200})
	c.call(oaReq{method: "GET", path: path, token: host, want: 200})
	c.call(oaReq{method: "GET", path: path, token: admin, want: 200})
	c.call(oaReq{method: "GET", path: path, token: sellerB, want: 404})
	c.call(oaReq{method: "GET", path: path, want: 401})
	c.call(oaReq{method: "GET", path: ghost, token: admin, want: 404})
	c.call(oaReq{method: "GET", path: "/api/v1/orders/nope", token: admin, want: 404})

	// cancelling
	c.call(oaReq{method: "POST", path: path + "/cancel", token: host, want: 403})
	c.call(oaReq{method: "POST", path: path + "/cancel", token: sellerB, want: 404})
	c.call(oaReq{method: "POST", path: path + "/cancel", want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/cancel", token: admin, want: 404})
	_, b = c.call(oaReq{method: "POST", path: path + "/cancel", token: buyer, want: 200})
	if oaStr(oaJSON(t, b), "order", "state") != "cancelled" {
		t.Errorf("after cancel: %s", b)
	}
	c.call(oaReq{method: "POST", path: path + "/cancel", token: sellerA, want: 200})
}

// oaOrderConcrete maps the order routes' path templates to real paths for
// the sweep.
func oaOrderConcrete() map[string]string {
	const ghost = "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys"
	return map[string]string{
		"/api/v1/orders/{id}":        ghost,
		"/api/v1/orders/{id}/cancel": ghost + "/cancel",
	}
}

// oaOrderOff provokes 503 from the order routes of a server without an
// inventory engine (off, with its client oc).
func oaOrderOff(oc *oaClient, off *fixture) {
	body := map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": off.SKUA, "quantity": 1}}}
	oc.call(oaReq{method: "POST", path: "/api/v1/orders", token: off.BuyerToken, header: map[string]string{IdempotencyHeader: "off"}, body: body, want: 503})
	oc.call(oaReq{method: "GET", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys", token: off.BuyerToken, want: 503})
	oc.call(oaReq{method: "POST", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/cancel", token: off.BuyerToken, want: 503})
}
