package hawkerhttp

import (
	"context"
	"slices"
	"sync"
	"time"

	"hawker"
)

// fakeRealtime is a Realtime that records what the server announces and
// applies, for tests (package realtime tests the real hub; the binary's
// test runs them together).
type fakeRealtime struct {
	mu      sync.Mutex // guards the fields below
	events  []fakeEvent
	actions []fakeAction
	viewers map[string]int
	fail    error // when set, every call fails with it
	// audit, when set, records the moderation actions as the hub does.
	audit hawker.ModerationLog
}

// fakeEvent is one announced show event.
type fakeEvent struct {
	Type, ShowID, State, ProductID string
}

// fakeAction is one moderation action.
type fakeAction struct {
	Action, ActorID, ShowID, Subject string
	Settings                         *hawker.Moderation
	Words                            []string
}

var _ Realtime = (*fakeRealtime)(nil)

func newFakeRealtime() *fakeRealtime { return &fakeRealtime{viewers: map[string]int{}} }

func (f *fakeRealtime) event(e fakeEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.events = append(f.events, e)
	return nil
}

func (f *fakeRealtime) action(a fakeAction) error {
	f.mu.Lock()
	if f.fail != nil {
		f.mu.Unlock()
		return f.fail
	}
	f.actions = append(f.actions, a)
	audit := f.audit
	f.mu.Unlock()
	if audit == nil {
		return nil
	}
	e := hawker.ModerationEntry{ID: hawker.NewID(hawker.PrefixModeration), ShowID: a.ShowID, ActorID: a.ActorID, At: hawker.Now()}
	switch a.Action {
	case "mute":
		e.Action, e.UserID = hawker.ActionMute, a.Subject
	case "unmute":
		e.Action, e.UserID = hawker.ActionUnmute, a.Subject
	case "delete":
		e.Action, e.MessageID = hawker.ActionDelete, a.Subject
	case "market_words":
		e.Action, e.ShowID, e.Detail = hawker.ActionSettings, a.Subject, "market"
	default:
		e.Action = hawker.ActionSettings
	}
	return audit.AppendModeration(context.Background(), e)
}

// Events returns the show's events so far.
func (f *fakeRealtime) Events(showID string) []fakeEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeEvent
	for _, e := range f.events {
		if e.ShowID == showID {
			out = append(out, e)
		}
	}
	return out
}

// Actions returns the moderation actions so far.
func (f *fakeRealtime) Actions() []fakeAction {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.actions)
}

func (f *fakeRealtime) setViewers(showID string, n int) {
	f.mu.Lock()
	f.viewers[showID] = n
	f.mu.Unlock()
}

func (f *fakeRealtime) State(_ context.Context, showID string, s hawker.ShowState) error {
	return f.event(fakeEvent{Type: "state", ShowID: showID, State: string(s)})
}

func (f *fakeRealtime) Pinned(_ context.Context, showID string, p *hawker.Product) error {
	return f.event(fakeEvent{Type: "pinned", ShowID: showID, ProductID: p.ID})
}

func (f *fakeRealtime) Unpinned(_ context.Context, showID string) error {
	return f.event(fakeEvent{Type: "unpinned", ShowID: showID})
}

func (f *fakeRealtime) DealStarted(_ context.Context, showID string, _ *hawker.Deal, _ time.Time) error {
	return f.event(fakeEvent{Type: "deal_started", ShowID: showID})
}

func (f *fakeRealtime) DealEnded(_ context.Context, showID string, _ *hawker.Deal, _ time.Time) error {
	return f.event(fakeEvent{Type: "deal_ended", ShowID: showID})
}

func (f *fakeRealtime) Stock(_ context.Context, showID, _ string, _ int64) error {
	return f.event(fakeEvent{Type: "stock", ShowID: showID})
}

func (f *fakeRealtime) Purchase(_ context.Context, showID, _, productID string) error {
	return f.event(fakeEvent{Type: "purchase", ShowID: showID, ProductID: productID})
}

func (f *fakeRealtime) Token(user *hawker.User, _ time.Duration) (string, time.Time) {
	sub := "anonymous"
	if user != nil {
		sub = user.ID
	}
	return "fake." + sub, time.Now().Add(time.Hour).UTC().Truncate(time.Second)
}

func (f *fakeRealtime) Viewers(showID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.viewers[showID], f.fail
}

func (f *fakeRealtime) Mute(_ context.Context, actorID, showID, userID string) error {
	return f.action(fakeAction{Action: "mute", ActorID: actorID, ShowID: showID, Subject: userID})
}

func (f *fakeRealtime) Unmute(_ context.Context, actorID, showID, userID string) error {
	return f.action(fakeAction{Action: "unmute", ActorID: actorID, ShowID: showID, Subject: userID})
}

func (f *fakeRealtime) SetModeration(_ context.Context, actorID, showID string, m hawker.Moderation) (hawker.Moderation, error) {
	if err := m.Validate(); err != nil {
		return m, err
	}
	return m, f.action(fakeAction{Action: "settings", ActorID: actorID, ShowID: showID, Settings: &m})
}

func (f *fakeRealtime) SetMarketWords(_ context.Context, actorID, market string, words []string) error {
	return f.action(fakeAction{Action: "market_words", ActorID: actorID, Subject: market, Words: words})
}

func (f *fakeRealtime) DeleteMessage(_ context.Context, actorID, showID, messageID string) error {
	return f.action(fakeAction{Action: "delete", ActorID: actorID, ShowID: showID, Subject: messageID})
}
