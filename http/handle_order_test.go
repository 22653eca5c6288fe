package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/internal/secret"
	"hawker/inventory"
)

// buyBody is a US order of the SKU.
func buyBody(skuID string, quantity any) map[string]any {
	return map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": skuID, "quantity": quantity}}}
}

// buy posts an order with the key (none when empty) as the token's user.
func (f *fixture) buy(t *testing.T, token, key string, body any) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		h.Set(IdempotencyHeader, key)
	}
	return f.doHeader(t, "POST", "/api/v1/orders", h, body)
}

// stockOf reads a SKU's stock as shop A's seller.
func (f *fixture) stockOf(t *testing.T, skuID string) hawker.Stock {
	t.Helper()
	var st hawker.Stock
	f.mustJSON(t, "GET", "/api/v1/skus/"+skuID+"/stock", f.SellerAToken, nil, http.StatusOK, &st)
	return st
}

func decodeOrder(t *testing.T, body []byte) hawker.Order {
	t.Helper()
	var out struct{ Order hawker.Order }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode order %s: %v", body, err)
	}
	return out.Order
}

func TestOrderCreate(t *testing.T) {
	f := newFixture(t)
	resp, body := f.buy(t, f.BuyerToken, "first", buyBody(f.SKUA, 2))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	o := decodeOrder(t, body)
	if o.State != hawker.OrderReserved || o.BuyerID != f.UserBuyer || o.ShopID != f.ShopA || o.Market != "US" ||
		len(o.Lines) != 1 || o.Lines[0].Quantity != 2 || o.Lines[0].UnitPrice.Amount != 1999 ||
		o.Subtotal.Amount != 3998 || o.Total.Currency != "USD" || !o.PayBy.After(o.CreatedAt) {
		t.Errorf("order = %s", body)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 2 || st.Available != 8 {
		t.Errorf("stock after order = %+v", st)
	}
	// The stored order is what the decision said.
	var got struct{ Order hawker.Order }
	f.mustJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil, http.StatusOK, &got)
	if got.Order.ID != o.ID || got.Order.Total != o.Total || got.Order.State != hawker.OrderReserved {
		t.Errorf("GET order = %+v, want %+v", got.Order, o)
	}
}

func TestOrderIdempotency(t *testing.T) {
	f := newFixture(t)
	resp1, body1 := f.buy(t, f.BuyerToken, "same-key", buyBody(f.SKUA, 1))
	if resp1.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", resp1.StatusCode, body1)
	}
	resp2, body2 := f.buy(t, f.BuyerToken, "same-key", buyBody(f.SKUA, 1))
	if resp2.StatusCode != resp1.StatusCode || !bytes.Equal(body1, body2) {
		t.Errorf("replay: %d %s, want %d %s", resp2.StatusCode, body2, resp1.StatusCode, body1)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 1 {
		t.Errorf("replay reserved again: %+v", st)
	}
	resp, body := f.buy(t, f.BuyerToken, "same-key", buyBody(f.SKUA, 2))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")

	// Keys are per buyer: another buyer's same key is a new request.
	resp, body = f.buy(t, f.HostToken, "same-key", buyBody(f.SKUA, 1))
	if resp.StatusCode != http.StatusCreated || decodeOrder(t, body).ID == decodeOrder(t, body1).ID {
		t.Errorf("other buyer, same key: %d %s", resp.StatusCode, body)
	}

	// A 409 is a decision too: stored and replayed as is, even once stock
	// is back.
	resp1, body1 = f.buy(t, f.BuyerToken, "too-many", buyBody(f.SKUA, 9))
	wantError(t, resp1, body1, http.StatusConflict, hawker.ESOLDOUT, "")
	f.must(t, "PUT", "/api/v1/skus/"+f.SKUA+"/stock", f.SellerAToken, map[string]any{"on_hand": 100}, http.StatusOK)
	resp2, body2 = f.buy(t, f.BuyerToken, "too-many", buyBody(f.SKUA, 9))
	if resp2.StatusCode != http.StatusConflict || !bytes.Equal(body1, body2) {
		t.Errorf("409 replay: %d %s, want %s", resp2.StatusCode, body2, body1)
	}
}

// TestOrderRace races 30 buyers for 10 units through HTTP: exactly 10
// orders, 20 sold_out, and the stock says so.
func TestOrderRace(t *testing.T) {
	f := newFixture(t)
	const buyers = 30
	tokens := make([]string, buyers)
	for i := range tokens {
		_, tokens[i] = f.signup(t, fmt.Sprintf("racer%d@example.com", i), fmt.Sprintf("Racer %d", i))
	}
	type answer struct {
		status int
		body   []byte
	}
	answers := make([]answer, buyers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, body := f.buy(t, tokens[i], "race", buyBody(f.SKUA, 1))
			answers[i] = answer{resp.StatusCode, body}
		}()
	}
	close(start)
	wg.Wait()
	var created, soldOut int
	for _, a := range answers {
		switch {
		case a.status == http.StatusCreated:
			created++
		case a.status == http.StatusConflict && bytes.Contains(a.body, []byte(`"sold_out"`)):
			soldOut++
		default:
			t.Errorf("unexpected answer %d %s", a.status, a.body)
		}
	}
	if created != 10 || soldOut != 20 {
		t.Errorf("created %d, sold out %d; want 10 and 20", created, soldOut)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 10 || st.Available != 0 || st.OnHand != 10 {
		t.Errorf("stock after the race = %+v", st)
	}
}

