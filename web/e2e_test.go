package web

// Browser test: the built UI in Debian's chromium, driven by playwright-core
// (e2e/run.mjs, which runs e2e/checkout.mjs too). The API here is a
// stand-in — an httptest server with just the routes the pages call, one
// shop, four shows, two products and three markets, the checkout of
// e2e_checkout_test.go, plus a real centrifuge node on
// /connection/websocket that publishes chat, viewers and likes (and what
// the checkout test asks it to) — until the whole-binary E2E (a real
// `hawker serve` with a fresh store) lands.
//
// Needs /usr/bin/chromium (or chromium on PATH), node, and web/node_modules
// (npm ci in web/). Without them the test skips and says why; with
// HAWKER_TEST_REQUIRE_BROWSER set it fails instead.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"
)

const (
	e2eShop      = "shp_01jd8c9n0000000000000000"
	e2eLiveShow  = "shw_01jd8c9n0000000000000001"
	e2eSoonShow  = "shw_01jd8c9n0000000000000002"
	e2eProduct   = "prd_01jd8c9n0000000000000003"
	e2eImage     = "img_01jd8c9n0000000000000004"
	e2eXSS       = "<img src=x onerror=alert(1)>"
	e2eCSRF      = "csrf_e2e"
	e2eSession   = "hs_e2e"
	e2eShowTitle = "Silk <i>week</i> preview"
)

const (
	e2eReplayShow   = "shw_01jd8c9n00000000000000e1" // ended, with a replay
	e2eNoReplayShow = "shw_01jd8c9n00000000000000e2" // ended, no replay (404)
)

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, node := browserTools(t)

	replay := e2eReplayMedia(t)
	srv := httptest.NewServer(e2eServer(t, replay))
	defer srv.Close()

	shots := filepath.Join("e2e", "screenshots")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "run.mjs"))
	cmd.Env = append(os.Environ(),
		"HAWKER_E2E_URL="+srv.URL,
		"HAWKER_E2E_CHROMIUM="+chromium,
		"HAWKER_E2E_SCREENSHOTS="+shots,
		fmt.Sprintf("HAWKER_E2E_REPLAY_MEDIA=%t", replay != ""),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("e2e/run.mjs:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}
}

// browserTools finds chromium and node, and checks web/node_modules.
func browserTools(t *testing.T) (chromium, node string) {
	t.Helper()
	missing := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("HAWKER_TEST_REQUIRE_BROWSER") != "" {
			t.Fatalf("HAWKER_TEST_REQUIRE_BROWSER is set but %s", msg)
		}
		t.Skipf("SKIPPED browser test: %s (set HAWKER_TEST_REQUIRE_BROWSER=1 to make this a failure)", msg)
	}
	chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if chromium, err = exec.LookPath("chromium"); err != nil {
			missing("no chromium (apt-get install -y chromium)")
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node on PATH")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		missing("web/node_modules has no playwright-core (run: cd web && npm ci)")
	}
	return chromium, node
}

// e2eReplayMedia makes a tiny HLS VOD (2 s, fMP4) with ffmpeg for the
// replay check and returns its directory, or "" (the check is skipped,
// visibly) without ffmpeg.
func e2eReplayMedia(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Log("SKIPPED replay playback check: no ffmpeg on PATH")
		return ""
	}
	dir := t.TempDir()
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "2",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "hls", "-hls_time", "1", "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod",
		filepath.Join(dir, "index.m3u8"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("SKIPPED replay playback check: ffmpeg failed: %v\n%s", err, out)
		return ""
	}
	return dir
}

