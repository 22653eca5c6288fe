package web

// The stand-in checkout for the browser test: orders, payments with the
// test provider's cards, the show's bag and a flash deal, answering as the
// contract of issue 7 says (API.md's shapes, 409 decisions stored and
// replayed under the Idempotency-Key, refusals not stored, 422
// idempotency_key_reused for another body under the same key). It is a
// stand-in, not the real server: one buyer, in memory, no inventory
// engine. It also counts the requests and keys it sees and takes a few
// /_e2e/ controls, so e2e/checkout.mjs can check what the page sent and
// make the server busy, expire reservations, end the deal or publish on a
// show's channel.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"
)

const (
	e2eShopShow  = "shw_01jd8c9n000000000000000b" // live, the scarf pinned, scarf and shirt in the bag
	e2eDealShow  = "shw_01jd8c9n000000000000000c" // live, the shirt pinned, a deal on its M, server clock skewed
	e2eShirt     = "prd_01jd8c9n0000000000000010"
	e2eScarfSKU  = "sku_01jd8c9n0000000000000006"
	e2eShirtS    = "sku_01jd8c9n0000000000000011"
	e2eShirtM    = "sku_01jd8c9n0000000000000012"
	e2eShirtL    = "sku_01jd8c9n0000000000000013" // sold out (the page is not told until it buys)
	e2eDeal      = "deal_01jd8c9n0000000000000014"
	e2eClockSkew = -3 * time.Hour // the deal show's server clock runs 3 h behind the browser's
	e2eBuyerName = "Ana"
)

type e2eSKU struct {
	id, productID string
	prices        map[string]int64
	maxPerBuyer   int64 // 0: no limit
	available     int64
}

type e2eDecision struct {
	hash   [32]byte
	status int
	body   []byte
}

type e2ePayment struct {
	ID          string            `json:"id"`
	OrderID     string            `json:"order_id"`
	Provider    string            `json:"provider"`
	State       string            `json:"state"`
	Amount      map[string]any    `json:"amount"`
	FailureCode string            `json:"failure_code,omitempty"`
	NextAction  map[string]string `json:"next_action,omitempty"`
}

type e2eCheckout struct {
	node *centrifuge.Node

	mu        sync.Mutex
	skus      map[string]*e2eSKU
	bought    map[string]int64 // units per SKU held by the buyer's orders
	orders    map[string]map[string]any
	orderIDs  []string // in creation order
	payments  map[string]*e2ePayment
	decisions map[string]e2eDecision // "scope|key"
	counts    map[string]int         // requests per route
	keys      map[string][]string    // Idempotency-Keys per route, in arrival order
	busyNext  int                    // answer this many order creations 429 busy
	dealStart time.Time              // on the deal show's clock; set when the page first asks
	dealEnded bool
	seq       int
}

func newE2ECheckout(node *centrifuge.Node) *e2eCheckout {
	limit := int64(2)
	return &e2eCheckout{
		node: node,
		skus: map[string]*e2eSKU{
			e2eScarfSKU: {id: e2eScarfSKU, productID: e2eProduct, prices: map[string]int64{"US": 2999, "DE": 2999, "VN": 2450000}, available: 1000},
			e2eShirtS:   {id: e2eShirtS, productID: e2eShirt, prices: map[string]int64{"US": 4500, "DE": 3900, "VN": 990000}, maxPerBuyer: limit, available: 50},
			e2eShirtM:   {id: e2eShirtM, productID: e2eShirt, prices: map[string]int64{"US": 4500, "DE": 3900, "VN": 990000}, maxPerBuyer: limit, available: 50},
			e2eShirtL:   {id: e2eShirtL, productID: e2eShirt, prices: map[string]int64{"US": 4500, "DE": 3900, "VN": 990000}, maxPerBuyer: limit, available: 0},
		},
		bought:    map[string]int64{},
		orders:    map[string]map[string]any{},
		payments:  map[string]*e2ePayment{},
		decisions: map[string]e2eDecision{},
		counts:    map[string]int{},
		keys:      map[string][]string{},
	}
}

