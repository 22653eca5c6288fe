package moderation

import (
	"strings"
	"testing"
	"time"

	"hawker"
)

func TestMatcher(t *testing.T) {
	m := NewMatcher([]string{"spam", "ass", "cunt", "scam", "Café", "buy now", "idiot"})
	for _, test := range []struct {
		name string
		text string
		want bool
	}{
		{"plain", "this is spam", true},
		{"upper case", "SPAM!!!", true},
		{"mixed case", "sPaM", true},
		{"dots", "s.p.a.m", true},
		{"spaces", "s p a m", true},
		{"dashes", "s-p-a-m here", true},
		{"underscores", "s_p_a_m", true},
		{"stars", "s*p*a*m", true},
		{"mixed separators", "s. p - a m", true},
		{"split inside word by dot", "sp.am", true},
		{"single letters inside a sentence", "look i s p a m you", true},
		{"leet", "5p4m", true},
		{"leet at and dollar", "@$$", true},
		{"leet with separators", "5.p.4.m", true},
		{"repeated letters", "spaaaaam", true},
		{"repeated letters everywhere", "sssppppaaammmm", true},
		{"repeated with caps", "SPAAAM", true},
		{"accents", "spám", true},
		{"accents on blocked word", "cafe", true},
		{"accents both", "CAFÉ", true},
		{"fullwidth", "ｓｐａｍ", true},
		{"cyrillic look-alike", "ѕсаm", true},
		{"zero width space handled by Clean first", mustClean(t, "sp\u200bam"), true},
		{"phrase", "please buy now!", true},
		{"phrase obfuscated", "BUY n.o.w", true},
		{"phrase stretched", "buuuy nooow", true},
		{"punctuation around", "(spam)", true},
		{"emoji around", "🔥spam🔥", true},
		{"word among words", "you idiot, really", true},

		{"class is not ass", "what a class act", false},
		{"assess is not ass", "let me assess", false},
		{"as is not ass", "as soon as possible", false},
		{"Scunthorpe", "I live in Scunthorpe", false},
		{"scampi is not scam", "scampi please", false},
		{"spammer is not spam", "the spammer", false},
		{"idiotic", "idiotic idea", false},
		{"numbers alone", "I have 2 kids and 100 cats", false},
		{"buy alone", "buy it later", false},
		{"now alone", "now please", false},
		{"buy then other", "buy cheap now", false},
		{"a s separate words", "a s", false},
		{"empty", "", false},
		{"single letters elsewhere", "a b c d", false},
	} {
		t.Run(test.name, func(t *testing.T) {
			w, got := m.Match(test.text)
			if got != test.want {
				t.Errorf("Match(%q) = %q, %v; want %v", test.text, w, got, test.want)
			}
		})
	}
}

