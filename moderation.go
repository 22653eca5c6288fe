package hawker

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Id prefixes of chat messages and moderation log entries.
const (
	PrefixChatMessage = "msg"
	PrefixModeration  = "mod"
)

// Chat and moderation limits. The text matcher lives in package moderation;
// this file holds the types and codes every layer shares.
const (
	MaxChatLen         = 300  // runes in one chat message, after cleaning
	MaxSlowModeSeconds = 3600 // slow mode: one message per user per N seconds, 0 = off
	MaxBlockedWords    = 500  // per show, and per market
	MaxBlockedWordLen  = 64   // runes
	DefaultChatRate    = 1.0  // messages per second per user (token bucket refill)
	DefaultChatBurst   = 3    // messages a user may send at once
	MaxChatRate        = 20.0 // highest per-user rate a show may set
	MaxChatBurst       = 50
)

// Chat error codes: the message of a refused `chat.send` (API.md, "Realtime").
// EUNAUTHENTICATED and ERATELIMITED are shared with the HTTP API.
const (
	EMUTED       = "muted"         // the sender is muted in this show
	ESLOWMODE    = "slow_mode"     // slow mode: the sender must wait
	EBLOCKED     = "blocked"       // a blocked word or a link: reaches nobody
	ETOOLONG     = "too_long"      // more than MaxChatLen runes
	ESHOWNOTLIVE = "show_not_live" // chat is open only while the show is live
)

// Moderation is a show's chat settings (PATCH /api/v1/shows/{id}/moderation).
// The zero value is not usable: start from [DefaultModeration].
type Moderation struct {
	// SlowModeSeconds allows one message per user per N seconds; 0 = off.
	SlowModeSeconds int `json:"slow_mode_seconds"`
	// BlockedWords are matched case- and accent-insensitively, as whole
	// words, through common obfuscations (package moderation). A show's
	// words add to its markets' words.
	BlockedWords []string `json:"blocked_words"`
	// LinksAllowed lets messages carry URLs and domain names.
	LinksAllowed bool `json:"links_allowed"`
	// RatePerSecond and Burst are each user's token bucket.
	RatePerSecond float64 `json:"rate_per_second"`
	Burst         int     `json:"burst"`
}

// DefaultModeration returns the settings of a new show: 1 message/s per
// user with a burst of 3, slow mode off, links blocked, no show words.
func DefaultModeration() Moderation {
	return Moderation{RatePerSecond: DefaultChatRate, Burst: DefaultChatBurst}
}

// Validate checks settings sent by a host or moderator, trimming and
// de-duplicating the blocked words. Returns EINVALID with the field.
func (m *Moderation) Validate() error {
	if m.SlowModeSeconds < 0 || m.SlowModeSeconds > MaxSlowModeSeconds {
		return FieldError("slow_mode_seconds", "slow_mode_seconds must be 0..%d", MaxSlowModeSeconds)
	}
	if m.RatePerSecond <= 0 || m.RatePerSecond > MaxChatRate {
		return FieldError("rate_per_second", "rate_per_second must be above 0 and at most %g", MaxChatRate)
	}
	if m.Burst < 1 || m.Burst > MaxChatBurst {
		return FieldError("burst", "burst must be 1..%d", MaxChatBurst)
	}
	words, err := CleanBlockedWords("blocked_words", m.BlockedWords)
	if err != nil {
		return err
	}
	m.BlockedWords = words
	return nil
}

// CleanBlockedWords trims the words, drops empty ones and duplicates (same
// letters in any case) and checks the limits. A word may hold spaces ("buy
// now"); matching is done by package moderation. Returns EINVALID.
func CleanBlockedWords(field string, words []string) ([]string, error) {
	if len(words) > MaxBlockedWords {
		return nil, FieldError(field, "at most %d blocked words", MaxBlockedWords)
	}
	out := make([]string, 0, len(words))
	seen := make(map[string]bool, len(words))
	for i, w := range words {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if !utf8.ValidString(w) || utf8.RuneCountInString(w) > MaxBlockedWordLen {
			return nil, FieldError(fieldIndex(field, i), "a blocked word is valid UTF-8 of at most %d characters", MaxBlockedWordLen)
		}
		for _, r := range w {
			if unicode.IsControl(r) {
				return nil, FieldError(fieldIndex(field, i), "a blocked word must not contain control characters")
			}
		}
		k := strings.ToLower(w)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, w)
	}
	return out, nil
}

// ChatUser is who wrote a chat message, as viewers see it.
type ChatUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ChatMessage is one message of a show's chat.
type ChatMessage struct {
	ID     string    `json:"id"`
	User   ChatUser  `json:"user"`
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
}

