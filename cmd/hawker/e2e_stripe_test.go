package main

// Paying with Stripe's Payment Element in headless Chromium against the
// whole binary: `hawker serve --payments testpay,stripe` with the Stripe
// provider pointed at stripe-mock (behind the recording proxy), driven by
// web/e2e/stripe.mjs. The browser runs a fake Stripe.js (no internet
// here; see the script's header); everything on the server side is real.
//
// stripe-mock is stateless and never declines or asks for 3-D Secure, so
// the proxy shapes its PaymentIntents by the payment method, as Stripe's
// test PaymentMethods behave: pm_card_visa is held at once
// (requires_capture), pm_card_chargeDeclined is declined (402 card_error),
// pm_card_threeDSecure2Required wants 3-D Secure (requires_action with a
// client secret). Each PaymentIntent gets its own id, from the payment's.
//
// Needs chromium, node and web/node_modules (HAWKER_TEST_REQUIRE_BROWSER)
// and stripe-mock (HAWKER_TEST_REQUIRE_STRIPE); without them it skips and
// says why.

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hawker"
	"hawker/payment/stripepay/stripemock"
)

type stripeFixture struct {
	Show           string `json:"show"`
	Product        string `json:"product"`
	SKUM           string `json:"sku_m"`
	Admin          string `json:"admin"`
	WebhookSecret  string `json:"webhook_secret"`
	PublishableKey string `json:"publishable_key"`
}

type stripeResult struct {
	Order          string   `json:"order"`
	PaymentIntent  string   `json:"paymentIntent"`
	PaymentMethods []string `json:"paymentMethods"`
	Failures       []string `json:"failures"`
}

func TestStripeInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, node, core := coreBrowserTools(t)
	script := filepath.Join(filepath.Dir(core), "stripe.mjs")
	m := stripemock.Start(t)
	m.Answer(func(r stripemock.Request) (int, any, bool) {
		if r.Method != "POST" || r.Path != "/v1/payment_intents" || r.Form.Get("payment_method") != "pm_card_chargeDeclined" {
			return 0, nil, false
		}
		return 402, map[string]any{"error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
			"message": "Your card was declined.", "payment_intent": map[string]any{"id": stripeE2EIntent(r), "object": "payment_intent", "status": "requires_payment_method"}}}, true
	})
	m.Patch(func(r stripemock.Request, body map[string]any) {
		if r.Method != "POST" || r.Path != "/v1/payment_intents" {
			return
		}
		id := stripeE2EIntent(r)
		body["id"] = id
		switch r.Form.Get("payment_method") {
		case "pm_card_visa":
			body["status"] = "requires_capture"
		case "pm_card_threeDSecure2Required":
			body["status"], body["client_secret"] = "requires_action", id+"_secret_e2e"
			body["next_action"] = map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}
		}
	})

	const publishable, hook = "pk_test_e2e", "whsec_e2e_browser"
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir(), "HAWKER_STRIPE_SECRET_KEY": "sk_test_e2e", "HAWKER_STRIPE_WEBHOOK_SECRET": hook}
	s := startServe(t, env, "--auth-rate", "0", "--payments", "testpay,stripe", "--stripe-publishable-key", publishable, "--stripe-api-url", m.URL)
	api := s.url + "/api/v1"
	core0 := setupCoreShow(t, api, adminKey(t, env))
	// Live, with the shirt pinned: the viewer offers Buy at once.
	call(t, "POST", api+"/shows/"+core0.Show+"/start", core0.HostToken, nil, 200, nil)
	call(t, "POST", api+"/shows/"+core0.Show+"/pin", core0.HostToken, map[string]any{"product_id": core0.Product}, 200, nil)
	fx := stripeFixture{Show: core0.Show, Product: core0.Product, SKUM: core0.SKUM, Admin: core0.Admin, WebhookSecret: hook, PublishableKey: publishable}

	var res stripeResult
	found := runE2EScript(t, s, node, script, chromium, "HAWKER_E2E_STRIPE", fx, &res)
	if !found || res.Order == "" {
		return
	}

	// What the browser did, seen from the server and from Stripe's side.
	var o struct{ Order struct{ State string } }
	call(t, "GET", api+"/orders/"+res.Order, fx.Admin, nil, 200, &o)
	if o.Order.State != "paid" {
		t.Errorf("order %s is %s, want paid", res.Order, o.Order.State)
	}
	var st hawker.Stock
	call(t, "GET", api+"/skus/"+fx.SKUM+"/stock", fx.Admin, nil, 200, &st)
	if st.Sold != 1 || st.Reserved != 0 {
		t.Errorf("stock of M: %+v, want 1 sold, none held", st)
	}
	var creates []string
	captured := 0
	for _, r := range m.Requests() {
		switch {
		case r.Method == "POST" && r.Path == "/v1/payment_intents":
			creates = append(creates, r.Form.Get("payment_method"))
			if r.Form.Get("metadata[order_id]") != res.Order || r.Form.Get("capture_method") != "manual" || r.Form.Get("confirm") != "true" {
				t.Errorf("PaymentIntent create: %v", r.Form)
			}
		case r.Method == "POST" && r.Path == "/v1/payment_intents/"+res.PaymentIntent+"/capture":
			captured++
		}
	}
	// The incomplete card never reached Stripe; the declined card, the
	// refused and the approved 3-D Secure did, once each (a double tap
	// included).
	want := []string{"pm_card_chargeDeclined", "pm_card_threeDSecure2Required", "pm_card_threeDSecure2Required"}
	if !slices.Equal(creates, want) {
		t.Errorf("PaymentIntents created with %v, want %v (the page made %v)", creates, want, res.PaymentMethods)
	}
	if captured != 1 {
		t.Errorf("the held PaymentIntent %s was captured %d times, want once", res.PaymentIntent, captured)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve did not stop cleanly: %v", err)
	}
}

// stripeE2EIntent is the PaymentIntent id the proxy gives a payment.
func stripeE2EIntent(r stripemock.Request) string {
	return "pi_" + strings.TrimPrefix(r.Form.Get("metadata[payment_id]"), "pay_")
}
