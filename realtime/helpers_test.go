package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"

	"hawker"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// memStore is a Store in memory.
type memStore struct {
	mu      sync.Mutex
	shows   map[string]*hawker.Show
	users   map[string]*hawker.User
	members map[string][]hawker.ShopMember
}

func newMemStore() *memStore {
	return &memStore{shows: map[string]*hawker.Show{}, users: map[string]*hawker.User{}, members: map[string][]hawker.ShopMember{}}
}

func (s *memStore) FindShowByID(_ context.Context, id string) (*hawker.Show, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shows[id]
	if !ok {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no show")
	}
	c := *sh
	return &c, nil
}

func (s *memStore) FindUserByID(_ context.Context, id string) (*hawker.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no user")
	}
	c := *u
	return &c, nil
}

func (s *memStore) FindMemberships(_ context.Context, userID string) ([]hawker.ShopMember, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hawker.ShopMember(nil), s.members[userID]...), nil
}

func (s *memStore) addShow(state hawker.ShowState, markets ...string) *hawker.Show {
	sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: hawker.NewID(hawker.PrefixShop), Title: "Show", State: state, Markets: markets}
	s.mu.Lock()
	s.shows[sh.ID] = sh
	s.mu.Unlock()
	return sh
}

func (s *memStore) setState(id string, state hawker.ShowState) {
	s.mu.Lock()
	s.shows[id].State = state
	s.mu.Unlock()
}

func (s *memStore) addUser(name string, roles ...hawker.Role) *hawker.User {
	u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: name, Roles: roles}
	s.mu.Lock()
	s.users[u.ID] = u
	s.mu.Unlock()
	return u
}