func TestOrderCancel(t *testing.T) {
	f := newFixture(t)
	_, body := f.buy(t, f.BuyerToken, "to-cancel", buyBody(f.SKUA, 3))
	o := decodeOrder(t, body)
	path := "/api/v1/orders/" + o.ID
	if st := f.stockOf(t, f.SKUA); st.Reserved != 3 {
		t.Fatalf("stock before cancel = %+v", st)
	}

	resp, b := f.do(t, "POST", path+"/cancel", f.HostToken, nil)
	wantError(t, resp, b, http.StatusForbidden, hawker.EFORBIDDEN, "")
	resp, b = f.do(t, "POST", path+"/cancel", f.SellerBToken, nil)
	wantError(t, resp, b, http.StatusNotFound, hawker.ENOTFOUND, "")
	resp, b = f.do(t, "GET", path, f.SellerBToken, nil)
	wantError(t, resp, b, http.StatusNotFound, hawker.ENOTFOUND, "")

	var out struct{ Order hawker.Order }
	f.mustJSON(t, "POST", path+"/cancel", f.BuyerToken, nil, http.StatusOK, &out)
	if out.Order.State != hawker.OrderCancelled {
		t.Errorf("after cancel: %+v", out.Order)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 0 || st.Available != 10 {
		t.Errorf("stock after cancel = %+v", st)
	}
	// Again: unchanged, and the stock is returned only once.
	f.mustJSON(t, "POST", path+"/cancel", f.SellerAToken, nil, http.StatusOK, &out)
	if out.Order.State != hawker.OrderCancelled {
		t.Errorf("second cancel: %+v", out.Order)
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 0 || st.Available != 10 {
		t.Errorf("stock after second cancel = %+v", st)
	}
	f.mustJSON(t, "GET", path, f.AdminKey, nil, http.StatusOK, &out)
	if out.Order.State != hawker.OrderCancelled {
		t.Errorf("GET after cancel: %+v", out.Order)
	}
	// The units are for sale again.
	resp, b = f.buy(t, f.HostToken, "after-cancel", buyBody(f.SKUA, 10))
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("buying the returned units: %d %s", resp.StatusCode, b)
	}
}

// TestOrderBadInput: refusals before a decision answer 4xx, store nothing
// (no stock held) and leave the key free for a fresh decision.
func TestOrderBadInput(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, key string
		token     string
		body      any
		status    int
		code      string
		field     string
	}{
		{"no key", "", f.BuyerToken, buyBody(f.SKUA, 1), 422, hawker.EINVALID, IdempotencyHeader},
		{"long key", strings.Repeat("k", 256), f.BuyerToken, buyBody(f.SKUA, 1), 422, hawker.EINVALID, IdempotencyHeader},
		{"non-ASCII key", "café", f.BuyerToken, buyBody(f.SKUA, 1), 422, hawker.EINVALID, IdempotencyHeader},
		{"unknown field", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}, "price": 1}, 400, hawker.EBADREQUEST, "price"},
		{"unknown line field", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1, "price": 1}}}, 400, hawker.EBADREQUEST, ""},
		{"quantity 0", "k", f.BuyerToken, buyBody(f.SKUA, 0), 422, hawker.EINVALID, "lines[0].quantity"},
		{"quantity -1", "k", f.BuyerToken, buyBody(f.SKUA, -1), 422, hawker.EINVALID, "lines[0].quantity"},
		{"quantity 1e9", "k", f.BuyerToken, `{"market":"US","lines":[{"sku_id":"` + f.SKUA + `","quantity":1e9}]}`, 400, hawker.EBADREQUEST, ""},
		{"quantity 1000000000", "k", f.BuyerToken, buyBody(f.SKUA, 1_000_000_000), 422, hawker.EINVALID, "lines[0].quantity"},
		{"quantity 1.5", "k", f.BuyerToken, buyBody(f.SKUA, 1.5), 400, hawker.EBADREQUEST, ""},
		{"no lines", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{}}, 422, hawker.EINVALID, "lines"},
		{"same SKU twice", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{
			map[string]any{"sku_id": f.SKUA, "quantity": 1}, map[string]any{"sku_id": f.SKUA, "quantity": 1}}}, 422, hawker.EINVALID, "lines[1].sku_id"},
		{"unknown market", "k", f.BuyerToken, map[string]any{"market": "ZZ", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}}, 422, hawker.EINVALID, "market"},
		{"market the SKU is not sold in", "k", f.BuyerToken, map[string]any{"market": "GB", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}}, 422, hawker.EINVALID, "lines[0].sku_id"},
		{"SKU of a shop not selling in the market", "k", f.BuyerToken, buyBody(f.SKUB, 1), 422, hawker.EINVALID, "lines[0].sku_id"},
		{"SKUs of two shops", "k", f.BuyerToken, map[string]any{"market": "DE", "lines": []any{
			map[string]any{"sku_id": f.SKUA, "quantity": 1}, map[string]any{"sku_id": f.SKUB, "quantity": 1}}}, 422, hawker.EINVALID, "lines[1].sku_id"},
		{"unknown SKU", "k", f.BuyerToken, buyBody("sku_01jbz3n8q4m2x7c5v6w9t0r1ys", 1), 422, hawker.EINVALID, "lines[0].sku_id"},
		{"unknown second SKU", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{
			map[string]any{"sku_id": f.SKUA, "quantity": 1}, map[string]any{"sku_id": "sku_01jbz3n8q4m2x7c5v6w9t0r1ys", "quantity": 1}}}, 422, hawker.EINVALID, "lines[1].sku_id"},
		{"not a SKU id", "k", f.BuyerToken, buyBody("prd_01jbz3n8q4m2x7c5v6w9t0r1ys", 1), 422, hawker.EINVALID, "lines[0].sku_id"},
		{"bad show id", "k", f.BuyerToken, map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}, "show_id": "x"}, 422, hawker.EINVALID, "show_id"},
		{"not JSON", "k", f.BuyerToken, `{"market":`, 400, hawker.EBADREQUEST, ""},
		{"anonymous", "k", "", buyBody(f.SKUA, 1), 401, hawker.EUNAUTHENTICATED, ""},
		{"API key", "k", f.AdminKey, buyBody(f.SKUA, 1), 403, hawker.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.buy(t, tc.token, tc.key, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 0 || st.Sold != 0 {
		t.Errorf("refusals held stock: %+v", st)
	}
	// None of the refusals was stored: the key gets a fresh decision.
	resp, body := f.buy(t, f.BuyerToken, "k", buyBody(f.SKUA, 1))
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("key after refusals: %d %s", resp.StatusCode, body)
	}
}

