//go:build livekit

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"

	"hawker"
)

const (
	lkTestKey    = "APIhawkerServe"
	lkTestSecret = "serve-test-secret-of-thirty-two-bytes!"
)

// fakeLiveKit is a FAKE of LiveKit's room API, because the LiveKit server
// cannot run here: an httptest server answering the Twirp calls the
// adapter makes (protobuf CreateRoom and DeleteRoom), refusing tokens not
// signed with the API secret, and recording each call.
type fakeLiveKit struct {
	mu    sync.Mutex
	calls []string // "CreateRoom <name> <metadata>", "DeleteRoom <name>"
}

func (f *fakeLiveKit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		http.Error(w, `{"code":"unauthenticated","msg":"bad token"}`, http.StatusUnauthorized)
		return
	}
	if _, grants, err := v.Verify(lkTestSecret); err != nil || !grants.Video.RoomCreate {
		http.Error(w, `{"code":"permission_denied","msg":"bad grant"}`, http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var out proto.Message
	f.mu.Lock()
	switch r.URL.Path {
	case lkproto.RoomServicePathPrefix + "CreateRoom":
		var req lkproto.CreateRoomRequest
		_ = proto.Unmarshal(body, &req)
		f.calls = append(f.calls, "CreateRoom "+req.Name+" "+req.Metadata)
		out = &lkproto.Room{Name: req.Name}
	case lkproto.RoomServicePathPrefix + "DeleteRoom":
		var req lkproto.DeleteRoomRequest
		_ = proto.Unmarshal(body, &req)
		f.calls = append(f.calls, "DeleteRoom "+req.Room)
		out = &lkproto.DeleteRoomResponse{}
	}
	f.mu.Unlock()
	if out == nil {
		http.Error(w, `{"code":"bad_route","msg":"not faked"}`, http.StatusNotFound)
		return
	}
	b, _ := proto.Marshal(out)
	w.Header().Set("Content-Type", "application/protobuf")
	_, _ = w.Write(b)
}

func (f *fakeLiveKit) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// TestServeLiveKit runs the whole binary with --livekit-url pointing at
// the fake room API: the show media route answers LiveKit mode with a
// subscribe-only token for a viewer and a publisher token (identity: the
// show's host) for its seller; starting the show creates its room (named
// by the show id, with its title), ending it deletes the room.
func TestServeLiveKit(t *testing.T) {
	fake := &fakeLiveKit{}
	lk := httptest.NewServer(fake)
	t.Cleanup(lk.Close)
	env := map[string]string{
		"HAWKER_DATA_DIR":           t.TempDir(),
		"HAWKER_LIVEKIT_URL":        lk.URL,
		"HAWKER_LIVEKIT_API_KEY":    lkTestKey,
		"HAWKER_LIVEKIT_API_SECRET": lkTestSecret,
	}
	s := startServe(t, env, "--demo", "--auth-rate", "0")
	api := s.url + "/api/v1"
	var login struct{ Token string }
	email := "seller.us@" + demoEmailDomain
	call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
	var shops struct{ Items []struct{ ID string } }
	call(t, "GET", api+"/shops", login.Token, nil, 200, &shops)
	var shows struct {
		Items []struct {
			ID, Title, State string
			HostID           string `json:"host_id"`
		}
	}
	call(t, "GET", api+"/shows?shop_id="+shops.Items[0].ID+"&state=scheduled", login.Token, nil, 200, &shows)
	if len(shows.Items) == 0 {
		t.Fatal("the demo shop has no scheduled show")
	}
	show := shows.Items[0]

	type mediaOut struct {
		Media struct {
			Mode         string    `json:"mode"`
			URL          string    `json:"url"`
			Token        string    `json:"token"`
			PublishToken string    `json:"publish_token"`
			WHEPURL      string    `json:"whep_url"`
			ExpiresAt    time.Time `json:"expires_at"`
		} `json:"media"`
	}
	grants := func(jwt string) *auth.ClaimGrants {
		t.Helper()
		v, err := auth.ParseAPIToken(jwt)
		if err != nil {
			t.Fatalf("token %q: %v", jwt, err)
		}
		_, g, err := v.Verify(lkTestSecret)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		return g
	}
	var viewer mediaOut
	call(t, "GET", api+"/shows/"+show.ID+"/media", "", nil, 200, &viewer)
	if m := viewer.Media; m.Mode != "livekit" || m.URL != "ws"+strings.TrimPrefix(lk.URL, "http") || m.PublishToken != "" || m.WHEPURL != "" {
		t.Errorf("viewer's media %+v", m)
	}
	if d := time.Until(viewer.Media.ExpiresAt); d <= 0 || d > time.Hour+time.Second {
		t.Errorf("viewer token expires in %s", d)
	}
	if g := grants(viewer.Media.Token); g.Video.Room != show.ID || g.Video.GetCanPublish() || !g.Video.GetCanSubscribe() || !strings.HasPrefix(g.Identity, "anon:") {
		t.Errorf("viewer token: identity %q, grant %+v", g.Identity, g.Video)
	}
	var seller mediaOut
	call(t, "GET", api+"/shows/"+show.ID+"/media", login.Token, nil, 200, &seller)
	if seller.Media.PublishToken == "" {
		t.Fatalf("the seller got no publish token: %+v", seller.Media)
	}
	g := grants(seller.Media.PublishToken)
	wantIdentity := show.HostID
	if wantIdentity == "" {
		var me struct{ User struct{ ID string } }
		call(t, "GET", api+"/me", login.Token, nil, 200, &me)
		wantIdentity = me.User.ID
	}
	if g.Video.Room != show.ID || !g.Video.GetCanPublish() || g.Identity != wantIdentity {
		t.Errorf("publish token: identity %q (want %q), grant %+v", g.Identity, wantIdentity, g.Video)
	}

	call(t, "POST", api+"/shows/"+show.ID+"/start", login.Token, nil, 200, nil)
	waitFor(t, 10*time.Second, "the room to be created", func() bool { return len(fake.recorded()) >= 1 })
	created := fake.recorded()[0]
	name, md, _ := strings.Cut(strings.TrimPrefix(created, "CreateRoom "), " ")
	var meta struct{ ShowID, Title string }
	if err := json.Unmarshal([]byte(md), &meta); name != show.ID || err != nil || meta.Title != show.Title {
		t.Errorf("room created: %q", created)
	}
	call(t, "POST", api+"/shows/"+show.ID+"/end", login.Token, nil, 200, nil)
	waitFor(t, 10*time.Second, "the room to be deleted", func() bool { return len(fake.recorded()) >= 2 })
	if got := fake.recorded(); len(got) != 2 || got[1] != "DeleteRoom "+show.ID {
		t.Errorf("room calls %q", got)
	}
	call(t, "GET", api+"/shows/"+show.ID+"/media", "", nil, 409, nil)
}

func TestLiveKitFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    liveKitOptions
		want string
	}{
		{"off", liveKitOptions{}, ""},
		{"key without URL", liveKitOptions{apiKey: "k", apiSecret: "s"}, "need --livekit-url"},
		{"URL without key", liveKitOptions{url: "wss://lk.example.net"}, "--livekit-api-key"},
		{"bad URL", liveKitOptions{url: "lk.example.net", apiKey: "k", apiSecret: "s"}, "--livekit-url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lk, err := startLiveKit(tc.o, noShows{}, slog.New(slog.DiscardHandler))
			closeLiveKit(lk)
			if tc.want == "" {
				if err != nil || lk != nil {
					t.Errorf("off: %v, %v", lk, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// noShows is a show finder without shows.
type noShows struct{}

func (noShows) FindShowByID(context.Context, string) (*hawker.Show, error) {
	return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
}
