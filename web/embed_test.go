package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	h := Handler()
	index, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	// The entry script Vite wrote into index.html.
	m := regexp.MustCompile(`<script type="module"[^>]* src="(/assets/[^"]+\.js)"`).FindSubmatch(index)
	if m == nil {
		t.Fatalf("dist/index.html has no module script in /assets/:\n%s", index)
	}
	entry := string(m[1])
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/", "<title>hawker", 200},
		{"/shows/shw_123", "<title>hawker", 200},
		{"/admin", "<title>hawker", 200},
		{"/account", "<title>hawker", 200},
		{entry, "customElements", 200},
		{"/poster.svg", "<svg", 200},
		{"/nope.js", "", 404},
		{"/assets/nope.js", "", 404},
		{"/../../etc/passwd", "", 404},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("GET %s = %d %.60q, want %d containing %q", tc.path, rec.Code, rec.Body.String(), tc.status, tc.want)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff header", tc.path)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, entry, nil))
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("GET %s: Cache-Control %q, want immutable", entry, cc)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("GET %s: Content-Type %q", entry, ct)
	}
}

// The built UI must not render data as HTML: no innerHTML or unsafeHTML in
// the bundles (Lit's own template machinery uses innerHTML only on static
// template strings, which is why this checks the app's sources instead).
func TestNoUnsafeHTMLInSources(t *testing.T) {
	sources := os.DirFS("src")
	err := fs.WalkDir(sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sources, p)
		if err != nil {
			return err
		}
		for _, bad := range []string{"unsafeHTML", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s: render user data with Lit text bindings", p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 7's budget: the initial JavaScript of a page (the entry and what
// index.html preloads) is at most 150 KB gzipped; centrifuge, hls.js and
// other fallbacks load lazily.
func TestInitialJSBudget(t *testing.T) {
	index, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range regexp.MustCompile(`(?:src|href)="/(assets/[^"]+\.js)"`).FindAllSubmatch(index, -1) {
		b, err := fs.ReadFile(dist, "dist/"+string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		t.Logf("%s: %d bytes, %d gzipped", m[1], len(b), z.Len())
		total += z.Len()
	}
	if total == 0 || total > 150_000 {
		t.Errorf("initial JavaScript is %d bytes gzipped, want 1..150000", total)
	}
}

// The embeddable player: one module at the stable URL /embed.js (plus the
// chunks it loads on demand), readable by pages on any origin (CORS,
// CORP), cached only briefly (a release reaches every site within
// minutes), small.
func TestEmbedScript(t *testing.T) {
	h := Handler()
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req := httptest.NewRequest(method, "/embed.js", nil)
		req.Header.Set("Origin", "https://shop.example")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s /embed.js = %d", method, rec.Code)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Cross-Origin-Resource-Policy": "cross-origin",
			"Cache-Control":                "public, max-age=300",
			"X-Content-Type-Options":       "nosniff",
		} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s /embed.js: %s = %q, want %q", method, k, got, want)
			}
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%s /embed.js: Content-Type %q", method, ct)
		}
		if v := rec.Header().Get("Access-Control-Allow-Credentials"); v != "" {
			t.Errorf("/embed.js allows credentials: %q", v)
		}
	}
	b, err := fs.ReadFile(dist, "dist/embed.js")
	if err != nil {
		t.Fatal(err)
	}
	// A module script from another origin fetches every import with CORS
	// too: the player imports nothing up front, and on demand only its own
	// chunks in assets/embed/ (centrifuge, hls.js), which answer CORS.
	lazy := regexp.MustCompile("import\\([\"'`]\\./(assets/embed/[\\w.-]+\\.js)[\"'`]\\)")
	rest := lazy.ReplaceAll(b, nil)
	if m := regexp.MustCompile(`(?m)(^|[;}\s])import\s*[\w{*"'(]|\bfrom\s*["']|/assets/`).Find(rest); m != nil {
		t.Errorf("embed.js imports more than its own lazy chunks: found %q", m)
	}
	chunks := lazy.FindAllSubmatch(b, -1)
	if len(chunks) < 2 {
		t.Errorf("embed.js loads %d chunks on demand, want centrifuge's and hls.js's", len(chunks))
	}
	for _, c := range chunks {
		req := httptest.NewRequest(http.MethodGet, "/"+string(c[1]), nil)
		req.Header.Set("Origin", "https://shop.example")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("Cross-Origin-Resource-Policy") != "cross-origin" ||
			!strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET /%s = %d, ACAO %q, CORP %q, Cache-Control %q: want 200, *, cross-origin, immutable", c[1], rec.Code,
				rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Cross-Origin-Resource-Policy"), rec.Header().Get("Cache-Control"))
		}
	}
	// hls.js stays out of the initial script (its event names are in it).
	if bytes.Contains(b, []byte("hlsMediaAttaching")) {
		t.Error("embed.js bundles hls.js: it must load on demand")
	}
	for _, want := range []string{"hawker-show", "import.meta.url", "hawker:add-to-cart", "hawker:order-placed", "hawker:product-click"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("embed.js lacks %q", want)
		}
	}
	// The studio's strings stay out of it (only the embed's catalogs).
	if bytes.Contains(b, []byte("studio.cam.")) {
		t.Error("embed.js carries the studio's catalogs")
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(b)
	w.Close()
	t.Logf("embed.js: %d bytes, %d gzipped", len(b), z.Len())
	if z.Len() > 30_000 {
		t.Errorf("embed.js is %d bytes gzipped, want at most 30000", z.Len())
	}
	// The page routes of the embed are pages; app files keep their cache.
	for _, p := range []string{"/embed/demo", "/embed/checkout/shw_1/prd_1", "/studio/shw_1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<title>hawker") {
			t.Errorf("GET %s = %d, want the app page", p, rec.Code)
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s answers CORS: pages are same-origin only", p)
		}
	}
}
