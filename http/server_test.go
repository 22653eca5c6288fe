package hawkerhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hawker"
)

func TestFixture(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, id := range []string{f.ShopA, f.ShopB, f.ProductA, f.ProductB, f.SKUA, f.SKUB, f.ShowA, f.ImageA, f.UserBuyer, f.UserSellerA, f.UserSellerB, f.UserHost} {
		if id == "" {
			t.Fatalf("fixture incomplete: %+v", f)
		}
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true})
	routes := f.Server.Routes()
	for _, want := range []string{
		"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json",
		"POST /api/v1/auth/signup", "GET /api/v1/products/{id}", "PUT /api/v1/skus/{id}/stock",
		"GET /media/images/{id}", "GET /api/v1/shows/{id}",
	} {
		if !slices.Contains(routes, want) {
			t.Errorf("Routes() lacks %q", want)
		}
	}
	seen := map[string]bool{}
	for _, r := range routes {
		if seen[r] {
			t.Errorf("route %q listed twice", r)
		}
		seen[r] = true
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{Version: "v1.2.3"}})
	var health struct{ Status, Version string }
	f.mustJSON(t, "GET", "/healthz", "", nil, http.StatusOK, &health)
	if health.Status != "ok" || health.Version != "v1.2.3" {
		t.Errorf("healthz = %+v", health)
	}
	f.must(t, "GET", "/readyz", "", nil, http.StatusOK)
	f.must(t, "GET", "/api/v1/markets", "", nil, http.StatusOK)
	resp, body := f.do(t, "GET", "/metrics", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`http_request_duration_seconds_count{route="GET /api/v1/markets",status="2xx"} 1`,
		`http_request_duration_seconds_count{route="GET /healthz",status="2xx"} 1`,
		"go_goroutines",
		"process_",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Raw paths never become labels.
	f.do(t, "GET", "/api/v1/no/such/thing", "", nil)
	_, body = f.do(t, "GET", "/metrics", "", nil)
	if strings.Contains(string(body), "no/such") {
		t.Errorf("metrics label a raw path")
	}
}

// downStore fails Ping.
type downStore struct{ hawker.Store }

func (downStore) Ping(context.Context) error { return errors.New("disk on fire") }

func TestReadyzStoreDown(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true, WrapStore: func(s hawker.Store) hawker.Store { return downStore{s} }})
	resp, body := f.do(t, "GET", "/readyz", "", nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, "unavailable", "")
	if strings.Contains(string(body), "fire") {
		t.Errorf("readyz leaks the cause: %s", body)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true})
	resp, body := f.do(t, "GET", "/api/v1/no-such-route", "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")

	resp, body = f.do(t, "DELETE", "/api/v1/markets", "", nil)
	wantError(t, resp, body, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q", allow)
	}
	resp, body = f.do(t, "PUT", "/api/v1/shops", "", nil)
	wantError(t, resp, body, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "POST") || !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q", allow)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true})
	for _, path := range []string{"/api/v1/markets", "/api/v1/nope", "/api/v1/me"} {
		resp, _ := f.do(t, "GET", path, "", nil)
		for k, v := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
		} {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
}

// panicStore panics when asked for one shop, and fails without a code on
// another.
type panicStore struct {
	hawker.Store
	panicID, failID string
}

func (s panicStore) FindShopByID(ctx context.Context, id string) (*hawker.Shop, error) {
	switch id {
	case s.panicID:
		panic("secret detail: password=hunter2")
	case s.failID:
		return nil, errors.New("driver: connection to 10.0.0.7 refused (password=hunter2)")
	}
	return s.Store.FindShopByID(ctx, id)
}

func TestPanicAndInternalErrorsAreHidden(t *testing.T) {
	t.Parallel()
	panicID, failID := hawker.NewID(hawker.PrefixShop), hawker.NewID(hawker.PrefixShop)
	f := newFixtureWith(t, fixtureOptions{NoData: true, WrapStore: func(s hawker.Store) hawker.Store {
		return panicStore{Store: s, panicID: panicID, failID: failID}
	}})
	for _, id := range []string{panicID, failID} {
		resp, body := f.do(t, "GET", "/api/v1/shops/"+id, "", nil)
		wantError(t, resp, body, http.StatusInternalServerError, "internal", "")
		var e apiError
		_ = json.Unmarshal(body, &e)
		if e.Error.Message != "Internal error." || strings.Contains(string(body), "hunter2") {
			t.Errorf("500 answer leaks details: %s", body)
		}
	}
	logs := f.Logs.String()
	for _, want := range []string{"panic serving request", "secret detail", "goroutine", "connection to 10.0.0.7 refused"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q", want)
		}
	}
	// The server keeps serving.
	f.must(t, "GET", "/healthz", "", nil, http.StatusOK)
}