// TestOrderCookie: a browser buys with its session cookie and the CSRF
// token; without the token the write is refused before anything happens.
func TestOrderCookie(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, "POST", "/api/v1/auth/login", "", map[string]any{
		"email": "buyer@example.com", "password": testPassword, "session": "cookie"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie login: %d %s", resp.StatusCode, body)
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal(body, &out)
	h := http.Header{}
	h.Set("Cookie", SessionCookie+"="+oaCookie(resp))
	h.Set(IdempotencyHeader, "cookie-buy")
	resp, body = f.doHeader(t, "POST", "/api/v1/orders", h, buyBody(f.SKUA, 1))
	wantError(t, resp, body, http.StatusForbidden, hawker.EFORBIDDEN, "")
	h.Set(CSRFHeader, out.CSRFToken)
	resp, body = f.doHeader(t, "POST", "/api/v1/orders", h, buyBody(f.SKUA, 1))
	if resp.StatusCode != http.StatusCreated || decodeOrder(t, body).BuyerID != f.UserBuyer {
		t.Errorf("cookie buy: %d %s", resp.StatusCode, body)
	}
}

func TestOrderRoutesOff(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoCheckout: true})
	resp, body := f.buy(t, f.BuyerToken, "k", buyBody(f.SKUA, 1))
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
	resp, body = f.do(t, "GET", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys", f.BuyerToken, nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
	resp, body = f.do(t, "GET", "/api/v1/orders", f.BuyerToken, nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
	resp, body = f.do(t, "PUT", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/shipping-address", f.BuyerToken, map[string]any{"shipping_address": usAddress()})
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
	resp, body = f.do(t, "POST", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/fulfil", f.SellerAToken, map[string]any{"tracking_number": "1"})
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
}

// TestOrderSameKeyConcurrently sends one key 20 times at once: one order,
// 20 identical answers.
func TestOrderSameKeyConcurrently(t *testing.T) {
	f := newFixture(t)
	const n = 20
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, body := f.buy(t, f.BuyerToken, "once", buyBody(f.SKUA, 1))
			statuses[i], bodies[i] = resp.StatusCode, body
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if statuses[i] != http.StatusCreated || !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("answer %d: %d %s, want 201 %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if st := f.stockOf(t, f.SKUA); st.Reserved != 1 {
		t.Errorf("one key made %d reserved units", st.Reserved)
	}
}

// busyCheckout is an engine whose queues are always full.
type busyCheckout struct{ Checkout }

func (busyCheckout) Reserve(context.Context, inventory.Request) (inventory.Decision, error) {
	return inventory.Decision{}, hawker.Errorf(hawker.EBUSY, "Too many requests for this product; try again.")
}

func (busyCheckout) Cancel(context.Context, string) (*hawker.Order, error) {
	return nil, hawker.Errorf(hawker.EBUSY, "Too many requests for this product; try again.")
}

// TestOrderBusy: a full engine queue is 429 busy with Retry-After, as the
// document says, and is not stored.
func TestOrderBusy(t *testing.T) {
	other := newFixture(t)
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Checkout: busyCheckout{}, Orders: other.Store.(OrderFinder)}})
	_, body := other.buy(t, other.BuyerToken, "other", buyBody(other.SKUA, 1))
	c := newOAClient(t, f.URL)
	resp, _ := c.call(oaReq{method: "POST", path: "/api/v1/orders", token: f.BuyerToken, header: map[string]string{IdempotencyHeader: "busy"}, body: buyBody(f.SKUA, 1), want: 429})
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q, want 1", resp.Header.Get("Retry-After"))
	}
	// Cancelling through a busy engine: the server reads orders from the
	// other fixture's store, where one exists; its admin may cancel it.
	resp, _ = c.call(oaReq{method: "POST", path: "/api/v1/orders/" + decodeOrder(t, body).ID + "/cancel", token: f.AdminKey, want: 429})
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("cancel Retry-After = %q, want 1", resp.Header.Get("Retry-After"))
	}
}

// usAddress is a valid shipping address in the US market, as JSON.
func usAddress() map[string]any {
	return map[string]any{"name": "Bea Buyer", "line1": "1 Main St", "line2": "Apt 2", "city": "Springfield",
		"region": "IL", "postal_code": "62701", "country": "US", "phone": "+1 217 555 0100"}
}

// withAddress is buyBody with the shipping address.
func withAddress(skuID string, quantity any, addr any) map[string]any {
	b := buyBody(skuID, quantity)
	b["shipping_address"] = addr
	return b
}

