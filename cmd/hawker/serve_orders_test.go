package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// postJSON sends body as JSON with the token and headers and decodes a
// successful answer into v; it returns the status.
func postJSON(t *testing.T, url, token string, hdr map[string]string, body, v any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, val := range hdr {
		req.Header.Set(k, val)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(got, v); err != nil {
			t.Fatalf("POST %s: %v in %s", url, err, got)
		}
	}
	return resp.StatusCode
}

// TestServeOrders places, reads and cancels an order through `hawker
// serve` with each inventory engine, on each store.
func TestServeOrders(t *testing.T) {
	for name, base := range engines(t) {
		for _, kind := range []string{"groupcommit", "rowlock"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				env := map[string]string{"HAWKER_INVENTORY": kind}
				for k, v := range base {
					env[k] = v
				}
				s := startServe(t, env, "--auth-rate", "0")
				if !strings.Contains(s.stderr.String(), "inventory="+kind) {
					t.Errorf("the log does not name the %s engine:\n%s", kind, s.stderr)
				}
				var keyOut syncBuffer
				if err := run(context.Background(), []string{"hawker", "admin", "create-key", "--role", "admin", "--name", "orders"},
					func(k string) string { return env[k] }, &keyOut, io.Discard); err != nil {
					t.Fatalf("create-key: %v", err)
				}
				lines := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
				admin := lines[len(lines)-1]

				var shop struct{ Shop struct{ ID string } }
				if code := postJSON(t, s.url+"/api/v1/shops", admin, nil, map[string]any{"name": "Orders " + kind, "home_market": "US"}, &shop); code != 201 {
					t.Fatalf("create shop: %d", code)
				}
				var prod struct {
					Product struct{ SKUs []struct{ ID string } }
				}
				if code := postJSON(t, s.url+"/api/v1/shops/"+shop.Shop.ID+"/products", admin, nil, map[string]any{
					"title": "Mug", "skus": []any{map[string]any{"code": "M-1", "prices": map[string]any{"US": 1200}, "on_hand": 2}}}, &prod); code != 201 {
					t.Fatalf("create product: %d", code)
				}
				sku := prod.Product.SKUs[0].ID
				var signup struct{ Token string }
				if code := postJSON(t, s.url+"/api/v1/auth/signup", "", nil, map[string]any{
					"email": "buyer-" + kind + "@example.com", "password": "long enough pw", "name": "Buyer", "market": "US"}, &signup); code != 201 && code != 200 {
					t.Fatalf("signup: %d", code)
				}
				body := map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": sku, "quantity": 2}}}
				var order struct{ Order struct{ ID, State string } }
				if code := postJSON(t, s.url+"/api/v1/orders", signup.Token, map[string]string{"Idempotency-Key": "k1"}, body, &order); code != 201 || order.Order.State != "reserved" {
					t.Fatalf("order: %d %+v", code, order)
				}
				if code := postJSON(t, s.url+"/api/v1/orders", signup.Token, map[string]string{"Idempotency-Key": "k2"}, body, nil); code != 409 {
					t.Fatalf("second order of the sold-out SKU: %d, want 409", code)
				}
				if code := getJSON(t, s.url+"/api/v1/orders/"+order.Order.ID, signup.Token, nil); code != 200 {
					t.Fatalf("GET order: %d", code)
				}
				var cancelled struct{ Order struct{ State string } }
				if code := postJSON(t, s.url+"/api/v1/orders/"+order.Order.ID+"/cancel", signup.Token, nil, nil, &cancelled); code != 200 || cancelled.Order.State != "cancelled" {
					t.Fatalf("cancel: %d %+v", code, cancelled)
				}
				var stock struct{ Reserved, Available int64 }
				if code := getJSON(t, s.url+"/api/v1/skus/"+sku+"/stock", admin, &stock); code != 200 || stock.Reserved != 0 || stock.Available != 2 {
					t.Fatalf("stock after cancel: %d %+v", code, stock)
				}
				if err := s.stop(); err != nil {
					t.Fatalf("serve did not stop cleanly: %v", err)
				}
			})
		}
	}
}
