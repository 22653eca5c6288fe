package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	h := Handler()
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/", "<title>hawker", 200},
		{"/shows/shw_123", "<title>hawker", 200},
		{"/admin", "<title>hawker", 200},
		{"/app.js", "textContent", 200},
		{"/nope.js", "", 404},
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
}