// ModerationAction names what a host or moderator did in a show's chat.
type ModerationAction string

const (
	ActionMute     ModerationAction = "mute"
	ActionUnmute   ModerationAction = "unmute"
	ActionDelete   ModerationAction = "delete"    // a message was removed
	ActionSlowMode ModerationAction = "slow_mode" // slow mode was set (0 = off)
	ActionSettings ModerationAction = "settings"  // the settings were replaced
)

// ModerationEntry is one line of a show's moderation audit log.
type ModerationEntry struct {
	ID        string           `json:"id"`
	ShowID    string           `json:"show_id"`
	ActorID   string           `json:"actor_id"` // the user (or API key) who acted
	Action    ModerationAction `json:"action"`
	UserID    string           `json:"user_id,omitempty"`    // mute, unmute
	MessageID string           `json:"message_id,omitempty"` // delete
	Detail    string           `json:"detail,omitempty"`     // e.g. "30" for slow mode
	At        time.Time        `json:"at"`
}

// ModerationLog keeps the moderation audit log.
type ModerationLog interface {
	// AppendModeration records one action.
	AppendModeration(ctx context.Context, e ModerationEntry) error
	// FindModeration lists a show's actions, oldest first.
	FindModeration(ctx context.Context, showID string, p Page) ([]ModerationEntry, error)
}

// ShowEvents announces what happens in a show to its live viewers (the
// `show:{id}` channel). The realtime hub implements it; the catalog,
// checkout and inventory sides call it after their change is stored.
//
// Delivery is best effort: an error means live viewers may have missed the
// event (callers log it and go on — the stored state stays the truth, and
// GET /api/v1/shows/{id} serves it). Stock updates are coalesced to a few
// per second per SKU, so a burst of orders costs viewers one update.
type ShowEvents interface {
	// State announces a state change: {"type":"state","state":…}.
	State(ctx context.Context, showID string, state ShowState) error
	// Pinned announces the product card: {"type":"pinned","product":…}.
	Pinned(ctx context.Context, showID string, product *Product) error
	// Unpinned takes the card down: {"type":"unpinned"}.
	Unpinned(ctx context.Context, showID string) error
	// DealStarted and DealEnded carry the deal and the server's time:
	// {"type":"deal_started","deal":…,"now":…}.
	DealStarted(ctx context.Context, showID string, deal *Deal, now time.Time) error
	DealEnded(ctx context.Context, showID string, deal *Deal, now time.Time) error
	// Stock announces units left of a SKU, coalesced:
	// {"type":"stock","sku_id":…,"available":…}.
	Stock(ctx context.Context, showID, skuID string, available int64) error
	// Purchase announces "someone just bought":
	// {"type":"purchase","buyer":…,"product_id":…}. buyer is a display name
	// made by [BuyerDisplayName], never an email.
	Purchase(ctx context.Context, showID, buyer, productID string) error
}

// NoShowEvents drops every event: for commands and tests without realtime.
type NoShowEvents struct{}

var _ ShowEvents = NoShowEvents{}

func (NoShowEvents) State(context.Context, string, ShowState) error { return nil }
func (NoShowEvents) Pinned(context.Context, string, *Product) error { return nil }
func (NoShowEvents) Unpinned(context.Context, string) error         { return nil }
func (NoShowEvents) DealStarted(context.Context, string, *Deal, time.Time) error {
	return nil
}
func (NoShowEvents) DealEnded(context.Context, string, *Deal, time.Time) error { return nil }
func (NoShowEvents) Stock(context.Context, string, string, int64) error        { return nil }
func (NoShowEvents) Purchase(context.Context, string, string, string) error    { return nil }

// BuyerDisplayName is how a purchase is shown to viewers: the first name and
// the initial of the last ("Anna K."), and the city when given
// ("Anna K., Berlin"). Never an email address: a name that looks like one
// becomes "Someone".
func BuyerDisplayName(fullName, city string) string {
	fields := strings.Fields(fullName)
	name := "Someone"
	if len(fields) > 0 && !strings.Contains(fullName, "@") {
		name = truncateRunes(fields[0], 40)
		if len(fields) > 1 {
			r, _ := utf8.DecodeRuneInString(fields[len(fields)-1])
			if unicode.IsLetter(r) {
				name += " " + string(unicode.ToUpper(r)) + "."
			}
		}
	}
	if city = strings.TrimSpace(city); city != "" && !strings.Contains(city, "@") {
		name += ", " + truncateRunes(city, 60)
	}
	return name
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
