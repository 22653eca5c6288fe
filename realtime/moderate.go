package realtime

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"

	"hawker"
	"hawker/moderation"
)

// Moderation actions are methods of the Hub taking the acting user's id.
// The HTTP layer checks that the actor may moderate the show (host,
// co-host, moderator, the shop's sellers, admins), stores settings it
// keeps, then calls these methods: they apply the change on every node
// (through centrifuge notifications) and append it to the audit log.

// opModeration is the notification op that carries moderation changes
// between nodes.
const opModeration = "hawker.moderation"

// change is one moderation change sent to every node.
type change struct {
	Action   hawker.ModerationAction `json:"action,omitempty"`
	ShowID   string                  `json:"show_id,omitempty"`
	UserID   string                  `json:"user_id,omitempty"`
	Settings *hawker.Moderation      `json:"settings,omitempty"`
	Seconds  int                     `json:"seconds,omitempty"`
	Market   string                  `json:"market,omitempty"` // market words when set
	Words    []string                `json:"words,omitempty"`
}

// Mute stops the user from chatting in the show until unmuted. Returns
// ENOTFOUND for an unknown show and EINVALID for a bad user id or when the
// show has too many muted users.
func (h *Hub) Mute(ctx context.Context, actorID, showID, userID string) error {
	if !hawker.ValidID(hawker.PrefixUser, userID) {
		return hawker.FieldError("user_id", "not a user id")
	}
	st, err := h.stateByID(ctx, showID)
	if err != nil {
		return err
	}
	if !st.chat.Muted(userID) && len(st.chat.MutedUsers()) >= moderation.MaxMuted {
		return hawker.FieldError("user_id", "at most %d muted users per show", moderation.MaxMuted)
	}
	return h.apply(ctx, actorID, change{Action: hawker.ActionMute, ShowID: showID, UserID: userID}, "")
}

// Unmute lets the user chat again. Returns ENOTFOUND or EINVALID.
func (h *Hub) Unmute(ctx context.Context, actorID, showID, userID string) error {
	if !hawker.ValidID(hawker.PrefixUser, userID) {
		return hawker.FieldError("user_id", "not a user id")
	}
	if _, err := h.stateByID(ctx, showID); err != nil {
		return err
	}
	return h.apply(ctx, actorID, change{Action: hawker.ActionUnmute, ShowID: showID, UserID: userID}, "")
}

// SetSlowMode sets slow mode (one message per user per seconds; 0 = off).
// Returns ENOTFOUND or EINVALID.
func (h *Hub) SetSlowMode(ctx context.Context, actorID, showID string, seconds int) error {
	if seconds < 0 || seconds > hawker.MaxSlowModeSeconds {
		return hawker.FieldError("slow_mode_seconds", "slow_mode_seconds must be 0..%d", hawker.MaxSlowModeSeconds)
	}
	if _, err := h.stateByID(ctx, showID); err != nil {
		return err
	}
	return h.apply(ctx, actorID, change{Action: hawker.ActionSlowMode, ShowID: showID, Seconds: seconds}, strconv.Itoa(seconds))
}

// SetModeration replaces the show's settings after validating them, and
// returns them as applied. Returns ENOTFOUND or EINVALID with the field.
func (h *Hub) SetModeration(ctx context.Context, actorID, showID string, m hawker.Moderation) (hawker.Moderation, error) {
	if err := m.Validate(); err != nil {
		return m, err
	}
	if _, err := h.stateByID(ctx, showID); err != nil {
		return m, err
	}
	return m, h.apply(ctx, actorID, change{Action: hawker.ActionSettings, ShowID: showID, Settings: &m}, "")
}

// Moderation returns the show's settings and muted users as this node
// applies them. Returns ENOTFOUND.
func (h *Hub) Moderation(ctx context.Context, showID string) (hawker.Moderation, []string, error) {
	st, err := h.stateByID(ctx, showID)
	if err != nil {
		return hawker.Moderation{}, nil, err
	}
	return st.chat.Settings(), st.chat.MutedUsers(), nil
}

// SetMarketWords replaces the blocked words of a market
// (PUT /api/v1/markets/{code}/blocked-words); they apply to every show
// selling in it. Logged under the market's code in place of a show id.
// Returns EINVALID.
func (h *Hub) SetMarketWords(ctx context.Context, actorID, market string, words []string) error {
	words, err := hawker.CleanBlockedWords("blocked_words", words)
	if err != nil {
		return err
	}
	return h.apply(ctx, actorID, change{Action: hawker.ActionSettings, Market: market, Words: words}, "market")
}

// DeleteMessage removes a chat message: viewers get {"type":"removed"}
// (recovering viewers too, after the message), and a message still
// waiting to be published is dropped. Returns ENOTFOUND or EINVALID.
func (h *Hub) DeleteMessage(ctx context.Context, actorID, showID, messageID string) error {
	if !hawker.ValidID(hawker.PrefixChatMessage, messageID) {
		return hawker.FieldError("message_id", "not a message id")
	}
	if _, err := h.show(ctx, showID); err != nil {
		return err
	}
	err := h.shardFor(showID).send(ctx, item{kind: kindRemove, showID: showID, removeID: messageID, done: make(chan error, 1)})
	if err != nil {
		return err
	}
	return h.record(ctx, hawker.ModerationEntry{ShowID: showID, ActorID: actorID, Action: hawker.ActionDelete, MessageID: messageID})
}

// AuditLog returns the log the hub records moderation actions in.
func (h *Hub) AuditLog() hawker.ModerationLog { return h.audit }