// shirt is the product with variants (size S, M, L; a per-buyer limit of 2).
func e2eShirtProduct(now time.Time) map[string]any {
	sku := func(id, size string) map[string]any {
		return map[string]any{
			"id": id, "product_id": e2eShirt, "shop_id": e2eShop, "code": "SHIRT-" + size,
			"options": map[string]string{"size": size}, "prices": map[string]int64{"US": 4500, "DE": 3900, "VN": 990000},
			"max_per_buyer": 2, "on_hand": 50,
		}
	}
	return map[string]any{
		"id": e2eShirt, "shop_id": e2eShop, "title": "Linen shirt", "description": "", "images": []string{e2eImage},
		"translations": map[string]any{}, "skus": []any{sku(e2eShirtS, "S"), sku(e2eShirtM, "M"), sku(e2eShirtL, "L")},
		"created_at": now, "updated_at": now,
	}
}

// dealAt is the deal on the shirt's M as the API answers it at the deal
// show's (skewed) clock now: 90 s long, started 10 s before the deal show
// was first asked for (so the test's timing does not depend on how long
// the checks before it took).
func (c *e2eCheckout) dealAt(now time.Time) map[string]any {
	c.mu.Lock()
	if c.dealStart.IsZero() {
		c.dealStart = now.Add(-10 * time.Second).Truncate(time.Second)
	}
	start, ended := c.dealStart, c.dealEnded
	c.mu.Unlock()
	state := "active"
	if ended || !now.Before(start.Add(90*time.Second)) {
		state = "ended"
	}
	return map[string]any{
		"id": e2eDeal, "show_id": e2eDealShow, "shop_id": e2eShop, "sku_id": e2eShirtM, "product_id": e2eShirt,
		"prices": map[string]int64{"US": 2999, "DE": 2499, "VN": 690000}, "quantity": 20, "remaining": 12, "max_per_buyer": 2,
		"starts_at": start, "ends_at": start.Add(90 * time.Second), "state": state, "created_at": start, "now": now,
	}
}

func (c *e2eCheckout) count(route, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[route]++
	c.keys[route] = append(c.keys[route], key)
}

