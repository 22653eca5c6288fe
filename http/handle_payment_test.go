package hawkerhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"hawker"
	"hawker/market"
	"hawker/payment"
	"hawker/payment/stripepay"
	"hawker/payment/stripepay/stripemock"
	"hawker/payment/testpay"
	"hawker/sqlite"
)

// Secrets of the fixture's Stripe provider (test values, never real).
const (
	fixtureStripeKey     = "sk_test_fixture"
	fixtureWebhookSecret = "whsec_fixture"
	fixturePublishable   = "pk_test_fixture"
)

// fixturePay is the fixture's payment service with its test provider.
type fixturePay struct {
	*payment.Service
	TP *testpay.Provider
}

// fixturePayments is the payment service of every fixture: testpay, and
// Stripe at apiURL (an address nothing answers when empty: the default
// fixture only verifies webhooks with it; tests that call Stripe give it
// stripe-mock).
func fixturePayments(t *testing.T, db *sqlite.DB, co Checkout, apiURL ...string) *fixturePay {
	t.Helper()
	url := "http://127.0.0.1:1"
	if len(apiURL) > 0 {
		url = apiURL[0]
	}
	sp, err := stripepay.New(stripepay.Config{
		SecretKey: fixtureStripeKey, WebhookSecret: fixtureWebhookSecret, PublishableKey: fixturePublishable,
		APIURL: url, Markets: market.Default(), MaxNetworkRetries: new(int64),
	})
	if err != nil {
		t.Fatal(err)
	}
	tp := testpay.New()
	svc, err := payment.New(payment.Config{Store: db, Orders: db, Checkout: co, Providers: []payment.Provider{tp, sp}})
	if err != nil {
		t.Fatal(err)
	}
	return &fixturePay{Service: svc, TP: tp}
}

func (f *fixture) payments() *fixturePay { return f.Server.cfg.Payments.(*fixturePay) }

// payAddress is a shipping address in the US market.
var payAddress = map[string]any{"name": "Bea Buyer", "line1": "1 Main St", "city": "Springfield", "region": "IL", "postal_code": "62701", "country": "US"}

// testpayBody pays with a test card and sets the address.
func testpayBody(card string) map[string]any {
	return map[string]any{"provider": "testpay", "card_number": card, "shipping_address": payAddress}
}

// payOrder posts a payment of the order with the key as the token's user.
func (f *fixture) payOrder(t *testing.T, token, orderID, key string, body any) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		h.Set(IdempotencyHeader, key)
	}
	return f.doHeader(t, "POST", "/api/v1/orders/"+orderID+"/pay", h, body)
}

// freshOrder places a US order of quantity units of SKU A as the buyer.
func (f *fixture) freshOrder(t *testing.T, quantity int) hawker.Order {
	t.Helper()
	resp, body := f.buy(t, f.BuyerToken, "order-"+oaUnique(), buyBody(f.SKUA, quantity))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("order: %d %s", resp.StatusCode, body)
	}
	return decodeOrder(t, body)
}

type paymentOut struct {
	Payment payment.View `json:"payment"`
	Order   hawker.Order `json:"order"`
}

func decodePayment(t *testing.T, body []byte) paymentOut {
	t.Helper()
	var out paymentOut
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return out
}

func (f *fixture) ledger() string {
	var kinds []string
	for _, op := range f.payments().TP.Ledger() {
		kinds = append(kinds, op.Kind)
	}
	return fmt.Sprint(kinds)
}

