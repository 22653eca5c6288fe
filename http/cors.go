package hawkerhttp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Cross-origin access, for the embeddable player (<hawker-show>, served as
// /embed.js) on other sites. It is deliberately narrow:
//
//   - Only the public, read-only routes the player reads (publicCORSRoutes)
//     and WHEP playback answer CORS, and only with
//     Access-Control-Allow-Origin: * — never a reflected origin and never
//     Access-Control-Allow-Credentials. Browsers then send no cookies with
//     these requests, or refuse to hand a credentialed answer to the
//     page, so another site can read only what an anonymous visitor may
//     read anyway (a rehearsal stays 404, as for anyone signed out).
//   - Everything else (accounts, orders, payments, writes, realtime
//     tokens) gets no CORS headers: another origin's script cannot read
//     it, and cookie writes still need the CSRF token besides. Buying from
//     an embed happens on this origin, in a window the player opens (see
//     web/README.md), where the buyer's session lives first-party.
//   - Cross-Origin-Resource-Policy: cross-origin on the same answers, so
//     sites isolated with COEP may load them too.

// publicCORSRoutes are the routes another origin may read: what anonymous
// visitors see of shows, their products, deals and media, and markets.
// Each must answer anonymous GETs (TestCORSRoutesArePublic checks it).
var publicCORSRoutes = []string{
	"GET /api/v1/markets",
	"GET /api/v1/markets/{code}",
	"GET /api/v1/shows",
	"GET /api/v1/shows/{id}",
	"GET /api/v1/shows/{id}/products",
	"GET /api/v1/shows/{id}/deals",
	"GET /api/v1/shows/{id}/media",
	"GET /api/v1/deals/{id}",
	"GET /api/v1/products/{id}",
	"GET /media/images/{id}",
}

// WHEP playback (package media, mounted beside the API): POST an offer,
// PATCH trickle ICE, DELETE to stop. Live shows are public; a rehearsal
// needs the team's credentials, which a cross-origin request never
// carries here.
var whepCORSRoutes = []string{
	"POST /whep/{show}",
	"PATCH /whep/{show}/{session}",
	"DELETE /whep/{show}/{session}",
}

// corsMatcher tells which requests get CORS headers, by path and method.
type corsMatcher struct {
	mux *http.ServeMux
	// prefixes holds, per method, the literal start (up to the first
	// wildcard) of each of its patterns. PublicCORS asks on every request,
	// and most paths (orders, auth, payments) start with none of these, so
	// they are answered without building a probe request for the mux.
	prefixes map[string][]string
}

func newCORSMatcher() *corsMatcher {
	m := &corsMatcher{mux: http.NewServeMux(), prefixes: map[string][]string{}}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, p := range append(slices.Clip(publicCORSRoutes), whepCORSRoutes...) {
		m.mux.Handle(p, noop)
		method, path, _ := strings.Cut(p, " ")
		prefix, _, _ := strings.Cut(path, "{")
		m.prefixes[method] = append(m.prefixes[method], prefix)
	}
	// The mux matches GET patterns for HEAD too; both are reads.
	m.prefixes[http.MethodHead] = m.prefixes[http.MethodGet]
	return m
}

var corsRoutes = newCORSMatcher()

// allowed reports whether method on the request's path is open to other
// origins.
func (m *corsMatcher) allowed(r *http.Request, method string) bool {
	return m.mayMatch(r.URL, method) && m.muxAllowed(r, method)
}

// mayMatch is false only where the mux cannot match: a pattern's literal
// start is a prefix of every path it matches. The mux cleans the path and
// unescapes its segments first, so a path it would change (dot segments,
// doubled slashes, escapes) is left to it.
func (m *corsMatcher) mayMatch(u *url.URL, method string) bool {
	prefixes := m.prefixes[method]
	if len(prefixes) == 0 {
		return false
	}
	p := u.Path
	if u.RawPath != "" || !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, "/.") {
		return true
	}
	for _, prefix := range prefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// muxAllowed is the exact answer.
func (m *corsMatcher) muxAllowed(r *http.Request, method string) bool {
	probe := &http.Request{Method: method, URL: r.URL, Host: r.Host, Header: http.Header{}}
	_, pattern := m.mux.Handler(probe)
	if pattern == "" {
		return false
	}
	// The mux matches GET patterns for HEAD too; both are reads.
	return strings.HasPrefix(pattern, method+" ") || method == http.MethodHead && strings.HasPrefix(pattern, "GET ")
}

// Headers of the answers of CORS routes.
const (
	corsAllowHeaders  = "Accept, Content-Type, If-Match"
	corsExposeHeaders = "Location, Link, Retry-After, ETag"
	corsMaxAge        = "600"
)

// PublicCORS opens the public read-only API routes and WHEP playback to
// every origin, without credentials (see the comment above
// publicCORSRoutes), and answers their CORS preflights. Other requests
// pass through untouched. NewServer puts it in the API's chain; wrap the
// WHEP handler with it where it is mounted beside the API.
func PublicCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			want := r.Header.Get("Access-Control-Request-Method")
			if !corsRoutes.allowed(r, want) {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", want)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if corsRoutes.allowed(r, r.Method) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		next.ServeHTTP(w, r)
	})
}
