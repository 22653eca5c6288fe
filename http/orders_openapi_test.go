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

	oaOrderFulfilmentSequence(t, c, f, sku)
}

// oaOrderFulfilmentSequence is the rest of the order's life: a shipping
// address at reservation and later, lists, and fulfilment.
func oaOrderFulfilmentSequence(t *testing.T, c *oaClient, f *fixture, sku string) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghost = "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys"
	key := func() map[string]string { return map[string]string{IdempotencyHeader: "oa-" + oaUnique()} }
	addr := usAddress()
	buy := func(a any) map[string]any {
		b := map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": sku, "quantity": 1}}}
		if a != nil {
			b["shipping_address"] = a
		}
		return b
	}

	// the address with the order
	k := key()
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: k, body: buy(addr), want: 201})
	withAddr := oaJSON(t, b)["order"].(map[string]any)
	if oaStr(withAddr, "shipping_address", "city") != "Springfield" {
		t.Errorf("order with address = %s", b)
	}
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: k, body: buy(edited(addr, "line2", "Apt 9")), want: 422})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(), body: buy(edited(addr, "country", "DE")), want: 422, wantField: "shipping_address.country"})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(), body: buy(edited(addr, "name", nil)), want: 422, wantField: "shipping_address.name", docRejects: true})
	c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(), body: buy(edited(addr, "zip", "1")), want: 400, docRejects: true})

	// the address later
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key(), body: buy(nil), want: 201})
	id := oaStr(oaJSON(t, b), "order", "id")
	path := "/api/v1/orders/" + id
	set := map[string]any{"shipping_address": addr}
	_, b = c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: set, want: 200})
	if oaStr(oaJSON(t, b), "order", "shipping_address", "country") != "US" {
		t.Errorf("after PUT: %s", b)
	}
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: sellerA, body: set, want: 403})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: sellerB, body: set, want: 404})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", body: set, want: 401})
	c.call(oaReq{method: "PUT", path: ghost + "/shipping-address", token: buyer, body: set, want: 404})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: map[string]any{"shipping_address": edited(addr, "country", "VN")}, want: 422, wantField: "shipping_address.country"})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: map[string]any{"shipping_address": edited(addr, "city", "")}, want: 422, wantField: "shipping_address.city", docRejects: true})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: map[string]any{}, want: 422, wantField: "shipping_address", docRejects: true})
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: addr, want: 400, docRejects: true})

	// fulfilment
	ship := map[string]any{"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: sellerA, body: ship, want: 409})
	f.confirm(t, id)
	c.call(oaReq{method: "PUT", path: path + "/shipping-address", token: buyer, body: set, want: 409})
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: buyer, body: ship, want: 403})
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: host, body: ship, want: 403})
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: sellerB, body: ship, want: 404})
	c.call(oaReq{method: "POST", path: path + "/fulfil", body: ship, want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/fulfil", token: admin, body: ship, want: 404})
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: sellerA, body: map[string]any{"tracking_number": ""}, want: 422, wantField: "tracking_number", docRejects: true})
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: sellerA, body: map[string]any{"tracking_number": "1", "eta": "soon"}, want: 400, docRejects: true})
	_, b = c.call(oaReq{method: "POST", path: path + "/fulfil", token: sellerA, body: ship, want: 200})
	if o := oaJSON(t, b)["order"].(map[string]any); o["state"] != "fulfilled" || o["tracking_number"] != "1Z999AA10123456784" || o["fulfilled_at"] == nil {
		t.Errorf("fulfilled: %s", b)
	}
	c.call(oaReq{method: "POST", path: path + "/fulfil", token: admin, body: ship, want: 409})

	// lists
	_, b = c.call(oaReq{method: "GET", path: "/api/v1/orders", token: buyer, want: 200})
	if len(oaJSON(t, b)["items"].([]any)) == 0 {
		t.Errorf("the buyer lists no orders: %.300s", b)
	}
	_, b = c.call(oaReq{method: "GET", path: "/api/v1/orders?limit=1", token: admin, want: 200})
	next, _ := oaJSON(t, b)["next_cursor"].(string)
	if next == "" {
		t.Fatalf("first page of one has no next_cursor: %s", b)
	}
	c.call(oaReq{method: "GET", path: "/api/v1/orders?limit=1&cursor=" + next, token: admin, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?state=fulfilled&shop_id=" + f.ShopA, token: sellerA, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?show_id=" + f.ShowA, token: buyer, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?shop_id=" + f.ShopA, token: host, want: 403})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?shop_id=" + f.ShopA, token: sellerB, want: 404})
	c.call(oaReq{method: "GET", path: "/api/v1/orders", want: 401})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?state=shipped", token: buyer, want: 422, wantField: "state", docRejects: true})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?show_id=nope", token: buyer, want: 422, wantField: "show_id", docRejects: true})
	c.call(oaReq{method: "GET", path: "/api/v1/orders?limit=1000", token: buyer, want: 422, wantField: "limit", docRejects: true})
}

// oaOrderConcrete maps the order routes' path templates to real paths for
// the sweep.
func oaOrderConcrete() map[string]string {
	const ghost = "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys"
	return map[string]string{
		"/api/v1/orders/{id}":                  ghost,
		"/api/v1/orders/{id}/cancel":           ghost + "/cancel",
		"/api/v1/orders/{id}/shipping-address": ghost + "/shipping-address",
		"/api/v1/orders/{id}/fulfil":           ghost + "/fulfil",
	}
}

// oaOrderOff provokes 503 from the order routes of a server without an
// inventory engine (off, with its client oc).
func oaOrderOff(oc *oaClient, off *fixture) {
	body := map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": off.SKUA, "quantity": 1}}}
	oc.call(oaReq{method: "POST", path: "/api/v1/orders", token: off.BuyerToken, header: map[string]string{IdempotencyHeader: "off"}, body: body, want: 503})
	oc.call(oaReq{method: "GET", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys", token: off.BuyerToken, want: 503})
	oc.call(oaReq{method: "POST", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/cancel", token: off.BuyerToken, want: 503})
	oc.call(oaReq{method: "GET", path: "/api/v1/orders", token: off.BuyerToken, want: 503})
	oc.call(oaReq{method: "PUT", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/shipping-address", token: off.BuyerToken,
		body: map[string]any{"shipping_address": usAddress()}, want: 503})
	oc.call(oaReq{method: "POST", path: "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/fulfil", token: off.SellerAToken,
		body: map[string]any{"tracking_number": "1"}, want: 503})
}
