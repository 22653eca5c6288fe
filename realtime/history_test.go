package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"

	"hawker"
)

// loadChat is what a viewer's app does on opening a show: it has
// subscribed to the chat (r), asks for the newest publications and
// returns the texts of the chat so far followed by the live messages r
// received, in offset order, each message once.
func loadChat(t *testing.T, r *recorder) []string {
	t.Helper()
	sp, n := r.lastSubscribed()
	if n == 0 || sp.StreamPosition == nil {
		t.Fatalf("subscription without a stream position")
	}
	top := sp.StreamPosition.Offset
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := r.sub.History(ctx, centrifugego.WithHistoryLimit(MaxChatHistory), centrifugego.WithHistoryReverse(true))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	var old []centrifugego.Publication
	for _, p := range res.Publications {
		if p.Offset <= top { // later ones come live
			old = append(old, p)
		}
	}
	slices.SortFunc(old, func(a, b centrifugego.Publication) int { return int(a.Offset) - int(b.Offset) })
	var texts []string
	for _, p := range old {
		texts = append(texts, messageTexts(t, p.Data)...)
	}
	r.mu.Lock()
	offsets := slices.Clone(r.offsets)
	r.mu.Unlock()
	if len(offsets) > 0 && offsets[0] <= top {
		t.Errorf("a live publication at offset %d, at or below the subscription's %d", offsets[0], top)
	}
	return append(texts, r.texts()...)
}

func messageTexts(t *testing.T, data []byte) []string {
	var ev messagesEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("publication %s: %v", data, err)
	}
	var out []string
	for _, m := range ev.Items {
		out = append(out, m.Text)
	}
	return out
}

// TestChatHistoryOnJoin: a viewer who opens a live show sees the messages
// sent before it came, then the live ones, in order and each once.
func TestChatHistoryOnJoin(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive, "DE")
	names := []string{"Anna", "Ben", "Cleo"}
	var senders []*client
	for _, n := range names {
		senders = append(senders, connect(t, ts, ts.store.addUser(n)))
	}
	early := connect(t, ts, nil).subscribe(ChatChannel(show.ID), true)
	var before []string
	for i := range 6 {
		text := fmt.Sprintf("before %d", i)
		if _, code := senders[i%len(senders)].chat(show.ID, text); code != "" {
			t.Fatalf("chat.send %q: %s", text, code)
		}
		before = append(before, text)
	}
	waitFor(t, "the early viewer's messages", func() bool { return len(early.texts()) == len(before) })

	viewer := connect(t, ts, nil)
	joined := viewer.subscribe(ChatChannel(show.ID), true)
	if got := joined.texts(); len(got) != 0 {
		t.Fatalf("subscribing pushed old messages %v: only history has them", got)
	}
	// A message sent between the subscription and the history call is
	// both in the history answer and live: it must show once.
	if _, code := senders[0].chat(show.ID, "between"); code != "" {
		t.Fatalf("chat.send: %s", code)
	}
	waitFor(t, "the live message", func() bool { return len(joined.texts()) == 1 })
	if got, want := loadChat(t, joined), append(slices.Clone(before), "between"); !slices.Equal(got, want) {
		t.Fatalf("chat on join %q, want %q", got, want)
	}
	if _, code := senders[1].chat(show.ID, "after"); code != "" {
		t.Fatalf("chat.send: %s", code)
	}
	waitFor(t, "the next live message", func() bool { return len(joined.texts()) == 2 })
	if got, want := loadChat(t, joined), append(slices.Clone(before), "between", "after"); !slices.Equal(got, want) {
		t.Fatalf("chat after a live message %q, want %q", got, want)
	}
}