// TestPay runs the testpay flow through the API with the real inventory
// engine: the address is required, the payment is captured after the
// order is confirmed, the decision is replayed, and who may see what.
func TestPay(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 2)

	resp, body := f.payOrder(t, f.BuyerToken, o.ID, "p1", map[string]any{"provider": "testpay", "card_number": testpay.CardSuccess})
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "shipping_address")
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "", testpayBody(testpay.CardSuccess))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, IdempotencyHeader)
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "p1", testpayBody("4242 4242 4242 4241"))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "card_number")
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "p1", map[string]any{"provider": "cash", "card_number": testpay.CardSuccess})
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "provider")
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "p1", map[string]any{"provider": "testpay", "card_number": testpay.CardSuccess, "amount": 1})
	wantError(t, resp, body, http.StatusBadRequest, hawker.EBADREQUEST, "amount")
	resp, body = f.payOrder(t, f.SellerAToken, o.ID, "p1", testpayBody(testpay.CardSuccess))
	wantError(t, resp, body, http.StatusForbidden, hawker.EFORBIDDEN, "")
	resp, body = f.payOrder(t, f.SellerBToken, o.ID, "p1", testpayBody(testpay.CardSuccess))
	wantError(t, resp, body, http.StatusNotFound, hawker.ENOTFOUND, "")
	if f.ledger() != "[]" {
		t.Fatalf("refusals moved money: %s", f.ledger())
	}

	resp, first := f.payOrder(t, f.BuyerToken, o.ID, "p1", testpayBody("4242 4242 4242 4242"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("pay: %d %s", resp.StatusCode, first)
	}
	out := decodePayment(t, first)
	if out.Payment.State != "succeeded" || out.Payment.Amount != o.Total || out.Order.State != hawker.OrderPaid ||
		out.Order.ShippingAddress == nil || out.Order.ShippingAddress.City != "Springfield" {
		t.Errorf("pay answer %s", first)
	}
	if st := f.stockOf(t, f.SKUA); st.Sold != 2 || st.Reserved != 0 {
		t.Errorf("stock after payment %+v", st)
	}
	resp, again := f.payOrder(t, f.BuyerToken, o.ID, "p1", testpayBody("4242 4242 4242 4242"))
	if resp.StatusCode != http.StatusCreated || !bytes.Equal(again, first) {
		t.Errorf("replay %d %s, want %s", resp.StatusCode, again, first)
	}
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "p1", testpayBody(testpay.CardDeclined))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "p2", testpayBody(testpay.CardSuccess))
	wantError(t, resp, body, http.StatusConflict, payment.EALREADYPAID, "")
	if got := f.ledger(); got != "[authorize capture]" {
		t.Errorf("ledger %s", got)
	}

	path := "/api/v1/payments/" + out.Payment.ID
	for _, who := range []string{f.BuyerToken, f.SellerAToken, f.HostToken, f.AdminKey} {
		var got struct{ Payment payment.View }
		f.mustJSON(t, "GET", path, who, nil, http.StatusOK, &got)
		if got.Payment.ID != out.Payment.ID || got.Payment.State != "succeeded" {
			t.Errorf("GET payment: %+v", got.Payment)
		}
	}
	resp, body = f.do(t, "GET", path, f.SellerBToken, nil)
	wantError(t, resp, body, http.StatusNotFound, hawker.ENOTFOUND, "")
	resp, body = f.do(t, "GET", "/api/v1/payments/pay_01jbz3n8q4m2x7c5v6w9t0r1ys", f.AdminKey, nil)
	wantError(t, resp, body, http.StatusNotFound, hawker.ENOTFOUND, "")
	resp, body = f.do(t, "GET", path, "", nil)
	wantError(t, resp, body, http.StatusUnauthorized, hawker.EUNAUTHENTICATED, "")
}

// TestPayDecline: a declined card is a decision (201, failed); the order
// stays reserved and its stock held.
func TestPayDecline(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 3)
	resp, body := f.payOrder(t, f.BuyerToken, o.ID, "d1", testpayBody(testpay.CardInsufficientFunds))
	out := decodePayment(t, body)
	if resp.StatusCode != http.StatusCreated || out.Payment.State != "failed" || out.Payment.FailureCode != "insufficient_funds" || out.Order.State != hawker.OrderReserved {
		t.Fatalf("decline %d %s", resp.StatusCode, body)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 3 || st.Available != 7 {
		t.Errorf("stock after a decline %+v", st)
	}
	// Another card, another key: paid.
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "d2", testpayBody(testpay.CardSuccess))
	if resp.StatusCode != http.StatusCreated || decodePayment(t, body).Order.State != hawker.OrderPaid {
		t.Errorf("second card %d %s", resp.StatusCode, body)
	}
}

