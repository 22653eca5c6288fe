package hawkerhttp

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"hawker"
)

const otherOrigin = "https://shop.example"

// What another origin may read, and what it may not: the embed's public
// GETs answer Access-Control-Allow-Origin: * (never with credentials), the
// rest of the API answers no CORS at all, even to a signed-in browser.
func TestCORSOnlyForPublicReads(t *testing.T) {
	f := newFixture(t)
	dealID := f.makeDeal(t)
	cookie := "hawker_session=" + f.BuyerToken
	for _, tc := range []struct {
		name, method, path, auth string
		open                     bool
	}{
		{"show", "GET", "/api/v1/shows/" + f.ShowA, "", true},
		{"show, HEAD", "HEAD", "/api/v1/shows/" + f.ShowA, "", true},
		{"shows", "GET", "/api/v1/shows", "", true},
		{"bag", "GET", "/api/v1/shows/" + f.ShowA + "/products", "", true},
		{"deals", "GET", "/api/v1/shows/" + f.ShowA + "/deals", "", true},
		{"deal", "GET", "/api/v1/deals/" + dealID, "", true},
		{"media", "GET", "/api/v1/shows/" + f.ShowA + "/media", "", true},
		{"product", "GET", "/api/v1/products/" + f.ProductA, "", true},
		{"image bytes", "GET", "/media/images/" + f.ImageA, "", true},
		{"markets", "GET", "/api/v1/markets", "", true},
		{"market", "GET", "/api/v1/markets/DE", "", true},
		// An unknown show is still the public route: the 404 is readable.
		{"unknown show", "GET", "/api/v1/shows/shw_01jd8c9n0000000000000000", "", true},

		{"me", "GET", "/api/v1/me", f.BuyerToken, false},
		{"me by cookie", "GET", "/api/v1/me", cookie, false},
		{"orders", "GET", "/api/v1/orders", f.BuyerToken, false},
		{"realtime token", "GET", "/api/v1/realtime/token", "", false},
		{"moderation", "GET", "/api/v1/shows/" + f.ShowA + "/moderation", f.HostToken, false},
		{"team", "GET", "/api/v1/shows/" + f.ShowA + "/team", f.HostToken, false},
		{"stock", "GET", "/api/v1/skus/" + f.SKUA + "/stock", f.SellerAToken, false},
		{"users", "GET", "/api/v1/users", f.AdminKey, false},
		{"pin (a write)", "POST", "/api/v1/shows/" + f.ShowA + "/pin", f.HostToken, false},
		{"order (a write)", "POST", "/api/v1/orders", f.BuyerToken, false},
		{"logout (a write)", "POST", "/api/v1/auth/logout", cookie, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Origin": {otherOrigin}}
			switch {
			case strings.HasPrefix(tc.auth, "hawker_session="):
				h.Set("Cookie", tc.auth)
			case tc.auth != "":
				h.Set("Authorization", "Bearer "+tc.auth)
			}
			resp, _ := f.doHeader(t, tc.method, tc.path, h, nil)
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if tc.open {
				if acao != "*" {
					t.Errorf("%s %s: Access-Control-Allow-Origin %q, want *", tc.method, tc.path, acao)
				}
				if got := resp.Header.Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
					t.Errorf("%s %s: Cross-Origin-Resource-Policy %q, want cross-origin", tc.method, tc.path, got)
				}
				if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
					t.Errorf("%s %s: Retry-After not exposed", tc.method, tc.path)
				}
			} else if acao != "" {
				t.Errorf("%s %s (status %d): Access-Control-Allow-Origin %q, want none", tc.method, tc.path, resp.StatusCode, acao)
			}
			if v := resp.Header.Get("Access-Control-Allow-Credentials"); v != "" {
				t.Errorf("%s %s: Access-Control-Allow-Credentials %q: credentials are never allowed", tc.method, tc.path, v)
			}
		})
	}
}

// Preflights: answered for the public routes (and WHEP) with the one
// method asked, passed on for everything else (the API's JSON 405).
func TestCORSPreflight(t *testing.T) {
	f := newFixture(t)
	preflight := func(path, method string) *http.Response {
		t.Helper()
		resp, _ := f.doHeader(t, "OPTIONS", path, http.Header{
			"Origin":                         {otherOrigin},
			"Access-Control-Request-Method":  {method},
			"Access-Control-Request-Headers": {"content-type"},
		}, nil)
		return resp
	}
	resp := preflight("/api/v1/shows/"+f.ShowA, "GET")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "GET" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Errorf("preflight GET show: %d %v", resp.StatusCode, resp.Header)
	}
	for _, tc := range []struct{ path, method string }{
		{"/api/v1/shows/" + f.ShowA, "PATCH"},
		{"/api/v1/shows/" + f.ShowA + "/pin", "POST"},
		{"/api/v1/orders", "POST"},
		{"/api/v1/me", "GET"},
	} {
		resp := preflight(tc.path, tc.method)
		if resp.StatusCode == http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight %s %s answered: %d %v", tc.method, tc.path, resp.StatusCode, resp.Header)
		}
	}
}

