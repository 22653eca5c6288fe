// Package web serves hawker's browser UI from files embedded in the binary,
// so `go build` alone makes a complete platform. The sources (Vite +
// TypeScript + Lit) are in src/; `make web` builds them into dist/, which is
// committed and embedded.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the UI: files from dist, and index.html for the page routes
// (/, /shows/…, /studio/…, /admin…, /embed/…) so the client-side app can
// route them, and the embeddable player at /embed.js.
func Handler() http.Handler {
	files, _ := fs.Sub(dist, "dist")
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p == "" || isPage(p) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'")
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, files, "index.html")
			return
		}
		if _, err := fs.Stat(files, p); err != nil {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(p, "assets/") {
			// Vite names these by content hash: they never change.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		if p == "embed.js" || strings.HasPrefix(p, "assets/embed/") {
			// The embeddable player: other sites load it by this stable
			// URL as a module script, which browsers fetch with CORS, and
			// so are the chunks it imports on demand (centrifuge for its
			// chat, hls.js for its LL-HLS fallback; hashed, so cached like
			// the other assets). embed.js is cached briefly, so a new
			// release reaches every site within minutes.
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
			if p == "embed.js" {
				w.Header().Set("Cache-Control", "public, max-age=300")
			}
		}
		fileServer.ServeHTTP(w, r)
	})
}

func isPage(p string) bool {
	for _, prefix := range []string{"shows/", "studio/", "admin", "account", "login", "embed/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