// e2eServer is the UI (Handler) plus the stand-in API and realtime;
// replayDir holds the replay's HLS VOD ("" for none).
func e2eServer(t *testing.T, replayDir string) http.Handler {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	markets := []map[string]any{
		market("US", "United States", "USD", 2, "exclusive", "en-US"),
		market("DE", "Germany", "EUR", 2, "inclusive", "de-DE", "en"),
		market("VN", "Vietnam", "VND", 0, "inclusive", "vi-VN"),
	}
	show := func(id, title, state string, scheduled *time.Time, viewers int, pinned any) map[string]any {
		var started any
		if state == "live" {
			started = now.Add(-10 * time.Minute)
		}
		return map[string]any{
			"id": id, "shop_id": e2eShop, "host_id": "usr_01jd8c9n0000000000000005", "title": title,
			"description": "", "markets": []string{"US", "DE", "VN"}, "scheduled_at": scheduled, "state": state,
			"pinned_product_id": pinned, "viewer_count": viewers, "active_deal": nil, "created_at": now.Add(-time.Hour),
			"started_at": started, "ended_at": nil, "now": now,
		}
	}
	soon := now.Add(2 * time.Hour)
	shows := []map[string]any{
		show(e2eLiveShow, "Morning market", "live", nil, 1234, nil),
		show(e2eSoonShow, e2eShowTitle, "scheduled", &soon, 0, e2eProduct),
		show(e2eShopShow, "Scarves and shirts", "live", nil, 87, e2eProduct),
		show(e2eDealShow, "Flash deal hour", "live", nil, 55, e2eShirt),
	}

	product := map[string]any{
		"id": e2eProduct, "shop_id": e2eShop, "title": e2eXSS + " Silk scarf", "description": "",
		"images": []string{e2eImage}, "translations": map[string]any{"de": map[string]string{"title": "Seidenschal <b>fein</b>"}},
		"skus": []map[string]any{{
			"id": "sku_01jd8c9n0000000000000006", "product_id": e2eProduct, "shop_id": e2eShop, "code": "SCARF-1",
			"options": map[string]string{}, "prices": map[string]int64{"US": 2999, "DE": 2999, "VN": 2450000},
			"max_per_buyer": nil, "on_hand": 10,
		}},
		"created_at": now, "updated_at": now,
	}
	shirt := e2eShirtProduct(now)
	products := map[string]map[string]any{e2eProduct: product, e2eShirt: shirt}
	user := map[string]any{"id": "usr_01jd8c9n0000000000000007", "email": "ana@example.com", "name": "Ana", "market": "US", "roles": []string{"buyer"}, "created_at": now}
	rt, node := e2eRealtime(t, now)
	checkout := newE2ECheckout(node)

	mux := http.NewServeMux()
	mux.Handle("/", Handler())
	list := func(items any) map[string]any { return map[string]any{"items": items, "next_cursor": nil} }
	mux.HandleFunc("GET /api/v1/markets", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, list(markets)) })
	mux.HandleFunc("GET /api/v1/shows", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, list(shows)) })
	// Ended shows: not listed, only opened by id.
	ended := func(id, title string) map[string]any {
		s := show(id, title, "ended", nil, 0, nil)
		s["started_at"], s["ended_at"] = now.Add(-2*time.Hour), now.Add(-time.Hour)
		return s
	}
	endedShows := []map[string]any{ended(e2eReplayShow, "Yesterday's scarves"), ended(e2eNoReplayShow, "Unrecorded show")}
	mux.HandleFunc("GET /api/v1/shows/{id}/replay", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != e2eReplayShow {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"replay": map[string]any{
			"show_id": e2eReplayShow, "playlist_url": "/replays/" + e2eReplayShow + "/index.m3u8",
			"timeline_url": "/replays/" + e2eReplayShow + "/timeline.json", "duration_seconds": 2, "ended_at": now.Add(-time.Hour),
		}})
	})
	mux.HandleFunc("GET /replays/{show}/{file}", func(w http.ResponseWriter, r *http.Request) {
		if replayDir == "" || r.PathValue("show") != e2eReplayShow || strings.ContainsAny(r.PathValue("file"), "/\\") {
			notFound(w)
			return
		}
		http.ServeFile(w, r, filepath.Join(replayDir, r.PathValue("file")))
	})
	mux.HandleFunc("GET /api/v1/shows/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, s := range append(shows, endedShows...) {
			if s["id"] == r.PathValue("id") {
				if s["id"] == e2eDealShow {
					c := maps.Clone(s)
					// The deal show's server clock runs behind the browser's:
					// a page counting down on its own clock would show the
					// deal as long over.
					at := time.Now().UTC().Add(e2eClockSkew)
					c["now"] = at
					if d := checkout.dealAt(at); d["state"] == "active" {
						c["active_deal"] = d
					}
					s = c
				}
				writeJSON(w, 200, map[string]any{"show": s})
				return
			}
		}
		notFound(w)
	})
	mux.HandleFunc("GET /api/v1/shows/{id}/products", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case e2eShopShow, e2eDealShow:
			writeJSON(w, 200, list([]any{product, shirt}))
		case e2eLiveShow, e2eSoonShow, e2eReplayShow, e2eNoReplayShow:
			writeJSON(w, 200, list([]any{}))
		default:
			notFound(w)
		}
	})
	mux.HandleFunc("GET /api/v1/shops/{shop}/products", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("shop") != e2eShop {
			notFound(w)
			return
		}
		writeJSON(w, 200, list([]any{product, shirt}))
	})
	mux.HandleFunc("GET /api/v1/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := products[r.PathValue("id")]
		if !ok {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"product": p})
	})
	mux.HandleFunc("GET /media/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for i := range img.Pix {
			img.Pix[i] = []uint8{0xc2, 0x41, 0x0c, 0xff}[i%4]
		}
		img.Set(0, 0, color.White)
		w.Header().Set("Content-Type", "image/png")
		_ = png.Encode(w, img)
	})
	mux.HandleFunc("GET /api/v1/realtime/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"token": "e2e-token", "expires_at": now.Add(time.Hour)})
	})
	// Accounts: cookie sessions whose writes need the CSRF token.
	signedIn := func(r *http.Request) bool {
		c, err := r.Cookie("hawker_session")
		return err == nil && c.Value == e2eSession
	}
	auth := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["session"] != "cookie" {
				writeJSON(w, 400, apiError("bad_request", "want JSON with session cookie"))
				return
			}
			if body["password"] == "wrong-password" {
				writeJSON(w, 401, apiError("unauthenticated", "Wrong email or password."))
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "hawker_session", Value: e2eSession, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			writeJSON(w, status, map[string]any{"user": user, "csrf_token": e2eCSRF})
		}
	}
	mux.HandleFunc("POST /api/v1/auth/signup", auth(201))
	mux.HandleFunc("POST /api/v1/auth/login", auth(200))
	mux.HandleFunc("POST /api/v1/auth/logout", func(w http.ResponseWriter, r *http.Request) {
		if !signedIn(r) {
			writeJSON(w, 401, apiError("unauthenticated", "no session"))
			return
		}
		if r.Header.Get("X-CSRF-Token") != e2eCSRF {
			writeJSON(w, 403, apiError("forbidden", "Missing or wrong X-CSRF-Token header."))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "hawker_session", Value: "", Path: "/", MaxAge: -1})
		w.WriteHeader(204)
	})
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		if !signedIn(r) {
			writeJSON(w, 401, apiError("unauthenticated", "no session"))
			return
		}
		writeJSON(w, 200, map[string]any{"user": user, "shops": []any{}})
	})
	// WHEP: the live show's stream is not up yet (409 + Retry-After, as
	// media/http.go answers before the publisher arrives).
	mux.HandleFunc("POST /whep/{show}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/sdp" {
			writeJSON(w, 415, apiError("unsupported_media_type", "Content-Type must be application/sdp."))
			return
		}
		w.Header().Set("Retry-After", "1")
		writeJSON(w, 409, apiError("invalid_state", "The show is not streaming yet."))
	})
	checkout.register(mux, signedIn)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	mux.Handle("/connection/websocket", rt)
	return mux
}