// edited returns a copy of the address JSON with the fields set (nil
// deletes one).
func edited(addr map[string]any, kv ...any) map[string]any {
	c := map[string]any{}
	for k, v := range addr {
		c[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

// orderJSON sends a request that must answer 200 with an order, and
// returns the order.
func (f *fixture) orderJSON(t *testing.T, method, path, token string, body any) hawker.Order {
	t.Helper()
	return decodeOrder(t, f.must(t, method, path, token, body, http.StatusOK))
}

// confirm marks the order paid through the engine, as a payment does.
func (f *fixture) confirm(t *testing.T, id string) {
	t.Helper()
	if _, err := f.Engine.Confirm(context.Background(), id); err != nil {
		t.Fatalf("confirm %s: %v", id, err)
	}
	f.recordCapture(t, id) // the payment's row, so the payment audit stays clean
}

// TestOrderAddressAtReserve: the address given with the order is checked
// (422 with its field, nothing held), kept on the order, and part of the
// request for idempotency.
func TestOrderAddressAtReserve(t *testing.T) {
	f := newFixture(t)
	resp, body := f.buy(t, f.BuyerToken, "with-address", withAddress(f.SKUA, 1, usAddress()))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	o := decodeOrder(t, body)
	if o.ShippingAddress == nil || o.ShippingAddress.Line2 != "Apt 2" || o.ShippingAddress.Country != "US" {
		t.Errorf("order address = %+v", o.ShippingAddress)
	}
	var got struct{ Order hawker.Order }
	f.mustJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil, http.StatusOK, &got)
	if got.Order.ShippingAddress == nil || *got.Order.ShippingAddress != *o.ShippingAddress {
		t.Errorf("stored address = %+v, want %+v", got.Order.ShippingAddress, o.ShippingAddress)
	}

	// Same key: the same address replays; another address (or none) is
	// another request.
	resp2, body2 := f.buy(t, f.BuyerToken, "with-address", withAddress(f.SKUA, 1, usAddress()))
	if resp2.StatusCode != http.StatusCreated || !bytes.Equal(body, body2) {
		t.Errorf("replay: %d %s, want %s", resp2.StatusCode, body2, body)
	}
	resp, b := f.buy(t, f.BuyerToken, "with-address", withAddress(f.SKUA, 1, edited(usAddress(), "line2", "Apt 3")))
	wantError(t, resp, b, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")
	resp, b = f.buy(t, f.BuyerToken, "with-address", buyBody(f.SKUA, 1))
	wantError(t, resp, b, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")
	resp, _ = f.buy(t, f.BuyerToken, "without-address", buyBody(f.SKUA, 1))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("order without address: %d", resp.StatusCode)
	}
	resp, b = f.buy(t, f.BuyerToken, "without-address", withAddress(f.SKUA, 1, usAddress()))
	wantError(t, resp, b, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")

	for _, tc := range []struct {
		name   string
		addr   any
		status int
		code   string
		field  string
	}{
		{"other country", edited(usAddress(), "country", "DE"), 422, hawker.EINVALID, "shipping_address.country"},
		{"no country", edited(usAddress(), "country", nil), 422, hawker.EINVALID, "shipping_address.country"},
		{"no name", edited(usAddress(), "name", nil), 422, hawker.EINVALID, "shipping_address.name"},
		{"blank city", edited(usAddress(), "city", "   "), 422, hawker.EINVALID, "shipping_address.city"},
		{"two-line street", edited(usAddress(), "line1", "1 Main St\nApt 2"), 422, hawker.EINVALID, "shipping_address.line1"},
		{"long phone", edited(usAddress(), "phone", strings.Repeat("5", hawker.MaxPhoneLen+1)), 422, hawker.EINVALID, "shipping_address.phone"},
		{"long line", edited(usAddress(), "line2", strings.Repeat("x", hawker.MaxAddressField+1)), 422, hawker.EINVALID, "shipping_address.line2"},
		{"empty", map[string]any{}, 422, hawker.EINVALID, "shipping_address.name"},
		{"unknown field", edited(usAddress(), "street", "Main"), 400, hawker.EBADREQUEST, "shipping_address.street"},
		{"wrong case", edited(usAddress(), "Name", "x"), 400, hawker.EBADREQUEST, "shipping_address.Name"},
		{"not an object", "1 Main St", 400, hawker.EBADREQUEST, ""},
		{"number field", edited(usAddress(), "postal_code", 62701), 400, hawker.EBADREQUEST, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.buy(t, f.BuyerToken, "bad-address", withAddress(f.SKUA, 1, tc.addr))
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	// None of them held stock or spent the key.
	if st := f.stockOf(t, f.SKUA); st.Reserved != 2 {
		t.Errorf("reserved after refusals = %d, want 2", st.Reserved)
	}
	resp, b = f.buy(t, f.BuyerToken, "bad-address", withAddress(f.SKUA, 1, nil))
	if resp.StatusCode != http.StatusCreated || decodeOrder(t, b).ShippingAddress != nil {
		t.Errorf("null address: %d %s", resp.StatusCode, b)
	}
}

// placeOrder places a one-unit order of a fresh product of shop A as the
// token's user and returns it.
func (f *fixture) placeOrder(t *testing.T, token string, body func(sku string) map[string]any) hawker.Order {
	t.Helper()
	_, sku := authzFreshProduct(t, f)
	if body == nil {
		body = func(sku string) map[string]any { return buyBody(sku, 1) }
	}
	resp, b := f.buy(t, token, "place-"+oaUnique(), body(sku))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("place order: %d %s", resp.StatusCode, b)
	}
	return decodeOrder(t, b)
}

func TestOrderShippingAddressPut(t *testing.T) {
	f := newFixture(t)
	o := f.placeOrder(t, f.BuyerToken, nil)
	path := "/api/v1/orders/" + o.ID + "/shipping-address"
	put := func(token string, addr any) (*http.Response, []byte) {
		return f.do(t, "PUT", path, token, map[string]any{"shipping_address": addr})
	}

	out := f.orderJSON(t, "PUT", path, f.BuyerToken, map[string]any{"shipping_address": usAddress()})
	if a := out.ShippingAddress; a == nil || a.Name != "Bea Buyer" || out.State != hawker.OrderReserved ||
		out.ID != o.ID || len(out.Lines) != 1 || out.UpdatedAt.Before(o.UpdatedAt) {
		t.Errorf("after PUT: %+v", out)
	}
	// Replaced as a whole: line2 left out is gone.
	out = f.orderJSON(t, "PUT", path, f.BuyerToken, map[string]any{"shipping_address": edited(usAddress(), "line2", nil, "city", "Chicago")})
	out = f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, f.SellerAToken, nil)
	if a := out.ShippingAddress; a == nil || a.City != "Chicago" || a.Line2 != "" {
		t.Errorf("stored address = %+v", a)
	}

	// Only the buyer: the shop's team and admins see the order (403),
	// others do not (404).
	for _, tc := range []struct {
		who, token string
		status     int
		code       string
	}{
		{"seller A", f.SellerAToken, 403, hawker.EFORBIDDEN},
		{"host A", f.HostToken, 403, hawker.EFORBIDDEN},
		{"admin", f.AdminKey, 403, hawker.EFORBIDDEN},
		{"seller B", f.SellerBToken, 404, hawker.ENOTFOUND},
		{"anonymous", "", 401, hawker.EUNAUTHENTICATED},
	} {
		resp, b := put(tc.token, usAddress())
		wantError(t, resp, b, tc.status, tc.code, "")
	}
	resp, b := f.do(t, "PUT", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/shipping-address", f.BuyerToken, map[string]any{"shipping_address": usAddress()})
	wantError(t, resp, b, http.StatusNotFound, hawker.ENOTFOUND, "")

	// Bad input.
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"other country", map[string]any{"shipping_address": edited(usAddress(), "country", "VN")}, 422, hawker.EINVALID, "shipping_address.country"},
		{"no line1", map[string]any{"shipping_address": edited(usAddress(), "line1", "")}, 422, hawker.EINVALID, "shipping_address.line1"},
		{"null", map[string]any{"shipping_address": nil}, 422, hawker.EINVALID, "shipping_address"},
		{"missing", map[string]any{}, 422, hawker.EINVALID, "shipping_address"},
		{"bare address", usAddress(), 400, hawker.EBADREQUEST, ""},
		{"not JSON", `{"shipping_address":`, 400, hawker.EBADREQUEST, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := f.do(t, "PUT", path, f.BuyerToken, tc.body)
			wantError(t, resp, b, tc.status, tc.code, tc.field)
		})
	}
	out = f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil)
	if a := out.ShippingAddress; a == nil || a.City != "Chicago" {
		t.Errorf("refusals changed the address: %+v", a)
	}

	// Settled once paid, cancelled or expired.
	f.confirm(t, o.ID)
	resp, b = put(f.BuyerToken, edited(usAddress(), "city", "Peoria"))
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	cancelled := f.placeOrder(t, f.BuyerToken, nil)
	f.must(t, "POST", "/api/v1/orders/"+cancelled.ID+"/cancel", f.BuyerToken, nil, http.StatusOK)
	resp, b = f.do(t, "PUT", "/api/v1/orders/"+cancelled.ID+"/shipping-address", f.BuyerToken, map[string]any{"shipping_address": usAddress()})
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	out = f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil)
	if out.State != hawker.OrderPaid || out.ShippingAddress.City != "Chicago" {
		t.Errorf("paid order after a refused change: %+v", out)
	}
}