// register adds the checkout routes and the test's controls to mux.
func (c *e2eCheckout) register(mux *http.ServeMux, signedIn func(*http.Request) bool) {
	// Writes need the session and its CSRF token, as on the real server.
	buyer := func(w http.ResponseWriter, r *http.Request) bool {
		if !signedIn(r) {
			writeJSON(w, 401, apiError("unauthenticated", "Log in first."))
			return false
		}
		if r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != e2eCSRF {
			writeJSON(w, 403, apiError("forbidden", "Missing or wrong X-CSRF-Token header."))
			return false
		}
		return true
	}
	// idempotent runs decide once per key: a stored decision (2xx or 409)
	// is replayed for the same body, refused for another.
	idempotent := func(scope string, w http.ResponseWriter, r *http.Request, decide func(body []byte) (int, any, bool)) {
		key := r.Header.Get("Idempotency-Key")
		c.count(scope, key)
		if key == "" || len(key) > 255 {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "Idempotency-Key is required.", "field": "Idempotency-Key"}})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			writeJSON(w, 400, apiError("bad_request", "unreadable body"))
			return
		}
		hash := sha256.Sum256(body)
		c.mu.Lock()
		d, seen := c.decisions[scope+"|"+key]
		c.mu.Unlock()
		if seen {
			if d.hash != hash {
				writeJSON(w, 422, apiError("idempotency_key_reused", "This Idempotency-Key was used with another request."))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(d.status)
			_, _ = w.Write(d.body)
			return
		}
		status, v, store := decide(body)
		out, _ := json.Marshal(v)
		if store {
			c.mu.Lock()
			c.decisions[scope+"|"+key] = e2eDecision{hash: hash, status: status, body: out}
			c.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}

	mux.HandleFunc("GET /api/v1/payments/config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"providers": []string{"testpay"}})
	})

	mux.HandleFunc("POST /api/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			c.count("orders", r.Header.Get("Idempotency-Key"))
			return
		}
		c.mu.Lock()
		busy := c.busyNext > 0
		if busy {
			c.busyNext--
		}
		c.mu.Unlock()
		if busy {
			c.count("orders", r.Header.Get("Idempotency-Key"))
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, apiError("busy", "Busy, try again."))
			return
		}
		idempotent("orders", w, r, func(body []byte) (int, any, bool) {
			return c.createOrder(body)
		})
	})
	mux.HandleFunc("GET /api/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			return
		}
		limit := 50
		if s := r.URL.Query().Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 200 {
				writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "limit must be 1..200", "field": "limit"}})
				return
			}
			limit = n
		}
		after := ""
		if cur := r.URL.Query().Get("cursor"); cur != "" {
			b, err := base64.RawURLEncoding.DecodeString(cur)
			if err != nil {
				writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "bad cursor", "field": "cursor"}})
				return
			}
			after = string(b)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		ids := slices.Clone(c.orderIDs)
		slices.Reverse(ids) // newest first
		if after != "" {
			i := slices.Index(ids, after)
			ids = ids[i+1:]
		}
		var next any
		if len(ids) > limit {
			ids = ids[:limit]
			next = base64.RawURLEncoding.EncodeToString([]byte(ids[limit-1]))
		}
		items := []any{}
		for _, id := range ids {
			items = append(items, c.orders[id])
		}
		writeJSON(w, 200, map[string]any{"items": items, "next_cursor": next})
	})
	mux.HandleFunc("GET /api/v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			return
		}
		c.mu.Lock()
		o := c.orders[r.PathValue("id")]
		c.mu.Unlock()
		if o == nil {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"order": o})
	})
	mux.HandleFunc("POST /api/v1/orders/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		o := c.orders[r.PathValue("id")]
		if o == nil {
			notFound(w)
			return
		}
		if o["state"] != "reserved" {
			writeJSON(w, 409, apiError("invalid_state", "Only a reserved order can be cancelled."))
			return
		}
		c.releaseLocked(o, "cancelled")
		writeJSON(w, 200, map[string]any{"order": o})
	})
	mux.HandleFunc("PUT /api/v1/orders/{id}/shipping-address", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			return
		}
		var a map[string]string
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			writeJSON(w, 400, apiError("bad_request", "want an address"))
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		o := c.orders[r.PathValue("id")]
		if o == nil {
			notFound(w)
			return
		}
		if field := addressProblem(a, o["market"].(string)); field != "" {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "Check the address.", "field": field}})
			return
		}
		if o["state"] != "reserved" {
			writeJSON(w, 409, apiError("invalid_state", "The order is no longer reserved."))
			return
		}
		o["shipping_address"] = a
		writeJSON(w, 200, map[string]any{"order": o})
	})
	mux.HandleFunc("POST /api/v1/orders/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			c.count("pay", r.Header.Get("Idempotency-Key"))
			return
		}
		id := r.PathValue("id")
		idempotent("pay", w, r, func(body []byte) (int, any, bool) { return c.pay(id, body) })
	})
	mux.HandleFunc("POST /api/v1/payments/{id}/authorize", func(w http.ResponseWriter, r *http.Request) {
		if !buyer(w, r) {
			return
		}
		id := r.PathValue("id")
		idempotent("authorize", w, r, func(body []byte) (int, any, bool) { return c.authorize(id, body) })
	})

	// Controls for e2e/checkout.mjs.
	mux.HandleFunc("GET /_e2e/counts", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		writeJSON(w, 200, map[string]any{"counts": c.counts, "keys": c.keys})
	})
	mux.HandleFunc("POST /_e2e/reset-counts", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.counts, c.keys = map[string]int{}, map[string][]string{}
		c.mu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/busy", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		c.mu.Lock()
		c.busyNext = n
		c.mu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/expire", func(w http.ResponseWriter, r *http.Request) {
		// Every reservation's deadline passes (the real server expires
		// them by its clock).
		c.mu.Lock()
		for _, o := range c.orders {
			if o["state"] == "reserved" {
				o["pay_by"] = time.Now().UTC().Add(-time.Second)
			}
		}
		c.mu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/end-deal", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.dealEnded = true
		c.mu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/publish", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Channel string          `json:"channel"`
			Data    json.RawMessage `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Channel == "" {
			writeJSON(w, 400, apiError("bad_request", "want {channel, data}"))
			return
		}
		if _, err := c.node.Publish(req.Channel, req.Data); err != nil {
			writeJSON(w, 500, apiError("internal", err.Error()))
			return
		}
		w.WriteHeader(204)
	})
}

func addressProblem(a map[string]string, market string) string {
	for _, f := range []string{"name", "line1", "city"} {
		if strings.TrimSpace(a[f]) == "" {
			return "shipping_address." + f
		}
	}
	if a["country"] != market {
		return "shipping_address.country"
	}
	return ""
}

func money(amount int64, currency string) map[string]any {
	return map[string]any{"amount": amount, "currency": currency}
}

var e2eCurrencies = map[string]string{"US": "USD", "DE": "EUR", "VN": "VND"}

// createOrder decides POST /api/v1/orders: 201 reserved, 409 sold_out,
// limit_exceeded or deal_not_active (decisions, stored), or a 4xx refusal
// (not stored).
func (c *e2eCheckout) createOrder(body []byte) (int, any, bool) {
	var req struct {
		Market string `json:"market"`
		Lines  []struct {
			SKUID    string `json:"sku_id"`
			Quantity int64  `json:"quantity"`
		} `json:"lines"`
		ShowID          string            `json:"show_id"`
		DealID          string            `json:"deal_id"`
		ShippingAddress map[string]string `json:"shipping_address"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return 400, apiError("bad_request", err.Error()), false
	}
	invalid := func(field, msg string) (int, any, bool) {
		return 422, map[string]any{"error": map[string]string{"code": "invalid", "message": msg, "field": field}}, false
	}
	currency, ok := e2eCurrencies[req.Market]
	if !ok {
		return invalid("market", "unknown market")
	}
	if len(req.Lines) != 1 {
		return invalid("lines", "the stand-in takes one line")
	}
	if req.ShippingAddress != nil {
		if f := addressProblem(req.ShippingAddress, req.Market); f != "" {
			return invalid(f, "check the address")
		}
	}
	l := req.Lines[0]
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.skus[l.SKUID]
	if s == nil {
		return invalid("lines[0].sku_id", "No such SKU.")
	}
	if l.Quantity < 1 || l.Quantity > 10000 {
		return invalid("lines[0].quantity", "quantity must be 1..10000")
	}
	price, ok := s.prices[req.Market]
	if !ok {
		return invalid("lines[0].sku_id", "not sold in this market")
	}
	conflict := func(code, msg string) (int, any, bool) { return 409, apiError(code, msg), true }
	line := map[string]any{"sku_id": s.id, "quantity": l.Quantity}
	if req.DealID != "" {
		now := time.Now().Add(e2eClockSkew)
		if req.DealID != e2eDeal || c.dealEnded || c.dealStart.IsZero() || s.id != e2eShirtM || now.Before(c.dealStart) || !now.Before(c.dealStart.Add(90*time.Second)) {
			return conflict("deal_not_active", "The deal is not running.")
		}
		price = map[string]int64{"US": 2999, "DE": 2499, "VN": 690000}[req.Market]
		line["deal_id"] = req.DealID
	}
	if s.available < l.Quantity {
		return conflict("sold_out", "Sold out.")
	}
	if s.maxPerBuyer > 0 && c.bought[s.id]+l.Quantity > s.maxPerBuyer {
		return conflict("limit_exceeded", "Over the per-buyer limit.")
	}
	s.available -= l.Quantity
	c.bought[s.id] += l.Quantity
	c.seq++
	subtotal := price * l.Quantity
	tax := int64(0)
	total := subtotal
	if req.Market == "US" {
		tax = (subtotal*825 + 5000) / 10000 // sales tax on top
		total += tax
	} else {
		tax = subtotal - subtotal*10000/11900 // VAT inside
	}
	line["unit_price"] = money(price, currency)
	line["total"] = money(subtotal, currency)
	line["tax"] = money(tax, currency)
	now := time.Now().UTC()
	o := map[string]any{
		"id": fmt.Sprintf("ord_01jd8c9n%016d", c.seq), "buyer_id": "usr_01jd8c9n0000000000000007", "shop_id": e2eShop,
		"market": req.Market, "lines": []any{line}, "subtotal": money(subtotal, currency), "tax": money(tax, currency),
		"shipping": money(0, currency), "total": money(total, currency), "state": "reserved",
		"pay_by": now.Add(10 * time.Minute), "created_at": now, "updated_at": now,
	}
	if req.ShowID != "" {
		o["show_id"] = req.ShowID
	}
	if req.DealID != "" {
		o["deal_id"] = req.DealID
	}
	if req.ShippingAddress != nil {
		o["shipping_address"] = req.ShippingAddress
	}
	c.orders[o["id"].(string)] = o
	c.orderIDs = append(c.orderIDs, o["id"].(string))
	return 201, map[string]any{"order": o}, true
}

