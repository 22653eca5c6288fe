package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"hawker"
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
