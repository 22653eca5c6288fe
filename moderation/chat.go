package moderation

import (
	"math"
	"slices"
	"sync"
	"time"

	"hawker"
)

// Memory bounds of one show's chat state.
const (
	// MaxTrackedUsers is how many senders a show's limiter remembers at
	// once. Idle senders are forgotten first; when all are active, new
	// senders are refused with ERATELIMITED until some go idle.
	MaxTrackedUsers = 50_000
	// MaxMuted is how many users may be muted in one show.
	MaxMuted = 10_000
)

// bucket is one sender's token bucket and slow-mode clock.
type bucket struct {
	tokens float64
	last   time.Time // when tokens was computed
	sent   time.Time // last accepted message, for slow mode
}

// Limiter is a per-user token bucket plus slow mode with bounded memory.
// It is safe for concurrent use.
type Limiter struct {
	max int

	mu    sync.Mutex // guards users
	users map[string]*bucket
}

// NewLimiter returns a limiter remembering at most max users (0 means
// [MaxTrackedUsers]).
func NewLimiter(max int) *Limiter {
	if max <= 0 {
		max = MaxTrackedUsers
	}
	return &Limiter{max: max, users: map[string]*bucket{}}
}

// Take spends one token of the user's bucket (rate per second, burst).
// Returns ERATELIMITED when the bucket is empty.
func (l *Limiter) Take(user string, now time.Time, rate float64, burst int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := l.bucketLocked(user, now, rate, burst)
	if err != nil {
		return err
	}
	if b.tokens < 1 {
		return hawker.Errorf(hawker.ERATELIMITED, "slow down: at most %g messages per second", rate)
	}
	b.tokens--
	return nil
}

// CheckSlow returns ESLOWMODE when the user's last accepted message was
// less than slow ago.
func (l *Limiter) CheckSlow(user string, now time.Time, slow time.Duration) error {
	if slow <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.users[user]; b != nil && !b.sent.IsZero() && now.Sub(b.sent) < slow {
		wait := int(math.Ceil((slow - now.Sub(b.sent)).Seconds()))
		return hawker.Errorf(hawker.ESLOWMODE, "slow mode: wait %d s", wait)
	}
	return nil
}

// Sent records an accepted message for slow mode.
func (l *Limiter) Sent(user string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.users[user]; b != nil {
		b.sent = now
	}
}

// Forget drops the user's bucket (e.g. when a connection closes).
func (l *Limiter) Forget(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, user)
}

// Len returns how many users the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}

func (l *Limiter) bucketLocked(user string, now time.Time, rate float64, burst int) (*bucket, error) {
	b := l.users[user]
	if b == nil {
		if len(l.users) >= l.max {
			l.pruneLocked(now, rate, burst)
		}
		if len(l.users) >= l.max {
			return nil, hawker.Errorf(hawker.ERATELIMITED, "chat is busy, try again soon")
		}
		b = &bucket{tokens: float64(burst), last: now}
		l.users[user] = b
		return b, nil
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(burst), b.tokens+el.Seconds()*rate)
		b.last = now
	}
	return b, nil
}

// pruneLocked forgets users whose bucket is full again and whose slow-mode
// wait is over: remembering them changes nothing.
func (l *Limiter) pruneLocked(now time.Time, rate float64, burst int) {
	for k, b := range l.users {
		full := b.tokens+now.Sub(b.last).Seconds()*rate >= float64(burst)
		if full && now.Sub(b.sent) > time.Duration(hawker.MaxSlowModeSeconds)*time.Second {
			delete(l.users, k)
		}
	}
}

// Chat is one show's moderation state: settings, blocked words (the show's
// and its markets'), muted users and the senders' rate limits. It is safe
// for concurrent use.
type Chat struct {
	limiter *Limiter

	mu          sync.Mutex // guards the fields below
	settings    hawker.Moderation
	marketWords []string
	matcher     *Matcher // of settings.BlockedWords and marketWords
	muted       map[string]bool
}

// NewChat returns the state of a show with the settings and the blocked
// words of its markets.
func NewChat(settings hawker.Moderation, marketWords []string) *Chat {
	c := &Chat{limiter: NewLimiter(0), muted: map[string]bool{}}
	c.settings = settings
	c.marketWords = slices.Clone(marketWords)
	c.matcher = NewMatcher(settings.BlockedWords, c.marketWords)
	return c
}

// Settings returns the show's settings.
func (c *Chat) Settings() hawker.Moderation {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.settings
	s.BlockedWords = slices.Clone(s.BlockedWords)
	return s
}

// SetSettings replaces the settings (validate them first).
func (c *Chat) SetSettings(s hawker.Moderation) {
	s.BlockedWords = slices.Clone(s.BlockedWords)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settings = s
	c.matcher = NewMatcher(s.BlockedWords, c.marketWords)
}

// SetSlowMode changes only the slow mode.
func (c *Chat) SetSlowMode(seconds int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settings.SlowModeSeconds = seconds
}

// SetMarketWords replaces the blocked words that come from the markets.
func (c *Chat) SetMarketWords(words []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.marketWords = slices.Clone(words)
	c.matcher = NewMatcher(c.settings.BlockedWords, c.marketWords)
}

// Mute mutes the user; false when [MaxMuted] users are muted already.
func (c *Chat) Mute(userID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.muted[userID] && len(c.muted) >= MaxMuted {
		return false
	}
	c.muted[userID] = true
	return true
}

// Unmute lets the user chat again.
func (c *Chat) Unmute(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.muted, userID)
}

// Muted reports whether the user is muted.
func (c *Chat) Muted(userID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.muted[userID]
}

// MutedUsers lists the muted users, sorted.
func (c *Chat) MutedUsers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.muted))
	for u := range c.muted {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Check decides whether the user may send text now and returns the cleaned
// text to publish. In order it refuses with EMUTED, ERATELIMITED (every
// attempt spends a token, so floods of refused messages are limited too),
// EINVALID (empty, invalid UTF-8), ETOOLONG, ESLOWMODE, then EBLOCKED for a
// blocked word or, unless allowed, a link. An accepted message starts the
// user's slow-mode wait.
func (c *Chat) Check(userID, text string, now time.Time) (string, error) {
	c.mu.Lock()
	muted := c.muted[userID]
	s := c.settings
	m := c.matcher
	c.mu.Unlock()
	if muted {
		return "", hawker.Errorf(hawker.EMUTED, "you are muted in this show")
	}
	if err := c.limiter.Take(userID, now, s.RatePerSecond, s.Burst); err != nil {
		return "", err
	}
	clean, err := Clean(text)
	if err != nil {
		return "", err
	}
	slow := time.Duration(s.SlowModeSeconds) * time.Second
	if err := c.limiter.CheckSlow(userID, now, slow); err != nil {
		return "", err
	}
	if _, ok := m.Match(clean); ok {
		return "", hawker.Errorf(hawker.EBLOCKED, "the message contains a blocked word")
	}
	if !s.LinksAllowed && HasLink(clean) {
		return "", hawker.Errorf(hawker.EBLOCKED, "links are not allowed in this chat")
	}
	c.limiter.Sent(userID, now)
	return clean, nil
}