// e2eRealtime is a centrifuge node that accepts any token and, when a
// viewer subscribes to a show's channels, publishes a chat batch (with
// markup in it), a viewer count and a like total. The node is returned
// for the checkout stand-in's publications.
func e2eRealtime(t *testing.T, now time.Time) (http.Handler, *centrifuge.Node) {
	t.Helper()
	node, err := centrifuge.New(centrifuge.Config{})
	if err != nil {
		t.Fatal(err)
	}
	publishLater := func(channel string, v any) {
		data, _ := json.Marshal(v)
		time.AfterFunc(300*time.Millisecond, func() { _, _ = node.Publish(channel, data) })
	}
	node.OnConnecting(func(ctx context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		if e.Token != "e2e-token" {
			return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
		}
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{UserID: ""}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			cb(centrifuge.SubscribeReply{}, nil)
			kind, _, _ := strings.Cut(e.Channel, ":")
			switch kind {
			case "chat":
				publishLater(e.Channel, map[string]any{"type": "messages", "items": []map[string]any{
					{"id": "msg_1", "user": map[string]string{"id": "usr_1", "name": "Mallory <b>M</b>"}, "text": e2eXSS, "sent_at": now},
					{"id": "msg_2", "user": map[string]string{"id": "usr_2", "name": "Bao"}, "text": "Xin chào!", "sent_at": now},
				}})
			case "show":
				publishLater(e.Channel, map[string]any{"type": "viewers", "count": 42})
			case "likes":
				publishLater(e.Channel, map[string]any{"type": "likes", "total": 7})
			}
		})
	})
	if err := node.Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Shutdown(context.Background()) })
	return centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{}), node
}

func market(code, name, currency string, minor int, taxMode string, locales ...string) map[string]any {
	return map[string]any{
		"code": code, "name": name, "currency": currency, "minor_units": minor, "tax_mode": taxMode,
		"tax_rate_bps": 0, "locales": locales, "withdrawal_days": 14, "features": []string{}, "reservation_minutes": 15,
	}
}

func apiError(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}

func notFound(w http.ResponseWriter) { writeJSON(w, 404, apiError("not_found", "Not found.")) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
