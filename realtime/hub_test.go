package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centrifugal/centrifuge"
	centrifugego "github.com/centrifugal/centrifuge-go"
	"github.com/gorilla/websocket"

	"hawker"
)

func TestViewerReceivesShowEventsInOrder(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowScheduled, "DE")
	anna := ts.store.addUser("Anna")
	viewer := connect(t, ts, nil) // anonymous viewers may watch
	events := viewer.subscribe(ShowChannel(show.ID), true)
	chat := viewer.subscribe(ChatChannel(show.ID), true)
	ctx := context.Background()

	ts.store.setState(show.ID, hawker.ShowLive)
	if err := ts.hub.State(ctx, show.ID, hawker.ShowLive); err != nil {
		t.Fatal(err)
	}
	product := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: show.ShopID, Title: "Mug",
		SKUs: []*hawker.SKU{{ID: hawker.NewID(hawker.PrefixSKU), Code: "MUG", Prices: map[string]int64{"DE": 1299}, OnHand: 40}}}
	if err := ts.hub.Pinned(ctx, show.ID, product); err != nil {
		t.Fatal(err)
	}
	now := ts.clock.Now()
	deal := &hawker.Deal{ID: hawker.NewID(hawker.PrefixDeal), ShowID: show.ID, SKUID: product.SKUs[0].ID,
		Prices: map[string]int64{"DE": 999}, Quantity: 10, StartsAt: now, EndsAt: now.Add(time.Minute), State: hawker.DealScheduled}
	if err := ts.hub.DealStarted(ctx, show.ID, deal, now); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Stock(ctx, show.ID, product.SKUs[0].ID, 39); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Purchase(ctx, show.ID, hawker.BuyerDisplayName("Anna Krause", "Berlin"), product.ID); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.DealEnded(ctx, show.ID, deal, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Unpinned(ctx, show.ID); err != nil {
		t.Fatal(err)
	}
	sender := connect(t, ts, anna)
	if _, code := sender.chat(show.ID, "hello everyone"); code != "" {
		t.Fatalf("chat.send: %s", code)
	}

	want := []string{"state", "pinned", "deal_started", "stock", "purchase", "deal_ended", "unpinned"}
	waitFor(t, "show events", func() bool { return len(events.types()) >= len(want) })
	if got := events.types(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	list := events.list(false)
	if list[0]["state"] != "live" {
		t.Errorf("state event %v", list[0])
	}
	p := list[1]["product"].(map[string]any)
	sku := p["skus"].([]any)[0].(map[string]any)
	if _, leaked := sku["on_hand"]; leaked || p["title"] != "Mug" {
		t.Errorf("pinned product %v: want the card without stock figures", p)
	}
	if d := list[2]; d["now"] == nil || d["deal"].(map[string]any)["ends_at"] == nil {
		t.Errorf("deal_started %v: want deal with ends_at and now", d)
	}
	if s := list[3]; s["sku_id"] != product.SKUs[0].ID || s["available"] != 39.0 {
		t.Errorf("stock %v", s)
	}
	if b := list[4]; b["buyer"] != "Anna K., Berlin" || b["product_id"] != product.ID {
		t.Errorf("purchase %v", b)
	}
	waitFor(t, "chat message", func() bool { return len(chat.texts()) == 1 })
	msg := chat.list(false)[0]
	if msg["text"] != "hello everyone" || msg["user"].(map[string]any)["name"] != "Anna" || msg["id"] == nil || msg["sent_at"] == nil {
		t.Errorf("message %v", msg)
	}
	waitFor(t, "viewer count", func() bool {
		return events.has(func(e map[string]any) bool { return e["type"] == "viewers" && e["count"] == 1.0 })
	})
}

func TestChatModerationSeenFromAnotherViewer(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive, "DE")
	host := ts.store.addUser("Host")
	anna, ben, cleo, dan := ts.store.addUser("Anna"), ts.store.addUser("Ben"), ts.store.addUser("Cleo"), ts.store.addUser("Dan")
	ctx := context.Background()

	m := hawker.DefaultModeration()
	m.BlockedWords = []string{"spam", "scam"}
	if _, err := ts.hub.SetModeration(ctx, host.ID, show.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.SetMarketWords(ctx, host.ID, "DE", []string{"quatsch"}); err != nil {
		t.Fatal(err)
	}
	watcher := connect(t, ts, ben)
	chat := watcher.subscribe(ChatChannel(show.ID), true)
	a := connect(t, ts, anna)

	// Blocked words, obfuscated, and links are refused and reach nobody.
	for _, text := range []string{"s.p.a.m", "S P A M", "5p4m", "spaaaam", "ѕсаm", "QUATSCH"} {
		if _, code := a.chat(show.ID, text); code != hawker.EBLOCKED {
			t.Errorf("chat %q: %q, want blocked", text, code)
		}
		ts.clock.Add(time.Second) // stay within the rate limit
	}
	if _, code := a.chat(show.ID, "visit cheap-deals.com"); code != hawker.EBLOCKED {
		t.Errorf("link: %q, want blocked", code)
	}
	ts.clock.Add(time.Second)
	if _, code := a.chat(show.ID, strings.Repeat("x", 301)); code != hawker.ETOOLONG {
		t.Errorf("301 characters: %q, want too_long", code)
	}
	ts.clock.Add(time.Second)
	if _, code := a.chat(show.ID, "a classic class act\x00"); code != "" {
		t.Errorf("innocent message refused: %q", code)
	}
	ts.clock.Add(time.Second)

	// Anonymous viewers cannot chat.
	anon := connect(t, ts, nil)
	if _, code := anon.chat(show.ID, "hi"); code != hawker.EUNAUTHENTICATED {
		t.Errorf("anonymous chat: %q", code)
	}

	// Rate limit: a burst of 3, then refused.
	c := connect(t, ts, cleo)
	for i := range 3 {
		if _, code := c.chat(show.ID, fmt.Sprint("burst ", i)); code != "" {
			t.Fatalf("burst %d: %q", i, code)
		}
	}
	if _, code := c.chat(show.ID, "one too many"); code != hawker.ERATELIMITED {
		t.Errorf("4th message at once: %q, want rate_limited", code)
	}
	ts.clock.Add(time.Second)

	// Mute and unmute.
	if err := ts.hub.Mute(ctx, host.ID, show.ID, anna.ID); err != nil {
		t.Fatal(err)
	}
	if _, code := a.chat(show.ID, "am I muted"); code != hawker.EMUTED {
		t.Errorf("muted: %q", code)
	}
	if err := ts.hub.Unmute(ctx, host.ID, show.ID, anna.ID); err != nil {
		t.Fatal(err)
	}
	ts.clock.Add(time.Second)
	if _, code := a.chat(show.ID, "back again"); code != "" {
		t.Errorf("unmuted: %q", code)
	}

	// Slow mode.
	if err := ts.hub.SetSlowMode(ctx, host.ID, show.ID, 30); err != nil {
		t.Fatal(err)
	}
	d := connect(t, ts, dan)
	if _, code := d.chat(show.ID, "slow one"); code != "" {
		t.Fatalf("first in slow mode: %q", code)
	}
	ts.clock.Add(10 * time.Second)
	if _, code := d.chat(show.ID, "slow two"); code != hawker.ESLOWMODE {
		t.Errorf("second within 30 s: %q, want slow_mode", code)
	}
	ts.clock.Add(21 * time.Second)
	del, code := d.chat(show.ID, "slow three")
	if code != "" {
		t.Fatalf("after 30 s: %q", code)
	}
	waitFor(t, "slow three seen", func() bool { return slices.Contains(chat.texts(), "slow three") })

	// Deletion reaches viewers.
	if err := ts.hub.DeleteMessage(ctx, host.ID, show.ID, del.ID); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.SetSlowMode(ctx, host.ID, show.ID, 0); err != nil {
		t.Fatal(err)
	}
	ts.clock.Add(time.Second)
	if _, code := a.chat(show.ID, "the end"); code != "" {
		t.Fatal(code)
	}

	want := []string{"a classic class act", "burst 0", "burst 1", "burst 2", "back again", "slow one", "slow three", "the end"}
	waitFor(t, "all accepted messages", func() bool { return slices.Contains(chat.texts(), "the end") })
	if got := chat.texts(); !slices.Equal(got, want) {
		t.Fatalf("viewer saw %q,\nwant %q", got, want)
	}
	if !chat.has(func(e map[string]any) bool { return e["type"] == "removed" && e["id"] == del.ID }) {
		t.Fatalf("no removal of %s seen: %v", del.ID, chat.list(false))
	}

	log, err := ts.hub.AuditLog().FindModeration(ctx, show.ID, hawker.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []hawker.ModerationAction
	for _, e := range log {
		if e.ActorID != host.ID {
			t.Errorf("audit entry by %s, want %s", e.ActorID, host.ID)
		}
		actions = append(actions, e.Action)
	}
	wantActions := []hawker.ModerationAction{hawker.ActionSettings, hawker.ActionMute, hawker.ActionUnmute, hawker.ActionSlowMode, hawker.ActionDelete, hawker.ActionSlowMode}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("audit %v, want %v", actions, wantActions)
	}
	settings, muted, err := ts.hub.Moderation(ctx, show.ID)
	if err != nil || len(muted) != 0 || !slices.Equal(settings.BlockedWords, []string{"spam", "scam"}) {
		t.Errorf("Moderation = %+v, %v, %v", settings, muted, err)
	}
}

func TestChatRefusedUnlessLive(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	anna := ts.store.addUser("Anna")
	a := connect(t, ts, anna)
	for _, state := range []hawker.ShowState{hawker.ShowScheduled, hawker.ShowEnded} {
		show := ts.store.addShow(state)
		if _, code := a.chat(show.ID, "hi"); code != hawker.ESHOWNOTLIVE {
			t.Errorf("%s show: %q, want show_not_live", state, code)
		}
		if code := a.like(show.ID, 1); code != hawker.ESHOWNOTLIVE {
			t.Errorf("like in %s show: %q", state, code)
		}
	}
	if _, code := a.chat(hawker.NewID(hawker.PrefixShow), "hi"); code != hawker.ENOTFOUND {
		t.Errorf("unknown show: %q", code)
	}
	if _, code := a.rpcMessage(MethodChatSend, []byte(`{"show_id":1}`)); code != hawker.EBADREQUEST {
		t.Errorf("malformed: %q", code)
	}
	if _, code := a.rpcMessage("nope", []byte(`{}`)); code != hawker.ENOTFOUND {
		t.Errorf("unknown method: %q", code)
	}
	live := ts.store.addShow(hawker.ShowLive)
	// JSON carries no raw bytes: a decoder turns them into U+FFFD.
	raw := []byte(`{"show_id":"` + live.ID + `","text":"\ufffd\ufffd binary"}`)
	if _, code := a.rpcMessage(MethodChatSend, raw); code != hawker.EINVALID {
		t.Errorf("binary: %q", code)
	}
	if _, code := a.chat(live.ID, strings.Repeat("é", 301)); code != hawker.ETOOLONG {
		t.Errorf("oversized: %q", code)
	}
}

func TestChatCoalescedIntoBatches(t *testing.T) {
	cfg := testConfig()
	cfg.ChatCoalesce = 500 * time.Millisecond
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	watcher := connect(t, ts, ts.store.addUser("W"))
	chat := watcher.subscribe(ChatChannel(show.ID), true)
	var want []string
	for i := range 4 {
		s := connect(t, ts, ts.store.addUser(fmt.Sprint("S", i)))
		for j := range 3 {
			text := fmt.Sprintf("m %d %d", i, j)
			if _, code := s.chat(show.ID, text); code != "" {
				t.Fatal(code)
			}
			want = append(want, text)
		}
	}
	waitFor(t, "12 messages", func() bool { return len(chat.texts()) == len(want) })
	if got := chat.texts(); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	chat.mu.Lock()
	pubs := chat.publications
	chat.mu.Unlock()
	if pubs >= len(want) || pubs < 2 {
		t.Fatalf("%d messages came in %d publications: want a few batches", len(want), pubs)
	}
}

func TestStockAndLikesCoalesced(t *testing.T) {
	cfg := testConfig()
	cfg.EventInterval = 300 * time.Millisecond
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	viewer := connect(t, ts, ts.store.addUser("V"))
	events := viewer.subscribe(ShowChannel(show.ID), true)
	likes := viewer.subscribe(LikesChannel(show.ID), true)
	ctx := context.Background()
	sku := hawker.NewID(hawker.PrefixSKU)
	for n := int64(100); n >= 0; n-- {
		if err := ts.hub.Stock(ctx, show.ID, sku, n); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "final stock", func() bool {
		return events.has(func(e map[string]any) bool { return e["type"] == "stock" && e["available"] == 0.0 })
	})
	if n := len(events.types()); n > 3 {
		t.Fatalf("101 stock changes made %d events, want at most a few", n)
	}

	total := 0
	for i := range 3 {
		u := connect(t, ts, ts.store.addUser(fmt.Sprint("L", i)))
		for range 5 {
			if code := u.like(show.ID, 2); code != "" {
				t.Fatal(code)
			}
			total += 2
		}
	}
	anon := connect(t, ts, nil)
	if code := anon.like(show.ID, 1); code != hawker.EUNAUTHENTICATED {
		t.Errorf("anonymous like: %q", code)
	}
	if code := viewer.like(show.ID, MaxLikesPerCall+1); code != hawker.EINVALID {
		t.Errorf("too many likes at once: %q", code)
	}
	waitFor(t, "like total", func() bool {
		return likes.has(func(e map[string]any) bool { return e["type"] == "likes" && e["total"] == float64(total) })
	})
	if n := len(likes.types()); n >= 15 {
		t.Fatalf("15 likes calls made %d publications", n)
	}
}

func TestReconnectRecoversMissedMessages(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	viewerUser := ts.store.addUser("V")
	viewer := connect(t, ts, viewerUser)
	before := viewer.subscribe(ChatChannel(show.ID), true)
	beforeEvents := viewer.subscribe(ShowChannel(show.ID), true)
	sender := connect(t, ts, ts.store.addUser("S"))
	ctx := context.Background()

	var want []string
	send := func(text string) {
		t.Helper()
		ts.clock.Add(time.Second)
		if _, code := sender.chat(show.ID, text); code != "" {
			t.Fatal(code)
		}
		want = append(want, text)
	}
	send("before 1")
	send("before 2")
	waitFor(t, "first messages", func() bool { return len(before.texts()) == 2 })

	chatAt, eventsAt := before.position(), beforeEvents.position()
	viewer.c.Close()
	waitFor(t, "viewer gone", func() bool { return ts.hub.node.Hub().NumSubscribers(ChatChannel(show.ID)) == 0 })
	for i := range 20 {
		send(fmt.Sprint("missed ", i))
	}
	if err := ts.hub.Pinned(ctx, show.ID, &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), Title: "P"}); err != nil {
		t.Fatal(err)
	}
	back := connect(t, ts, viewerUser)
	chat := back.subscribeFrom(ChatChannel(show.ID), &chatAt, true)
	events := back.subscribeFrom(ShowChannel(show.ID), &eventsAt, true)
	all := func() []string { return append(before.texts(), chat.texts()...) }
	waitFor(t, "recovered messages", func() bool { return len(all()) >= len(want) })
	send("after")
	waitFor(t, "live again", func() bool { return slices.Contains(chat.texts(), "after") })
	if got := all(); !slices.Equal(got, want) {
		t.Fatalf("got %q,\nwant %q (in order, no duplicates)", got, want)
	}
	sub, n := chat.lastSubscribed()
	if n != 1 || !sub.WasRecovering || !sub.Recovered {
		t.Fatalf("resubscribe %+v (subscribed %d times): want recovered", sub, n)
	}
	waitFor(t, "recovered pin", func() bool { return slices.Contains(events.types(), "pinned") })
	// Offsets only grow: nothing was delivered twice.
	before.mu.Lock()
	offsets := slices.Clone(before.offsets)
	before.mu.Unlock()
	chat.mu.Lock()
	offsets = append(offsets, chat.offsets...)
	chat.mu.Unlock()
	for i := 1; i < len(offsets); i++ {
		if offsets[i] <= offsets[i-1] {
			t.Fatalf("offsets %v not increasing", offsets)
		}
	}
}