// TestPaySameKeyConcurrently sends one key 20 times at once: one
// authorisation, 20 identical answers.
func TestPaySameKeyConcurrently(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 1)
	const n = 20
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resp, body := f.payOrder(t, f.BuyerToken, o.ID, "same", testpayBody(testpay.CardSuccess))
			statuses[i], bodies[i] = resp.StatusCode, body
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if statuses[i] != http.StatusCreated || !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("answer %d: %d %s, want %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if got := f.ledger(); got != "[authorize capture]" {
		t.Errorf("ledger %s", got)
	}
}

// TestPayAuthorize: testpay's 3-D Secure card waits for the buyer, who
// approves through the API; only the buyer may.
func TestPayAuthorize(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 1)
	resp, body := f.payOrder(t, f.BuyerToken, o.ID, "a1", testpayBody(testpay.CardRequiresAction))
	out := decodePayment(t, body)
	if resp.StatusCode != http.StatusCreated || out.Payment.State != "requires_action" || out.Payment.NextAction == nil || out.Payment.NextAction.Type != "testpay_authorize" {
		t.Fatalf("pay %d %s", resp.StatusCode, body)
	}
	path := "/api/v1/payments/" + out.Payment.ID + "/authorize"
	resp, body = f.do(t, "POST", path, f.SellerAToken, map[string]any{"approve": true})
	wantError(t, resp, body, http.StatusForbidden, hawker.EFORBIDDEN, "")
	resp, body = f.do(t, "POST", path, f.BuyerToken, map[string]any{})
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "approve")
	resp, body = f.do(t, "POST", path, f.BuyerToken, map[string]any{"approve": true})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve %d %s", resp.StatusCode, body)
	}
	if a := decodePayment(t, body); a.Payment.State != "succeeded" || a.Order.State != hawker.OrderPaid {
		t.Errorf("approve %s", body)
	}
	if got := f.ledger(); got != "[authorize capture]" {
		t.Errorf("ledger %s", got)
	}
}

// TestPayAuthorizeAfterOtherCard: the buyer leaves a 3-D Secure payment
// open, pays the order with another card, then approves the first: 409
// order_already_paid, its hold voided — the order is charged once.
func TestPayAuthorizeAfterOtherCard(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 1)
	resp, body := f.payOrder(t, f.BuyerToken, o.ID, "a1", testpayBody(testpay.CardRequiresAction))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("3-D Secure payment %d %s", resp.StatusCode, body)
	}
	first := decodePayment(t, body).Payment
	resp, body = f.payOrder(t, f.BuyerToken, o.ID, "a2", testpayBody(testpay.CardSuccess))
	if resp.StatusCode != http.StatusCreated || decodePayment(t, body).Order.State != hawker.OrderPaid {
		t.Fatalf("other card %d %s", resp.StatusCode, body)
	}
	path := "/api/v1/payments/" + first.ID + "/authorize"
	for range 2 {
		resp, body = f.do(t, "POST", path, f.BuyerToken, map[string]any{"approve": true})
		wantError(t, resp, body, http.StatusConflict, payment.EALREADYPAID, "")
	}
	var got struct{ Payment payment.View }
	f.mustJSON(t, "GET", "/api/v1/payments/"+first.ID, f.BuyerToken, nil, http.StatusOK, &got)
	if got.Payment.State != "canceled" || got.Payment.FailureCode != payment.EALREADYPAID {
		t.Errorf("the first payment: %+v", got.Payment)
	}
	// The first card: held on approval, then voided; the second captured.
	if l := f.ledger(); l != "[authorize capture authorize void]" {
		t.Errorf("ledger %s", l)
	}
}

