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
