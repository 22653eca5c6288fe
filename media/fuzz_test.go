package media

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzWHIPOffer feeds arbitrary bodies to the WHIP entry point with a
// valid key: the answer is 201 or a 4xx, never a 5xx or a panic. Seeds are
// in testdata/fuzz/FuzzWHIPOffer (a pion offer, a browser simulcast offer,
// broken and empty ones).
func FuzzWHIPOffer(f *testing.F) {
	f.Add([]byte(noMediaSDP))
	f.Add([]byte(dataOnlySDP))
	srv, err := New(Config{
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		GracePeriod:   time.Millisecond,
		GatherTimeout: time.Second,
	}, Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	h := srv.WHIPHandler()
	f.Fuzz(func(t *testing.T, offer []byte) {
		req := httptest.NewRequest(http.MethodPost, "/whip/fuzz", strings.NewReader(string(offer)))
		req.Header.Set("Content-Type", ContentTypeSDP)
		req.Header.Set("Authorization", "Bearer k")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusCreated:
			del := httptest.NewRecorder()
			h.ServeHTTP(del, httptest.NewRequest(http.MethodDelete, rec.Header().Get("Location"), nil))
			if del.Code != http.StatusOK {
				t.Fatalf("DELETE after 201: %d %s", del.Code, del.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
		default:
			t.Fatalf("status %d for offer %q: %s", rec.Code, offer, rec.Body)
		}
	})
}