func TestForgedAndExpiredTokensRejected(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	anna := ts.store.addUser("Anna")
	good, _ := ts.hub.Token(anna, 0)
	other, _ := (&Hub{secret: []byte("another secret of thirty-two bytes!!"), cfg: Config{Clock: ts.clock.Now}}).Token(anna, 0)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]
	now := ts.clock.Now()
	expired := signToken(testSecret, claims{Sub: anna.ID, Exp: now.Add(-time.Second).Unix(), Iat: now.Add(-time.Hour).Unix()})
	for name, tok := range map[string]string{
		"other secret": other, "tampered": tampered, "expired": expired, "empty": "", "garbage": "abc.def",
		"alg none": "hrt1." + parts[1] + ".",
	} {
		t.Run(name, func(t *testing.T) {
			cl := dial(t, ts, tok)
			waitFor(t, "disconnect", func() bool {
				cl.mu.Lock()
				defer cl.mu.Unlock()
				return len(cl.disconnects) > 0 && cl.c.State() == centrifugego.StateDisconnected
			})
			cl.mu.Lock()
			defer cl.mu.Unlock()
			if cl.disconnects[0] != 3500 || cl.connected != 0 {
				t.Fatalf("disconnect codes %v, connected %d: want 3500 (invalid token) and never connected", cl.disconnects, cl.connected)
			}
		})
	}
	// The token is reusable until it expires.
	for range 2 {
		cl := dial(t, ts, good)
		waitFor(t, "connected", func() bool { return cl.c.State() == centrifugego.StateConnected })
	}
	_, exp := ts.hub.Token(anna, time.Second)
	if d := exp.Sub(ts.clock.Now()); d < MinTokenTTL {
		t.Fatalf("token lives %v, want at least %v", d, MinTokenTTL)
	}
}

