package realtime

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"hawker"
)

// Connection token lifetimes (API.md: reusable until they expire, ≥ 10 min).
const (
	MinTokenTTL     = 10 * time.Minute
	DefaultTokenTTL = time.Hour
	MaxTokenTTL     = 24 * time.Hour
	// MinSecretLen is the shortest accepted signing key.
	MinSecretLen = 32
)

// tokenVersion starts every token and is part of the signed bytes, so a
// token of another format or purpose never verifies.
const tokenVersion = "hrt1"

// claims are what a connection token says. Sub is empty for an anonymous
// viewer, who may watch but not chat or like.
type claims struct {
	Sub  string `json:"sub,omitempty"`
	Name string `json:"name,omitempty"`
	Exp  int64  `json:"exp"`
	Iat  int64  `json:"iat"`
}

var errBadToken = errors.New("realtime: bad connection token")

// Token mints a connection token for the user, or for an anonymous viewer
// when user is nil. ttl is clamped to [MinTokenTTL]..[MaxTokenTTL]; 0 means
// [DefaultTokenTTL]. The token is "hrt1.<claims>.<HMAC-SHA256>", both parts
// base64url: like a JWT, but with one fixed algorithm and nothing to
// negotiate. The HTTP route GET /api/v1/realtime/token returns it.
func (h *Hub) Token(user *hawker.User, ttl time.Duration) (token string, expires time.Time) {
	switch {
	case ttl == 0:
		ttl = DefaultTokenTTL
	case ttl < MinTokenTTL:
		ttl = MinTokenTTL
	case ttl > MaxTokenTTL:
		ttl = MaxTokenTTL
	}
	now := h.now()
	expires = now.Add(ttl).Truncate(time.Second)
	c := claims{Exp: expires.Unix(), Iat: now.Unix()}
	if user != nil {
		c.Sub, c.Name = user.ID, user.Name
	}
	return signToken(h.secret, c), expires
}

func signToken(secret []byte, c claims) string {
	body, _ := json.Marshal(c) // plain struct: cannot fail
	payload := tokenVersion + "." + base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyToken checks the signature and the expiry at now.
func verifyToken(secret []byte, token string, now time.Time) (claims, error) {
	var c claims
	if len(token) > 4096 {
		return c, errBadToken
	}
	version, rest, ok := strings.Cut(token, ".")
	if !ok || version != tokenVersion {
		return c, errBadToken
	}
	body64, sig64, ok := strings.Cut(rest, ".")
	if !ok {
		return c, errBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(sig64)
	if err != nil {
		return c, errBadToken
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(version + "." + body64))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return c, errBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(body64)
	if err != nil {
		return c, errBadToken
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, errBadToken
	}
	if c.Exp == 0 || !now.Before(time.Unix(c.Exp, 0)) {
		return c, errBadToken
	}
	if c.Sub != "" && !hawker.ValidID(hawker.PrefixUser, c.Sub) {
		return c, errBadToken
	}
	return c, nil
}