// releaseLocked moves a reserved order to state, returning its units.
func (c *e2eCheckout) releaseLocked(o map[string]any, state string) {
	o["state"] = state
	for _, l := range o["lines"].([]any) {
		line := l.(map[string]any)
		s := c.skus[line["sku_id"].(string)]
		q := line["quantity"].(int64)
		s.available += q
		c.bought[s.id] -= q
	}
}

// pay decides POST /api/v1/orders/{id}/pay with testpay's test cards.
func (c *e2eCheckout) pay(orderID string, body []byte) (int, any, bool) {
	var req struct {
		Provider   string `json:"provider"`
		CardNumber string `json:"card_number"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 400, apiError("bad_request", err.Error()), false
	}
	if req.Provider != "testpay" {
		return 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "unknown provider", "field": "provider"}}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.orders[orderID]
	if o == nil {
		return 404, apiError("not_found", "No such order."), false
	}
	if o["state"] == "reserved" && time.Now().After(o["pay_by"].(time.Time)) {
		c.releaseLocked(o, "expired")
	}
	if o["state"] != "reserved" {
		return 409, apiError("invalid_state", "The order is "+o["state"].(string)+"."), true
	}
	if o["shipping_address"] == nil {
		return 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "The order needs a shipping address.", "field": "shipping_address"}}, false
	}
	card := strings.NewReplacer(" ", "", "-", "").Replace(req.CardNumber)
	switch card {
	case "4242424242424242", "4000002500003155", "4000000000009995", "4000000000000002":
	default:
		// testpay takes its test numbers only: a real card is refused.
		return 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "testpay takes only its test card numbers.", "field": "card_number"}}, false
	}
	c.seq++
	p := &e2ePayment{ID: fmt.Sprintf("pay_01jd8c9n%016d", c.seq), OrderID: orderID, Provider: "testpay", Amount: o["total"].(map[string]any)}
	switch card {
	case "4242424242424242":
		p.State = "succeeded"
		c.paidLocked(o)
	case "4000002500003155":
		p.State, p.NextAction = "requires_action", map[string]string{"type": "testpay_authorize"}
	case "4000000000009995":
		p.State, p.FailureCode = "failed", "insufficient_funds"
	default:
		p.State, p.FailureCode = "failed", "card_declined"
	}
	c.payments[p.ID] = p
	return 201, map[string]any{"payment": p, "order": o}, true
}

func (c *e2eCheckout) authorize(paymentID string, body []byte) (int, any, bool) {
	var req struct {
		Approve *bool `json:"approve"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Approve == nil {
		return 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "approve is required", "field": "approve"}}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.payments[paymentID]
	if p == nil {
		return 404, apiError("not_found", "No such payment."), false
	}
	o := c.orders[p.OrderID]
	if p.State != "requires_action" || o["state"] != "reserved" {
		return 409, apiError("invalid_state", "Nothing to authorise."), true
	}
	if *req.Approve {
		p.State, p.NextAction = "succeeded", nil
		c.paidLocked(o)
	} else {
		p.State, p.NextAction = "failed", nil
	}
	return 200, map[string]any{"payment": p, "order": o}, true
}

// paidLocked marks the order paid and tells its show's viewers, as the
// server does ("Ana just bought …").
func (c *e2eCheckout) paidLocked(o map[string]any) {
	o["state"] = "paid"
	o["updated_at"] = time.Now().UTC()
	show, _ := o["show_id"].(string)
	if show == "" {
		return
	}
	sku := o["lines"].([]any)[0].(map[string]any)["sku_id"].(string)
	data, _ := json.Marshal(map[string]any{"type": "purchase", "buyer": e2eBuyerName, "product_id": c.skus[sku].productID})
	go func() { _, _ = c.node.Publish("show:"+show, data) }()
}
