package hawkerhttp

import (
	"net/http"
	"testing"
	"time"

	"hawker/payment/testpay"
)

// authzFreshPayment pays a fresh order of its own as the buyer with the
// card and returns the payment's id.
func authzFreshPayment(t *testing.T, f *fixture, card string) string {
	t.Helper()
	orderID := authzFreshOrder(t, f)
	resp, body := f.payOrder(t, f.BuyerToken, orderID, "authz-pay-"+oaUnique(), testpayBody(card))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("pay: %d %s", resp.StatusCode, body)
	}
	return decodePayment(t, body).Payment.ID
}

// authzPaymentRows are the matrix rows of the payment routes. Only the
// order's buyer pays and completes 3-D Secure; the shop's team and admins
// see the order (403), other users do not (404). A payment is seen by its
// buyer, its shop's team and admins. The payment configuration is public,
// and so is Stripe's webhook, which its signature guards: every caller
// with a signed event gets 200.
func authzPaymentRows() []authzRow {
	const (
		ok, created    = http.StatusOK, http.StatusCreated
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	return []authzRow{
		{route: "POST /api/v1/orders/{id}/pay", want: [authzNumRoles]int{unauth, created, forbid, nf, forbid, forbid},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/orders/" + authzFreshOrder(t, f) + "/pay", body: testpayBody(testpay.CardSuccess), header: authzKey()}
			}},
		{route: "GET /api/v1/payments/config", prepare: authzPath("/api/v1/payments/config"), want: authzAll(ok)},
		{route: "GET /api/v1/payments/{id}", want: [authzNumRoles]int{unauth, ok, ok, nf, ok, ok},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/payments/" + authzFreshPayment(t, f, testpay.CardSuccess)}
			}},
		{route: "POST /api/v1/payments/{id}/authorize", want: [authzNumRoles]int{unauth, ok, forbid, nf, forbid, forbid},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/payments/" + authzFreshPayment(t, f, testpay.CardRequiresAction) + "/authorize", body: map[string]any{"approve": true}}
			}},
		{route: "POST /api/v1/webhooks/stripe", want: authzAll(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				b, h := stripeEvent(t, fixtureWebhookSecret, "evt_authz_"+oaUnique(), "payment_intent.succeeded", "pi_authz", 100, "usd", "succeeded", time.Now())
				return authzReq{path: "/api/v1/webhooks/stripe", body: b, header: h}
			}},
	}
}