// dueOrder places a one-unit order of a fresh product of shop A whose
// reservation is already past pay_by: an engine whose clock runs an hour
// behind decides it, over the same store.
func (f *fixture) dueOrder(t *testing.T) hawker.Order {
	t.Helper()
	_, sku := authzFreshProduct(t, f)
	past := inventory.New(f.Store.(inventory.Store), inventory.Config{Markets: f.Markets,
		Clock: func() time.Time { return time.Now().Add(-time.Hour) }})
	defer past.Close()
	req := hawker.OrderRequest{BuyerID: f.UserBuyer, IdempotencyKey: "due-" + oaUnique(), Market: "US",
		Lines: []hawker.OrderRequestLine{{SKUID: sku, Quantity: 1}}}
	d, err := past.Reserve(context.Background(), inventory.Request{Order: req})
	if err != nil || d.Order == nil {
		t.Fatalf("reserve in the past: %v %+v", err, d)
	}
	// The fixture's engine learns of the order when it next loads the SKU.
	f.Engine.Invalidate(sku)
	return *d.Order
}

// TestOrderDue: a reservation past pay_by expires when it is read: its
// address can no longer be set (409), and lists show it expired.
func TestOrderDue(t *testing.T) {
	f := newFixture(t)
	live := f.placeOrder(t, f.BuyerToken, nil)
	due := f.dueOrder(t)
	if due.PayBy.After(time.Now()) {
		t.Fatalf("pay_by %v is not past", due.PayBy)
	}

	var l orderList
	f.mustJSON(t, "GET", "/api/v1/orders?state=reserved", f.BuyerToken, nil, http.StatusOK, &l)
	if got := l.ids(); !slices.Equal(got, []string{live.ID}) {
		t.Errorf("reserved orders = %v, want only %s", got, live.ID)
	}
	f.mustJSON(t, "GET", "/api/v1/orders", f.BuyerToken, nil, http.StatusOK, &l)
	if len(l.Items) != 2 || l.Items[0].ID != due.ID || l.Items[0].State != hawker.OrderExpired {
		t.Errorf("orders = %+v, want the due one first and expired", l.Items)
	}

	due2 := f.dueOrder(t)
	resp, b := f.do(t, "PUT", "/api/v1/orders/"+due2.ID+"/shipping-address", f.BuyerToken, map[string]any{"shipping_address": usAddress()})
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	out := f.orderJSON(t, "GET", "/api/v1/orders/"+due2.ID, f.BuyerToken, nil)
	if out.State != hawker.OrderExpired || out.ShippingAddress != nil {
		t.Errorf("due order after PUT: %+v", out)
	}
}

