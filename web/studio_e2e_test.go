package web

// Browser test of the host studio (/studio/{id}) and the embeddable player
// (/embed.js on another origin, and /embed/demo), run by e2e/studio.mjs
// (which runs e2e/embed.mjs while the studio is still broadcasting).
//
// The API is a stand-in — an httptest server with the routes these pages
// call, answering in the shapes of http/openapi.json and
// http/openapi/*.json, with one shop, one show, three products and cookie
// sessions whose writes need the CSRF token — because the binary
// (cmd/hawker, package main) cannot be started from here. The parts that
// matter most are real: the media server is hawker/media's SFU, so the
// studio's Go Live publishes Chromium's fake camera over WHIP and this test
// checks the SFU received video (media.Server.Stats and a packet tap), and
// the embedded player on another origin watches that stream over WHEP; the
// API is wrapped in hawkerhttp.PublicCORS, the middleware the server uses,
// so the cross-origin reads of the player go through the real CORS rules;
// realtime is a real centrifuge node.
//
// The stand-in's clock runs two hours behind the browser's: the studio's
// deal countdown must follow the server's now.
//
// Needs chromium, node and web/node_modules (see browserTools in
// e2e_test.go); skips visibly without them, fails with
// HAWKER_TEST_REQUIRE_BROWSER=1.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/pion/webrtc/v4"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/media"
)

const (
	stShop     = "shp_01jd8c9n00000000000000s0"
	stShow     = "shw_01jd8c9n00000000000000s1"
	stHost     = "usr_01jd8c9n00000000000000s2"
	stBuyer    = "usr_01jd8c9n00000000000000s3"
	stStranger = "usr_01jd8c9n00000000000000s4"
	stViewer   = "usr_01jd8c9n00000000000000s5"
	stTea      = "prd_01jd8c9n00000000000000t0"
	stTeaSKU   = "sku_01jd8c9n00000000000000t1"
	stCups     = "prd_01jd8c9n00000000000000c0"
	stCupsS    = "sku_01jd8c9n00000000000000c1"
	stCupsL    = "sku_01jd8c9n00000000000000c2"
	stKettle   = "prd_01jd8c9n00000000000000k0"
	stKettleK  = "sku_01jd8c9n00000000000000k1"
	stImage    = "img_01jd8c9n00000000000000i0"
	stTeaTitle = "Jasmine tea <i>tin</i>"
	stSkew     = -2 * time.Hour // the server's clock, against the browser's
)

func TestStudioAndEmbedBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, node := browserTools(t)

	api := newStudioAPI(t)
	srv := httptest.NewServer(api.handler())
	defer srv.Close()
	// The host page of the embed: another origin (and another site:
	// localhost, not 127.0.0.1).
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.NewReplacer("{{HAWKER}}", srv.URL, "{{SHOW}}", stShow).Replace(hostPage))
	}))
	defer site.Close()
	siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "studio.mjs"))
	cmd.Env = append(os.Environ(),
		"HAWKER_E2E_URL="+srv.URL,
		"HAWKER_E2E_SITE="+siteURL,
		"HAWKER_E2E_CHROMIUM="+chromium,
		"HAWKER_E2E_SCREENSHOTS="+filepath.Join("e2e", "screenshots"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("e2e/studio.mjs:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}

	// What the SFU got from the studio's browser, whatever the script saw.
	if n := api.videoPackets.Load(); n < 30 {
		t.Errorf("the media server received %d video packets from the studio, want at least 30", n)
	}
	if n := api.keyframes.Load(); n < 1 {
		t.Errorf("the media server received no video keyframe")
	}
	if api.maxViewers.Load() < 1 {
		t.Errorf("no WHEP viewer (the embed on another origin) was ever counted by the media server")
	}
	api.mu.Lock()
	codec, transitions := api.codec, slices.Clone(api.transitions)
	api.mu.Unlock()
	t.Logf("studio video codec: %s, %d packets, %d keyframes; show transitions %v", codec, api.videoPackets.Load(), api.keyframes.Load(), transitions)
	if !strings.Contains(strings.ToLower(codec), "h264") && !strings.Contains(strings.ToLower(codec), "vp8") {
		t.Errorf("video codec %q, want H264 (or VP8 where Chromium has no H.264 encoder)", codec)
	}
}

// hostPage is a shop's page with CSS that would wreck an unprotected
// widget (and that an unprotected widget could wreck), embedding the
// player from the hawker origin.
const hostPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lantern tea shop</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  * { color: red; font-family: "Comic Sans MS", cursive; letter-spacing: 3px; }
  .button { background: rgb(0, 255, 0); border: 4px dashed blue; padding: 30px; border-radius: 0; }
  button { text-transform: uppercase; }
  p { margin: 40px; }
  hawker-show { --hawker-accent: rgb(0, 90, 200); }
</style></head>
<body>
<h1>Lantern tea shop</h1>
<button class="button" id="own-button">Our own button</button>
<h3 id="own-heading">Our heading</h3>
<ul id="own-list"><li>one</li><li>two</li></ul>
<div style="width: 380px"><hawker-show show="{{SHOW}}" theme="light" locale="de-DE"></hawker-show></div>
<script>
  window.hawkerEvents = [];
  for (const type of ["hawker:product-click", "hawker:add-to-cart", "hawker:order-placed"]) {
    document.addEventListener(type, (e) => window.hawkerEvents.push({ type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed, target: e.target.tagName }));
  }
</script>
<script type="module" src="{{HAWKER}}/embed.js"></script>
</body></html>`

// studioAPI is the stand-in API, realtime and media of the test.
type studioAPI struct {
	t    *testing.T
	node *centrifuge.Node
	sfu  *media.Server

	videoPackets atomic.Int64
	keyframes    atomic.Int64
	maxViewers   atomic.Int64

	mu          sync.Mutex
	codec       string
	state       string
	pinned      string
	bag         []string
	viewers     int
	streamKeys  []string // every key made; the last one is valid
	deals       []map[string]any
	dealBodies  []map[string]any
	moderation  map[string]any
	modBodies   []map[string]any
	muted       []string
	deleted     []string
	transitions []string
	orders      []map[string]any
	seq         int
}

func (a *studioAPI) now() time.Time { return time.Now().UTC().Add(stSkew).Truncate(time.Millisecond) }

func newStudioAPI(t *testing.T) *studioAPI {
	t.Helper()
	a := &studioAPI{
		t:          t,
		state:      "scheduled",
		bag:        []string{stTea, stCups},
		moderation: map[string]any{"slow_mode_seconds": 0, "blocked_words": []string{}, "links_allowed": false, "rate_per_second": 1, "burst": 3},
		muted:      []string{},
	}
	node, err := centrifuge.New(centrifuge.Config{})
	if err != nil {
		t.Fatal(err)
	}
	node.OnConnecting(func(ctx context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		user, ok := strings.CutPrefix(e.Token, "rt:")
		if !ok {
			return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
		}
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{UserID: user}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			cb(centrifuge.SubscribeReply{}, nil)
		})
		// The chat's recent messages, as the hub keeps them (the embed
		// shows them on joining).
		c.OnHistory(func(e centrifuge.HistoryEvent, cb centrifuge.HistoryCallback) {
			cb(centrifuge.HistoryReply{}, nil)
		})
		// chat.send as the realtime hub answers it: the host's message goes
		// to everyone on chat:{show}.
		c.OnRPC(func(e centrifuge.RPCEvent, cb centrifuge.RPCCallback) {
			var req struct {
				ShowID string `json:"show_id"`
				Text   string `json:"text"`
			}
			if e.Method != "chat.send" || json.Unmarshal(e.Data, &req) != nil || c.UserID() == "" {
				cb(centrifuge.RPCReply{}, &centrifuge.Error{Code: 1000, Message: "unauthenticated"})
				return
			}
			a.mu.Lock()
			muted := slices.Contains(a.muted, c.UserID())
			a.mu.Unlock()
			if muted {
				cb(centrifuge.RPCReply{}, &centrifuge.Error{Code: 1003, Message: "muted"})
				return
			}
			msg := a.chatMessage("msg_host_"+strconv.FormatInt(time.Now().UnixNano(), 36), c.UserID(), "Hana Host", req.Text)
			a.publish("chat:"+req.ShowID, map[string]any{"type": "messages", "items": []any{msg}})
			data, _ := json.Marshal(map[string]any{"message": msg})
			cb(centrifuge.RPCReply{Data: data}, nil)
		})
	})
	if err := node.Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Shutdown(context.Background()) })
	a.node = node

	sfu, err := media.New(media.Config{GracePeriod: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, media.Hooks{
		AuthorizePublish: func(ctx context.Context, showID, key string) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			if showID != stShow {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			}
			if len(a.streamKeys) == 0 || key != a.streamKeys[len(a.streamKeys)-1] {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong stream key.")
			}
			if a.state == "ended" {
				return hawker.Errorf(hawker.ESTATE, "The show has ended.")
			}
			return nil
		},
		AuthorizeView: func(ctx context.Context, showID string, r *http.Request) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			if showID != stShow {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			}
			if a.state != "live" {
				return hawker.Errorf(hawker.ESTATE, "The show is not live.")
			}
			return nil
		},
		// As `hawker serve --go-live=auto`: media makes the show live.
		PublisherStarted: func(showID string) {
			a.mu.Lock()
			changed := a.state == "scheduled" || a.state == "rehearsal"
			if changed {
				a.state = "live"
				a.transitions = append(a.transitions, "media:live")
			}
			a.mu.Unlock()
			if changed {
				a.publish("show:"+showID, map[string]any{"type": "state", "state": "live"})
			}
		},
		PublisherGone: func(string) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sfu.Close() })
	a.sfu = sfu
	// The tap: every packet the SFU forwards from the studio's browser.
	sub, err := sfu.Subscribe(stShow, mediaTap{a}, media.SubscribeOptions{Layer: media.LayerHighest})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return a
}

type mediaTap struct{ a *studioAPI }

func (m mediaTap) WritePacket(p *media.Packet) error {
	if p.Kind != webrtc.RTPCodecTypeVideo {
		return nil
	}
	m.a.videoPackets.Add(1)
	if p.Keyframe {
		m.a.keyframes.Add(1)
	}
	m.a.mu.Lock()
	m.a.codec = p.Codec.MimeType
	m.a.mu.Unlock()
	return nil
}

func (a *studioAPI) publish(channel string, v any) {
	data, _ := json.Marshal(v)
	var opts []centrifuge.PublishOption
	if strings.HasPrefix(channel, "chat:") {
		opts = append(opts, centrifuge.WithHistory(100, time.Hour))
	}
	if _, err := a.node.Publish(channel, data, opts...); err != nil {
		a.t.Logf("publish %s: %v", channel, err)
	}
}

func (a *studioAPI) chatMessage(id, userID, name, text string) map[string]any {
	return map[string]any{"id": id, "user": map[string]string{"id": userID, "name": name}, "text": text, "sent_at": a.now()}
}

// Sessions: a cookie per user; writes need that session's CSRF token.
var stSessions = map[string]string{"hs_st_host": stHost, "hs_st_buyer": stBuyer, "hs_st_stranger": stStranger}

func (a *studioAPI) user(r *http.Request) string {
	c, err := r.Cookie("hawker_session")
	if err != nil {
		return ""
	}
	return stSessions[c.Value]
}

func csrfOf(r *http.Request) string {
	c, _ := r.Cookie("hawker_session")
	if c == nil {
		return ""
	}
	return "csrf_" + c.Value
}

// runner answers for the show's runners only (the host): 401, 403, and
// the CSRF check on writes, as the real server does.
func (a *studioAPI) runner(w http.ResponseWriter, r *http.Request) bool {
	switch u := a.user(r); {
	case u == "":
		writeJSON(w, 401, apiError("unauthenticated", "Log in first."))
		return false
	case r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != csrfOf(r):
		writeJSON(w, 403, apiError("forbidden", "Missing or wrong X-CSRF-Token header."))
		return false
	case u != stHost:
		writeJSON(w, 403, apiError("forbidden", "Only the show's host and co-hosts, the shop's hosts and sellers may run this show."))
		return false
	}
	return true
}

func stProduct(id, title string, skus ...map[string]any) map[string]any {
	for _, s := range skus {
		s["product_id"], s["shop_id"] = id, stShop
	}
	return map[string]any{
		"id": id, "shop_id": stShop, "title": title, "description": "", "images": []string{stImage},
		"translations": map[string]any{}, "skus": skus, "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
	}
}

func stSKU(id, code string, options map[string]string, price int64) map[string]any {
	return map[string]any{"id": id, "code": code, "options": options, "prices": map[string]int64{"DE": price}, "max_per_buyer": nil, "on_hand": 50, "available": 40}
}

var stProducts = map[string]map[string]any{
	stTea:    stProduct(stTea, stTeaTitle, stSKU(stTeaSKU, "TEA-1", map[string]string{}, 1999)),
	stCups:   stProduct(stCups, "Tea cups", stSKU(stCupsS, "CUP-S", map[string]string{"size": "S"}, 1299), stSKU(stCupsL, "CUP-L", map[string]string{"size": "L"}, 1599)),
	stKettle: stProduct(stKettle, "Iron kettle", stSKU(stKettleK, "KETTLE", map[string]string{}, 4999)),
}

func stPrice(skuID string) (int64, string) {
	for pid, p := range stProducts {
		for _, s := range p["skus"].([]map[string]any) {
			if s["id"] == skuID {
				return s["prices"].(map[string]int64)["DE"], pid
			}
		}
	}
	return 0, ""
}

// dealAt is the deal as the API answers it at now, with its state by the
// server's clock.
func dealAt(d map[string]any, now time.Time) map[string]any {
	c := make(map[string]any, len(d)+1)
	for k, v := range d {
		c[k] = v
	}
	if c["state"] == "active" {
		if ends := c["ends_at"].(time.Time); !now.Before(ends) {
			c["state"] = "ended"
		}
	}
	c["now"] = now
	return c
}

func (a *studioAPI) showLocked(now time.Time) map[string]any {
	var pinned, active any
	if a.pinned != "" {
		pinned = a.pinned
	}
	for _, d := range a.deals {
		if c := dealAt(d, now); c["state"] == "active" {
			active = c
		}
	}
	return map[string]any{
		"id": stShow, "shop_id": stShop, "host_id": stHost, "title": "Tea tasting live", "description": "",
		"markets": []string{"DE"}, "scheduled_at": now.Add(10 * time.Minute), "state": a.state, "created_at": now.Add(-time.Hour),
		"pinned_product_id": pinned, "viewer_count": a.viewers, "active_deal": active, "started_at": nil, "ended_at": nil, "now": now,
		"cover_image_id": nil, "cover_image_url": nil,
	}
}

func (a *studioAPI) bagLocked() []any {
	out := []any{}
	for _, id := range a.bag {
		out = append(out, stProducts[id])
	}
	return out
}

func stList(items any) map[string]any { return map[string]any{"items": items, "next_cursor": nil} }

func (a *studioAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", Handler())
	mux.Handle("/whip/", a.sfu.WHIPHandler())
	mux.Handle("/whep/", a.sfu.WHEPHandler())
	// LL-HLS, the embed's fallback where WHEP cannot play.
	mux.Handle("/hls/", a.sfu.HLSHandler())
	mux.Handle("/connection/websocket", centrifuge.NewWebsocketHandler(a.node, centrifuge.WebsocketConfig{}))
	show := func(h func(w http.ResponseWriter, r *http.Request)) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.PathValue("id") != stShow {
				notFound(w)
				return
			}
			h(w, r)
		}
	}
	answerShow := func(w http.ResponseWriter, status int) {
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, status, map[string]any{"show": a.showLocked(a.now())})
	}
	decodeBody := func(w http.ResponseWriter, r *http.Request, v any) bool {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(v); err != nil {
			writeJSON(w, 400, apiError("bad_request", "The body is not valid JSON."))
			return false
		}
		return true
	}

	mux.HandleFunc("GET /api/v1/markets", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, stList([]any{market("DE", "Germany", "EUR", 2, "inclusive", "de-DE", "en"), market("US", "United States", "USD", 2, "exclusive", "en-US")}))
	})
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		names := map[string]string{stHost: "Hana Host", stBuyer: "Ben Buyer", stStranger: "Sam Stranger"}
		u := a.user(r)
		if u == "" {
			writeJSON(w, 401, apiError("unauthenticated", "Log in first."))
			return
		}
		shops := []any{}
		if u == stHost {
			// A host of the shop, not a seller: the show's orders and
			// sales are hers, the shop's order list is not.
			shops = append(shops, map[string]string{"shop_id": stShop, "role": "host"})
		}
		writeJSON(w, 200, map[string]any{
			"user":       map[string]any{"id": u, "email": u + "@example.com", "name": names[u], "market": "DE", "roles": []string{"buyer"}, "created_at": "2025-01-01T00:00:00Z"},
			"shops":      shops,
			"csrf_token": csrfOf(r),
		})
	})
	mux.HandleFunc("GET /api/v1/realtime/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"token": "rt:" + a.user(r), "expires_at": a.now().Add(time.Hour)})
	})
	mux.HandleFunc("GET /api/v1/shows", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, 200, stList([]any{a.showLocked(a.now())}))
	})
	mux.HandleFunc("GET /api/v1/shows/{id}", show(func(w http.ResponseWriter, r *http.Request) { answerShow(w, 200) }))
	mux.HandleFunc("GET /api/v1/shows/{id}/team", show(func(w http.ResponseWriter, r *http.Request) {
		if a.user(r) != stHost {
			notFound(w) // the team is private
			return
		}
		writeJSON(w, 200, stList([]any{}))
	}))
	mux.HandleFunc("GET /api/v1/shows/{id}/products", show(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, 200, stList(a.bagLocked()))
	}))
	mux.HandleFunc("PUT /api/v1/shows/{id}/products", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		var req struct {
			ProductIDs []string `json:"product_ids"`
		}
		if !decodeBody(w, r, &req) {
			return
		}
		for i, id := range req.ProductIDs {
			if stProducts[id] == nil {
				writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "no such product in the show's shop", "field": fmt.Sprintf("product_ids[%d]", i)}})
				return
			}
		}
		a.mu.Lock()
		a.bag = req.ProductIDs
		unpinned := a.pinned != "" && !slices.Contains(a.bag, a.pinned)
		if unpinned {
			a.pinned = ""
		}
		out := a.bagLocked()
		a.mu.Unlock()
		if unpinned {
			a.publish("show:"+stShow, map[string]any{"type": "unpinned"})
		}
		writeJSON(w, 200, stList(out))
	}))
	mux.HandleFunc("GET /api/v1/shops/{shop}/products", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("shop") != stShop {
			notFound(w)
			return
		}
		writeJSON(w, 200, stList([]any{stProducts[stTea], stProducts[stCups], stProducts[stKettle]}))
	})
	mux.HandleFunc("GET /api/v1/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		p := stProducts[r.PathValue("id")]
		if p == nil {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"product": p})
	})
	mux.HandleFunc("GET /media/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for i := range img.Pix {
			img.Pix[i] = []uint8{0x14, 0x53, 0x2d, 0xff}[i%4]
		}
		w.Header().Set("Content-Type", "image/png")
		_ = png.Encode(w, img)
	})
	for _, tr := range []struct {
		verb, to string
		from     []string
	}{
		{"rehearse", "rehearsal", []string{"scheduled"}},
		{"start", "live", []string{"scheduled", "rehearsal"}},
		{"end", "ended", []string{"rehearsal", "live"}},
	} {
		mux.HandleFunc("POST /api/v1/shows/{id}/"+tr.verb, show(func(w http.ResponseWriter, r *http.Request) {
			if !a.runner(w, r) {
				return
			}
			a.mu.Lock()
			ok := slices.Contains(tr.from, a.state)
			if ok {
				a.state = tr.to
				a.transitions = append(a.transitions, tr.verb)
			}
			a.mu.Unlock()
			if !ok {
				writeJSON(w, 409, apiError("invalid_state", "The show cannot "+tr.verb+" now."))
				return
			}
			a.publish("show:"+stShow, map[string]any{"type": "state", "state": tr.to})
			answerShow(w, 200)
		}))
	}
	mux.HandleFunc("POST /api/v1/shows/{id}/pin", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		var req struct {
			ProductID string `json:"product_id"`
		}
		if !decodeBody(w, r, &req) {
			return
		}
		a.mu.Lock()
		inBag := slices.Contains(a.bag, req.ProductID)
		if inBag {
			a.pinned = req.ProductID
		}
		a.mu.Unlock()
		if !inBag {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "the product is not in the show's bag", "field": "product_id"}})
			return
		}
		a.publish("show:"+stShow, map[string]any{"type": "pinned", "product": stProducts[req.ProductID]})
		answerShow(w, 200)
	}))
	mux.HandleFunc("POST /api/v1/shows/{id}/unpin", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		a.pinned = ""
		a.mu.Unlock()
		a.publish("show:"+stShow, map[string]any{"type": "unpinned"})
		answerShow(w, 200)
	}))
	mux.HandleFunc("POST /api/v1/shows/{id}/stream-key", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		a.seq++
		key := fmt.Sprintf("hsk_e2e%08d", a.seq)
		a.streamKeys = append(a.streamKeys, key)
		a.mu.Unlock()
		writeJSON(w, 201, map[string]any{"stream_key": key, "whip_url": "http://" + r.Host + "/whip/" + stShow})
	}))
	mux.HandleFunc("GET /api/v1/shows/{id}/media", show(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		ended := a.state == "ended"
		a.mu.Unlock()
		if ended {
			writeJSON(w, 409, apiError("invalid_state", "The show has ended."))
			return
		}
		m := map[string]any{"mode": "embedded", "whep_url": "http://" + r.Host + "/whep/" + stShow, "ice_servers": []any{}}
		if a.user(r) == stHost {
			m["whip_url"] = "http://" + r.Host + "/whip/" + stShow
		}
		writeJSON(w, 200, map[string]any{"media": m})
	}))
	mux.HandleFunc("GET /api/v1/shows/{id}/deals", show(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		now := a.now()
		items := []any{}
		for _, d := range a.deals {
			items = append(items, dealAt(d, now))
		}
		writeJSON(w, 200, stList(items))
	}))
	mux.HandleFunc("POST /api/v1/shows/{id}/deals", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		var req map[string]any
		if !decodeBody(w, r, &req) {
			return
		}
		a.mu.Lock()
		a.dealBodies = append(a.dealBodies, req)
		a.mu.Unlock()
		skuID, _ := req["sku_id"].(string)
		regular, productID := stPrice(skuID)
		prices, _ := req["prices"].(map[string]any)
		price, _ := prices["DE"].(float64)
		qty, _ := req["quantity"].(float64)
		dur, _ := req["duration_seconds"].(float64)
		switch {
		case productID == "":
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "The SKU is not in the show's bag.", "field": "sku_id"}})
			return
		case price < 1 || int64(price) >= regular:
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "The deal price must be below the SKU's price.", "field": "prices.DE"}})
			return
		case qty < 1 || dur < 10 || dur > 1200:
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "quantity or duration_seconds out of range", "field": "quantity"}})
			return
		}
		now := a.now()
		a.mu.Lock()
		a.seq++
		d := map[string]any{
			"id": fmt.Sprintf("deal_01jd8c9n000000000000%04d", a.seq), "show_id": stShow, "shop_id": stShop, "sku_id": skuID, "product_id": productID,
			"prices": map[string]int64{"DE": int64(price)}, "quantity": int64(qty), "remaining": int64(qty), "max_per_buyer": req["max_per_buyer"],
			"starts_at": now, "ends_at": now.Add(time.Duration(dur) * time.Second), "state": "active", "created_at": now,
		}
		a.deals = append(a.deals, d)
		out := dealAt(d, now)
		a.mu.Unlock()
		a.publish("show:"+stShow, map[string]any{"type": "deal_started", "deal": out, "now": now})
		writeJSON(w, 201, map[string]any{"deal": out})
	}))
	findDeal := func(id string) map[string]any {
		for _, d := range a.deals {
			if d["id"] == id {
				return d
			}
		}
		return nil
	}
	mux.HandleFunc("GET /api/v1/deals/{id}", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		d := findDeal(r.PathValue("id"))
		if d == nil {
			notFound(w)
			return
		}
		writeJSON(w, 200, map[string]any{"deal": dealAt(d, a.now())})
	})
	mux.HandleFunc("POST /api/v1/deals/{id}/end", func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		now := a.now()
		a.mu.Lock()
		d := findDeal(r.PathValue("id"))
		var out map[string]any
		if d != nil && dealAt(d, now)["state"] == "active" {
			d["state"], d["ends_at"] = "ended", now
			out = dealAt(d, now)
		}
		a.mu.Unlock()
		if out == nil {
			writeJSON(w, 409, apiError("invalid_state", "The deal is over."))
			return
		}
		a.publish("show:"+stShow, map[string]any{"type": "deal_ended", "deal": out, "now": now})
		writeJSON(w, 200, map[string]any{"deal": out})
	})
	mux.HandleFunc("GET /api/v1/shows/{id}/moderation", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, 200, map[string]any{"moderation": a.moderation, "muted": slices.Clone(a.muted), "audit": stList([]any{})})
	}))
	mux.HandleFunc("PATCH /api/v1/shows/{id}/moderation", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		var req map[string]any
		if !decodeBody(w, r, &req) {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		a.modBodies = append(a.modBodies, req)
		m := map[string]any{}
		for k, v := range a.moderation {
			m[k] = v
		}
		for k, v := range req {
			m[k] = v
		}
		a.moderation = m
		writeJSON(w, 200, map[string]any{"moderation": m})
	}))
	mux.HandleFunc("POST /api/v1/shows/{id}/mutes/{user}", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		if !slices.Contains(a.muted, r.PathValue("user")) {
			a.muted = append(a.muted, r.PathValue("user"))
		}
		a.mu.Unlock()
		w.WriteHeader(204)
	}))
	mux.HandleFunc("DELETE /api/v1/shows/{id}/mutes/{user}", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		a.muted = slices.DeleteFunc(a.muted, func(u string) bool { return u == r.PathValue("user") })
		a.mu.Unlock()
		w.WriteHeader(204)
	}))
	mux.HandleFunc("DELETE /api/v1/shows/{id}/messages/{msg}", show(func(w http.ResponseWriter, r *http.Request) {
		if !a.runner(w, r) {
			return
		}
		a.mu.Lock()
		a.deleted = append(a.deleted, r.PathValue("msg"))
		a.mu.Unlock()
		a.publish("chat:"+stShow, map[string]any{"type": "removed", "id": r.PathValue("msg")})
		w.WriteHeader(204)
	}))
	a.registerOrders(mux, decodeBody)
	a.registerControls(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return hawkerhttp.PublicCORS(mux)
}

// registerOrders: the shop's order list for the studio's stats, and the
// buyer's order and payment for the embed's checkout window.
func (a *studioAPI) registerOrders(mux *http.ServeMux, decodeBody func(http.ResponseWriter, *http.Request, any) bool) {
	mux.HandleFunc("GET /api/v1/payments/config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"providers": []string{"testpay"}})
	})
	// As the server answers a shop's host: the show's orders without the
	// buyers' personal data, 403 on the shop's list; others list their own.
	mux.HandleFunc("GET /api/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		u := a.user(r)
		switch {
		case u == "":
			writeJSON(w, 401, apiError("unauthenticated", "Log in first."))
			return
		case q.Get("shop_id") != "" && (u != stHost || q.Get("shop_id") != stShop):
			notFound(w)
			return
		case q.Get("shop_id") != "":
			writeJSON(w, 403, apiError("forbidden", "Only the shop's sellers and admins list its orders."))
			return
		}
		host := u == stHost && q.Get("show_id") == stShow
		a.mu.Lock()
		defer a.mu.Unlock()
		items := []any{}
		for i := len(a.orders) - 1; i >= 0; i-- {
			o := a.orders[i]
			if q.Get("show_id") != "" && o["show_id"] != q.Get("show_id") || !host && o["buyer_id"] != u {
				continue
			}
			if host {
				o = maps.Clone(o)
				delete(o, "shipping_address")
			}
			items = append(items, o)
		}
		writeJSON(w, 200, stList(items))
	})
	// The show's sales, for its host: running reservations, paid and
	// fulfilled orders.
	mux.HandleFunc("GET /api/v1/shows/{id}/sales", func(w http.ResponseWriter, r *http.Request) {
		switch u := a.user(r); {
		case u == "":
			writeJSON(w, 401, apiError("unauthenticated", "Log in first."))
			return
		case r.PathValue("id") != stShow:
			notFound(w)
			return
		case u != stHost:
			writeJSON(w, 403, apiError("forbidden", "Only those who run the show read its sales."))
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		var orders, units, gmv int64
		byState := map[string]int64{"reserved": 0, "paid": 0, "fulfilled": 0}
		for _, o := range a.orders {
			st, _ := o["state"].(string)
			if _, counts := byState[st]; !counts || o["show_id"] != stShow || st == "reserved" && !o["pay_by"].(time.Time).After(a.now()) {
				continue
			}
			orders++
			byState[st]++
			for _, l := range o["lines"].([]any) {
				units += l.(map[string]any)["quantity"].(int64)
			}
			gmv += o["total"].(map[string]any)["amount"].(int64)
		}
		byCurrency := []any{}
		if orders > 0 {
			byCurrency = append(byCurrency, map[string]any{"amount": gmv, "currency": "EUR"})
		}
		writeJSON(w, 200, map[string]any{"sales": map[string]any{"show_id": stShow, "orders": orders, "units": units,
			"gmv": map[string]any{"amount": gmv, "currency": "EUR"}, "gmv_by_currency": byCurrency, "by_state": byState}})
	})
	mux.HandleFunc("POST /api/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		if a.user(r) != stBuyer || r.Header.Get("X-CSRF-Token") != csrfOf(r) || r.Header.Get("Idempotency-Key") == "" {
			writeJSON(w, 403, apiError("forbidden", "The buyer's session, its CSRF token and an Idempotency-Key are needed."))
			return
		}
		var req struct {
			Market string `json:"market"`
			ShowID string `json:"show_id"`
			DealID string `json:"deal_id"`
			Lines  []struct {
				SKUID    string `json:"sku_id"`
				Quantity int64  `json:"quantity"`
			} `json:"lines"`
			ShippingAddress map[string]any `json:"shipping_address"`
		}
		if !decodeBody(w, r, &req) {
			return
		}
		if req.Market != "DE" || len(req.Lines) != 1 {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "one line in DE", "field": "market"}})
			return
		}
		unit, productID := stPrice(req.Lines[0].SKUID)
		if productID == "" {
			writeJSON(w, 422, map[string]any{"error": map[string]string{"code": "invalid", "message": "no such SKU", "field": "lines[0].sku_id"}})
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if d := findDealLocked(a, req.DealID); d != nil && d["sku_id"] == req.Lines[0].SKUID {
			unit = d["prices"].(map[string]int64)["DE"]
		}
		o := a.orderLocked(req.ShowID, req.Lines[0].SKUID, req.Lines[0].Quantity, unit, "reserved", stBuyer)
		o["shipping_address"] = req.ShippingAddress
		writeJSON(w, 201, map[string]any{"order": o})
	})
	mux.HandleFunc("POST /api/v1/orders/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		if a.user(r) != stBuyer || r.Header.Get("X-CSRF-Token") != csrfOf(r) {
			writeJSON(w, 403, apiError("forbidden", "The buyer's session and its CSRF token are needed."))
			return
		}
		var req map[string]any
		if !decodeBody(w, r, &req) {
			return
		}
		a.mu.Lock()
		var o map[string]any
		for _, x := range a.orders {
			if x["id"] == r.PathValue("id") {
				o = x
			}
		}
		if o == nil {
			a.mu.Unlock()
			notFound(w)
			return
		}
		o["state"] = "paid"
		a.mu.Unlock()
		a.publish("show:"+stShow, map[string]any{"type": "purchase", "buyer": "Ben B.", "product_id": o["lines"].([]any)[0].(map[string]any)["product_id"]})
		writeJSON(w, 200, map[string]any{
			"payment": map[string]any{"id": "pay_" + o["id"].(string)[4:], "order_id": o["id"], "provider": "testpay", "state": "succeeded", "amount": o["total"]},
			"order":   o,
		})
	})
}

func findDealLocked(a *studioAPI, id string) map[string]any {
	for _, d := range a.deals {
		if d["id"] == id {
			return d
		}
	}
	return nil
}

// orderLocked records an order (VAT included in DE: tax is its share).
func (a *studioAPI) orderLocked(showID, skuID string, qty, unit int64, state, buyer string) map[string]any {
	a.seq++
	_, productID := stPrice(skuID)
	money := func(n int64) map[string]any { return map[string]any{"amount": n, "currency": "EUR"} }
	total := unit * qty
	tax := total * 19 / 119
	o := map[string]any{
		"id": fmt.Sprintf("ord_01jd8c9n000000000000%04d", a.seq), "state": state, "market": "DE", "show_id": showID, "buyer_id": buyer, "shop_id": stShop,
		"lines":    []any{map[string]any{"sku_id": skuID, "product_id": productID, "quantity": qty, "unit_price": money(unit), "total": money(total), "tax": money(tax)}},
		"subtotal": money(total), "tax": money(tax), "shipping": money(0), "total": money(total),
		"pay_by": a.now().Add(15 * time.Minute), "created_at": a.now(),
	}
	a.orders = append(a.orders, o)
	return o
}

// registerControls: /_e2e/ routes for studio.mjs to play the viewers (chat,
// counts, likes, a purchase) and to read what the server saw.
func (a *studioAPI) registerControls(mux *http.ServeMux) {
	mux.HandleFunc("POST /_e2e/chat", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID, UserID, Name, Text string
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		a.publish("chat:"+stShow, map[string]any{"type": "messages", "items": []any{a.chatMessage(req.ID, req.UserID, req.Name, req.Text)}})
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/viewers", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Count int }
		_ = json.NewDecoder(r.Body).Decode(&req)
		a.mu.Lock()
		a.viewers = req.Count
		a.mu.Unlock()
		a.publish("show:"+stShow, map[string]any{"type": "viewers", "count": req.Count})
		w.WriteHeader(204)
	})
	mux.HandleFunc("POST /_e2e/likes", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Total int }
		_ = json.NewDecoder(r.Body).Decode(&req)
		a.publish("likes:"+stShow, map[string]any{"type": "likes", "total": req.Total})
		w.WriteHeader(204)
	})
	// A paid order of 2 tins of tea, and the purchase event viewers get.
	mux.HandleFunc("POST /_e2e/purchase", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.orderLocked(stShow, stTeaSKU, 2, 1999, "paid", stViewer)
		a.mu.Unlock()
		a.publish("show:"+stShow, map[string]any{"type": "purchase", "buyer": "Vy V.", "product_id": stTea})
		w.WriteHeader(204)
	})
	mux.HandleFunc("GET /_e2e/state", func(w http.ResponseWriter, r *http.Request) {
		st := a.sfu.Stats(stShow)
		if v := int64(st.Viewers); v > a.maxViewers.Load() {
			a.maxViewers.Store(v)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		writeJSON(w, 200, map[string]any{
			"state": a.state, "pinned": a.pinned, "bag": a.bag, "deal_bodies": a.dealBodies, "moderation_bodies": a.modBodies,
			"muted": a.muted, "deleted": a.deleted, "transitions": a.transitions, "stream_keys": len(a.streamKeys),
			"media": map[string]any{
				"publishing": st.Publishing, "viewers": st.Viewers, "forwarded": st.Forwarded,
				"video_packets": a.videoPackets.Load(), "keyframes": a.keyframes.Load(), "codec": a.codec,
			},
		})
	})
}