// TestPayRefund: the seller cancels a paid order (refunded); the reconcile
// loop refunds the payment once.
func TestPayRefund(t *testing.T) {
	f := newFixture(t)
	o := f.freshOrder(t, 1)
	_, body := f.payOrder(t, f.BuyerToken, o.ID, "r1", testpayBody(testpay.CardSuccess))
	id := decodePayment(t, body).Payment.ID
	var cancelled struct{ Order hawker.Order }
	f.mustJSON(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", f.SellerAToken, nil, http.StatusOK, &cancelled)
	if cancelled.Order.State != hawker.OrderRefunded {
		t.Fatalf("cancel of a paid order: %s", cancelled.Order.State)
	}
	for range 2 {
		if _, err := f.payments().Reconcile(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	var got struct{ Payment payment.View }
	f.mustJSON(t, "GET", "/api/v1/payments/"+id, f.BuyerToken, nil, http.StatusOK, &got)
	if got.Payment.State != "refunded" {
		t.Errorf("payment after the refund: %s", got.Payment.State)
	}
	if l := f.ledger(); l != "[authorize capture refund]" {
		t.Errorf("ledger %s", l)
	}
}

func TestPaymentConfig(t *testing.T) {
	f := newFixture(t)
	var cfg struct {
		Providers            []string `json:"providers"`
		StripePublishableKey string   `json:"stripe_publishable_key"`
	}
	f.mustJSON(t, "GET", "/api/v1/payments/config", "", nil, http.StatusOK, &cfg)
	if fmt.Sprint(cfg.Providers) != "[testpay stripe]" || cfg.StripePublishableKey != fixturePublishable {
		t.Errorf("config %+v", cfg)
	}
	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoCheckout: true})
	body := off.must(t, "GET", "/api/v1/payments/config", "", nil, http.StatusOK)
	if strings.TrimSpace(string(body)) != `{"providers":[]}` {
		t.Errorf("config without payments: %s", body)
	}
	resp, b := off.do(t, "POST", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/pay", off.BuyerToken, testpayBody(testpay.CardSuccess))
	wantError(t, resp, b, http.StatusServiceUnavailable, "unavailable", "")
}

// lazyPayments lets a test build the payment service after the fixture
// (it needs the fixture's engine) and still hand it to the server.
type lazyPayments struct {
	Payments
}

// stripeFixture is a fixture whose Stripe provider talks to stripe-mock
// (through the recording proxy), with the Stripe tests' skip rules.
func stripeFixture(t *testing.T) (*fixture, *stripemock.Mock) {
	t.Helper()
	m := stripemock.Start(t)
	lazy := &lazyPayments{}
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Payments: lazy}})
	fp := fixturePayments(t, f.Store.(*sqlite.DB), f.Engine, m.URL)
	lazy.Payments = fp
	return f, m
}

// stripeEvent is a signed PaymentIntent event for the webhook route.
func stripeEvent(t *testing.T, secret, id, typ, piID string, amount int64, currency, status string, at time.Time) ([]byte, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": "2026-03-25.dahlia", "created": at.Unix(),
		"livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{"id": piID, "object": "payment_intent", "amount": amount, "currency": currency, "status": status}}})
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: b, Secret: secret, Timestamp: at})
	h := http.Header{}
	h.Set("Stripe-Signature", sp.Header)
	h.Set("Content-Type", "application/json; charset=utf-8")
	return b, h
}

func (f *fixture) webhook(t *testing.T, body []byte, h http.Header) (*http.Response, []byte) {
	t.Helper()
	return f.doHeader(t, "POST", "/api/v1/webhooks/stripe", h, body)
}