func mustClean(t *testing.T, s string) string {
	t.Helper()
	c, err := Clean(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMatcherEmpty(t *testing.T) {
	if _, ok := NewMatcher(nil).Match("anything"); ok {
		t.Fatal("empty matcher matched")
	}
	if _, ok := NewMatcher([]string{"...", "  "}).Match("... anything"); ok {
		t.Fatal("word without letters matched")
	}
}

func TestClean(t *testing.T) {
	for _, test := range []struct {
		name, in, want, code string
	}{
		{"plain", "hello", "hello", ""},
		{"trim", "  hello \n", "hello", ""},
		{"newlines and tabs to one space", "a\n\n\tb", "a b", ""},
		{"control characters dropped", "a\x00b\x07c\x1b", "abc", ""},
		{"zero width dropped", "a\u200bb\u200ec\u202e", "abc", ""},
		{"emoji ZWJ kept", "👨\u200d👩", "👨\u200d👩", ""},
		{"empty", "   ", "", hawker.EINVALID},
		{"only control", "\x00\x01", "", hawker.EINVALID},
		{"binary", "\xff\xfe\x00", "", hawker.EINVALID},
		{"replacement character", "ab\ufffdc", "", hawker.EINVALID},
		{"300 runes", strings.Repeat("é", 300), strings.Repeat("é", 300), ""},
		{"301 runes", strings.Repeat("é", 301), "", hawker.ETOOLONG},
		{"huge", strings.Repeat("a", 1<<20), "", hawker.ETOOLONG},
		{"spaces do not count twice", "a" + strings.Repeat(" ", 400) + "b", "a b", ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			got, err := Clean(test.in)
			if code := hawker.ErrorCode(err); code != test.code {
				t.Fatalf("Clean(%q) error %v, want code %q", test.in, err, test.code)
			}
			if got != test.want {
				t.Fatalf("Clean(%q) = %q, want %q", test.in, got, test.want)
			}
		})
	}
}

func TestHasLink(t *testing.T) {
	for _, test := range []struct {
		text string
		want bool
	}{
		{"see https://example.org/x", true},
		{"HTTP://EVIL.RU", true},
		{"go to www.example", true},
		{"buy at cheap-stuff.com now", true},
		{"shop.example.co/deal", true},
		{"t.me/channel", true},
		{"evil . com", true},
		{"evil。com", true},
		{"ftp://files", true},
		{"hello there", false},
		{"it costs 3.50 today", false},
		{"e.g. this one", false},
		{"I use node.js", false},
		{"end of sentence.Next one", false},
		{"ok...com on", false},
	} {
		if got := HasLink(test.text); got != test.want {
			t.Errorf("HasLink(%q) = %v, want %v", test.text, got, test.want)
		}
	}
}

func TestLimiterRate(t *testing.T) {
	l := NewLimiter(0)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if err := l.Take("u", now, 1, 3); err != nil {
			t.Fatalf("message %d of the burst: %v", i, err)
		}
	}
	if err := l.Take("u", now, 1, 3); hawker.ErrorCode(err) != hawker.ERATELIMITED {
		t.Fatalf("4th message: %v, want rate_limited", err)
	}
	if err := l.Take("other", now, 1, 3); err != nil {
		t.Fatalf("another user is limited: %v", err)
	}
	if err := l.Take("u", now.Add(999*time.Millisecond), 1, 3); hawker.ErrorCode(err) != hawker.ERATELIMITED {
		t.Fatalf("before a second: %v", err)
	}
	if err := l.Take("u", now.Add(1001*time.Millisecond), 1, 3); err != nil {
		t.Fatalf("after a second: %v", err)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := NewLimiter(10)
	now := time.Unix(1000, 0)
	for i := range 10 {
		if err := l.Take(string(rune('a'+i)), now, 1, 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Take("new", now, 1, 3); hawker.ErrorCode(err) != hawker.ERATELIMITED {
		t.Fatalf("11th active user: %v, want rate_limited", err)
	}
	// Long after, the idle users are forgotten and room is made.
	later := now.Add(2 * time.Duration(hawker.MaxSlowModeSeconds) * time.Second)
	if err := l.Take("new", later, 1, 3); err != nil {
		t.Fatal(err)
	}
	if n := l.Len(); n != 1 {
		t.Fatalf("Len = %d after pruning, want 1", n)
	}
}

func TestChatCheck(t *testing.T) {
	s := hawker.DefaultModeration()
	s.BlockedWords = []string{"spam"}
	c := NewChat(s, []string{"scam"})
	now := time.Unix(1000, 0)
	step := func(d time.Duration) time.Time { now = now.Add(d); return now }

	check := func(user, text, code string) {
		t.Helper()
		_, err := c.Check(user, text, now)
		if got := hawker.ErrorCode(err); got != code {
			t.Fatalf("Check(%s, %q) = %v, want code %q", user, text, err, code)
		}
	}
	check("u1", "hello", "")
	check("u1", "s.p.a.m", hawker.EBLOCKED)
	check("u1", "it is a 5c4m", hawker.EBLOCKED) // market word
	check("u1", "x", hawker.ERATELIMITED)        // burst of 3 spent by the attempts
	step(time.Second)
	check("u1", "visit evil.com", hawker.EBLOCKED)
	step(time.Second)
	check("u1", strings.Repeat("a", 301), hawker.ETOOLONG)
	step(time.Second)
	check("u1", "  ", hawker.EINVALID)

	c.Mute("u2")
	check("u2", "hi", hawker.EMUTED)
	if got := c.MutedUsers(); len(got) != 1 || got[0] != "u2" {
		t.Fatalf("MutedUsers = %v", got)
	}
	c.Unmute("u2")
	check("u2", "hi", "")

	c.SetSlowMode(10)
	step(time.Second)
	check("u3", "first", "")
	step(time.Second)
	check("u3", "second", hawker.ESLOWMODE)
	check("u3", "spam", hawker.ESLOWMODE) // slow mode comes first
	step(9 * time.Second)
	check("u3", "third", "")

	s2 := c.Settings()
	s2.SlowModeSeconds = 0
	s2.LinksAllowed = true
	s2.BlockedWords = []string{"eggs"}
	c.SetSettings(s2)
	step(5 * time.Second)
	check("u4", "see evil.com", "")
	step(5 * time.Second)
	check("u4", "spam", "")
	step(5 * time.Second)
	check("u4", "E G G S", hawker.EBLOCKED)
	step(5 * time.Second)
	check("u4", "scam", hawker.EBLOCKED) // market words stay
	c.SetMarketWords(nil)
	step(5 * time.Second)
	check("u4", "scam", "")

	got, err := c.Check("u5", "  hi\n\tthere\x00 ", step(time.Second))
	if err != nil || got != "hi there" {
		t.Fatalf("cleaned text = %q, %v", got, err)
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"s.p.a.m", "spaaam", "5p4m", "ｓｐａｍ", "a b c", "\xff", strings.Repeat("a ", 200)} {
		f.Add(s)
	}
	m := NewMatcher([]string{"spam", "buy now", "ass"})
	f.Fuzz(func(t *testing.T, s string) {
		m.Match(s)
		c, err := Clean(s)
		if err == nil && len([]rune(c)) > hawker.MaxChatLen {
			t.Fatalf("Clean kept %d runes", len([]rune(c)))
		}
		HasLink(s)
	})
}

func BenchmarkCheck(b *testing.B) {
	words := make([]string, 0, hawker.MaxBlockedWords)
	for i := range hawker.MaxBlockedWords {
		words = append(words, "word"+strings.Repeat(string(rune('a'+i%26)), 1+i/26))
	}
	m := NewMatcher(words)
	text := strings.Repeat("hello there a b c d e f g, what a n.i.c.e d-a-y to buy st00f ", 5)[:hawker.MaxChatLen]
	b.ReportAllocs()
	for b.Loop() {
		c, _ := Clean(text)
		m.Match(c)
		HasLink(c)
	}
}
