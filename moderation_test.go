package hawker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestModerationValidate(t *testing.T) {
	for _, test := range []struct {
		name  string
		edit  func(m *Moderation)
		field string // "" = valid
	}{
		{"defaults", func(*Moderation) {}, ""},
		{"slow mode", func(m *Moderation) { m.SlowModeSeconds = 30 }, ""},
		{"negative slow mode", func(m *Moderation) { m.SlowModeSeconds = -1 }, "slow_mode_seconds"},
		{"slow mode too long", func(m *Moderation) { m.SlowModeSeconds = MaxSlowModeSeconds + 1 }, "slow_mode_seconds"},
		{"zero rate", func(m *Moderation) { m.RatePerSecond = 0 }, "rate_per_second"},
		{"rate too high", func(m *Moderation) { m.RatePerSecond = MaxChatRate + 1 }, "rate_per_second"},
		{"zero burst", func(m *Moderation) { m.Burst = 0 }, "burst"},
		{"too many words", func(m *Moderation) { m.BlockedWords = make([]string, MaxBlockedWords+1) }, "blocked_words"},
		{"long word", func(m *Moderation) { m.BlockedWords = []string{strings.Repeat("a", MaxBlockedWordLen+1)} }, "blocked_words[0]"},
		{"control character", func(m *Moderation) { m.BlockedWords = []string{"ok", "a\x00b"} }, "blocked_words[1]"},
	} {
		t.Run(test.name, func(t *testing.T) {
			m := DefaultModeration()
			test.edit(&m)
			err := m.Validate()
			if test.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Field != test.field {
				t.Fatalf("Validate() = %v, want invalid %s", err, test.field)
			}
		})
	}
}

func TestCleanBlockedWords(t *testing.T) {
	got, err := CleanBlockedWords("w", []string{" Spam ", "", "spam", "SPAM", "buy now", "  "})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "Spam|buy now" {
		t.Fatalf("got %q", got)
	}
}

func TestDefaultModeration(t *testing.T) {
	m := DefaultModeration()
	if m.RatePerSecond != 1 || m.Burst != 3 || m.SlowModeSeconds != 0 || m.LinksAllowed {
		t.Fatalf("defaults %+v", m)
	}
}

func TestBuyerDisplayName(t *testing.T) {
	for _, test := range []struct{ name, city, want string }{
		{"Anna Krause", "Berlin", "Anna K., Berlin"},
		{"Anna", "", "Anna"},
		{"  anna   maria krause ", " ", "anna K."},
		{"Đặng Văn Lâm", "Hà Nội", "Đặng L., Hà Nội"},
		{"anna@example.com", "Berlin", "Someone, Berlin"},
		{"", "", "Someone"},
		{"Anna 42", "", "Anna"},
		{"Anna K", "a@b.c", "Anna K."},
	} {
		if got := BuyerDisplayName(test.name, test.city); got != test.want {
			t.Errorf("BuyerDisplayName(%q, %q) = %q, want %q", test.name, test.city, got, test.want)
		}
	}
}

func TestNoShowEvents(t *testing.T) {
	var ev ShowEvents = NoShowEvents{}
	ctx := context.Background()
	if ev.State(ctx, "s", ShowLive) != nil || ev.Stock(ctx, "s", "k", 1) != nil ||
		ev.DealStarted(ctx, "s", &Deal{}, time.Now()) != nil || ev.Purchase(ctx, "s", "b", "p") != nil {
		t.Fatal("NoShowEvents returned an error")
	}
}
