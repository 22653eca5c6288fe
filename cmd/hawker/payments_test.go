package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"hawker/payment/stripepay/stripemock"
)

// TestServePayments pays through `hawker serve` on each store: the default
// testpay provider takes the payment, a seller's cancel refunds it (the
// reconcile loop, nudged by the cancel), and the configuration route says
// which providers run.
func TestServePayments(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startServe(t, env, "--auth-rate", "0")
			admin := adminKey(t, env)
			var cfg struct{ Providers []string }
			if code := getJSON(t, s.url+"/api/v1/payments/config", "", &cfg); code != 200 || strings.Join(cfg.Providers, ",") != "testpay" {
				t.Fatalf("payments config: %d %+v", code, cfg)
			}
			orderID, buyer := placeOrder(t, s.url, admin, name)

			var paid struct {
				Payment struct{ ID, State string }
				Order   struct{ State string }
			}
			body := map[string]any{"provider": "testpay", "card_number": "4242 4242 4242 4242", "shipping_address": map[string]any{
				"name": "Bea", "line1": "1 Main St", "city": "Springfield", "country": "US"}}
			if code := postJSON(t, s.url+"/api/v1/orders/"+orderID+"/pay", buyer, map[string]string{"Idempotency-Key": "pay-1"}, body, &paid); code != 201 ||
				paid.Payment.State != "succeeded" || paid.Order.State != "paid" {
				t.Fatalf("pay: %d %+v", code, paid)
			}
			var cancelled struct{ Order struct{ State string } }
			if code := postJSON(t, s.url+"/api/v1/orders/"+orderID+"/cancel", admin, nil, nil, &cancelled); code != 200 || cancelled.Order.State != "refunded" {
				t.Fatalf("cancel of the paid order: %d %+v", code, cancelled)
			}
			// The refund follows the cancel at once (nudged); poll, no sleep.
			deadline := time.Now().Add(20 * time.Second)
			for {
				var got struct{ Payment struct{ State string } }
				if code := getJSON(t, s.url+"/api/v1/payments/"+paid.Payment.ID, buyer, &got); code != 200 {
					t.Fatalf("GET payment: %d", code)
				}
				if got.Payment.State == "refunded" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("payment still %s 20s after the refund", got.Payment.State)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := s.stop(); err != nil {
				t.Fatalf("serve did not stop cleanly: %v", err)
			}
		})
	}
}

// TestServeStripeFlags runs serve with Stripe enabled against stripe-mock:
// the configuration shows the publishable key, a Stripe payment reaches
// the mock, and no secret ever reaches the log.
func TestServeStripeFlags(t *testing.T) {
	m := stripemock.Start(t)
	const secret, hook = "sk_test_NeverLogged1234", "whsec_NeverLogged5678"
	env := map[string]string{
		"HAWKER_DATA_DIR": t.TempDir(), "HAWKER_STRIPE_SECRET_KEY": secret, "HAWKER_STRIPE_WEBHOOK_SECRET": hook,
	}
	s := startServe(t, env, "--auth-rate", "0", "--payments", "testpay,stripe", "--stripe-publishable-key", "pk_test_shown", "--stripe-api-url", m.URL)
	var cfg struct {
		Providers            []string `json:"providers"`
		StripePublishableKey string   `json:"stripe_publishable_key"`
	}
	if code := getJSON(t, s.url+"/api/v1/payments/config", "", &cfg); code != 200 || strings.Join(cfg.Providers, ",") != "testpay,stripe" || cfg.StripePublishableKey != "pk_test_shown" {
		t.Fatalf("payments config: %d %+v", code, cfg)
	}
	admin := adminKey(t, env)
	orderID, buyer := placeOrder(t, s.url, admin, "stripe")
	var out struct {
		Payment struct{ Provider, State string }
	}
	body := map[string]any{"provider": "stripe", "payment_method": "pm_card_visa", "shipping_address": map[string]any{
		"name": "Bea", "line1": "1 Main St", "city": "Springfield", "country": "US"}}
	if code := postJSON(t, s.url+"/api/v1/orders/"+orderID+"/pay", buyer, map[string]string{"Idempotency-Key": "stripe-1"}, body, &out); code != 201 || out.Payment.Provider != "stripe" {
		t.Fatalf("stripe pay: %d %+v\n%s", code, out, s.stderr)
	}
	reqs := m.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/payment_intents" || reqs[0].Authorization != "Bearer "+secret {
		t.Fatalf("requests to stripe-mock: %+v", reqs)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	if !strings.Contains(logs, "payments ready") {
		t.Errorf("the log does not say payments are ready:\n%s", logs)
	}
	for _, v := range []string{secret, hook} {
		if strings.Contains(logs, v) || strings.Contains(s.stdout.String(), v) {
			t.Errorf("a Stripe secret reached the output")
		}
	}
}

func TestServePaymentFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--payments", "paypal"}, "unknown provider"},
		{[]string{"--payments", "testpay,testpay"}, "twice"},
		{[]string{"--payments", "stripe"}, "--stripe-secret-key"},
	} {
		env := map[string]string{"HAWKER_DATA_DIR": t.TempDir()}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := run(ctx, append([]string{"hawker", "serve", "--addr", "127.0.0.1:0"}, tc.args...), func(k string) string { return env[k] }, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v, want an error about %s", tc.args, err, tc.want)
		}
	}
	// --payments=none turns them off.
	s := startServe(t, map[string]string{"HAWKER_DATA_DIR": t.TempDir()}, "--payments", "none")
	var cfg struct{ Providers []string }
	if code := getJSON(t, s.url+"/api/v1/payments/config", "", &cfg); code != 200 || len(cfg.Providers) != 0 {
		t.Errorf("config with payments off: %d %+v", code, cfg)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// adminKey makes an admin API key with `hawker admin create-key`.
func adminKey(t *testing.T, env map[string]string) string {
	t.Helper()
	var out syncBuffer
	if err := run(context.Background(), []string{"hawker", "admin", "create-key", "--role", "admin", "--name", "payments"},
		func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("create-key: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// placeOrder makes a shop with a US product and a buyer who reserves one
// unit; it returns the order's id and the buyer's token.
func placeOrder(t *testing.T, url, admin, name string) (string, string) {
	t.Helper()
	var shop struct{ Shop struct{ ID string } }
	if code := postJSON(t, url+"/api/v1/shops", admin, nil, map[string]any{"name": "Pay " + name, "home_market": "US"}, &shop); code != 201 {
		t.Fatalf("create shop: %d", code)
	}
	var prod struct {
		Product struct{ SKUs []struct{ ID string } }
	}
	if code := postJSON(t, url+"/api/v1/shops/"+shop.Shop.ID+"/products", admin, nil, map[string]any{
		"title": "Mug", "skus": []any{map[string]any{"code": "M-1", "prices": map[string]any{"US": 1200}, "on_hand": 5}}}, &prod); code != 201 {
		t.Fatalf("create product: %d", code)
	}
	var signup struct{ Token string }
	if code := postJSON(t, url+"/api/v1/auth/signup", "", nil, map[string]any{
		"email": "payer-" + name + "@example.com", "password": "long enough pw", "name": "Payer", "market": "US"}, &signup); code != 201 && code != 200 {
		t.Fatalf("signup: %d", code)
	}
	var order struct{ Order struct{ ID string } }
	body := map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": prod.Product.SKUs[0].ID, "quantity": 1}}}
	if code := postJSON(t, url+"/api/v1/orders", signup.Token, map[string]string{"Idempotency-Key": "o1"}, body, &order); code != 201 {
		t.Fatalf("order: %d", code)
	}
	return order.Order.ID, signup.Token
}
