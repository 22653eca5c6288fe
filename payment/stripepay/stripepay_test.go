package stripepay_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"hawker"
	"hawker/market"
	"hawker/payment"
	"hawker/payment/stripepay"
	"hawker/payment/stripepay/stripemock"
)

const (
	testKey    = "sk_test_hawker"
	testSecret = "whsec_test_hawker"
)

func newProvider(t *testing.T, apiURL string) *stripepay.Provider {
	t.Helper()
	p, err := stripepay.New(stripepay.Config{
		SecretKey: testKey, WebhookSecret: testSecret, PublishableKey: "pk_test_hawker",
		APIURL: apiURL, Markets: market.Default(), MaxNetworkRetries: new(int64),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAmounts pins the conversion between hawker's minor units and
// Stripe's: zero-decimal currencies as they are, IDR (0 decimals in
// hawker's markets) times 100, three-decimal currencies with a last 0,
// ISK whole units only — and never another amount than asked.
func TestAmounts(t *testing.T) {
	for _, tc := range []struct {
		cur    string
		minor  int
		amount int64
		want   int64
		bad    bool
	}{
		{"USD", 2, 1999, 1999, false},
		{"EUR", 2, 1, 1, false},
		{"VND", 0, 250000, 250000, false},
		{"JPY", 0, 500, 500, false},
		{"KRW", 0, 1000, 1000, false},
		{"IDR", 0, 150000, 15000000, false},
		{"IDR", 2, 150000, 150000, false},
		{"KWD", 3, 5120, 5120, false},
		{"KWD", 3, 5124, 0, true}, // Stripe wants the last digit 0: refused, not rounded
		{"BHD", 3, 1000, 1000, false},
		{"ISK", 0, 5, 500, false},
		{"ISK", 2, 510, 0, true}, // fractional króna
		{"VND", 2, 12345, 0, true},
		{"USD", 2, -1, 0, true},
		{"IDR", 0, 1 << 62, 0, true}, // overflows when scaled
	} {
		t.Run(fmt.Sprintf("%s_%d_%d", tc.cur, tc.minor, tc.amount), func(t *testing.T) {
			got, err := stripepay.ToStripe(hawker.Money{Amount: tc.amount, Currency: tc.cur}, tc.minor)
			if tc.bad {
				if hawker.ErrorCode(err) != hawker.EINVALID {
					t.Fatalf("ToStripe = %d, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ToStripe = %d, %v; want %d", got, err, tc.want)
			}
			back, ok := stripepay.FromStripe(got, strings.ToLower(tc.cur), tc.minor)
			if !ok || back != (hawker.Money{Amount: tc.amount, Currency: tc.cur}) {
				t.Errorf("FromStripe(%d) = %v %v, want %d %s", got, back, ok, tc.amount, tc.cur)
			}
		})
	}
	if _, ok := stripepay.FromStripe(15050, "idr", 0); ok {
		t.Errorf("IDR 150.50 converted to whole rupiah")
	}
}

// wantAmount is Stripe's amount for a total of 100 whole units in each
// default market's currency, worked out by hand from Stripe's rules.
var wantAmount = map[string]int64{
	"USD": 10000, "GBP": 10000, "EUR": 10000, "THB": 10000, "MYR": 10000, "SGD": 10000, "PHP": 10000,
	"VND": 100,   // zero-decimal
	"IDR": 10000, // 0 decimals in hawker's markets, two in Stripe's API
}

// TestAuthorizeRequests sends an authorisation per default market to
// stripe-mock (which validates every parameter against Stripe's API
// description) and checks what went over the wire: the amount in Stripe's
// units, the lower-case currency, manual capture, confirmation, cards
// only, the order and payment ids in metadata, and the idempotency key.
// stripe-mock answers with a fixture whose status is always
// requires_payment_method; the proxy patches it to requires_capture, so
// this checks requests, not Stripe's decisions.
func TestAuthorizeRequests(t *testing.T) {
	m := stripemock.Start(t)
	p := newProvider(t, m.URL)
	m.Patch(func(r stripemock.Request, body map[string]any) {
		if r.Path == "/v1/payment_intents" {
			body["status"] = "requires_capture"
			body["id"] = "pi_" + r.Form.Get("metadata[payment_id]")
		}
	})
	for _, mk := range market.Default().All() {
		t.Run(mk.Code, func(t *testing.T) {
			m.Reset()
			m.Patch(func(r stripemock.Request, body map[string]any) { body["status"] = "requires_capture" })
			whole := int64(100)
			for range mk.MinorUnits {
				whole *= 10
			}
			payID := hawker.NewID(hawker.PrefixPayment)
			res, err := p.Authorize(t.Context(), payment.AuthorizeRequest{
				PaymentID: payID, OrderID: "ord_x", Amount: hawker.Money{Amount: whole, Currency: mk.Currency},
				IdempotencyKey: payID + "-authorize", Method: payment.Method{PaymentMethod: "pm_card_visa"},
			})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if res.State != payment.AuthAuthorized || !strings.HasPrefix(res.Ref, "pi_") {
				t.Errorf("result %+v", res)
			}
			reqs := m.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			want := map[string]string{
				"amount": fmt.Sprint(wantAmount[mk.Currency]), "currency": strings.ToLower(mk.Currency),
				"capture_method": "manual", "confirm": "true", "payment_method": "pm_card_visa",
				"payment_method_types[0]": "card", "metadata[order_id]": "ord_x", "metadata[payment_id]": payID,
			}
			for k, v := range want {
				if got := r.Form.Get(k); got != v {
					t.Errorf("%s = %q, want %q (form %v)", k, got, v, r.Form)
				}
			}
			if r.Method != "POST" || r.Path != "/v1/payment_intents" || r.IdempotencyKey != payID+"-authorize" || r.Authorization != "Bearer "+testKey {
				t.Errorf("request %s %s key %q auth %q", r.Method, r.Path, r.IdempotencyKey, r.Authorization)
			}
		})
	}
}

// TestAnswers maps PaymentIntent statuses and Stripe errors to results:
// the statuses by patching stripe-mock's answer, the errors by answering
// in its place (stripe-mock declines nothing).
func TestAnswers(t *testing.T) {
	m := stripemock.Start(t)
	p := newProvider(t, m.URL)
	req := payment.AuthorizeRequest{PaymentID: "pay_x", OrderID: "ord_x", Amount: hawker.Money{Amount: 1999, Currency: "USD"},
		IdempotencyKey: "pay_x-authorize", Method: payment.Method{PaymentMethod: "pm_card_visa"}}
	patchStatus := func(fields map[string]any) {
		m.Reset()
		m.Patch(func(_ stripemock.Request, body map[string]any) {
			for k, v := range fields {
				body[k] = v
			}
		})
	}
	for _, tc := range []struct {
		name   string
		fields map[string]any
		want   payment.Result
	}{
		{"requires_capture", map[string]any{"id": "pi_1", "status": "requires_capture"}, payment.Result{State: payment.AuthAuthorized, Ref: "pi_1"}},
		{"requires_action", map[string]any{"id": "pi_2", "status": "requires_action", "client_secret": "pi_2_secret_x"},
			payment.Result{State: payment.AuthRequiresAction, Ref: "pi_2", NextAction: "stripe_sdk", ClientSecret: "pi_2_secret_x"}},
		{"processing", map[string]any{"id": "pi_3", "status": "processing"}, payment.Result{State: payment.AuthPending, Ref: "pi_3"}},
		{"declined", map[string]any{"id": "pi_4", "status": "requires_payment_method",
			"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}},
			payment.Result{State: payment.AuthFailed, Ref: "pi_4", FailureCode: "insufficient_funds"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			patchStatus(tc.fields)
			res, err := p.Authorize(t.Context(), req)
			if err != nil || *res != tc.want {
				t.Errorf("Authorize = %+v, %v; want %+v", res, err, tc.want)
			}
		})
	}

	answer := func(status int, body any) {
		m.Reset()
		m.Answer(func(stripemock.Request) (int, any, bool) { return status, body, true })
	}
	t.Run("card_error", func(t *testing.T) {
		answer(402, map[string]any{"error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
			"message": "Your card was declined.", "payment_intent": map[string]any{"id": "pi_5", "object": "payment_intent", "status": "requires_payment_method"}}})
		res, err := p.Authorize(t.Context(), req)
		if err != nil || res.State != payment.AuthFailed || res.FailureCode != "generic_decline" || res.Ref != "pi_5" {
			t.Errorf("Authorize = %+v, %v", res, err)
		}
	})
	t.Run("unknown payment method", func(t *testing.T) {
		answer(400, map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": "resource_missing", "param": "payment_method", "message": "No such PaymentMethod"}})
		_, err := p.Authorize(t.Context(), req)
		var he *hawker.Error
		if !errors.As(err, &he) || he.Code != hawker.EINVALID || he.Field != "payment_method" {
			t.Errorf("Authorize error = %v, want EINVALID on payment_method", err)
		}
	})
	t.Run("outage", func(t *testing.T) {
		answer(500, map[string]any{"error": map[string]any{"type": "api_error", "message": "boom"}})
		_, err := p.Authorize(t.Context(), req)
		if err == nil || hawker.ErrorCode(err) != hawker.EINTERNAL {
			t.Errorf("Authorize error = %v, want one without a code (an outage)", err)
		}
	})
	t.Run("key echoed back", func(t *testing.T) {
		// stripe-mock answers a key it does not like with the whole
		// Authorization header in the message; the error, which gets
		// logged, must not carry it.
		answer(401, map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": "Authorization was 'Bearer " + testKey + "'."}})
		_, err := p.Authorize(t.Context(), req)
		if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("amount Stripe cannot charge", func(t *testing.T) {
		m.Reset()
		_, err := p.Authorize(t.Context(), payment.AuthorizeRequest{PaymentID: "pay_y", Amount: hawker.Money{Amount: 5, Currency: "CHF"},
			IdempotencyKey: "k", Method: payment.Method{PaymentMethod: "pm_card_visa"}})
		if hawker.ErrorCode(err) != hawker.EINVALID || len(m.Requests()) != 0 {
			t.Errorf("unknown currency: %v after %d requests", err, len(m.Requests()))
		}
	})
}

// TestMoneyCalls checks capture, cancel and refund requests (paths,
// idempotency keys) and that "already done" answers count as done.
func TestMoneyCalls(t *testing.T) {
	m := stripemock.Start(t)
	p := newProvider(t, m.URL)
	ctx := t.Context()
	if err := p.Capture(ctx, "pi_cap", "pay_1-capture"); err != nil {
		t.Fatal(err)
	}
	if err := p.Void(ctx, "pi_void", "pay_1-void"); err != nil {
		t.Fatal(err)
	}
	if err := p.Refund(ctx, "pi_ref", hawker.Money{Amount: 1999, Currency: "USD"}, "pay_1-refund"); err != nil {
		t.Fatal(err)
	}
	reqs := m.Requests()
	want := []struct{ path, key string }{
		{"/v1/payment_intents/pi_cap/capture", "pay_1-capture"},
		{"/v1/payment_intents/pi_void/cancel", "pay_1-void"},
		{"/v1/refunds", "pay_1-refund"},
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests: %+v", len(reqs), reqs)
	}
	for i, w := range want {
		if reqs[i].Method != "POST" || reqs[i].Path != w.path || reqs[i].IdempotencyKey != w.key {
			t.Errorf("request %d = %s %s key %q, want POST %s key %q", i, reqs[i].Method, reqs[i].Path, reqs[i].IdempotencyKey, w.path, w.key)
		}
	}
	if got := reqs[2].Form.Get("payment_intent"); got != "pi_ref" || reqs[2].Form.Get("amount") != "" {
		t.Errorf("refund form %v: want the whole PaymentIntent pi_ref", reqs[2].Form)
	}

	// Captured before (an answer lost): Stripe says unexpected state, the
	// PaymentIntent is succeeded, and that is success.
	m.Reset()
	m.Answer(func(r stripemock.Request) (int, any, bool) {
		if strings.HasSuffix(r.Path, "/capture") {
			return 400, map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": "payment_intent_unexpected_state", "message": "already captured"}}, true
		}
		return 0, nil, false
	})
	m.Patch(func(r stripemock.Request, body map[string]any) { body["status"] = "succeeded" })
	if err := p.Capture(ctx, "pi_cap", "pay_1-capture"); err != nil {
		t.Errorf("capture of a captured PaymentIntent: %v", err)
	}
	// …but not when it is in another state.
	m.Patch(func(r stripemock.Request, body map[string]any) { body["status"] = "canceled" })
	if err := p.Capture(ctx, "pi_cap", "pay_1-capture"); err == nil {
		t.Errorf("capture of a canceled PaymentIntent succeeded")
	}
	m.Reset()
	m.Answer(func(r stripemock.Request) (int, any, bool) {
		return 400, map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": "charge_already_refunded", "message": "refunded"}}, true
	})
	if err := p.Refund(ctx, "pi_ref", hawker.Money{Amount: 1999, Currency: "USD"}, "pay_1-refund"); err != nil {
		t.Errorf("refund of a refunded charge: %v", err)
	}
}

// signed returns a webhook payload and its headers, signed at the time.
func signed(t *testing.T, secret string, at time.Time, event map[string]any) ([]byte, http.Header) {
	t.Helper()
	b, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: b, Secret: secret, Timestamp: at})
	h := http.Header{}
	h.Set(stripepay.SignatureHeader, sp.Header)
	return b, h
}

func piEvent(typ, piID string, amount int64, currency, status string) map[string]any {
	return map[string]any{"id": "evt_" + piID + "_" + typ, "object": "event", "type": typ, "api_version": "2026-03-25.dahlia",
		"data": map[string]any{"object": map[string]any{"id": piID, "object": "payment_intent", "amount": amount, "currency": currency,
			"status": status, "metadata": map[string]any{"payment_id": "pay_01jbz3n8q4m2x7c5v6w9t0r1ys"}}}}
}

func TestParseWebhook(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1")
	now := time.Now()
	for _, tc := range []struct {
		name  string
		event map[string]any
		want  payment.Event
	}{
		{"capturable", piEvent("payment_intent.amount_capturable_updated", "pi_a", 1999, "usd", "requires_capture"),
			payment.Event{Kind: payment.EventAuthorized, Ref: "pi_a", Amount: hawker.Money{Amount: 1999, Currency: "USD"}}},
		{"succeeded", piEvent("payment_intent.succeeded", "pi_b", 15000000, "idr", "succeeded"),
			payment.Event{Kind: payment.EventCaptured, Ref: "pi_b", Amount: hawker.Money{Amount: 150000, Currency: "IDR"}}},
		{"fraction of a rupiah", piEvent("payment_intent.succeeded", "pi_c", 15000050, "idr", "succeeded"),
			payment.Event{Kind: payment.EventCaptured, Ref: "pi_c", Amount: hawker.Money{Amount: -1, Currency: "IDR"}}},
		{"failed", piEvent("payment_intent.payment_failed", "pi_d", 250000, "vnd", "requires_payment_method"),
			payment.Event{Kind: payment.EventFailed, Ref: "pi_d", Amount: hawker.Money{Amount: 250000, Currency: "VND"}, FailureCode: "card_declined"}},
		{"refunded", map[string]any{"id": "evt_r", "object": "event", "type": "charge.refunded", "data": map[string]any{"object": map[string]any{
			"id": "ch_1", "object": "charge", "amount": 1999, "amount_refunded": 1999, "currency": "usd", "refunded": true, "payment_intent": "pi_e"}}},
			payment.Event{Kind: payment.EventRefunded, Ref: "pi_e", Amount: hawker.Money{Amount: 1999, Currency: "USD"}, Full: true}},
		{"partly refunded", map[string]any{"id": "evt_p", "object": "event", "type": "charge.refunded", "data": map[string]any{"object": map[string]any{
			"id": "ch_2", "object": "charge", "amount": 1999, "amount_refunded": 500, "currency": "usd", "refunded": false, "payment_intent": map[string]any{"id": "pi_f"}}}},
			payment.Event{Kind: payment.EventRefunded, Ref: "pi_f", Amount: hawker.Money{Amount: 1999, Currency: "USD"}}},
		{"other", map[string]any{"id": "evt_o", "object": "event", "type": "customer.created", "data": map[string]any{"object": map[string]any{"id": "cus_1"}}},
			payment.Event{Kind: payment.EventOther}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, h := signed(t, testSecret, now, tc.event)
			ev, err := p.ParseWebhook(b, h)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.ID, tc.want.Type = tc.event["id"].(string), tc.event["type"].(string)
			if strings.HasPrefix(tc.want.Type, "payment_intent.") {
				tc.want.PaymentID = "pay_01jbz3n8q4m2x7c5v6w9t0r1ys"
			}
			if *ev != tc.want {
				t.Errorf("event = %+v\nwant    %+v", *ev, tc.want)
			}
		})
	}

	good := piEvent("payment_intent.succeeded", "pi_z", 1999, "usd", "succeeded")
	for _, tc := range []struct {
		name string
		mk   func() ([]byte, http.Header)
	}{
		{"wrong secret", func() ([]byte, http.Header) { return signed(t, "whsec_other", now, good) }},
		{"too old", func() ([]byte, http.Header) { return signed(t, testSecret, now.Add(-10*time.Minute), good) }},
		{"no header", func() ([]byte, http.Header) { b, _ := signed(t, testSecret, now, good); return b, http.Header{} }},
		{"payload changed", func() ([]byte, http.Header) {
			b, h := signed(t, testSecret, now, good)
			return []byte(strings.Replace(string(b), "1999", "1", 1)), h
		}},
		{"garbage header", func() ([]byte, http.Header) {
			b, _ := signed(t, testSecret, now, good)
			h := http.Header{}
			h.Set(stripepay.SignatureHeader, "t=x,v1=zz")
			return b, h
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, h := tc.mk()
			if _, err := p.ParseWebhook(b, h); !errors.Is(err, payment.ErrBadSignature) {
				t.Errorf("ParseWebhook = %v, want ErrBadSignature", err)
			}
		})
	}
	// A signed payload that is not an event is malformed, not forged.
	b, h := signed(t, testSecret, now, map[string]any{"id": "x", "object": "charge"})
	if _, err := p.ParseWebhook(b, h); hawker.ErrorCode(err) != hawker.EBADREQUEST {
		t.Errorf("non-event payload: %v", err)
	}
	// Without a webhook secret every webhook is refused.
	bare, err := stripepay.New(stripepay.Config{SecretKey: testKey, Markets: market.Default()})
	if err != nil {
		t.Fatal(err)
	}
	b, h = signed(t, "", now, good)
	if _, err := bare.ParseWebhook(b, h); !errors.Is(err, payment.ErrBadSignature) {
		t.Errorf("no secret configured: %v", err)
	}
}

func TestValidate(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1")
	for _, tc := range []struct {
		m     payment.Method
		field string
	}{
		{payment.Method{PaymentMethod: "pm_card_visa"}, ""},
		{payment.Method{PaymentMethod: "pm_1PgafyB7WZ01zgkW"}, ""},
		{payment.Method{}, "payment_method"},
		{payment.Method{PaymentMethod: "card_123"}, "payment_method"},
		{payment.Method{PaymentMethod: "pm_x/../../v1/charges"}, "payment_method"},
		{payment.Method{PaymentMethod: "pm_" + strings.Repeat("a", 300)}, "payment_method"},
		{payment.Method{CardNumber: "4242424242424242", PaymentMethod: "pm_card_visa"}, "card_number"},
	} {
		err := p.Validate(tc.m)
		var he *hawker.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("Validate(%+v) = %v", tc.m, err)
		case tc.field != "" && (!errors.As(err, &he) || he.Field != tc.field):
			t.Errorf("Validate(%+v) = %v, want EINVALID on %s", tc.m, err, tc.field)
		}
	}
	if got := p.PublicConfig(); got["stripe_publishable_key"] != "pk_test_hawker" {
		t.Errorf("PublicConfig = %v", got)
	}
}

// FuzzParseWebhook feeds signed payloads of any shape past the signature
// check: the parser answers an event or an error, never panics, and an
// event it accepts has an id.
func FuzzParseWebhook(f *testing.F) {
	for _, ev := range []map[string]any{
		piEvent("payment_intent.amount_capturable_updated", "pi_a", 1999, "usd", "requires_capture"),
		piEvent("payment_intent.payment_failed", "pi_b", 1, "idr", "requires_payment_method"),
		{"id": "evt_r", "object": "event", "type": "charge.refunded", "data": map[string]any{"object": map[string]any{"payment_intent": map[string]any{"id": "pi"}}}},
	} {
		b, _ := json.Marshal(ev)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"evt","object":"event","type":"charge.refunded","data":{"object":[]}}`))
	f.Add([]byte(`null`))
	p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecret: testSecret, Markets: market.Default()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: testSecret, Timestamp: time.Now()})
		h := http.Header{}
		h.Set(stripepay.SignatureHeader, sp.Header)
		ev, err := p.ParseWebhook(payload, h)
		if err == nil && ev.ID == "" {
			t.Errorf("event without an id from %q", payload)
		}
		if errors.Is(err, payment.ErrBadSignature) {
			t.Errorf("a correctly signed payload was refused as forged")
		}
	})
}
