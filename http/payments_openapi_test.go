package hawkerhttp

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"hawker/payment/testpay"
)

// oaPaymentSequence is the payments part of the conformance sequence:
// paying (decisions, replays, refusals), reading payments, testpay's 3-D
// Secure step, the payment configuration and Stripe's webhook, each with
// its error answers. It pays orders of a product of its own.
func oaPaymentSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shops/" + f.ShopA + "/products", token: sellerA, body: map[string]any{
		"title": "Payment sequence", "skus": []any{map[string]any{"code": "PS-" + oaUnique(), "prices": map[string]any{"US": 700}, "on_hand": 5}}}, want: 201})
	sku := oaJSON(t, b)["product"].(map[string]any)["skus"].([]any)[0].(map[string]any)["id"].(string)
	key := func(k string) map[string]string { return map[string]string{IdempotencyHeader: k} }
	order := func() string {
		_, b := c.call(oaReq{method: "POST", path: "/api/v1/orders", token: buyer, header: key("oa-" + oaUnique()),
			body: map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": sku, "quantity": 1}}}, want: 201})
		return oaStr(oaJSON(t, b), "order", "id")
	}
	const ghostOrder = "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/pay"
	const ghostPayment = "/api/v1/payments/pay_01jbz3n8q4m2x7c5v6w9t0r1ys"

	// paying
	pay := "/api/v1/orders/" + order() + "/pay"
	k1 := "oa-" + oaUnique()
	c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: map[string]any{"provider": "testpay", "card_number": testpay.CardSuccess}, want: 422, wantField: "shipping_address"})
	c.call(oaReq{method: "POST", path: pay, token: buyer, body: testpayBody(testpay.CardSuccess), want: 422, wantField: IdempotencyHeader, docRejects: true})
	c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: testpayBody("1234 5678"), want: 422, wantField: "card_number"})
	c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: map[string]any{"provider": "testpay", "cvc": "123"}, want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: pay, token: sellerA, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 403})
	c.call(oaReq{method: "POST", path: pay, token: sellerB, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 404})
	c.call(oaReq{method: "POST", path: pay, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 401})
	c.call(oaReq{method: "POST", path: ghostOrder, token: buyer, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 404})
	_, first := c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 201})
	paymentID := oaStr(oaJSON(t, first), "payment", "id")
	if oaStr(oaJSON(t, first), "payment", "state") != "succeeded" || oaStr(oaJSON(t, first), "order", "state") != "paid" {
		t.Errorf("payment = %s", first)
	}
	_, again := c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: testpayBody(testpay.CardSuccess), want: 201})
	if string(again) != string(first) {
		t.Errorf("replay differs:\n%s\n%s", first, again)
	}
	c.call(oaReq{method: "POST", path: pay, token: buyer, header: key(k1), body: testpayBody(testpay.CardDeclined), want: 422})
	_, b = c.call(oaReq{method: "POST", path: pay, token: buyer, header: key("oa-" + oaUnique()), body: testpayBody(testpay.CardSuccess), want: 409})
	if oaStr(oaJSON(t, b), "error", "code") != "order_already_paid" {
		t.Errorf("paying a paid order = %s", b)
	}
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/orders/" + order() + "/pay", token: buyer, header: key("oa-" + oaUnique()), body: testpayBody(testpay.CardDeclined), want: 201})
	if oaStr(oaJSON(t, b), "payment", "failure_code") != "card_declined" {
		t.Errorf("decline = %s", b)
	}

	// reading
	c.call(oaReq{method: "GET", path: "/api/v1/payments/" + paymentID, token: buyer, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/payments/" + paymentID, token: admin, want: 200})
	c.call(oaReq{method: "GET", path: "/api/v1/payments/" + paymentID, token: sellerB, want: 404})
	c.call(oaReq{method: "GET", path: "/api/v1/payments/" + paymentID, want: 401})
	c.call(oaReq{method: "GET", path: ghostPayment, token: admin, want: 404})

	// testpay's 3-D Secure
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/orders/" + order() + "/pay", token: buyer, header: key("oa-" + oaUnique()), body: testpayBody(testpay.CardRequiresAction), want: 201})
	authorize := "/api/v1/payments/" + oaStr(oaJSON(t, b), "payment", "id") + "/authorize"
	if oaStr(oaJSON(t, b), "payment", "next_action", "type") != "testpay_authorize" {
		t.Errorf("3-D Secure payment = %s", b)
	}
	c.call(oaReq{method: "GET", path: strings.TrimSuffix(authorize, "/authorize"), token: buyer, want: 200})
	c.call(oaReq{method: "POST", path: authorize, token: buyer, body: map[string]any{}, want: 422, wantField: "approve", docRejects: true})
	c.call(oaReq{method: "POST", path: authorize, token: buyer, body: map[string]any{"approve": "yes"}, want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: authorize, token: sellerA, body: map[string]any{"approve": true}, want: 403})
	c.call(oaReq{method: "POST", path: authorize, token: sellerB, body: map[string]any{"approve": true}, want: 404})
	c.call(oaReq{method: "POST", path: authorize, body: map[string]any{"approve": true}, want: 401})
	c.call(oaReq{method: "POST", path: ghostPayment + "/authorize", token: buyer, body: map[string]any{"approve": true}, want: 404})
	_, b = c.call(oaReq{method: "POST", path: authorize, token: buyer, body: map[string]any{"approve": true}, want: 200})
	if oaStr(oaJSON(t, b), "payment", "state") != "succeeded" {
		t.Errorf("after the approval = %s", b)
	}
	// approved after another card paid the order: the hold is released
	pay = "/api/v1/orders/" + order() + "/pay"
	_, b = c.call(oaReq{method: "POST", path: pay, token: buyer, header: key("oa-" + oaUnique()), body: testpayBody(testpay.CardRequiresAction), want: 201})
	authorize = "/api/v1/payments/" + oaStr(oaJSON(t, b), "payment", "id") + "/authorize"
	c.call(oaReq{method: "POST", path: pay, token: buyer, header: key("oa-" + oaUnique()), body: testpayBody(testpay.CardSuccess), want: 201})
	_, b = c.call(oaReq{method: "POST", path: authorize, token: buyer, body: map[string]any{"approve": true}, want: 409})
	if oaStr(oaJSON(t, b), "error", "code") != "order_already_paid" {
		t.Errorf("approval after another card = %s", b)
	}

	// the configuration and the webhook
	c.call(oaReq{method: "GET", path: "/api/v1/payments/config", want: 200})
	ev, h := stripeEvent(t, fixtureWebhookSecret, "evt_oa_"+oaUnique(), "payment_intent.succeeded", "pi_oa", 700, "usd", "succeeded", time.Now())
	hdr := map[string]string{"Stripe-Signature": h.Get("Stripe-Signature")}
	c.call(oaReq{method: "POST", path: "/api/v1/webhooks/stripe", header: hdr, body: ev, want: 200})
	hdr["Stripe-Signature"] = "t=1,v1=00"
	c.call(oaReq{method: "POST", path: "/api/v1/webhooks/stripe", header: hdr, body: ev, want: http.StatusBadRequest})
}

// oaPaymentConcrete maps the payment routes' path templates to real paths
// for the sweep.
func oaPaymentConcrete() map[string]string {
	return map[string]string{
		"/api/v1/orders/{id}/pay":         "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/pay",
		"/api/v1/payments/{id}":           "/api/v1/payments/pay_01jbz3n8q4m2x7c5v6w9t0r1ys",
		"/api/v1/payments/{id}/authorize": "/api/v1/payments/pay_01jbz3n8q4m2x7c5v6w9t0r1ys/authorize",
	}
}