// WHEP sits beside the API (package media, mounted by the binary):
// PublicCORS wraps it there. Offers, trickle ICE and stops may come from
// other origins; WHIP (publishing with a stream key) may not.
func TestCORSWHEP(t *testing.T) {
	var reached []string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, r.Method+" "+r.URL.Path)
		w.Header().Set("Location", r.URL.Path+"/sess")
		w.WriteHeader(http.StatusCreated)
	})
	h := PublicCORS(inner)
	for _, tc := range []struct {
		method, path string
		preflight    bool
		open         bool
	}{
		{"POST", "/whep/shw_1", true, true},
		{"PATCH", "/whep/shw_1/sess", true, true},
		{"DELETE", "/whep/shw_1/sess", true, true},
		{"POST", "/whep/shw_1", false, true},
		{"DELETE", "/whep/shw_1/sess", false, true},
		{"GET", "/whep/shw_1", true, false},
		{"POST", "/whip/shw_1", true, false},
		{"POST", "/whip/shw_1", false, false},
	} {
		reached = nil
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set("Origin", otherOrigin)
		if tc.preflight {
			req = httptest.NewRequest(http.MethodOptions, tc.path, nil)
			req.Header.Set("Origin", otherOrigin)
			req.Header.Set("Access-Control-Request-Method", tc.method)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		acao := rec.Header().Get("Access-Control-Allow-Origin")
		if (acao == "*") != tc.open {
			t.Errorf("%s %s (preflight %v): Access-Control-Allow-Origin %q, want open=%v", tc.method, tc.path, tc.preflight, acao, tc.open)
		}
		if tc.preflight && tc.open {
			if rec.Code != http.StatusNoContent || len(reached) != 0 {
				t.Errorf("preflight %s %s: %d, reached the handler: %v", tc.method, tc.path, rec.Code, reached)
			}
			if rec.Header().Get("Access-Control-Allow-Methods") != tc.method {
				t.Errorf("preflight %s %s: Allow-Methods %q", tc.method, tc.path, rec.Header().Get("Access-Control-Allow-Methods"))
			}
		}
		if !tc.preflight && tc.open && !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "Location") {
			t.Errorf("%s %s: Location not exposed (the player needs it to stop)", tc.method, tc.path)
		}
		if !tc.preflight && len(reached) != 1 {
			t.Errorf("%s %s did not reach the handler", tc.method, tc.path)
		}
	}
}

// Every route opened to other origins exists, is a GET, and answers an
// anonymous caller (a route that needs credentials has no business here:
// the browser sends none with these requests).
func TestCORSRoutesArePublic(t *testing.T) {
	f := newFixture(t)
	dealID := f.makeDeal(t)
	routes := f.Server.Routes()
	ids := map[string]string{"{code}": "US", "{id}": ""}
	for _, p := range publicCORSRoutes {
		if !slices.Contains(routes, p) {
			t.Errorf("%s is opened to other origins but is no route of the server", p)
			continue
		}
		if !strings.HasPrefix(p, "GET ") {
			t.Errorf("%s: only reads may be opened to other origins", p)
		}
		path := strings.TrimPrefix(p, "GET ")
		switch {
		case strings.HasPrefix(path, "/api/v1/shows/"):
			ids["{id}"] = f.ShowA
		case strings.HasPrefix(path, "/api/v1/deals/"):
			ids["{id}"] = dealID
		case strings.HasPrefix(path, "/api/v1/products/"):
			ids["{id}"] = f.ProductA
		case strings.HasPrefix(path, "/media/images/"):
			ids["{id}"] = f.ImageA
		}
		for k, v := range ids {
			path = strings.ReplaceAll(path, k, v)
		}
		resp, body := f.doHeader(t, "GET", path, http.Header{"Origin": {otherOrigin}}, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("anonymous GET %s = %d %s, want 200", path, resp.StatusCode, body)
		}
	}
}

// makeDeal puts ProductA in ShowA's bag and launches a deal on SKUA, which
// anyone may then read.
func (f *fixture) makeDeal(t *testing.T) string {
	t.Helper()
	f.must(t, "PUT", "/api/v1/shows/"+f.ShowA+"/products", f.HostToken, map[string]any{"product_ids": []string{f.ProductA}}, http.StatusOK)
	var out struct{ Deal hawker.Deal }
	f.mustJSON(t, "POST", "/api/v1/shows/"+f.ShowA+"/deals", f.HostToken, map[string]any{
		"sku_id": f.SKUA, "prices": map[string]int64{"US": 999, "DE": 899}, "quantity": 2, "duration_seconds": 60,
	}, http.StatusCreated, &out)
	return out.Deal.ID
}
