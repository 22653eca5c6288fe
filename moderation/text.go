// Package moderation checks chat messages: cleaning, length, blocked words
// (through common obfuscations), links, per-user rate limits, slow mode and
// mutes. The types and error codes it uses live in package hawker.
package moderation

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hawker"
)

// Clean returns text as it may be shown: line breaks, tabs and runs of
// white space become one space, other control and invisible format
// characters (zero-width spaces, bidi overrides) are dropped, and the ends
// are trimmed. Returns EINVALID for invalid UTF-8 (also when a decoder
// already replaced it by U+FFFD, as JSON decoders do: binary is not chat)
// or an empty message, and ETOOLONG above [hawker.MaxChatLen] runes.
func Clean(text string) (string, error) {
	if !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
		return "", hawker.Errorf(hawker.EINVALID, "text must be valid UTF-8")
	}
	if len(text) > 8*hawker.MaxChatLen { // bound the work before counting
		return "", hawker.Errorf(hawker.ETOOLONG, "a message has at most %d characters", hawker.MaxChatLen)
	}
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range text {
		switch {
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		case unicode.Is(unicode.Cf, r) && r != '\u200d': // keep ZWJ for emoji sequences
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return "", hawker.Errorf(hawker.EINVALID, "text is required")
	}
	if utf8.RuneCountInString(out) > hawker.MaxChatLen {
		return "", hawker.Errorf(hawker.ETOOLONG, "a message has at most %d characters", hawker.MaxChatLen)
	}
	return out, nil
}

// Links: a scheme URL, www., or a bare domain with a common top-level domain.
var linkRe = regexp.MustCompile(`(?i)` +
	`\b[a-z][a-z0-9+.-]{1,20}://\S` +
	`|\bwww\s*\.\s*\S` +
	`|\b[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9-]{1,63})*\s?\.\s?(?:com|net|org|info|biz|io|co|ly|me|gg|tv|app|dev|link|click|online|site|shop|store|xyz|top|club|live|ru|cn|de|uk|fr|es|it|nl|pl|vn|jp|br|in|us|eu|tk|ml|ga|cf|gq)\b(?:/\S*)?`)

// dots maps full-width and ideographic full stops to ".".
var dots = strings.NewReplacer("。", ".", "．", ".", "｡", ".")

// HasLink reports whether text holds a URL or a domain name.
func HasLink(text string) bool {
	text = dots.Replace(text)
	if !strings.ContainsAny(text, ".:") { // every link has one
		return false
	}
	return linkRe.MatchString(text)
}

// foldTable maps letters that NFKD does not take apart, and common
// look-alikes from other scripts, to the Latin letters they imitate.
var foldTable = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d",
	'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t",
	// Cyrillic and Greek look-alikes.
	'а': "a", 'е': "e", 'ё': "e", 'о': "o", 'р': "p", 'с': "c", 'х': "x",
	'у': "y", 'і': "i", 'ї': "i", 'ј': "j", 'ѕ': "s", 'к': "k", 'м': "m",
	'т': "t", 'в': "b", 'н': "h",
	'α': "a", 'β': "b", 'ε': "e", 'ι': "i", 'κ': "k", 'ν': "v", 'ο': "o",
	'ρ': "p", 'τ': "t", 'υ': "u", 'χ': "x",
}

// leet maps digits and symbols written for letters.
var leet = map[rune]rune{
	'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's',
}

// fold returns text lower-cased, without accents, with look-alike and leet
// characters replaced by the letters they stand for. Every other character
// is kept.
func fold(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range norm.NFKD.String(text) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if s, ok := foldTable[r]; ok {
			b.WriteString(s)
			continue
		}
		if l, ok := leet[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return b.String()
}

// token is a run of letters in folded text; spaced reports white space
// (not only punctuation) between it and the previous token.
type token struct {
	text   string
	spaced bool
}

// tokenize splits folded text into runs of letters.
func tokenize(folded string) []token {
	var toks []token
	start := -1
	spaced := false
	for i, r := range folded {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, token{folded[start:i], spaced})
			start = -1
			spaced = false
		}
		if unicode.IsSpace(r) {
			spaced = true
		}
	}
	if start >= 0 {
		toks = append(toks, token{folded[start:], spaced})
	}
	return toks
}

// run is a letter and how many times it repeats.
type run struct {
	r rune
	n int
}

func runs(s string) []run {
	var out []run
	for _, r := range s {
		if k := len(out); k > 0 && out[k-1].r == r {
			out[k-1].n++
			continue
		}
		out = append(out, run{r, 1})
	}
	return out
}

func squeeze(rs []run) string {
	var b strings.Builder
	for _, x := range rs {
		b.WriteRune(x.r)
	}
	return b.String()
}