func TestOrderFulfil(t *testing.T) {
	f := newFixture(t)
	o := f.placeOrder(t, f.BuyerToken, func(sku string) map[string]any { return withAddress(sku, 2, usAddress()) })
	path := "/api/v1/orders/" + o.ID + "/fulfil"
	ship := map[string]any{"tracking_number": "1Z999AA10123456784", "carrier": "UPS"}

	// Not before payment.
	resp, b := f.do(t, "POST", path, f.SellerAToken, ship)
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	f.confirm(t, o.ID)

	for _, tc := range []struct {
		who, token string
		status     int
		code       string
	}{
		{"buyer", f.BuyerToken, 403, hawker.EFORBIDDEN},
		{"host A", f.HostToken, 403, hawker.EFORBIDDEN},
		{"seller B", f.SellerBToken, 404, hawker.ENOTFOUND},
		{"anonymous", "", 401, hawker.EUNAUTHENTICATED},
	} {
		resp, b := f.do(t, "POST", path, tc.token, ship)
		wantError(t, resp, b, tc.status, tc.code, "")
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"no tracking number", map[string]any{"carrier": "UPS"}, 422, hawker.EINVALID, "tracking_number"},
		{"blank tracking number", map[string]any{"tracking_number": "  "}, 422, hawker.EINVALID, "tracking_number"},
		{"long tracking number", map[string]any{"tracking_number": strings.Repeat("1", 101)}, 422, hawker.EINVALID, "tracking_number"},
		{"tracking number with a newline", map[string]any{"tracking_number": "1Z\n99"}, 422, hawker.EINVALID, "tracking_number"},
		{"long carrier", map[string]any{"tracking_number": "1", "carrier": strings.Repeat("c", 101)}, 422, hawker.EINVALID, "carrier"},
		{"unknown field", map[string]any{"tracking_number": "1", "url": "x"}, 400, hawker.EBADREQUEST, "url"},
		{"number", map[string]any{"tracking_number": 123}, 400, hawker.EBADREQUEST, ""},
		{"no body", nil, 400, hawker.EBADREQUEST, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := f.do(t, "POST", path, f.SellerAToken, tc.body)
			wantError(t, resp, b, tc.status, tc.code, tc.field)
		})
	}

	out := f.orderJSON(t, "POST", path, f.SellerAToken, ship)
	got := out
	if got.State != hawker.OrderFulfilled || got.TrackingNumber != "1Z999AA10123456784" || got.Carrier != "UPS" ||
		got.FulfilledAt == nil || got.FulfilledAt.Before(o.CreatedAt) || got.UpdatedAt != *got.FulfilledAt ||
		got.ShippingAddress == nil || got.Total != o.Total {
		t.Errorf("fulfilled order = %+v", got)
	}
	out = f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, f.BuyerToken, nil)
	if out.State != hawker.OrderFulfilled || out.TrackingNumber != got.TrackingNumber || !out.FulfilledAt.Equal(*got.FulfilledAt) {
		t.Errorf("buyer sees %+v", out)
	}

	// Fulfilled is final here: no second fulfilment, no cancel or refund,
	// and the units stay sold.
	resp, b = f.do(t, "POST", path, f.SellerAToken, map[string]any{"tracking_number": "other"})
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	resp, b = f.do(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", f.SellerAToken, nil)
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	if st := f.stockOf(t, o.Lines[0].SKUID); st.Sold != 2 || st.Reserved != 0 {
		t.Errorf("stock after fulfilment = %+v", st)
	}

	// An admin fulfils without a carrier; cancelled orders are not
	// fulfilled.
	paid := f.placeOrder(t, f.BuyerToken, nil)
	f.confirm(t, paid.ID)
	out = f.orderJSON(t, "POST", "/api/v1/orders/"+paid.ID+"/fulfil", f.AdminKey, map[string]any{"tracking_number": "LX123456789DE"})
	if out.State != hawker.OrderFulfilled || out.Carrier != "" {
		t.Errorf("admin fulfilment: %+v", out)
	}
	gone := f.placeOrder(t, f.BuyerToken, nil)
	f.must(t, "POST", "/api/v1/orders/"+gone.ID+"/cancel", f.BuyerToken, nil, http.StatusOK)
	resp, b = f.do(t, "POST", "/api/v1/orders/"+gone.ID+"/fulfil", f.SellerAToken, ship)
	wantError(t, resp, b, http.StatusConflict, hawker.ESTATE, "")
	resp, b = f.do(t, "POST", "/api/v1/orders/ord_01jbz3n8q4m2x7c5v6w9t0r1ys/fulfil", f.AdminKey, ship)
	wantError(t, resp, b, http.StatusNotFound, hawker.ENOTFOUND, "")
}