func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const password = "correct horse battery"
	var login struct{ Token string }
	f.mustJSON(t, "POST", "/api/v1/auth/login", "", map[string]any{"email": "buyer@example.com", "password": password}, http.StatusOK, &login)
	h := http.Header{}
	h.Set("Cookie", SessionCookie+"=hs_not_a_real_session")
	f.doHeader(t, "GET", "/api/v1/me", h, nil)
	f.do(t, "GET", "/api/v1/me", login.Token, nil)
	logs := f.Logs.String()
	for _, secret := range []string{password, login.Token, f.AdminKey, f.BuyerToken, "hs_not_a_real_session"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain a secret %q", secret)
		}
	}
	if !strings.Contains(logs, `route="GET /api/v1/me"`) {
		t.Errorf("request log lacks the route pattern:\n%s", logs)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA + "/products"
	before := f.must(t, "GET", path, "", nil, http.StatusOK)
	valid := `{"title":"T","skus":[{"code":"X-1","prices":{"US":100}}]}`
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"malformed", `{"title":`, 400, "bad_request", ""},
		{"not JSON", `title=mug`, 400, "bad_request", ""},
		{"empty", ``, 400, "bad_request", ""},
		{"array instead of object", `[]`, 400, "bad_request", ""},
		{"wrong type", `{"title":5,"skus":[]}`, 400, "bad_request", "title"},
		{"wrong nested type", `{"title":"T","skus":[{"code":"X-1","prices":{"US":100},"on_hand":"many"}]}`, 400, "bad_request", "skus.on_hand"},
		{"float price", `{"title":"T","skus":[{"code":"X-1","prices":{"US":19.99}}]}`, 400, "bad_request", "skus.prices"},
		{"string price", `{"title":"T","skus":[{"code":"X-1","prices":{"US":"1999"}}]}`, 400, "bad_request", "skus.prices"},
		{"huge number", `{"title":"T","skus":[{"code":"X-1","prices":{"US":100},"on_hand":1e30}]}`, 400, "bad_request", "skus.on_hand"},
		{"unknown field", `{"title":"T","owner":"me","skus":[]}`, 400, "bad_request", "owner"},
		{"unknown nested field", `{"title":"T","skus":[{"code":"X-1","prices":{"US":100},"stock":5}]}`, 400, "bad_request", "skus[0].stock"},
		{"trailing data", valid + `{}`, 400, "bad_request", ""},
		{"two values", valid + ` "x"`, 400, "bad_request", ""},
		{"oversized", `{"title":"T","description":"` + strings.Repeat("a", MaxBodyBytes) + `","skus":[]}`, 413, "too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "POST", path, f.SellerAToken, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	// A body that is not JSON by its type.
	h := http.Header{}
	h.Set("Authorization", "Bearer "+f.SellerAToken)
	h.Set("Content-Type", "text/plain")
	resp, body := f.doHeader(t, "POST", path, h, valid)
	wantError(t, resp, body, http.StatusUnsupportedMediaType, "unsupported_media_type", "")

	if after := f.must(t, "GET", path, "", nil, http.StatusOK); string(after) != string(before) {
		t.Errorf("bad requests changed the products:\nbefore %s\nafter  %s", before, after)
	}
	// Trailing white space is fine.
	f.must(t, "POST", path, f.SellerAToken, valid+"\n  \n", http.StatusCreated)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA + "/products"
	want := []string{f.ProductA}
	for i := range 6 {
		var out struct{ Product hawker.Product }
		f.mustJSON(t, "POST", path, f.SellerAToken, map[string]any{
			"title": "P", "skus": []map[string]any{{"code": "P-" + string(rune('a'+i)), "prices": map[string]int{"US": 100}}},
		}, http.StatusCreated, &out)
		want = append(want, out.Product.ID)
	}
	var got []string
	cursor := ""
	pages := 0
	for {
		q := path + "?limit=3"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var page struct {
			Items      []hawker.Product
			NextCursor *string `json:"next_cursor"`
		}
		f.mustJSON(t, "GET", q, "", nil, http.StatusOK, &page)
		pages++
		for _, p := range page.Items {
			got = append(got, p.ID)
		}
		if page.NextCursor == nil {
			break
		}
		if pages > 10 {
			t.Fatal("cursor never ends")
		}
		cursor = *page.NextCursor
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("paged %d pages: %v, want %v", pages, got, want)
	}
	// The last page of an exact multiple has a null cursor, and the answer
	// always has the key.
	_, body := f.do(t, "GET", path+"?limit=7", "", nil)
	if !strings.Contains(string(body), `"next_cursor":null`) {
		t.Errorf("no null next_cursor: %s", body)
	}
	for _, tc := range []struct{ query, field string }{
		{"?limit=0", "limit"}, {"?limit=201", "limit"}, {"?limit=x", "limit"},
		{"?cursor=!!!", "cursor"}, {"?cursor=" + "c2hwX3g", "cursor"},
	} {
		resp, body := f.do(t, "GET", path+tc.query, "", nil)
		wantError(t, resp, body, http.StatusUnprocessableEntity, "invalid", tc.field)
	}
}