// stretches reports whether got is want with some letters repeated
// ("spaaam" for "spam"), never with fewer ("as" is not "ass").
func stretches(want, got []run) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i].r != got[i].r || got[i].n < want[i].n {
			return false
		}
	}
	return true
}

// entry is one blocked word or phrase, as runs of its folded tokens.
type entry struct {
	word  string
	parts [][]run
}

// Matcher finds blocked words in messages: case- and accent-insensitively,
// as whole words, through inserted dots, spaces and dashes ("s.p.a.m",
// "s p a m"), leetspeak ("5p4m") and repeated letters ("spaaam"). A Matcher
// is immutable and safe for concurrent use.
type Matcher struct {
	// byFirst maps the squeezed first token of each entry to the entries.
	byFirst    map[string][]entry
	maxLetters int // most letters in one entry
}

// NewMatcher compiles the words; words without letters are ignored.
func NewMatcher(words ...[]string) *Matcher {
	m := &Matcher{byFirst: map[string][]entry{}}
	for _, list := range words {
		for _, w := range list {
			toks := tokenize(fold(w))
			if len(toks) == 0 {
				continue
			}
			e := entry{word: w}
			n := 0
			for _, t := range toks {
				e.parts = append(e.parts, runs(t.text))
				n += utf8.RuneCountInString(t.text)
			}
			k := squeeze(e.parts[0])
			m.byFirst[k] = append(m.byFirst[k], e)
			m.maxLetters = max(m.maxLetters, n)
		}
	}
	return m
}

// Empty reports whether the matcher has no words.
func (m *Matcher) Empty() bool { return m == nil || len(m.byFirst) == 0 }

// maxRun bounds the letters joined from single-letter runs.
const maxRun = 64

// Match returns the first blocked word found in text.
func (m *Matcher) Match(text string) (string, bool) {
	if m.Empty() {
		return "", false
	}
	cands := candidates(tokenize(fold(text)), m.maxLetters)
	rs := make([][]run, len(cands)) // computed when needed
	get := func(i int) []run {
		if rs[i] == nil {
			rs[i] = runs(cands[i].text)
		}
		return rs[i]
	}
	for i := range cands {
		for _, e := range m.byFirst[squeezeString(cands[i].text)] {
			if m.matchAt(e, cands, get, i) {
				return e.word, true
			}
		}
	}
	return "", false
}

// squeezeString returns s with repeated letters once ("spaaam" → "spam"),
// without allocating when nothing repeats.
func squeezeString(s string) string {
	prev, rep := rune(-1), false
	for _, r := range s {
		if r == prev {
			rep = true
			break
		}
		prev = r
	}
	if !rep {
		return s
	}
	return squeeze(runs(s))
}

// matchAt reports whether e's tokens are candidate i and candidates that
// follow it, each starting at the token where the previous one ended.
func (m *Matcher) matchAt(e entry, cands []candidate, rs func(int) []run, i int) bool {
	if !stretches(e.parts[0], rs(i)) {
		return false
	}
	if len(e.parts) == 1 {
		return true
	}
	next := cands[i].end
	for _, p := range e.parts[1:] {
		found := false
		for j := i + 1; j < len(cands); j++ {
			if cands[j].start == next && stretches(p, rs(j)) {
				next = cands[j].end
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// candidate is a string of letters that counts as one word of the text,
// spanning tokens [start, end).
type candidate struct {
	text       string
	start, end int
}

// candidates returns the words to check: every token; every group of
// tokens joined by punctuation without white space ("s.p.a.m",
// "sp-am"); and every stretch of a run of single letters, whatever
// separates them ("s p a m"), up to limit letters long.
func candidates(toks []token, limit int) []candidate {
	out := make([]candidate, 0, len(toks)+4)
	for i, t := range toks {
		out = append(out, candidate{t.text, i, i + 1})
	}
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && !toks[j].spaced {
			j++
		}
		if j-i > 1 {
			var b strings.Builder
			for _, t := range toks[i:j] {
				b.WriteString(t.text)
			}
			out = append(out, candidate{b.String(), i, j})
		}
		i = j
	}
	for i := 0; i < len(toks); {
		if utf8.RuneCountInString(toks[i].text) != 1 {
			i++
			continue
		}
		j := i
		for j < len(toks) && j-i < maxRun && utf8.RuneCountInString(toks[j].text) == 1 {
			j++
		}
		if j-i > 1 {
			for a := i; a < j; a++ {
				var b strings.Builder
				for c := a; c < j && c-a < limit; c++ {
					b.WriteString(toks[c].text)
					if c > a {
						out = append(out, candidate{b.String(), a, c + 1})
					}
				}
			}
		}
		i = j
	}
	return out
}