func TestTokenClaims(t *testing.T) {
	h := &Hub{secret: testSecret, cfg: Config{Clock: hawker.Now}}
	u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: "Anna"}
	tok, exp := h.Token(u, 0)
	c, err := verifyToken(testSecret, tok, hawker.Now())
	if err != nil || c.Sub != u.ID || c.Name != "Anna" || c.Exp != exp.Unix() {
		t.Fatalf("claims %+v, %v", c, err)
	}
	if _, err := verifyToken(testSecret, tok, exp); err == nil {
		t.Fatal("token valid at its expiry")
	}
	anon, _ := h.Token(nil, 0)
	if c, err := verifyToken(testSecret, anon, hawker.Now()); err != nil || c.Sub != "" {
		t.Fatalf("anonymous claims %+v, %v", c, err)
	}
	bad := signToken(testSecret, claims{Sub: "root", Exp: hawker.Now().Add(time.Hour).Unix()})
	if _, err := verifyToken(testSecret, bad, hawker.Now()); err == nil {
		t.Fatal("a token for a non-user id verified")
	}
}

func TestOrigins(t *testing.T) {
	cfg := testConfig()
	ts := startHub(t, cfg, newMemStore())
	host := strings.TrimPrefix(ts.srv.URL, "http://")
	_, port, _ := net.SplitHostPort(host)
	for _, test := range []struct {
		origin string
		ok     bool
	}{
		{"", true}, // apps and servers send none
		{"http://" + host, true},
		{"http://localhost:" + port, true},
		{"http://127.0.0.1:" + port, true},
		{"http://[::1]:" + port, true},
		{"http://localhost:1", false},
		{"https://evil.example", false},
		{"http://" + host + ".evil.example", false},
		{"null", false},
	} {
		t.Run(test.origin, func(t *testing.T) {
			hdr := http.Header{}
			if test.origin != "" {
				hdr.Set("Origin", test.origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(ts.url, hdr)
			if test.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				ws.Close()
				return
			}
			if err == nil {
				ws.Close()
				t.Fatal("a browser from another origin connected")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("refusal %v, %v: want 403", resp, err)
			}
		})
	}

	// Configured origins replace the localhost defaults.
	c, err := newOriginChecker([]string{"https://shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://shop.example": true, "https://SHOP.example": true, "http://shop.example": false,
		"http://localhost:" + port: false, "https://other.example": false,
	} {
		r, _ := http.NewRequest("GET", "http://"+host+"/connection/websocket", nil)
		r.Header.Set("Origin", origin)
		if got := c.check(r); got != want {
			t.Errorf("check(%q) = %v, want %v", origin, got, want)
		}
	}
	if _, err := newOriginChecker([]string{"shop.example"}); err == nil {
		t.Error("origin without scheme accepted")
	}
}

func TestSubscribeAuthorization(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	rehearsal := ts.store.addShow(hawker.ShowRehearsal)
	host := ts.store.addUser("Host")
	ts.store.addMember(rehearsal.ShopID, host.ID, hawker.RoleHost)
	admin := ts.store.addUser("Admin", hawker.RoleAdmin)
	buyer := ts.store.addUser("Buyer", hawker.RoleBuyer)

	for _, test := range []struct {
		name string
		user *hawker.User
		ch   string
		code uint32 // 0 = allowed
	}{
		{"team sees rehearsal", host, ShowChannel(rehearsal.ID), 0},
		{"admin sees rehearsal", admin, ChatChannel(rehearsal.ID), 0},
		{"buyer does not", buyer, ShowChannel(rehearsal.ID), 103},
		{"anonymous does not", nil, LikesChannel(rehearsal.ID), 103},
		{"unknown namespace", buyer, "orders:" + rehearsal.ID, 102},
		{"not a show id", buyer, "show:123", 102},
		{"unknown show", buyer, ShowChannel(hawker.NewID(hawker.PrefixShow)), 102},
	} {
		t.Run(test.name, func(t *testing.T) {
			cl := connect(t, ts, test.user)
			r := cl.subscribe(test.ch, false)
			sub, _ := cl.c.GetSubscription(test.ch)
			if test.code == 0 {
				waitFor(t, "subscribed", func() bool { return sub.State() == centrifugego.SubStateSubscribed })
				return
			}
			waitFor(t, "refused", func() bool { return len(r.unsubscribedCodes()) > 0 })
			if got := r.unsubscribedCodes()[0]; got != test.code {
				t.Fatalf("code %d, want %d", got, test.code)
			}
		})
	}

	// Team members may chat while rehearsing; others may not see the show.
	hc := connect(t, ts, host)
	if _, code := hc.chat(rehearsal.ID, "mic check"); code != "" {
		t.Errorf("host in rehearsal: %q", code)
	}
	bc := connect(t, ts, buyer)
	if _, code := bc.chat(rehearsal.ID, "hi"); code != hawker.ENOTFOUND {
		t.Errorf("buyer in rehearsal: %q", code)
	}
}

func TestClientsNeverPublish(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	cl := connect(t, ts, ts.store.addUser("A"))
	cl.subscribe(ChatChannel(show.ID), true)
	cl.subscribe(ShowChannel(show.ID), true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, _ := json.Marshal(messagesEvent{Type: "messages", Items: []hawker.ChatMessage{{Text: "fake"}}})
	if _, err := cl.c.Publish(ctx, ChatChannel(show.ID), data); err == nil {
		t.Fatal("a client published")
	}
	// History is the chat's only (history_test.go): show events come back
	// through recovery.
	if _, err := cl.c.History(ctx, ShowChannel(show.ID)); err == nil {
		t.Fatal("a client read a show channel's history outside recovery")
	}
}

func TestFloodFromOneConnection(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore()) // the test clock stands still: no refill
	show := ts.store.addShow(hawker.ShowLive)
	flooder := connect(t, ts, ts.store.addUser("F"))
	refused := 0
	for range CommandBurst + 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := flooder.c.RPC(ctx, "nope", []byte(`{}`))
		cancel()
		var e *centrifugego.Error
		if asError(err, &e) && e.Code == 111 {
			refused++
		}
	}
	if refused < 10 {
		t.Fatalf("%d commands refused, want the ones past the burst", refused)
	}
	other := connect(t, ts, ts.store.addUser("O"))
	if _, code := other.chat(show.ID, "unaffected"); code != "" {
		t.Fatalf("another viewer: %q", code)
	}
}

func TestRecoveryImpossibleTellsClientToReload(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	viewer := connect(t, ts, nil)
	first := viewer.subscribe(ShowChannel(show.ID), true)
	ctx := context.Background()
	if err := ts.hub.State(ctx, show.ID, hawker.ShowLive); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "state", func() bool { return len(first.types()) == 1 })
	at := first.position()
	viewer.c.Close()
	waitFor(t, "viewer gone", func() bool { return ts.hub.node.Hub().NumSubscribers(ShowChannel(show.ID)) == 0 })
	if err := ts.hub.Unpinned(ctx, show.ID); err != nil {
		t.Fatal(err)
	}
	// As if the history TTL passed.
	if err := ts.hub.node.RemoveHistory(ShowChannel(show.ID)); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Unpinned(ctx, show.ID); err != nil {
		t.Fatal(err)
	}
	// The client resumes from its saved position; the server cannot
	// recover it, and the client library asks the app for its state again
	// (GetState) — the cue to GET the show and start from the current state.
	back := connect(t, ts, nil)
	var mu sync.Mutex
	calls := 0
	sub, err := back.c.NewSubscription(ShowChannel(show.ID), centrifugego.SubscriptionConfig{
		MinResubscribeDelay: 10 * time.Millisecond,
		MaxResubscribeDelay: 50 * time.Millisecond,
		GetState: func(centrifugego.SubscriptionGetStateEvent) (centrifugego.StreamPosition, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				return at, nil
			}
			return centrifugego.StreamPosition{}, errors.New("test: state reloaded")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the client told to reload its state", func() bool { mu.Lock(); defer mu.Unlock(); return calls >= 2 })
}

func TestDeletedBeforePublishedReachesNobody(t *testing.T) {
	cfg := testConfig()
	cfg.ChatCoalesce = time.Hour
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	host := ts.store.addUser("Host")
	a := connect(t, ts, ts.store.addUser("A"))
	if _, code := a.chat(show.ID, "first"); code != "" {
		t.Fatal(code)
	}
	m, code := a.chat(show.ID, "regret")
	if code != "" {
		t.Fatal(code)
	}
	if err := ts.hub.DeleteMessage(context.Background(), host.ID, show.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := ts.hub.node.History(ChatChannel(show.ID), centrifuge.WithLimit(-1))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Publications {
		if strings.Contains(string(p.Data), "regret") {
			t.Fatalf("deleted message published: %s", p.Data)
		}
	}
	if n := len(res.Publications); n != 2 {
		t.Fatalf("%d publications, want the first message and the removal", n)
	}
}

func TestCloseFlushesPending(t *testing.T) {
	cfg := testConfig()
	cfg.ChatCoalesce = time.Hour
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	a := connect(t, ts, ts.store.addUser("A"))
	for _, text := range []string{"one", "two"} {
		if _, code := a.chat(show.ID, text); code != "" {
			t.Fatal(code)
		}
	}
	published := func() int {
		res, err := ts.hub.node.History(ChatChannel(show.ID), centrifuge.WithLimit(-1))
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Publications)
	}
	// The first went out at once; the second waits for the hour to end.
	waitFor(t, "first published", func() bool { return published() == 1 })
	if err := ts.hub.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := published(); n != 2 {
		t.Fatalf("%d publications after Close, want 2: the pending batch is flushed", n)
	}
	if err := ts.hub.State(context.Background(), show.ID, hawker.ShowEnded); err == nil {
		t.Error("publish after Close succeeded")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{Secret: []byte("short")}, newMemStore(), nil); err == nil {
		t.Error("short secret accepted")
	}
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"ftp://x"}
	if _, err := New(cfg, newMemStore(), nil); err == nil {
		t.Error("bad origin accepted")
	}
}

// redisURL returns the test Redis, skipping (or failing under
// HAWKER_TEST_REQUIRE_DB) without one.
func redisURL(t *testing.T) string {
	u := os.Getenv("HAWKER_TEST_REDIS_URL")
	if u == "" {
		if os.Getenv("HAWKER_TEST_REQUIRE_DB") != "" {
			t.Fatal("HAWKER_TEST_REDIS_URL is not set and HAWKER_TEST_REQUIRE_DB is")
		}
		t.Skip("SKIPPING: set HAWKER_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to test two nodes over Redis")
	}
	return u
}

func TestTwoNodesOverRedis(t *testing.T) {
	url := redisURL(t)
	store := newMemStore()
	prefix := "hawkertest-" + strings.ToLower(hawker.NewID("t"))
	cfg := testConfig()
	cfg.RedisURL = url
	cfg.RedisPrefix = prefix
	a := startHub(t, cfg, store)
	b := startHub(t, cfg, store)
	show := store.addShow(hawker.ShowLive, "DE")
	host := store.addUser("Host")
	anna, ben := store.addUser("Anna"), store.addUser("Ben")
	ctx := context.Background()

	viewer := connect(t, a, ben)
	chat := viewer.subscribe(ChatChannel(show.ID), true)
	events := viewer.subscribe(ShowChannel(show.ID), true)
	sender := connect(t, b, anna)
	if _, code := sender.chat(show.ID, "hello from B"); code != "" {
		t.Fatal(code)
	}
	if err := b.hub.Pinned(ctx, show.ID, &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), Title: "P"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "chat across nodes", func() bool { return slices.Contains(chat.texts(), "hello from B") })
	waitFor(t, "pin across nodes", func() bool { return slices.Contains(events.types(), "pinned") })

	// Moderation on node A applies to a sender on node B.
	m := hawker.DefaultModeration()
	m.BlockedWords = []string{"spam"}
	if _, err := a.hub.SetModeration(ctx, host.ID, show.ID, m); err != nil {
		t.Fatal(err)
	}
	if err := a.hub.Mute(ctx, host.ID, show.ID, anna.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "mute on node B", func() bool {
		_, muted, err := b.hub.Moderation(ctx, show.ID)
		return err == nil && slices.Contains(muted, anna.ID)
	})
	b.clock.Add(time.Second)
	if _, code := sender.chat(show.ID, "still here?"); code != hawker.EMUTED {
		t.Fatalf("muted on A, sending on B: %q", code)
	}
	other := connect(t, b, store.addUser("Cleo"))
	if _, code := other.chat(show.ID, "s p a m"); code != hawker.EBLOCKED {
		t.Fatalf("blocked word set on A, sent on B: %q", code)
	}

	// History lives in Redis: a viewer of node B recovers what was sent
	// on node A while it was away.
	dan := store.addUser("Dan")
	late := connect(t, b, dan)
	at := late.subscribe(ChatChannel(show.ID), true).position()
	late.c.Close()
	waitFor(t, "late viewer gone", func() bool { return b.hub.node.Hub().NumSubscribers(ChatChannel(show.ID)) == 0 })
	ac := connect(t, a, store.addUser("Eve"))
	for i := range 3 {
		a.clock.Add(time.Second)
		if _, code := ac.chat(show.ID, fmt.Sprint("while away ", i)); code != "" {
			t.Fatal(code)
		}
	}
	lateChat := connect(t, b, dan).subscribeFrom(ChatChannel(show.ID), &at, true)
	waitFor(t, "recovered over Redis", func() bool { return len(lateChat.texts()) == 3 })
	if got := lateChat.texts(); !slices.Equal(got, []string{"while away 0", "while away 1", "while away 2"}) {
		t.Fatalf("recovered %q", got)
	}
	// A viewer who opens the show on node A loads the chat so far, sent
	// on both nodes, from Redis.
	opened := connect(t, a, nil).subscribe(ChatChannel(show.ID), true)
	if got, want := loadChat(t, opened), []string{"hello from B", "while away 0", "while away 1", "while away 2"}; !slices.Equal(got, want) {
		t.Fatalf("chat on join over Redis %q, want %q", got, want)
	}

	// Viewer counts are global: Ben watches on A, Fay on B.
	fay := connect(t, b, store.addUser("Fay"))
	fay.subscribe(ShowChannel(show.ID), true)
	waitFor(t, "viewers of both nodes counted", func() bool {
		return events.has(func(e map[string]any) bool { return e["type"] == "viewers" && e["count"] == 2.0 })
	})
}
