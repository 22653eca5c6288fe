package hawkerhttp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// corsMethods are the methods the matcher is asked about: the routes', the
// preflight's and some no route has, with the empty and lower-case forms a
// careless Access-Control-Request-Method may carry.
var corsMethods = []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "CONNECT", "TRACE", "", "get", "GET "}

// corsTestPaths are every CORS pattern with its wildcards filled in, and
// paths that must stay closed or that the mux rewrites before matching.
func corsTestPaths() []string {
	var paths []string
	for _, p := range append(append([]string{}, publicCORSRoutes...), whepCORSRoutes...) {
		_, path, _ := strings.Cut(p, " ")
		filled := path
		for strings.Contains(filled, "{") {
			i := strings.Index(filled, "{")
			j := strings.Index(filled, "}")
			filled = filled[:i] + "x1" + filled[j+1:]
		}
		paths = append(paths, path, filled, filled+"/", filled+"X", filled+"/extra", filled+"?q=1", strings.ToUpper(filled))
	}
	return append(paths,
		"/api/v1/orders", "/api/v1/orders/ord_1", "/api/v1/orders/ord_1/cancel",
		"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me",
		"/api/v1/payments/pay_1", "/api/v1/payments/pay_1/authorize", "/api/v1/webhooks/stripe",
		"/api/v1/showsX", "/api/v1/shows/", "/api/v1/shows//products", "/api/v1/marketsX", "/api/v1/markets/",
		"/api/v1/deals", "/api/v1/deals/", "/api/v1/products", "/media/images", "/media/images/",
		"/whep", "/whep/", "/whepX/s1", "/whepX/s1/t1", "/whep/s1/", "/whep/s1/t1/", "/whep/s1/t1/u1",
		"/", "", "*", "//api/v1/shows", "/api/v1//shows", "/api/v1/./shows", "/api/v1/orders/../shows",
		"/api/v1/orders/../shows/x1/deals", "/x/../whep/s1", "/api/v1/shows/.", "/api/v1/shows/..",
		"/api/v1/%73hows", "/api/v1/shows/a%2Fb", "/api/v1/shows/a%2Fb/media", "/whep/a%20b", "/%77hep/s1",
		"/api/v1/shows/x y", "/api/v1/shows/ü", "api/v1/shows", "/.well-known/x",
	)
}

// The pre-filter only saves work: allowed answers as the mux alone does.
func TestCORSFastPathAgreesWithMux(t *testing.T) {
	hosts := []string{"example.com", "example.com:8080", ""}
	for _, path := range corsTestPaths() {
		var urls []*url.URL
		if u, err := url.Parse(path); err == nil {
			urls = append(urls, u)
		}
		// As url.Parse never makes them: a path that needs escaping
		// with no RawPath, and paths without the leading slash.
		urls = append(urls, &url.URL{Path: path})
		for _, u := range urls {
			for _, host := range hosts {
				r := &http.Request{URL: u, Host: host, Header: http.Header{}}
				for _, method := range corsMethods {
					got, want := corsRoutes.allowed(r, method), corsRoutes.muxAllowed(r, method)
					if got != want {
						t.Errorf("%q %q (raw %q, host %q): allowed %v, the mux says %v", method, u.Path, u.RawPath, host, got, want)
					}
				}
			}
		}
	}
}

// Every pattern, filled in, is open to its own method (and HEAD for GET),
// so the test above compares the answers that matter and not only "no".
func TestCORSFastPathOpensEveryRoute(t *testing.T) {
	for _, p := range append(append([]string{}, publicCORSRoutes...), whepCORSRoutes...) {
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{code}", "DE", "{id}", "x1", "{show}", "s1", "{session}", "t1").Replace(path)
		r := &http.Request{URL: &url.URL{Path: path}, Header: http.Header{}}
		if !corsRoutes.allowed(r, method) {
			t.Errorf("%s %s: not allowed", method, path)
		}
		if method == "GET" && !corsRoutes.allowed(r, "HEAD") {
			t.Errorf("HEAD %s: not allowed", path)
		}
	}
}

func FuzzCORSFastPath(f *testing.F) {
	for _, p := range corsTestPaths() {
		f.Add("GET", p)
	}
	f.Add("POST", "/whep/s1")
	f.Add("PATCH", "/whep/s1/t1")
	f.Fuzz(func(t *testing.T, method, target string) {
		u, err := url.Parse(target)
		if err != nil {
			return
		}
		r := &http.Request{URL: u, Host: "example.com", Header: http.Header{}}
		if got, want := corsRoutes.allowed(r, method), corsRoutes.muxAllowed(r, method); got != want {
			t.Errorf("%q %q (raw %q): allowed %v, the mux says %v", method, u.Path, u.RawPath, got, want)
		}
	})
}

func BenchmarkCORSAllowedOrders(b *testing.B) {
	r := &http.Request{Method: "POST", URL: &url.URL{Path: "/api/v1/orders"}, Host: "example.com", Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if corsRoutes.allowed(r, r.Method) {
			b.Fatal("orders opened to other origins")
		}
	}
}

func BenchmarkCORSAllowedShow(b *testing.B) {
	r := &http.Request{Method: "GET", URL: &url.URL{Path: "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys"}, Host: "example.com", Header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if !corsRoutes.allowed(r, r.Method) {
			b.Fatal("show closed to other origins")
		}
	}
}