// TestOrderFulfilRacesRefund sends a fulfilment and a seller's cancel
// (a refund) of the same paid order at once: one wins, the other is 409,
// and the stock agrees with the winner.
func TestOrderFulfilRacesRefund(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		o := f.placeOrder(t, f.BuyerToken, nil)
		f.confirm(t, o.ID)
		var wg sync.WaitGroup
		var fulfil, cancel int
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			resp, _ := f.do(t, "POST", "/api/v1/orders/"+o.ID+"/fulfil", f.SellerAToken, map[string]any{"tracking_number": fmt.Sprint("T", i)})
			fulfil = resp.StatusCode
		})
		wg.Go(func() {
			<-start
			resp, _ := f.do(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", f.SellerAToken, nil)
			cancel = resp.StatusCode
		})
		close(start)
		wg.Wait()
		out := f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, f.AdminKey, nil)
		st := f.stockOf(t, o.Lines[0].SKUID)
		switch {
		case fulfil == 200 && cancel == 409 && out.State == hawker.OrderFulfilled && st.Sold == 1:
		case fulfil == 409 && cancel == 200 && out.State == hawker.OrderRefunded && st.Sold == 0 && st.Available == st.OnHand:
		default:
			t.Fatalf("round %d: fulfil %d, cancel %d, order %s, stock %+v", i, fulfil, cancel, out.State, st)
		}
	}
}

