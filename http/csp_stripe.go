package hawkerhttp

import (
	"net/http"
	"slices"
	"strings"
)

// stripeSources are the origins Stripe.js needs on a page that pays with
// Stripe's Payment Element: its script, the element's and 3-D Secure's
// frames, and its API (docs.stripe.com/security/guide, "Content Security
// Policy").
var stripeSources = []struct{ directive, sources string }{
	{"script-src", "https://js.stripe.com https://*.js.stripe.com"},
	{"frame-src", "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"},
	{"connect-src", "https://api.stripe.com"},
}

// stripeOn reports whether the web app pays with Stripe.js: the stripe
// provider is enabled and has a publishable key.
func stripeOn(pay Payments) bool {
	if pay == nil {
		return false
	}
	c := pay.PublicConfig()
	providers, _ := c["providers"].([]string)
	key, _ := c["stripe_publishable_key"].(string)
	return key != "" && slices.Contains(providers, "stripe")
}

// pagesWriter is where Config.Pages writes a page: when the web app pays
// with Stripe, a Content-Security-Policy the page sets is widened by
// stripeSources; otherwise w itself.
func pagesWriter(w http.ResponseWriter, pay Payments) http.ResponseWriter {
	if !stripeOn(pay) {
		return w
	}
	return &stripeCSPWriter{ResponseWriter: w}
}

type stripeCSPWriter struct {
	http.ResponseWriter
	done bool
}

func (w *stripeCSPWriter) widen() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	if csp := h.Get("Content-Security-Policy"); csp != "" {
		h.Set("Content-Security-Policy", withStripe(csp))
	}
}

func (w *stripeCSPWriter) WriteHeader(status int) {
	w.widen()
	w.ResponseWriter.WriteHeader(status)
}

func (w *stripeCSPWriter) Write(b []byte) (int, error) {
	w.widen()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *stripeCSPWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withStripe adds stripeSources to a policy: to the directive when the
// policy has it, else as the directive with default-src's sources (which
// it stood for until now) and Stripe's. 'none' gives way to the sources.
func withStripe(csp string) string {
	type directive struct {
		name    string
		sources []string
	}
	var ds []directive
	for _, part := range strings.Split(csp, ";") {
		if f := strings.Fields(part); len(f) > 0 {
			ds = append(ds, directive{strings.ToLower(f[0]), f[1:]})
		}
	}
	find := func(name string) int {
		return slices.IndexFunc(ds, func(d directive) bool { return d.name == name })
	}
	var fallback []string
	if i := find("default-src"); i >= 0 {
		fallback = ds[i].sources
	}
	for _, s := range stripeSources {
		i := find(s.directive)
		if i < 0 {
			ds = append(ds, directive{s.directive, slices.Clone(fallback)})
			i = len(ds) - 1
		}
		src := slices.DeleteFunc(ds[i].sources, func(v string) bool { return strings.EqualFold(v, "'none'") })
		for _, v := range strings.Fields(s.sources) {
			if !slices.Contains(src, v) {
				src = append(src, v)
			}
		}
		ds[i].sources = src
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strings.Join(append([]string{d.name}, d.sources...), " ")
	}
	return strings.Join(parts, "; ")
}
