package livekit

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
	testKey    = "APIhawkerTest"
	testSecret = "a-secret-of-at-least-thirty-two-bytes!"
)

// fakeRoomService is a FAKE of LiveKit's room API: the LiveKit server
// cannot run here, so this httptest server speaks the same Twirp protocol
// (protobuf bodies at /twirp/livekit.RoomService/<Method>) for the two
// calls the adapter makes. It checks each call's bearer token the way the
// server does (signature under the API secret, the roomCreate grant),
// records the requests, and answers as LiveKit does; fail makes it answer
// Twirp errors instead.
type fakeRoomService struct {
	t  *testing.T
	mu sync.Mutex
	// calls are "CreateRoom <name>" and "DeleteRoom <name>", in order.
	calls   []string
	creates []*lkproto.CreateRoomRequest
	rooms   map[string]bool
	fail    string        // a Twirp error code to answer with, or ""
	block   chan struct{} // when set, calls wait for it (or the client to give up)
	seen    chan string   // each call, as it arrives
}

func newFakeRoomService(t *testing.T) (*fakeRoomService, *httptest.Server) {
	f := &fakeRoomService{t: t, rooms: map[string]bool{}, seen: make(chan string, 64)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeRoomService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, lkproto.RoomServicePathPrefix)
	if !ok || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/protobuf" {
		twirpError(w, http.StatusNotFound, "bad_route", "no such route: "+r.Method+" "+r.URL.Path)
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	v, err := auth.ParseAPIToken(token)
	if err != nil || v.APIKey() != testKey {
		twirpError(w, http.StatusUnauthorized, "unauthenticated", "bad token")
		return
	}
	_, grants, err := v.Verify(testSecret)
	if err != nil || grants.Video == nil || !grants.Video.RoomCreate {
		twirpError(w, http.StatusForbidden, "permission_denied", "no roomCreate grant")
		return
	}
	body, _ := io.ReadAll(r.Body)
	if f.block != nil {
		f.seen <- method + " (blocked)"
		select {
		case <-f.block:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != "" {
		f.seen <- method + " (failed)"
		twirpError(w, http.StatusServiceUnavailable, f.fail, "the fake was told to fail")
		return
	}
	var out proto.Message
	switch method {
	case "CreateRoom":
		var req lkproto.CreateRoomRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			twirpError(w, http.StatusBadRequest, "malformed", err.Error())
			return
		}
		f.calls = append(f.calls, method+" "+req.Name)
		f.creates = append(f.creates, &req)
		f.rooms[req.Name] = true
		out = &lkproto.Room{Name: req.Name, Sid: "RM_" + req.Name, EmptyTimeout: req.EmptyTimeout, Metadata: req.Metadata}
	case "DeleteRoom":
		var req lkproto.DeleteRoomRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			twirpError(w, http.StatusBadRequest, "malformed", err.Error())
			return
		}
		f.calls = append(f.calls, method+" "+req.Room)
		if !f.rooms[req.Room] {
			f.seen <- method
			twirpError(w, http.StatusNotFound, "not_found", "requested room does not exist")
			return
		}
		delete(f.rooms, req.Room)
		out = &lkproto.DeleteRoomResponse{}
	default:
		twirpError(w, http.StatusNotFound, "bad_route", "not faked: "+method)
		return
	}
	b, _ := proto.Marshal(out)
	w.Header().Set("Content-Type", "application/protobuf")
	_, _ = w.Write(b)
	f.seen <- method
}

func twirpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "msg": msg})
}

func (f *fakeRoomService) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// wait returns the next call the fake saw.
func (f *fakeRoomService) wait(t *testing.T) string {
	t.Helper()
	select {
	case m := <-f.seen:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a room call")
		return ""
	}
}

// shows is an in-memory ShowFinder.
type shows map[string]*hawker.Show

func (s shows) FindShowByID(_ context.Context, id string) (*hawker.Show, error) {
	if sh, ok := s[id]; ok {
		return sh, nil
	}
	return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
}