// orderList is the JSON of GET /api/v1/orders.
type orderList struct {
	Items      []hawker.Order `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

func (l orderList) ids() []string {
	out := make([]string, len(l.Items))
	for i, o := range l.Items {
		out[i] = o.ID
	}
	return out
}

func TestOrderList(t *testing.T) {
	f := newFixture(t)
	// Oldest first: o1 (buyer, in show A), o2 (buyer), o3 (host, buying
	// from its own shop), o4 (buyer, shop B in DE), o5 (seller B, shop A).
	o1 := f.placeOrder(t, f.BuyerToken, func(sku string) map[string]any {
		b := buyBody(sku, 1)
		b["show_id"] = f.ShowA
		return b
	})
	o2 := f.placeOrder(t, f.BuyerToken, nil)
	o3 := f.placeOrder(t, f.HostToken, nil)
	resp, b := f.buy(t, f.BuyerToken, "shop-b", map[string]any{"market": "DE", "lines": []any{map[string]any{"sku_id": f.SKUB, "quantity": 1}}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("order in shop B: %d %s", resp.StatusCode, b)
	}
	o4 := decodeOrder(t, b)
	o5 := f.placeOrder(t, f.SellerBToken, nil)
	f.must(t, "POST", "/api/v1/orders/"+o2.ID+"/cancel", f.BuyerToken, nil, http.StatusOK)

	list := func(token, query string) orderList {
		t.Helper()
		var l orderList
		f.mustJSON(t, "GET", "/api/v1/orders"+query, token, nil, http.StatusOK, &l)
		return l
	}
	shopA, shopB := "?shop_id="+f.ShopA, "?shop_id="+f.ShopB
	for _, tc := range []struct {
		name, token, query string
		want               []hawker.Order
	}{
		{"buyer: own purchases", f.BuyerToken, "", []hawker.Order{o4, o2, o1}},
		{"host: own purchases only", f.HostToken, "", []hawker.Order{o3}},
		{"seller A: bought nothing", f.SellerAToken, "", nil},
		{"seller B: own purchase", f.SellerBToken, "", []hawker.Order{o5}},
		{"admin: everything", f.AdminKey, "", []hawker.Order{o5, o4, o3, o2, o1}},
		{"seller A: shop A", f.SellerAToken, shopA, []hawker.Order{o5, o3, o2, o1}},
		{"seller B: shop B", f.SellerBToken, shopB, []hawker.Order{o4}},
		{"admin: shop B", f.AdminKey, shopB, []hawker.Order{o4}},
		{"buyer: show A", f.BuyerToken, "?show_id=" + f.ShowA, []hawker.Order{o1}},
		{"host: show A, all of it (it runs the show)", f.HostToken, "?show_id=" + f.ShowA, []hawker.Order{o1}},
		{"seller B: show A, own", f.SellerBToken, "?show_id=" + f.ShowA, nil},
		{"buyer: cancelled", f.BuyerToken, "?state=cancelled", []hawker.Order{o2}},
		{"seller A: reserved in shop A", f.SellerAToken, shopA + "&state=reserved", []hawker.Order{o5, o3, o1}},
		{"admin: shop A, show A, reserved", f.AdminKey, shopA + "&show_id=" + f.ShowA + "&state=reserved", []hawker.Order{o1}},
		{"admin: fulfilled", f.AdminKey, "?state=fulfilled", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := list(tc.token, tc.query)
			want := make([]string, len(tc.want))
			for i, o := range tc.want {
				want[i] = o.ID
			}
			if got := l.ids(); !slices.Equal(got, want) {
				t.Errorf("ids = %v, want %v", got, want)
			}
			if l.NextCursor != nil {
				t.Errorf("next_cursor = %q on the only page", *l.NextCursor)
			}
		})
	}

	// Whole orders, as GET /api/v1/orders/{id} answers them.
	for _, o := range list(f.AdminKey, "").Items {
		var one struct{ Order hawker.Order }
		f.mustJSON(t, "GET", "/api/v1/orders/"+o.ID, f.AdminKey, nil, http.StatusOK, &one)
		a, _ := json.Marshal(o)
		b, _ := json.Marshal(one.Order)
		if !bytes.Equal(a, b) {
			t.Errorf("listed %s\n  single %s", a, b)
		}
	}

	// Refusals.
	ghostShop := "shp_01jbz3n8q4m2x7c5v6w9t0r1ys"
	for _, tc := range []struct {
		name, token, query string
		status             int
		code, field        string
	}{
		{"anonymous", "", "", 401, hawker.EUNAUTHENTICATED, ""},
		{"buyer: shop A", f.BuyerToken, shopA, 404, hawker.ENOTFOUND, ""},
		{"seller B: shop A", f.SellerBToken, shopA, 404, hawker.ENOTFOUND, ""},
		{"host: shop A", f.HostToken, shopA, 403, hawker.EFORBIDDEN, ""},
		{"admin: unknown shop", f.AdminKey, "?shop_id=" + ghostShop, 404, hawker.ENOTFOUND, ""},
		{"admin: not a shop id", f.AdminKey, "?shop_id=nope", 404, hawker.ENOTFOUND, ""},
		{"bad state", f.BuyerToken, "?state=shipped", 422, hawker.EINVALID, "state"},
		{"bad show id", f.BuyerToken, "?show_id=" + f.ShopA, 422, hawker.EINVALID, "show_id"},
		{"limit 0", f.BuyerToken, "?limit=0", 422, hawker.EINVALID, "limit"},
		{"limit 201", f.BuyerToken, "?limit=201", 422, hawker.EINVALID, "limit"},
		{"bad cursor", f.BuyerToken, "?cursor=bm9wZQ", 422, hawker.EINVALID, "cursor"},
		{"cursor of another kind", f.BuyerToken, "?cursor=" + base64.RawURLEncoding.EncodeToString([]byte(f.ShopA)), 422, hawker.EINVALID, "cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := f.do(t, "GET", "/api/v1/orders"+tc.query, tc.token, nil)
			wantError(t, resp, b, tc.status, tc.code, tc.field)
		})
	}

	// An API key that is not admin bought nothing.
	key, hash := secret.NewToken("hk")
	if err := f.Store.CreateAPIKey(context.Background(), &hawker.APIKey{ID: hawker.NewID(hawker.PrefixAPIKey), Name: "seller key",
		Role: hawker.RoleSeller, KeyHash: hash, Prefix: key[:11], CreatedAt: hawker.Now()}); err != nil {
		t.Fatal(err)
	}
	if l := list(key, ""); len(l.Items) != 0 {
		t.Errorf("a seller key lists %d orders", len(l.Items))
	}
}

// TestOrderListPages walks the list in pages of every size from 1 to 4:
// every order once, newest first, and next_cursor null exactly on the
// last page.
func TestOrderListPages(t *testing.T) {
	f := newFixture(t)
	var want []string
	for range 7 {
		want = append([]string{f.placeOrder(t, f.BuyerToken, nil).ID}, want...)
	}
	host := f.placeOrder(t, f.HostToken, nil) // someone else's: never in the buyer's pages
	for size := 1; size <= 4; size++ {
		for _, who := range []struct{ token, query string }{{f.BuyerToken, ""}, {f.SellerAToken, "&state=reserved&shop_id=" + f.ShopA}} {
			var got []string
			cursor := ""
			for page := 0; ; page++ {
				if page > len(want)+1 {
					t.Fatalf("size %d: paging does not end", size)
				}
				var l orderList
				f.mustJSON(t, "GET", fmt.Sprintf("/api/v1/orders?limit=%d&cursor=%s%s", size, cursor, who.query), who.token, nil, http.StatusOK, &l)
				if len(l.Items) > size {
					t.Fatalf("size %d: page of %d", size, len(l.Items))
				}
				got = append(got, l.ids()...)
				if l.NextCursor == nil {
					break
				}
				if len(l.Items) != size {
					t.Fatalf("size %d: short page %d with a next cursor", size, len(l.Items))
				}
				cursor = *l.NextCursor
			}
			wantHere := want
			if who.token == f.SellerAToken {
				wantHere = append([]string{host.ID}, want...) // the shop's list holds the host's order too, newest
			}
			if !slices.Equal(got, wantHere) {
				t.Errorf("size %d: walked %v, want %v", size, got, wantHere)
			}
		}
	}
}

// TestOrderGetHidesBuyerDataFromHosts: a shop's host reads an order as in
// a show's order list (no address, no tracking), its seller and buyer
// whole.
func TestOrderGetHidesBuyerDataFromHosts(t *testing.T) {
	f := newFixture(t)
	o := f.placeOrder(t, f.BuyerToken, func(sku string) map[string]any {
		b := buyBody(sku, 1)
		b["shipping_address"] = usAddress()
		return b
	})
	for _, c := range []struct {
		who, token  string
		wantAddress bool
	}{{"buyer", f.BuyerToken, true}, {"seller", f.SellerAToken, true}, {"host", f.HostToken, false}} {
		got := f.orderJSON(t, "GET", "/api/v1/orders/"+o.ID, c.token, nil)
		if got.ID != o.ID || len(got.Lines) != 1 || got.Total != o.Total {
			t.Errorf("%s: order %+v, want %s with its line and total", c.who, got, o.ID)
		}
		if (got.ShippingAddress != nil) != c.wantAddress {
			t.Errorf("%s: shipping address %+v, want shown=%v", c.who, got.ShippingAddress, c.wantAddress)
		}
	}
}
