package hawkerhttp

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"hawker/web"
)

// stubPayments answers only PublicConfig: what the page CSP depends on.
type stubPayments struct {
	Payments
	config map[string]any
}

func (p stubPayments) PublicConfig() map[string]any { return p.config }

// cspDirectives parses a policy into its directives' sources.
func cspDirectives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, part := range strings.Split(csp, ";") {
		if f := strings.Fields(part); len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// TestPageCSPStripe serves the real web app's pages: with Stripe
// configured (provider and publishable key) their policy lets Stripe.js
// load, frame and call its API, and keeps everything else; without it
// the policy is the web app's own, unchanged.
func TestPageCSPStripe(t *testing.T) {
	pageCSP := func(t *testing.T, pay Payments, path string) string {
		t.Helper()
		srv := httptest.NewServer(oaNewServer(t, Config{Pages: web.Handler(), Payments: pay}))
		defer srv.Close()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return resp.Header.Get("Content-Security-Policy")
	}
	// The web app's own policy, as web.Handler sets it.
	rec := httptest.NewRecorder()
	web.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/shows/shw_01jd8c9n0000000000000001", nil))
	own := rec.Header().Get("Content-Security-Policy")
	if own == "" {
		t.Fatal("the web app sets no Content-Security-Policy on its pages")
	}

	stripe := stubPayments{config: map[string]any{"providers": []string{"testpay", "stripe"}, "stripe_publishable_key": "pk_test_csp"}}
	t.Run("stripe", func(t *testing.T) {
		for _, path := range []string{"/shows/shw_01jd8c9n0000000000000001", "/", "/embed/checkout/shw_01jd8c9n0000000000000001/prd_01jd8c9n0000000000000003"} {
			got := cspDirectives(pageCSP(t, stripe, path))
			want := map[string][]string{
				"script-src":  {"'self'", "https://js.stripe.com"},
				"frame-src":   {"'self'", "https://js.stripe.com", "https://hooks.stripe.com"},
				"connect-src": {"'self'", "https://api.stripe.com"},
			}
			for d, sources := range want {
				for _, s := range sources {
					if !slices.Contains(got[d], s) {
						t.Errorf("GET %s: %s is %v, want it to allow %s", path, d, got[d], s)
					}
				}
			}
			// Everything else stays as the web app has it.
			for d, sources := range cspDirectives(own) {
				if _, widened := want[d]; widened {
					continue
				}
				if !slices.Equal(got[d], sources) {
					t.Errorf("GET %s: %s is %v, want the web app's %v", path, d, got[d], sources)
				}
			}
			if slices.Contains(got["default-src"], "https://js.stripe.com") || slices.Contains(got["img-src"], "https://api.stripe.com") {
				t.Errorf("GET %s: Stripe reached other directives: %v", path, got)
			}
		}
	})

	for _, tc := range []struct {
		name string
		pay  Payments
	}{
		{"payments off", nil},
		{"testpay only", stubPayments{config: map[string]any{"providers": []string{"testpay"}}}},
		{"stripe without a publishable key", stubPayments{config: map[string]any{"providers": []string{"testpay", "stripe"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageCSP(t, tc.pay, "/shows/shw_01jd8c9n0000000000000001"); got != own {
				t.Errorf("page CSP %q, want the web app's own %q", got, own)
			}
		})
	}

	t.Run("api and files untouched", func(t *testing.T) {
		srv := httptest.NewServer(oaNewServer(t, Config{Pages: web.Handler(), Payments: stripe}))
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/api/v1/payments/config")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Security-Policy"); got != "default-src 'none'; frame-ancestors 'none'" {
			t.Errorf("API CSP with Stripe on: %q", got)
		}
		resp, err = http.Get(srv.URL + "/favicon.svg")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(resp.Header.Get("Content-Security-Policy"), "stripe") {
			t.Errorf("GET /favicon.svg: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
		}
	})
}

func TestWithStripe(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			"directives present",
			"default-src 'self'; script-src 'self'; frame-src 'none'; connect-src 'self' wss:",
			"default-src 'self'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; connect-src 'self' wss: https://api.stripe.com",
		},
		{
			"from default-src",
			"default-src 'self'; img-src 'self' data:",
			"default-src 'self'; img-src 'self' data:; script-src 'self' https://js.stripe.com https://*.js.stripe.com; frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com",
		},
		{
			"default-src none, no duplicates",
			"default-src 'none'; connect-src https://api.stripe.com",
			"default-src 'none'; connect-src https://api.stripe.com; script-src https://js.stripe.com https://*.js.stripe.com; frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := withStripe(tc.in); got != tc.want {
				t.Errorf("withStripe(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