func newAdapter(t *testing.T, url string, st ShowFinder, mod func(*Config)) *Adapter {
	t.Helper()
	cfg := Config{URL: url, APIKey: testKey, APISecret: testSecret, Logger: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// decode verifies a token under the secret and returns its claims.
func decode(t *testing.T, tok Token) *auth.ClaimGrants {
	t.Helper()
	v, err := auth.ParseAPIToken(tok.JWT)
	if err != nil {
		t.Fatal(err)
	}
	if v.APIKey() != testKey {
		t.Errorf("issuer %q", v.APIKey())
	}
	if _, _, err := v.Verify("another-secret-another-secret-another"); err == nil {
		t.Error("the token verifies under another secret")
	}
	reg, grants, err := v.Verify(testSecret)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !reg.ExpiresAt.Time.Equal(tok.ExpiresAt) && reg.ExpiresAt.Time.Sub(tok.ExpiresAt).Abs() > time.Second {
		t.Errorf("JWT expires %s, Token says %s", reg.ExpiresAt.Time, tok.ExpiresAt)
	}
	if grants.Identity != tok.Identity {
		t.Errorf("identity %q, Token says %q", grants.Identity, tok.Identity)
	}
	return grants
}

func TestViewerToken(t *testing.T) {
	a := newAdapter(t, "wss://lk.example.net", shows{}, func(c *Config) { c.TokenTTL = 30 * time.Minute })
	before := time.Now()
	for _, tc := range []struct{ name, user, prefix string }{
		{"signed in", "usr_01viewer", "usr_01viewer:"},
		{"anonymous", "", "anon:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := a.ViewerToken("shw_1", tc.user)
			if err != nil {
				t.Fatal(err)
			}
			g := decode(t, tok)
			v := g.Video
			if v == nil || !v.RoomJoin || v.Room != "shw_1" || tok.Room != "shw_1" {
				t.Fatalf("grant %+v", v)
			}
			if v.GetCanPublish() || v.GetCanPublishData() || !v.GetCanSubscribe() {
				t.Errorf("viewer may publish %v, publish data %v, subscribe %v", v.GetCanPublish(), v.GetCanPublishData(), v.GetCanSubscribe())
			}
			if v.RoomAdmin || v.RoomCreate || v.RoomRecord || v.RoomList || !v.Hidden {
				t.Errorf("viewer grant too wide or not hidden: %+v", v)
			}
			if !strings.HasPrefix(g.Identity, tc.prefix) || len(g.Identity) <= len(tc.prefix) {
				t.Errorf("identity %q, want %s<random>", g.Identity, tc.prefix)
			}
			if d := tok.ExpiresAt.Sub(before); d > 30*time.Minute+time.Second || d < 30*time.Minute-2*time.Second {
				t.Errorf("expires in %s, want 30m", d)
			}
			again, _ := a.ViewerToken("shw_1", tc.user)
			if again.Identity == tok.Identity {
				t.Errorf("two tokens share identity %q: the second join would drop the first", tok.Identity)
			}
		})
	}
	if _, err := a.ViewerToken("", "usr_1"); err == nil {
		t.Error("a token for no room")
	}
}

func TestPublisherToken(t *testing.T) {
	a := newAdapter(t, "https://lk.example.net", shows{}, nil)
	if a.URL() != "wss://lk.example.net" {
		t.Errorf("client URL %q", a.URL())
	}
	before := time.Now()
	sh := &hawker.Show{ID: "shw_2", ShopID: "shp_1", HostID: "usr_host", Title: "Linen week"}
	tok, err := a.PublisherToken(sh, "usr_seller")
	if err != nil {
		t.Fatal(err)
	}
	g := decode(t, tok)
	v := g.Video
	if v == nil || !v.RoomJoin || v.Room != "shw_2" || !v.GetCanPublish() || !v.GetCanSubscribe() || v.Hidden {
		t.Fatalf("publisher grant %+v", v)
	}
	if v.RoomAdmin || v.RoomCreate {
		t.Errorf("publisher may administer rooms: %+v", v)
	}
	if g.Identity != "usr_host" {
		t.Errorf("identity %q, want the host's id", g.Identity)
	}
	if d := tok.ExpiresAt.Sub(before); d > MaxTokenTTL+time.Second || d < MaxTokenTTL-2*time.Second {
		t.Errorf("expires in %s, want the 1h default", d)
	}
	noHost := &hawker.Show{ID: "shw_3", ShopID: "shp_1"}
	if tok, _ := a.PublisherToken(noHost, "usr_seller"); tok.Identity != "usr_seller" {
		t.Errorf("without a host: identity %q, want the caller's", tok.Identity)
	}
	if tok, _ := a.PublisherToken(noHost, ""); tok.Identity != "host-shw_3" {
		t.Errorf("without a host or user: identity %q", tok.Identity)
	}
}

func TestNewChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no URL", Config{APIKey: "k", APISecret: "s"}},
		{"relative URL", Config{URL: "lk.example.net", APIKey: "k", APISecret: "s"}},
		{"other scheme", Config{URL: "ftp://lk.example.net", APIKey: "k", APISecret: "s"}},
		{"no key", Config{URL: "wss://lk.example.net", APISecret: "s"}},
		{"no secret", Config{URL: "wss://lk.example.net", APIKey: "k"}},
		{"TTL over an hour", Config{URL: "wss://lk.example.net", APIKey: "k", APISecret: "s", TokenTTL: 2 * time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, err := New(tc.cfg, shows{}); err == nil {
				a.Close()
				t.Errorf("accepted %+v", tc.cfg)
			}
		})
	}
	if _, err := New(Config{URL: "wss://lk.example.net", APIKey: "k", APISecret: "s"}, nil); err == nil {
		t.Error("accepted no ShowFinder")
	}
}