// TestChatHistoryBounded: a busy chat answers about MaxChatHistory
// messages, the newest, in whole coalesced publications.
func TestChatHistoryBounded(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive, "DE")
	const sent = 3 * MaxChatHistory
	early := connect(t, ts, nil).subscribe(ChatChannel(show.ID), true)
	for i := range sent {
		// Straight to the show's publisher: the chat rate limits are
		// tested elsewhere.
		msg := hawker.ChatMessage{ID: hawker.NewID(hawker.PrefixChatMessage), User: hawker.ChatUser{ID: hawker.NewID(hawker.PrefixUser), Name: "Busy"},
			Text: fmt.Sprintf("busy %d", i), SentAt: ts.clock.Now()}
		if err := ts.hub.shardFor(show.ID).send(context.Background(), item{kind: kindChat, showID: show.ID, msg: msg}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every message", func() bool { return len(early.texts()) == sent })

	joined := connect(t, ts, nil).subscribe(ChatChannel(show.ID), true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := joined.sub.History(ctx, centrifugego.WithHistoryLimit(-1), centrifugego.WithHistoryReverse(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Publications) == 0 || len(res.Publications) > MaxChatHistory {
		t.Fatalf("%d publications", len(res.Publications))
	}
	var n, beforeLast int
	for i, p := range res.Publications {
		k := len(messageTexts(t, p.Data))
		if i < len(res.Publications)-1 {
			beforeLast += k
		}
		n += k
	}
	if n < MaxChatHistory || beforeLast >= MaxChatHistory {
		t.Errorf("history holds %d messages (%d before its last publication), want the publications that reach %d", n, beforeLast, MaxChatHistory)
	}
	newest := messageTexts(t, res.Publications[0].Data)
	if newest[len(newest)-1] != fmt.Sprintf("busy %d", sent-1) {
		t.Errorf("newest publication %v does not end with the last message", newest)
	}
}

// TestHistoryRefused: history is for a chat channel's subscribers only.
func TestHistoryRefused(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowLive, "DE")
	other := ts.store.addShow(hawker.ShowLive, "DE")
	rehearsal := ts.store.addShow(hawker.ShowLive, "DE")
	viewer := connect(t, ts, nil)
	events := viewer.subscribe(ShowChannel(show.ID), true)
	likes := viewer.subscribe(LikesChannel(show.ID), true)
	chat := viewer.subscribe(ChatChannel(rehearsal.ID), true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code := func(err error) uint32 {
		var e *centrifugego.Error
		if !asError(err, &e) {
			t.Fatalf("history: %v, want a refusal", err)
		}
		return e.Code
	}
	for name, err := range map[string]error{
		"show channel":  func() error { _, err := events.sub.History(ctx); return err }(),
		"likes channel": func() error { _, err := likes.sub.History(ctx); return err }(),
		"not subscribed": func() error {
			_, err := viewer.c.History(ctx, ChatChannel(other.ID), centrifugego.WithHistoryLimit(10))
			return err
		}(),
	} {
		if c := code(err); c != 103 {
			t.Errorf("%s: code %d, want 103 (permission denied)", name, c)
		}
	}
	// A subscriber of a show that went back into private rehearsal (as a
	// store edit makes it here) reads no more.
	ts.store.setState(rehearsal.ID, hawker.ShowRehearsal)
	ts.clock.Add(time.Minute)
	ts.hub.mu.Lock()
	delete(ts.hub.shows, rehearsal.ID)
	ts.hub.mu.Unlock()
	if _, err := chat.sub.History(ctx, centrifugego.WithHistoryLimit(10)); code(err) != 103 {
		t.Errorf("history of a rehearsal off the team: code %d, want 103", code(err))
	}
}

// TestShowTeamSeesRehearsal: a show's own co-hosts and moderators, who
// are not on the shop's team, may subscribe to it in rehearsal and chat
// there; others may not.
func TestShowTeamSeesRehearsal(t *testing.T) {
	ts := startHub(t, testConfig(), newMemStore())
	show := ts.store.addShow(hawker.ShowRehearsal, "DE")
	cohost, mod, buyer := ts.store.addUser("Co"), ts.store.addUser("Mo"), ts.store.addUser("Bea")
	ts.store.mu.Lock()
	ts.store.shows[show.ID].Team = []hawker.ShowTeamMember{
		{ShowID: show.ID, UserID: cohost.ID, Role: hawker.ShowCohost},
		{ShowID: show.ID, UserID: mod.ID, Role: hawker.ShowModerator},
	}
	ts.store.mu.Unlock()
	for _, u := range []*hawker.User{cohost, mod} {
		cl := connect(t, ts, u)
		r := cl.subscribe(ChatChannel(show.ID), true)
		if _, code := cl.chat(show.ID, "testing "+u.Name); code != "" {
			t.Errorf("%s chats in rehearsal: %s", u.Name, code)
		}
		waitFor(t, u.Name+"'s message", func() bool { return slices.Contains(r.texts(), "testing "+u.Name) })
	}
	cl := connect(t, ts, buyer)
	r := cl.subscribe(ChatChannel(show.ID), false)
	waitFor(t, "the buyer refused", func() bool { return slices.Contains(r.unsubscribedCodes(), 103) })
	if _, code := cl.chat(show.ID, "let me in"); code != hawker.ENOTFOUND {
		t.Errorf("a buyer's chat in rehearsal: %q, want not_found", code)
	}
}

// TestWriteDelayDelivers: with a write delay (writes scheduled by timers
// rather than a goroutine per connection) every event still arrives, in
// order, and the chat history works the same.
func TestWriteDelayDelivers(t *testing.T) {
	cfg := testConfig()
	cfg.WriteDelay = 25 * time.Millisecond
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive, "DE")
	sender := connect(t, ts, ts.store.addUser("Anna"))
	if _, code := sender.chat(show.ID, "first"); code != "" {
		t.Fatal(code)
	}
	viewer := connect(t, ts, nil)
	events := viewer.subscribe(ShowChannel(show.ID), true)
	chat := viewer.subscribe(ChatChannel(show.ID), true)
	ctx := context.Background()
	if err := ts.hub.State(ctx, show.ID, hawker.ShowLive); err != nil {
		t.Fatal(err)
	}
	if err := ts.hub.Unpinned(ctx, show.ID); err != nil {
		t.Fatal(err)
	}
	ts.clock.Add(time.Second)
	if _, code := sender.chat(show.ID, "second"); code != "" {
		t.Fatal(code)
	}
	waitFor(t, "both show events", func() bool { return len(events.types()) == 2 })
	if got := events.types(); !slices.Equal(got, []string{"state", "unpinned"}) {
		t.Errorf("events %v", got)
	}
	waitFor(t, "the live message", func() bool { return len(chat.texts()) == 1 })
	if got := loadChat(t, chat); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("chat %q", got)
	}
}