// TestStripeWebhook pays with Stripe (stripe-mock behind a proxy that
// makes its PaymentIntent ask for 3-D Secure), then drives the payment
// with signed webhooks: a forged or stale signature and a wrong amount
// change nothing (400); the real event confirms the order and captures
// (the capture request reaches stripe-mock); its replay is a no-op.
func TestStripeWebhook(t *testing.T) {
	f, m := stripeFixture(t)
	o := f.freshOrder(t, 1)
	m.Patch(func(r stripemock.Request, body map[string]any) {
		if r.Path == "/v1/payment_intents" {
			body["id"], body["status"], body["client_secret"] = "pi_hook", "requires_action", "pi_hook_secret_1"
		}
	})
	resp, body := f.payOrder(t, f.BuyerToken, o.ID, "s1", map[string]any{"provider": "stripe", "payment_method": "pm_card_visa", "shipping_address": payAddress})
	out := decodePayment(t, body)
	if resp.StatusCode != http.StatusCreated || out.Payment.State != "requires_action" || out.Payment.NextAction.Type != "stripe_sdk" || out.Payment.ClientSecret != "pi_hook_secret_1" {
		t.Fatalf("stripe pay %d %s", resp.StatusCode, body)
	}
	reqs := m.Requests()
	if len(reqs) != 1 || reqs[0].Form.Get("amount") != fmt.Sprint(o.Total.Amount) || reqs[0].Form.Get("currency") != "usd" ||
		reqs[0].IdempotencyKey != out.Payment.ID+"-authorize" {
		t.Fatalf("requests to Stripe: %+v", reqs)
	}
	// The client secret is the buyer's alone.
	var seen struct{ Payment payment.View }
	f.mustJSON(t, "GET", "/api/v1/payments/"+out.Payment.ID, f.SellerAToken, nil, http.StatusOK, &seen)
	if seen.Payment.ClientSecret != "" {
		t.Errorf("the seller sees the client secret")
	}

	state := func() string {
		var got struct{ Payment payment.View }
		f.mustJSON(t, "GET", "/api/v1/payments/"+out.Payment.ID, f.BuyerToken, nil, http.StatusOK, &got)
		return got.Payment.State
	}
	now := time.Now()
	captures := func() int {
		n := 0
		for _, r := range m.Requests() {
			if strings.HasSuffix(r.Path, "/capture") {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name   string
		secret string
		at     time.Time
		amount int64
		cur    string
		code   string
	}{
		{"forged", "whsec_attacker", now, o.Total.Amount, "usd", payment.EBADSIGNATURE},
		{"stale", fixtureWebhookSecret, now.Add(-10 * time.Minute), o.Total.Amount, "usd", payment.EBADSIGNATURE},
		{"amount", fixtureWebhookSecret, now, o.Total.Amount - 1, "usd", payment.EAMOUNTMISMATCH},
		{"currency", fixtureWebhookSecret, now, o.Total.Amount, "eur", payment.EAMOUNTMISMATCH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, h := stripeEvent(t, tc.secret, "evt_"+tc.name, "payment_intent.amount_capturable_updated", "pi_hook", tc.amount, tc.cur, "requires_capture", tc.at)
			resp, body := f.webhook(t, b, h)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"code":"`+tc.code+`"`) {
				t.Errorf("webhook %d %s, want 400 %s", resp.StatusCode, body, tc.code)
			}
			if s := state(); s != "requires_action" || captures() != 0 {
				t.Errorf("a refused webhook changed the payment to %s (%d captures)", s, captures())
			}
		})
	}
	// A refused event id is not spent: the genuine event may carry it.
	b, h := stripeEvent(t, fixtureWebhookSecret, "evt_amount", "payment_intent.amount_capturable_updated", "pi_hook", o.Total.Amount, "usd", "requires_capture", now)
	resp, body = f.webhook(t, b, h)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"processed"`) {
		t.Fatalf("webhook %d %s", resp.StatusCode, body)
	}
	if s := state(); s != "succeeded" || captures() != 1 {
		t.Errorf("after the webhook: %s with %d captures", s, captures())
	}
	var ord struct{ Order hawker.Order }
	f.mustJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil, http.StatusOK, &ord)
	if ord.Order.State != hawker.OrderPaid {
		t.Errorf("order after the webhook: %s", ord.Order.State)
	}
	resp, body = f.webhook(t, b, h)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"duplicate"`) || captures() != 1 {
		t.Errorf("replayed webhook %d %s (%d captures)", resp.StatusCode, body, captures())
	}
	// Events hawker does not act on are acknowledged.
	b, h = stripeEvent(t, fixtureWebhookSecret, "evt_other", "payment_intent.created", "pi_hook", o.Total.Amount, "usd", "requires_payment_method", now)
	resp, body = f.webhook(t, b, h)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ignored"`) {
		t.Errorf("other event %d %s", resp.StatusCode, body)
	}
}

// TestStripeWebhookExpired: the buyer completes 3-D Secure after the
// order was cancelled; the webhook releases the hold (cancel, never
// capture).
func TestStripeWebhookExpired(t *testing.T) {
	f, m := stripeFixture(t)
	o := f.freshOrder(t, 1)
	m.Patch(func(r stripemock.Request, body map[string]any) {
		if r.Path == "/v1/payment_intents" {
			body["id"], body["status"] = "pi_late", "requires_action"
		}
	})
	_, body := f.payOrder(t, f.BuyerToken, o.ID, "s1", map[string]any{"provider": "stripe", "payment_method": "pm_card_visa", "shipping_address": payAddress})
	id := decodePayment(t, body).Payment.ID
	f.must(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", f.BuyerToken, nil, http.StatusOK)
	b, h := stripeEvent(t, fixtureWebhookSecret, "evt_late", "payment_intent.amount_capturable_updated", "pi_late", o.Total.Amount, "usd", "requires_capture", time.Now())
	resp, body := f.webhook(t, b, h)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook %d %s", resp.StatusCode, body)
	}
	var got struct{ Payment payment.View }
	f.mustJSON(t, "GET", "/api/v1/payments/"+id, f.BuyerToken, nil, http.StatusOK, &got)
	if got.Payment.State != "canceled" || got.Payment.FailureCode != "order_cancelled" {
		t.Errorf("payment %+v", got.Payment)
	}
	var paths []string
	for _, r := range m.Requests() {
		paths = append(paths, r.Path)
	}
	if fmt.Sprint(paths) != "[/v1/payment_intents /v1/payment_intents/pi_late/cancel]" {
		t.Errorf("requests to Stripe: %v (want the create and a cancel, no capture)", paths)
	}
}

func TestWebhookRefusals(t *testing.T) {
	f := newFixture(t)
	b, h := stripeEvent(t, fixtureWebhookSecret, "evt_x", "payment_intent.succeeded", "pi_unknown", 100, "usd", "succeeded", time.Now())
	resp, body := f.webhook(t, b, h)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ignored"`) {
		t.Errorf("event of an unknown payment: %d %s", resp.StatusCode, body)
	}
	h.Set("Stripe-Signature", "")
	resp, body = f.webhook(t, b, h)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"bad_signature"`) {
		t.Errorf("unsigned: %d %s", resp.StatusCode, body)
	}
	h.Set("Content-Type", "text/plain")
	resp, body = f.webhook(t, b, h)
	wantError(t, resp, body, http.StatusUnsupportedMediaType, hawker.EUNSUPPORTED, "")
	resp, body = f.doHeader(t, "POST", "/api/v1/webhooks/stripe", http.Header{}, `{"padding":"`+strings.Repeat("x", MaxBodyBytes)+`"}`)
	wantError(t, resp, body, http.StatusRequestEntityTooLarge, hawker.ETOOLARGE, "")
}