// TestRoomLifecycle: a show going live gets a room named by its id, with
// the empty timeout and the title in its metadata; ending deletes it; the
// calls carry a token the room API accepts, in the order of the changes.
func TestRoomLifecycle(t *testing.T) {
	fake, srv := newFakeRoomService(t)
	st := shows{"shw_live": {ID: "shw_live", ShopID: "shp_1", Title: `Linen "week"`, State: hawker.ShowLive}}
	a := newAdapter(t, srv.URL, st, func(c *Config) { c.EmptyTimeout = 5 * time.Minute })

	a.ShowState("shw_live", hawker.ShowScheduled) // nothing to do
	a.ShowState("shw_live", hawker.ShowLive)
	if m := fake.wait(t); m != "CreateRoom" {
		t.Fatalf("first call %q", m)
	}
	fake.mu.Lock()
	req := fake.creates[0]
	fake.mu.Unlock()
	if req.Name != "shw_live" || req.EmptyTimeout != 300 {
		t.Errorf("CreateRoom %+v", req)
	}
	var md roomMetadata
	if err := json.Unmarshal([]byte(req.Metadata), &md); err != nil || md != (roomMetadata{ShowID: "shw_live", ShopID: "shp_1", Title: `Linen "week"`}) {
		t.Errorf("metadata %q (%v)", req.Metadata, err)
	}

	a.ShowState("shw_live", hawker.ShowEnded)
	if m := fake.wait(t); m != "DeleteRoom" {
		t.Fatalf("second call %q", m)
	}
	// Deleting a room that is gone (ended twice, or LiveKit removed it) is
	// fine: it answers not_found, and the adapter takes that as done.
	if err := a.DeleteRoom(context.Background(), "shw_live"); err != nil {
		t.Errorf("delete of a gone room: %v", err)
	}
	<-fake.seen
	want := []string{"CreateRoom shw_live", "DeleteRoom shw_live", "DeleteRoom shw_live"}
	if got := fake.recorded(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q", got, want)
	}

	// A show the store does not know makes no room.
	a.ShowState("shw_ghost", hawker.ShowLive)
	a.ShowState("shw_live", hawker.ShowEnded)
	if m := fake.wait(t); m != "DeleteRoom" {
		t.Errorf("after an unknown show: %q", m)
	}
	if got := fake.recorded(); len(got) != 4 {
		t.Errorf("calls %q", got)
	}
}

// TestRoomErrors: LiveKit's refusals come back as errors from the direct
// calls, and a wrong secret is refused by the room API; the queued changes
// only log them and go on.
func TestRoomErrors(t *testing.T) {
	fake, srv := newFakeRoomService(t)
	sh := &hawker.Show{ID: "shw_e", ShopID: "shp_1", Title: "Errors", State: hawker.ShowLive}
	a := newAdapter(t, srv.URL, shows{sh.ID: sh}, nil)

	fake.mu.Lock()
	fake.fail = "unavailable"
	fake.mu.Unlock()
	if err := a.CreateRoom(context.Background(), sh); err == nil {
		t.Error("CreateRoom succeeded against a failing server")
	}
	<-fake.seen
	a.ShowState(sh.ID, hawker.ShowLive)
	if m := fake.wait(t); m != "CreateRoom (failed)" {
		t.Errorf("queued create: %q", m)
	}
	fake.mu.Lock()
	fake.fail = ""
	fake.mu.Unlock()
	a.ShowState(sh.ID, hawker.ShowRehearsal)
	if m := fake.wait(t); m != "CreateRoom" {
		t.Errorf("the worker stopped after a failure: %q", m)
	}

	wrong := newAdapter(t, srv.URL, shows{sh.ID: sh}, func(c *Config) { c.APISecret = "not-the-secret-not-the-secret-not-the" })
	err := wrong.CreateRoom(context.Background(), sh)
	if err == nil || !strings.Contains(err.Error(), "permission_denied") {
		t.Errorf("wrong secret: %v", err)
	}
}

// TestCloseDoesNotWait: Close returns while a room call hangs (LiveKit
// unreachable) and drops what is still queued (the delete never reaches
// the server); changes after Close are ignored.
func TestCloseDoesNotWait(t *testing.T) {
	fake, srv := newFakeRoomService(t)
	fake.block = make(chan struct{})
	defer close(fake.block)
	sh := &hawker.Show{ID: "shw_c", ShopID: "shp_1", State: hawker.ShowLive}
	a := newAdapter(t, srv.URL, shows{sh.ID: sh}, func(c *Config) { c.RequestTimeout = time.Minute })
	a.ShowState(sh.ID, hawker.ShowLive)
	a.ShowState(sh.ID, hawker.ShowEnded)
	if m := fake.wait(t); m != "CreateRoom (blocked)" {
		t.Fatalf("first call %q", m)
	}
	done := make(chan struct{})
	start := time.Now()
	go func() { a.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waits for a hanging room call")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %s", d)
	}
	a.ShowState(sh.ID, hawker.ShowLive) // no panic on a closed queue
	a.Close()
	if got := fake.recorded(); len(got) != 0 {
		t.Errorf("calls completed: %q", got)
	}
}