func (s *memStore) addMember(shopID, userID string, role hawker.Role) {
	s.mu.Lock()
	s.members[userID] = append(s.members[userID], hawker.ShopMember{ShopID: shopID, UserID: userID, Role: role})
	s.mu.Unlock()
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testConfig is fast: short intervals, a quiet logger.
func testConfig() Config {
	cfg := DefaultConfig(testSecret)
	cfg.ChatCoalesce = 20 * time.Millisecond
	cfg.EventInterval = 20 * time.Millisecond
	cfg.ViewersInterval = 50 * time.Millisecond
	cfg.HistoryMetaTTL = time.Hour
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

type testServer struct {
	hub   *Hub
	srv   *httptest.Server
	store *memStore
	clock *testClock
	url   string // ws://…/connection/websocket
}

func startHub(t *testing.T, cfg Config, store *memStore) *testServer {
	t.Helper()
	clock := newTestClock()
	if cfg.Clock == nil {
		cfg.Clock = clock.Now
	}
	h, err := New(cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/connection/websocket", h.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("close hub: %v", err)
		}
		srv.Close()
	})
	return &testServer{hub: h, srv: srv, store: store, clock: clock, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/connection/websocket"}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// client is a centrifuge-go client with recorded events.
type client struct {
	t  *testing.T
	c  *centrifugego.Client
	mu sync.Mutex
	// disconnects records the codes of server disconnects.
	disconnects []uint32
	connected   int
	subs        map[string]*recorder
}

// recorder keeps what one subscription received.
type recorder struct {
	sub          *centrifugego.Subscription
	mu           sync.Mutex
	events       []map[string]any
	offsets      []uint64
	publications int
	subscribed   []centrifugego.SubscribedEvent
	unsubscribed []uint32
}

func (r *recorder) add(e centrifugego.PublicationEvent) {
	var ev map[string]any
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		ev = map[string]any{"type": "bad json", "raw": string(e.Data)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publications++
	r.offsets = append(r.offsets, e.Offset)
	if ev["type"] == "messages" {
		for _, it := range ev["items"].([]any) {
			m := it.(map[string]any)
			m["type"] = "message"
			r.events = append(r.events, m)
		}
		return
	}
	r.events = append(r.events, ev)
}

// list returns the events, without viewer counts unless asked.
func (r *recorder) list(withViewers bool) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, e := range r.events {
		if e["type"] == "viewers" && !withViewers {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (r *recorder) types() []string {
	var out []string
	for _, e := range r.list(false) {
		out = append(out, fmt.Sprint(e["type"]))
	}
	return out
}

// texts returns the texts of the chat messages received.
func (r *recorder) texts() []string {
	var out []string
	for _, e := range r.list(false) {
		if e["type"] == "message" {
			out = append(out, fmt.Sprint(e["text"]))
		}
	}
	return out
}

func (r *recorder) has(pred func(map[string]any) bool) bool {
	for _, e := range r.list(true) {
		if pred(e) {
			return true
		}
	}
	return false
}

func (r *recorder) unsubscribedCodes() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint32(nil), r.unsubscribed...)
}

func (r *recorder) lastSubscribed() (centrifugego.SubscribedEvent, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.subscribed) == 0 {
		return centrifugego.SubscribedEvent{}, 0
	}
	return r.subscribed[len(r.subscribed)-1], len(r.subscribed)
}

func dial(t *testing.T, ts *testServer, token string) *client {
	t.Helper()
	cl := &client{t: t, subs: map[string]*recorder{}}
	cl.c = centrifugego.NewJsonClient(ts.url, centrifugego.Config{
		Token:             token,
		MinReconnectDelay: 10 * time.Millisecond,
		MaxReconnectDelay: 50 * time.Millisecond,
		// Generous: the race detector on a busy 2-core machine is slow.
		HandshakeTimeout: 10 * time.Second,
		ReadTimeout:      10 * time.Second,
		WriteTimeout:     10 * time.Second,
	})
	cl.c.OnConnected(func(centrifugego.ConnectedEvent) {
		cl.mu.Lock()
		cl.connected++
		cl.mu.Unlock()
	})
	cl.c.OnDisconnected(func(e centrifugego.DisconnectedEvent) {
		cl.mu.Lock()
		cl.disconnects = append(cl.disconnects, e.Code)
		cl.mu.Unlock()
	})
	t.Cleanup(cl.c.Close)
	if err := cl.c.Connect(); err != nil {
		t.Logf("connect: %v (the client retries)", err)
	}
	return cl
}

// connect dials and waits until connected.
func connect(t *testing.T, ts *testServer, user *hawker.User) *client {
	t.Helper()
	tok, _ := ts.hub.Token(user, 0)
	cl := dial(t, ts, tok)
	waitFor(t, "connected", func() bool { return cl.c.State() == centrifugego.StateConnected })
	return cl
}

// subscribe subscribes and, when wait is set, waits until subscribed.
func (cl *client) subscribe(ch string, wait bool) *recorder {
	cl.t.Helper()
	return cl.subscribeFrom(ch, nil, wait)
}

// position is the stream position r reached: the epoch it subscribed in and
// the offset of the last publication it received.
func (r *recorder) position() centrifugego.StreamPosition {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sp centrifugego.StreamPosition
	if n := len(r.subscribed); n > 0 && r.subscribed[n-1].StreamPosition != nil {
		sp = *r.subscribed[n-1].StreamPosition
	}
	if n := len(r.offsets); n > 0 {
		sp.Offset = r.offsets[n-1]
	}
	return sp
}

// subscribeFrom subscribes asking the server to recover everything after
// since (nil: a plain subscribe), as an app does that lost its connection
// and opens a new one. The tests resume on a new client rather than calling
// Disconnect and Connect on one: centrifuge-go v0.12.1 reads its transport
// without a lock in resubscribe timers that run while it is disconnected,
// which the race detector reports against Connect.
func (cl *client) subscribeFrom(ch string, since *centrifugego.StreamPosition, wait bool) *recorder {
	cl.t.Helper()
	cfg := centrifugego.SubscriptionConfig{
		MinResubscribeDelay: 10 * time.Millisecond,
		MaxResubscribeDelay: 50 * time.Millisecond,
	}
	if since != nil {
		sp := *since
		cfg.GetState = func(centrifugego.SubscriptionGetStateEvent) (centrifugego.StreamPosition, error) { return sp, nil }
	}
	sub, err := cl.c.NewSubscription(ch, cfg)
	if err != nil {
		cl.t.Fatal(err)
	}
	r := &recorder{sub: sub}
	sub.OnPublication(r.add)
	sub.OnSubscribed(func(e centrifugego.SubscribedEvent) {
		r.mu.Lock()
		r.subscribed = append(r.subscribed, e)
		r.mu.Unlock()
	})
	sub.OnUnsubscribed(func(e centrifugego.UnsubscribedEvent) {
		r.mu.Lock()
		r.unsubscribed = append(r.unsubscribed, e.Code)
		r.mu.Unlock()
	})
	if err := sub.Subscribe(); err != nil {
		cl.t.Fatal(err)
	}
	cl.subs[ch] = r
	if wait {
		// centrifuge-go marks the subscription subscribed before its
		// OnSubscribed handler runs (through the client's callback queue):
		// wait for the event too, or position() may read no epoch.
		waitFor(cl.t, "subscribed to "+ch, func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			return sub.State() == centrifugego.SubStateSubscribed && len(r.subscribed) > 0
		})
	}
	return r
}

// chat sends a chat message; it returns the message or the error's code.
func (cl *client) chat(showID, text string) (hawker.ChatMessage, string) {
	cl.t.Helper()
	req, _ := json.Marshal(map[string]string{"show_id": showID, "text": text})
	return cl.rpcMessage(MethodChatSend, req)
}

func (cl *client) rpcMessage(method string, req []byte) (hawker.ChatMessage, string) {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := cl.c.RPC(ctx, method, req)
	if err != nil {
		var e *centrifugego.Error
		if ok := asError(err, &e); ok {
			return hawker.ChatMessage{}, e.Message
		}
		cl.t.Fatalf("rpc %s: %v", method, err)
	}
	var out struct {
		Message hawker.ChatMessage `json:"message"`
	}
	if len(res.Data) > 0 {
		if err := json.Unmarshal(res.Data, &out); err != nil {
			cl.t.Fatalf("rpc reply %s: %v", res.Data, err)
		}
	}
	return out.Message, ""
}

func asError(err error, target **centrifugego.Error) bool {
	switch e := err.(type) {
	case *centrifugego.Error:
		*target = e
		return true
	case centrifugego.Error:
		*target = &e
		return true
	}
	return false
}

func (cl *client) like(showID string, n int) string {
	cl.t.Helper()
	req, _ := json.Marshal(map[string]any{"show_id": showID, "count": n})
	_, code := cl.rpcMessage(MethodLike, req)
	return code
}