// apply sends the change to every node (this one at once, synchronously)
// and records it. A failed notification leaves the change applied here.
func (h *Hub) apply(ctx context.Context, actorID string, c change, detail string) error {
	data := mustJSON(c)
	if err := h.node.Notify(opModeration, data, ""); err != nil {
		return err
	}
	showID := c.ShowID
	if c.Market != "" {
		showID = c.Market
	}
	return h.record(ctx, hawker.ModerationEntry{
		ShowID: showID, ActorID: actorID, Action: c.Action, UserID: c.UserID, Detail: detail,
	})
}

func (h *Hub) record(ctx context.Context, e hawker.ModerationEntry) error {
	e.ID = hawker.NewID(hawker.PrefixModeration)
	e.At = h.now()
	return h.audit.AppendModeration(ctx, e)
}

// notified applies a change sent by any node, this one included.
func (h *Hub) notified(e centrifuge.NotificationEvent) {
	if e.Op != opModeration {
		return
	}
	var c change
	if err := json.Unmarshal(e.Data, &c); err != nil {
		h.log.Error("moderation notification", "err", err)
		return
	}
	if c.Market != "" {
		h.setMarketWords(c.Market, c.Words)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	st, err := h.stateByID(ctx, c.ShowID)
	if err != nil {
		h.log.Error("moderation notification", "show", c.ShowID, "err", err)
		return
	}
	switch c.Action {
	case hawker.ActionMute:
		st.chat.Mute(c.UserID)
	case hawker.ActionUnmute:
		st.chat.Unmute(c.UserID)
	case hawker.ActionSlowMode:
		st.chat.SetSlowMode(c.Seconds)
	case hawker.ActionSettings:
		if c.Settings != nil {
			st.chat.SetSettings(*c.Settings)
		}
	}
}

func (h *Hub) setMarketWords(market string, words []string) {
	h.mu.Lock()
	h.marketWords[market] = words
	var update []*chatState
	for _, st := range h.chats {
		if slices.Contains(st.markets, market) {
			update = append(update, st)
		}
	}
	h.mu.Unlock()
	for _, st := range update {
		st.chat.SetMarketWords(h.wordsOf(st.markets))
	}
}

// wordsOf returns the blocked words of the markets.
func (h *Hub) wordsOf(markets []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range markets {
		out = append(out, h.marketWords[m]...)
	}
	return out
}

func (h *Hub) stateByID(ctx context.Context, showID string) (*chatState, error) {
	if !hawker.ValidID(hawker.PrefixShow, showID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no such show")
	}
	show, err := h.show(ctx, showID)
	if err != nil {
		return nil, err
	}
	return h.state(ctx, &show)
}

// state returns the show's moderation state, loading it on first use.
func (h *Hub) state(ctx context.Context, show *hawker.Show) (*chatState, error) {
	now := time.Now()
	h.mu.Lock()
	st := h.chats[show.ID]
	if st != nil {
		st.used = now
	}
	h.mu.Unlock()
	if st != nil {
		return st, nil
	}
	settings, muted := hawker.DefaultModeration(), []string(nil)
	if l, ok := h.store.(ModerationLoader); ok {
		s, m, err := l.FindShowModeration(ctx, show.ID)
		switch {
		case err == nil:
			settings, muted = s, m
		case hawker.ErrorCode(err) != hawker.ENOTFOUND:
			return nil, err
		}
	}
	st = &chatState{
		chat:    moderation.NewChat(settings, h.wordsOf(show.Markets)),
		likes:   moderation.NewLimiter(0),
		markets: slices.Clone(show.Markets),
		used:    now,
	}
	for _, u := range muted {
		st.chat.Mute(u)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if prev := h.chats[show.ID]; prev != nil {
		return prev, nil // loaded meanwhile by another call
	}
	h.chats[show.ID] = st
	return st, nil
}

// Audit log limits of [MemoryAudit].
const (
	MaxAuditPerShow = 10_000
	MaxAuditShows   = 10_000
)

// MemoryAudit is a [hawker.ModerationLog] in memory: the stand-in until the
// stores keep the moderation log. It keeps the last [MaxAuditPerShow]
// entries of at most [MaxAuditShows] shows (the least recently written
// show is forgotten first), and loses everything on restart.
type MemoryAudit struct {
	mu    sync.Mutex // guards the fields below
	shows map[string][]hawker.ModerationEntry
	order []string // show ids, least recently written first
}

var _ hawker.ModerationLog = (*MemoryAudit)(nil)

// NewMemoryAudit returns an empty log.
func NewMemoryAudit() *MemoryAudit {
	return &MemoryAudit{shows: map[string][]hawker.ModerationEntry{}}
}

// AppendModeration records e.
func (a *MemoryAudit) AppendModeration(_ context.Context, e hawker.ModerationEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	es, ok := a.shows[e.ShowID]
	if ok {
		if i := slices.Index(a.order, e.ShowID); i >= 0 {
			a.order = append(a.order[:i], a.order[i+1:]...)
		}
	} else if len(a.shows) >= MaxAuditShows {
		delete(a.shows, a.order[0])
		a.order = a.order[1:]
	}
	a.order = append(a.order, e.ShowID)
	if len(es) >= MaxAuditPerShow {
		es = slices.Delete(es, 0, len(es)-MaxAuditPerShow+1)
	}
	a.shows[e.ShowID] = append(es, e)
	return nil
}

// FindModeration lists the show's entries after p.After, oldest first.
func (a *MemoryAudit) FindModeration(_ context.Context, showID string, p hawker.Page) ([]hawker.ModerationEntry, error) {
	if p.Limit <= 0 {
		p.Limit = hawker.DefaultPageLimit
	}
	p.Limit = min(p.Limit, hawker.MaxPageLimit)
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []hawker.ModerationEntry
	for _, e := range a.shows[showID] {
		if e.ID > p.After {
			out = append(out, e)
			if len(out) == p.Limit {
				break
			}
		}
	}
	return out, nil
}
