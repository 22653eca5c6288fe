package hawkerhttp

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// oaLiveSequence is the live-show part of the conformance sequence: the
// realtime token, show edits and state changes, the bag, the pin and chat
// moderation, each with its error answers. It works on shows of its own so
// that f.ShowA stays scheduled for the sweep.
func oaLiveSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghost = "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys"
	newShow := func(title string) string {
		_, b := c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{"shop_id": f.ShopA, "title": title}, want: 201})
		return "/api/v1/shows/" + oaStr(oaJSON(t, b), "show", "id")
	}

	// token
	_, b := c.call(oaReq{method: "GET", path: "/api/v1/realtime/token", want: 200})
	if tok := oaStr(oaJSON(t, b), "token"); tok != "fake.anonymous" {
		t.Errorf("anonymous token = %q", tok)
	}
	_, b = c.call(oaReq{method: "GET", path: "/api/v1/realtime/token", token: buyer, want: 200})
	if tok := oaStr(oaJSON(t, b), "token"); tok != "fake."+f.UserBuyer {
		t.Errorf("buyer's token = %q, want one carrying the user", tok)
	}

	// edit
	show := newShow("Live sequence")
	later := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	_, b = c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{
		"title": "Live sequence (edited)", "description": "New", "scheduled_at": later, "markets": []string{"US", "DE"}}, want: 200})
	if got := oaStr(oaJSON(t, b), "show", "title"); got != "Live sequence (edited)" {
		t.Errorf("PATCH title = %q", got)
	}
	c.call(oaReq{method: "PATCH", path: show, token: host, body: map[string]any{"description": nil}, want: 200})
	c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{"title": ""}, want: 422, wantField: "title", docRejects: true})
	c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{"scheduled_at": "2001-01-01T00:00:00Z"}, want: 422, wantField: "scheduled_at"})
	c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{"markets": []string{"GB"}}, want: 422, wantField: "markets"})
	c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{"title": 5}, want: 400, docRejects: true})
	c.call(oaReq{method: "PATCH", path: show, token: sellerB, body: map[string]any{"title": "Mine"}, want: 403})
	c.call(oaReq{method: "PATCH", path: show, body: map[string]any{"title": "Mine"}, want: 401})
	c.call(oaReq{method: "PATCH", path: ghost, token: admin, body: map[string]any{"title": "Ghost"}, want: 404})

	// bag
	bag := show + "/products"
	_, b = c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": []string{f.ProductA}}, want: 200})
	if items, _ := oaJSON(t, b)["items"].([]any); len(items) != 1 {
		t.Errorf("bag = %s", b)
	}
	_, b = c.call(oaReq{method: "POST", path: "/api/v1/shops/" + f.ShopA + "/products", token: sellerA, body: map[string]any{
		"title": "US only", "skus": []any{map[string]any{"code": "USO-" + oaUnique(), "prices": map[string]any{"US": 100}}}}, want: 201})
	usOnly := oaStr(oaJSON(t, b), "product", "id")
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": []string{f.ProductA, usOnly}}, want: 422, wantField: "product_ids[1]"})
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": []string{f.ProductB}}, want: 422, wantField: "product_ids[0]"})
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": []string{f.ProductA, f.ProductA}}, want: 422, wantField: "product_ids[1]"})
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{}, want: 422, wantField: "product_ids", docRejects: true})
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": "all"}, want: 400, docRejects: true})
	c.call(oaReq{method: "PUT", path: bag, token: sellerB, body: map[string]any{"product_ids": []string{}}, want: 403})
	c.call(oaReq{method: "PUT", path: bag, body: map[string]any{"product_ids": []string{}}, want: 401})
	c.call(oaReq{method: "PUT", path: ghost + "/products", token: admin, body: map[string]any{"product_ids": []string{}}, want: 404})
	c.call(oaReq{method: "GET", path: bag, want: 200})
	c.call(oaReq{method: "GET", path: ghost + "/products", want: 404})

	// pin
	_, b = c.call(oaReq{method: "POST", path: show + "/pin", token: host, body: map[string]any{"product_id": f.ProductA}, want: 200})
	if got := oaStr(oaJSON(t, b), "show", "pinned_product_id"); got != f.ProductA {
		t.Errorf("pinned_product_id = %q, want %q", got, f.ProductA)
	}
	c.call(oaReq{method: "POST", path: show + "/pin", token: sellerA, body: map[string]any{"product_id": f.ProductB}, want: 422, wantField: "product_id"})
	c.call(oaReq{method: "POST", path: show + "/pin", token: sellerA, body: map[string]any{}, want: 422, wantField: "product_id", docRejects: true})
	c.call(oaReq{method: "POST", path: show + "/pin", token: sellerA, body: oaRaw(`{"product_id":`), want: 400, docRejects: true})
	c.call(oaReq{method: "POST", path: show + "/pin", token: sellerB, body: map[string]any{"product_id": f.ProductA}, want: 403})
	c.call(oaReq{method: "POST", path: show + "/pin", body: map[string]any{"product_id": f.ProductA}, want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/pin", token: admin, body: map[string]any{"product_id": f.ProductA}, want: 404})
	c.call(oaReq{method: "POST", path: show + "/unpin", token: sellerA, want: 200})
	c.call(oaReq{method: "POST", path: show + "/unpin", token: sellerB, want: 403})
	c.call(oaReq{method: "POST", path: show + "/unpin", want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/unpin", token: admin, want: 404})

	// state changes
	rehearsal := newShow("Rehearsal")
	_, b = c.call(oaReq{method: "POST", path: rehearsal + "/rehearse", token: host, want: 200})
	if got := oaStr(oaJSON(t, b), "show", "state"); got != "rehearsal" {
		t.Errorf("state after rehearse = %q", got)
	}
	c.call(oaReq{method: "POST", path: rehearsal + "/rehearse", token: host, want: 409})
	c.call(oaReq{method: "POST", path: rehearsal + "/start", token: buyer, want: 404})
	c.call(oaReq{method: "POST", path: rehearsal + "/rehearse", token: sellerB, want: 404})
	c.call(oaReq{method: "POST", path: rehearsal + "/end", token: sellerA, want: 200})
	c.call(oaReq{method: "POST", path: show + "/rehearse", token: sellerB, want: 403})
	c.call(oaReq{method: "POST", path: show + "/rehearse", want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/rehearse", token: admin, want: 404})
	c.call(oaReq{method: "POST", path: show + "/end", token: sellerA, want: 409})
	_, b = c.call(oaReq{method: "POST", path: show + "/start", token: sellerA, want: 200})
	if got := oaStr(oaJSON(t, b), "show", "state"); got != "live" || oaStr(oaJSON(t, b), "show", "started_at") == "" {
		t.Errorf("after start: %s", b)
	}
	c.call(oaReq{method: "POST", path: show + "/start", token: sellerA, want: 409})
	c.call(oaReq{method: "POST", path: show + "/start", token: sellerB, want: 403})
	c.call(oaReq{method: "POST", path: show + "/start", want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/start", token: admin, want: 404})
	c.call(oaReq{method: "POST", path: show + "/end", token: sellerB, want: 403})
	c.call(oaReq{method: "POST", path: show + "/end", want: 401})
	c.call(oaReq{method: "POST", path: ghost + "/end", token: admin, want: 404})

	// moderation, on the live show
	mod := show + "/moderation"
	_, b = c.call(oaReq{method: "GET", path: mod, token: host, want: 200})
	if !strings.Contains(string(b), `"slow_mode_seconds":0`) {
		t.Errorf("fresh moderation = %s", b)
	}
	c.call(oaReq{method: "GET", path: mod, token: buyer, want: 404})
	c.call(oaReq{method: "GET", path: mod, want: 401})
	c.call(oaReq{method: "GET", path: mod + "?limit=0", token: sellerA, want: 422, wantField: "limit", docRejects: true})
	_, b = c.call(oaReq{method: "PATCH", path: mod, token: sellerA, body: map[string]any{
		"slow_mode_seconds": 10, "blocked_words": []string{" spam ", "SPAM", "scam"}, "links_allowed": true}, want: 200})
	if !strings.Contains(string(b), `"blocked_words":["spam","scam"]`) {
		t.Errorf("PATCH moderation = %s", b)
	}
	c.call(oaReq{method: "PATCH", path: mod, token: sellerA, body: map[string]any{"slow_mode_seconds": 99999}, want: 422, wantField: "slow_mode_seconds", docRejects: true})
	c.call(oaReq{method: "PATCH", path: mod, token: sellerA, body: map[string]any{"blocked_words": []string{"ok", strings.Repeat("w", 65)}}, want: 422, wantField: "blocked_words[1]", docRejects: true})
	c.call(oaReq{method: "PATCH", path: mod, token: sellerA, body: map[string]any{"mode": "strict"}, want: 400, docRejects: true})
	c.call(oaReq{method: "PATCH", path: mod, token: sellerB, body: map[string]any{"slow_mode_seconds": 0}, want: 404})
	c.call(oaReq{method: "PATCH", path: mod, body: map[string]any{"slow_mode_seconds": 0}, want: 401})
	mute := show + "/mutes/" + f.UserBuyer
	c.call(oaReq{method: "POST", path: mute, token: host, want: 204})
	c.call(oaReq{method: "POST", path: mute, token: host, want: 204})
	c.call(oaReq{method: "POST", path: show + "/mutes/usr_01jbz3n8q4m2x7c5v6w9t0r1ys", token: host, want: 404})
	c.call(oaReq{method: "POST", path: mute, token: sellerB, want: 404})
	c.call(oaReq{method: "POST", path: mute, want: 401})
	_, b = c.call(oaReq{method: "GET", path: mod + "?limit=1", token: sellerA, want: 200})
	m := oaJSON(t, b)
	if muted, _ := m["muted"].([]any); len(muted) != 1 || muted[0] != f.UserBuyer {
		t.Errorf("muted = %v", m["muted"])
	}
	if next := oaStr(m, "audit", "next_cursor"); next == "" {
		t.Errorf("audit of several actions has no next page: %s", b)
	} else {
		c.call(oaReq{method: "GET", path: mod + "?cursor=" + next, token: sellerA, want: 200})
	}
	c.call(oaReq{method: "DELETE", path: mute, token: sellerA, want: 204})
	c.call(oaReq{method: "DELETE", path: show + "/mutes/nope", token: sellerA, want: 404})
	c.call(oaReq{method: "DELETE", path: mute, token: buyer, want: 404})
	c.call(oaReq{method: "DELETE", path: mute, want: 401})
	c.call(oaReq{method: "DELETE", path: show + "/messages/msg_01jbz3n8q4m2x7c5v6w9t0r1ys", token: host, want: 204})
	c.call(oaReq{method: "DELETE", path: show + "/messages/nope", token: host, want: 404})
	c.call(oaReq{method: "DELETE", path: show + "/messages/msg_01jbz3n8q4m2x7c5v6w9t0r1ys", want: 401})

	// market words
	words := "/api/v1/markets/US/blocked-words"
	c.call(oaReq{method: "PUT", path: words, token: admin, body: map[string]any{"blocked_words": []string{"scam", "fraud"}}, want: 200})
	c.call(oaReq{method: "PUT", path: words, token: admin, body: map[string]any{"blocked_words": []string{"a\u0007b"}}, want: 422, wantField: "blocked_words[0]"})
	c.call(oaReq{method: "PUT", path: words, token: admin, body: map[string]any{}, want: 422, wantField: "blocked_words", docRejects: true})
	c.call(oaReq{method: "PUT", path: words, token: admin, body: map[string]any{"blocked_words": "scam"}, want: 400, docRejects: true})
	c.call(oaReq{method: "PUT", path: words, token: sellerA, body: map[string]any{"blocked_words": []string{}}, want: 403})
	c.call(oaReq{method: "PUT", path: words, body: map[string]any{"blocked_words": []string{}}, want: 401})
	c.call(oaReq{method: "PUT", path: "/api/v1/markets/ZZ/blocked-words", token: admin, body: map[string]any{"blocked_words": []string{}}, want: 404})

	// the end: an ended show changes no more
	c.call(oaReq{method: "POST", path: show + "/end", token: host, want: 200})
	c.call(oaReq{method: "POST", path: show + "/end", token: host, want: 409})
	c.call(oaReq{method: "PATCH", path: show, token: sellerA, body: map[string]any{"title": "Too late"}, want: 409})
	c.call(oaReq{method: "PUT", path: bag, token: sellerA, body: map[string]any{"product_ids": []string{}}, want: 409})
	c.call(oaReq{method: "POST", path: show + "/pin", token: sellerA, body: map[string]any{"product_id": f.ProductA}, want: 409})
	c.call(oaReq{method: "POST", path: show + "/unpin", token: sellerA, want: 409})
}

// oaLiveConcrete maps the live routes' path templates to real paths for
// the sweep.
func oaLiveConcrete(f *fixture) map[string]string {
	show := "/api/v1/shows/" + f.ShowA
	return map[string]string{
		"/api/v1/shows/{id}/rehearse":          show + "/rehearse",
		"/api/v1/shows/{id}/start":             show + "/start",
		"/api/v1/shows/{id}/end":               show + "/end",
		"/api/v1/shows/{id}/products":          show + "/products",
		"/api/v1/shows/{id}/pin":               show + "/pin",
		"/api/v1/shows/{id}/unpin":             show + "/unpin",
		"/api/v1/shows/{id}/moderation":        show + "/moderation",
		"/api/v1/shows/{id}/mutes/{user}":      show + "/mutes/" + f.UserBuyer,
		"/api/v1/shows/{id}/messages/{msg}":    show + "/messages/msg_01jbz3n8q4m2x7c5v6w9t0r1ys",
		"/api/v1/markets/{code}/blocked-words": "/api/v1/markets/US/blocked-words",
	}
}

// oaLiveLimits provokes the answers a healthy server with realtime does
// not give: 429 on the token route, 503 with realtime off. The statuses
// seen are merged into c.
func oaLiveLimits(t *testing.T, c *oaClient) {
	rl := httptest.NewServer(oaNewServer(t, Config{TokenRate: "1/h", Realtime: newFakeRealtime()}))
	t.Cleanup(rl.Close)
	rc := newOAClient(t, rl.URL)
	rc.call(oaReq{method: "GET", path: "/api/v1/realtime/token", want: 200})
	resp, _ := rc.call(oaReq{method: "GET", path: "/api/v1/realtime/token", want: 429})
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}

	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoRealtime: true, NoCheckout: true})
	oc := newOAClient(t, off.URL)
	show := "/api/v1/shows/" + off.ShowA
	oc.call(oaReq{method: "GET", path: "/api/v1/realtime/token", want: 503})
	oc.call(oaReq{method: "PATCH", path: show + "/moderation", token: off.SellerAToken, body: map[string]any{"slow_mode_seconds": 5}, want: 503})
	oc.call(oaReq{method: "POST", path: show + "/mutes/" + off.UserBuyer, token: off.SellerAToken, want: 503})
	oc.call(oaReq{method: "DELETE", path: show + "/mutes/" + off.UserBuyer, token: off.SellerAToken, want: 503})
	oc.call(oaReq{method: "DELETE", path: show + "/messages/msg_01jbz3n8q4m2x7c5v6w9t0r1ys", token: off.SellerAToken, want: 503})
	oc.call(oaReq{method: "PUT", path: "/api/v1/markets/US/blocked-words", token: off.AdminKey, body: map[string]any{"blocked_words": []string{}}, want: 503})
	// Without realtime the show still runs; nothing is announced.
	oc.call(oaReq{method: "POST", path: show + "/start", token: off.HostToken, want: 200})
	// Without an inventory engine the order routes are off.
	oaOrderOff(oc, off)

	for _, other := range []*oaClient{rc, oc} {
		for op, st := range other.seen {
			for s := range st {
				if c.seen[op] == nil {
					c.seen[op] = map[int]bool{}
				}
				c.seen[op][s] = true
			}
		}
		c.n += other.n
	}
}
