package hawkerhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
)

// mediaAnswer is the body of GET /api/v1/shows/{id}/media, with the raw
// object to check which keys are present.
type mediaAnswer struct {
	Media ShowMedia `json:"media"`
	raw   map[string]json.RawMessage
}

func getMedia(t *testing.T, f *fixture, showID, token string, want int) mediaAnswer {
	t.Helper()
	data := f.must(t, "GET", "/api/v1/shows/"+showID+"/media", token, nil, want)
	var a mediaAnswer
	if want != http.StatusOK {
		return a
	}
	var env struct {
		Media map[string]json.RawMessage `json:"media"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	a.raw = env.Media
	return a
}

// TestShowMediaEmbedded: with no MediaInfo configured the route answers
// the embedded SFU's absolute WHEP URL to everyone, the WHIP URL only to
// who may run the show, and an empty (present) ice_servers list.
func TestShowMediaEmbedded(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		token string
		whip  bool
	}{
		{"anonymous", "", false},
		{"buyer", f.BuyerToken, false},
		{"seller of another shop", f.SellerBToken, false},
		{"host", f.HostToken, true},
		{"seller", f.SellerAToken, true},
		{"admin key", f.AdminKey, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := getMedia(t, f, f.ShowA, tc.token, http.StatusOK)
			m := a.Media
			if m.Mode != MediaEmbedded || m.WHEPURL != f.URL+"/whep/"+f.ShowA {
				t.Errorf("media %+v", m)
			}
			if got := m.WHIPURL != ""; got != tc.whip {
				t.Errorf("whip_url %q, want present=%v", m.WHIPURL, tc.whip)
			} else if tc.whip && m.WHIPURL != f.URL+"/whip/"+f.ShowA {
				t.Errorf("whip_url %q", m.WHIPURL)
			}
			if string(a.raw["ice_servers"]) != "[]" {
				t.Errorf("ice_servers = %s, want []", a.raw["ice_servers"])
			}
			for _, k := range []string{"hls_url", "url", "token", "publish_token", "expires_at"} {
				if _, ok := a.raw[k]; ok {
					t.Errorf("embedded answer has %s", k)
				}
			}
		})
	}
	getMedia(t, f, "shw_01jbz3n8q4m2x7c5v6w9t0r1ys", "", http.StatusNotFound)
	getMedia(t, f, "nope", "", http.StatusNotFound)
	getMedia(t, f, authzRehearsal(t, f), f.BuyerToken, http.StatusNotFound)
	getMedia(t, f, authzRehearsal(t, f), f.HostToken, http.StatusOK)
	ended := authzFreshShow(t, f, hawker.ShowEnded)
	resp, body := f.do(t, "GET", "/api/v1/shows/"+ended+"/media", "", nil)
	wantError(t, resp, body, http.StatusConflict, "invalid_state", "")
	if resp, _ := f.do(t, "GET", "/api/v1/shows/"+f.ShowA+"/media", "hs_not-a-token", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad credentials: %d, want 401", resp.StatusCode)
	}
}

// recordingMedia is a MediaInfo that records its requests.
type recordingMedia struct {
	mu   sync.Mutex
	reqs []MediaRequest
	err  error
	out  *ShowMedia
}

func (m *recordingMedia) ShowMedia(_ context.Context, req MediaRequest) (*ShowMedia, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs = append(m.reqs, req)
	return m.out, m.err
}

func (m *recordingMedia) last() MediaRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reqs[len(m.reqs)-1]
}

// TestShowMediaRequest: the configured MediaInfo gets the show, whether
// the caller may publish, the caller's user id, and the address the caller
// used (https behind a trusted proxy); its answer is passed through, and
// its errors are answered by their code (500 without details otherwise).
func TestShowMediaRequest(t *testing.T) {
	expires := time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)
	rec := &recordingMedia{out: &ShowMedia{Mode: MediaLiveKit, URL: "wss://lk.example.net", Token: "viewer.jwt", PublishToken: "pub.jwt", ExpiresAt: &expires}}
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", TrustProxy: true, Media: rec}})

	a := getMedia(t, f, f.ShowA, f.HostToken, http.StatusOK)
	req := rec.last()
	if req.Show == nil || req.Show.ID != f.ShowA || !req.Publish || req.UserID != f.UserHost || req.BaseURL != f.URL {
		t.Errorf("request %+v", req)
	}
	if a.Media.Mode != MediaLiveKit || a.Media.Token != "viewer.jwt" || a.Media.PublishToken != "pub.jwt" || !a.Media.ExpiresAt.Equal(expires) {
		t.Errorf("answer %+v", a.Media)
	}
	if _, ok := a.raw["ice_servers"]; ok {
		t.Errorf("a LiveKit answer has ice_servers")
	}

	h := http.Header{"X-Forwarded-Proto": {"https"}}
	if resp, body := f.doHeader(t, "GET", "/api/v1/shows/"+f.ShowA+"/media", h, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if req := rec.last(); req.Publish || req.UserID != "" || !strings.HasPrefix(req.BaseURL, "https://") {
		t.Errorf("anonymous behind a proxy: %+v", req)
	}
	getMedia(t, f, f.ShowA, f.BuyerToken, http.StatusOK)
	if req := rec.last(); req.Publish || req.UserID != f.UserBuyer {
		t.Errorf("buyer: %+v", req)
	}
	getMedia(t, f, f.ShowA, f.AdminKey, http.StatusOK)
	if req := rec.last(); !req.Publish || req.UserID != "" {
		t.Errorf("admin key: %+v", req)
	}

	rec.mu.Lock()
	rec.err = errors.New("livekit: mint token: secret on fire")
	rec.mu.Unlock()
	resp, body := f.do(t, "GET", "/api/v1/shows/"+f.ShowA+"/media", "", nil)
	wantError(t, resp, body, http.StatusInternalServerError, "internal", "")
	if strings.Contains(string(body), "fire") {
		t.Errorf("500 gives details away: %s", body)
	}
	rec.mu.Lock()
	rec.err = hawker.Errorf(codeUnavailable, "LiveKit is not reachable.")
	rec.mu.Unlock()
	resp, body = f.do(t, "GET", "/api/v1/shows/"+f.ShowA+"/media", "", nil)
	wantError(t, resp, body, http.StatusServiceUnavailable, codeUnavailable, "")
}

// TestEmbeddedMedia: ICE servers are asked for per caller (TURN
// credentials are minted per user), and HLS adds the playlist URL.
func TestEmbeddedMedia(t *testing.T) {
	var users []string
	e := EmbeddedMedia{
		HLS: true,
		ICEServers: func(user string) []ICEServer {
			users = append(users, user)
			return []ICEServer{{URLs: []string{"stun:stun.example.net:3478"}}, {URLs: []string{"turn:turn.example.net:3478"}, Username: "1:" + user, Credential: "c"}}
		},
	}
	sh := &hawker.Show{ID: "shw_1"}
	m, err := e.ShowMedia(context.Background(), MediaRequest{Show: sh, UserID: "usr_1", BaseURL: "https://shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	if m.WHEPURL != "https://shop.example/whep/shw_1" || m.WHIPURL != "" || m.HLSURL != "https://shop.example/hls/shw_1/index.m3u8" {
		t.Errorf("%+v", m)
	}
	b, _ := json.Marshal(m)
	want := `{"mode":"embedded","whep_url":"https://shop.example/whep/shw_1","hls_url":"https://shop.example/hls/shw_1/index.m3u8",` +
		`"ice_servers":[{"urls":["stun:stun.example.net:3478"]},{"urls":["turn:turn.example.net:3478"],"username":"1:usr_1","credential":"c"}]}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	if _, err := e.ShowMedia(context.Background(), MediaRequest{Show: sh, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(users, ",") != "usr_1," {
		t.Errorf("ICE servers asked for %q", users)
	}
}
