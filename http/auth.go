package hawkerhttp

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"hawker"
	"hawker/internal/secret"
)

// Credential formats.
const (
	// SessionCookie holds the token of a cookie session.
	SessionCookie = "hawker_session"
	// CSRFHeader must echo the session's CSRF token on cookie-authenticated
	// writes.
	CSRFHeader = "X-CSRF-Token"

	prefixAPIKeyToken  = "hk"
	prefixSessionToken = "hs"
)

// credentialFree lists the paths that ignore credentials: a stale cookie
// must not keep anyone from signing up or logging in again.
var credentialFree = map[string]bool{
	"/api/v1/auth/signup": true,
	"/api/v1/auth/login":  true,
}

// auth is what the credentials of a request resolved to.
type auth struct {
	actor   *hawker.Actor
	session *hawker.Session // the user's session; nil for API keys
}

// anonymous is the actor of requests without credentials.
var anonymous = &hawker.Actor{}

// actorFrom returns the request's actor; never nil, anonymous without
// credentials.
func actorFrom(r *http.Request) *hawker.Actor {
	if a, ok := r.Context().Value(authKey).(*auth); ok {
		return a.actor
	}
	return anonymous
}

// sessionFrom returns the request's user session, or nil.
func sessionFrom(r *http.Request) *hawker.Session {
	if a, ok := r.Context().Value(authKey).(*auth); ok {
		return a.session
	}
	return nil
}

// errUnauthenticated is the answer to anonymous calls of routes that need
// credentials.
func errUnauthenticated() error {
	return hawker.Errorf(hawker.EUNAUTHENTICATED, "This needs credentials: a bearer token or a session cookie.")
}

// requireActor returns the request's actor, or EUNAUTHENTICATED.
func requireActor(r *http.Request) (*hawker.Actor, error) {
	a := actorFrom(r)
	if a.Anonymous() {
		return nil, errUnauthenticated()
	}
	return a, nil
}

// requireAdmin returns the actor when it is an admin. Others get
// EUNAUTHENTICATED (anonymous) or ENOTFOUND: what admins manage (users, API
// keys) is private, and the visibility rule hides private things.
func requireAdmin(r *http.Request) (*hawker.Actor, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such resource.")
	}
	return a, nil
}

// authenticate resolves the credentials of API requests into an actor.
// Bad, expired or revoked credentials answer 401, never a silent anonymous
// request. Cookie-authenticated writes must carry the CSRF token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") || credentialFree[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		a, err := s.credentials(w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if a != nil {
			r = r.WithContext(context.WithValue(r.Context(), authKey, a))
		}
		next.ServeHTTP(w, r)
	})
}

// credentials returns the request's auth, nil when it carries none.
func (s *Server) credentials(w http.ResponseWriter, r *http.Request) (*auth, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, hawker.Errorf(hawker.EUNAUTHENTICATED, "Authorization must be \"Bearer <token>\".")
		}
		switch {
		case strings.HasPrefix(token, prefixAPIKeyToken+"_"):
			hash, now := secret.HashToken(token), hawker.Now()
			if a := s.auth.get(hash, now); a != nil {
				return a, nil
			}
			gen := s.auth.generation()
			k, err := s.store.FindAPIKeyByHash(ctx, hash)
			if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && k.RevokedAt != nil {
				return nil, hawker.Errorf(hawker.EUNAUTHENTICATED, "The API key is unknown or revoked.")
			} else if err != nil {
				return nil, fmt.Errorf("find API key: %w", err)
			}
			a := &auth{actor: &hawker.Actor{APIKey: k}}
			s.auth.put(hash, a, gen, now)
			return a, nil
		case strings.HasPrefix(token, prefixSessionToken+"_"):
			return s.sessionAuth(ctx, token, false)
		}
		return nil, hawker.Errorf(hawker.EUNAUTHENTICATED, "The bearer token is unknown or expired.")
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	a, err := s.sessionAuth(ctx, c.Value, true)
	if err != nil {
		if hawker.ErrorCode(err) == hawker.EUNAUTHENTICATED {
			http.SetCookie(w, clearSessionCookie(overTLS(r, s.cfg.TrustProxy)))
		}
		return nil, err
	}
	if !safeMethod(r.Method) && !secret.Equal(r.Header.Get(CSRFHeader), a.session.CSRFToken) {
		return nil, hawker.Errorf(hawker.EFORBIDDEN, "Missing or wrong %s header: cookie-authenticated writes must echo the session's CSRF token.", CSRFHeader)
	}
	return a, nil
}

// sessionAuth resolves a session token. Bearer tokens and cookie tokens
// are distinct kinds: one is never accepted as the other.
func (s *Server) sessionAuth(ctx context.Context, token string, cookie bool) (*auth, error) {
	bad := hawker.Errorf(hawker.EUNAUTHENTICATED, "The session is unknown or expired; log in again.")
	if !strings.HasPrefix(token, prefixSessionToken+"_") {
		return nil, bad
	}
	now := hawker.Now()
	hash := secret.HashToken(token)
	a := s.auth.get(hash, now)
	if a == nil {
		// One read for session, user and memberships, then reused for
		// AuthCacheTTL (see authCache for what makes it forget sooner).
		gen := s.auth.generation()
		sess, actor, err := s.store.FindSessionActor(ctx, hash, now)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			return nil, bad
		} else if err != nil {
			return nil, fmt.Errorf("find session: %w", err)
		}
		a = &auth{actor: actor, session: sess}
		s.auth.put(hash, a, gen, now)
	}
	sess := a.session
	if sess == nil || sess.Cookie != cookie || !sess.ExpiresAt.After(now) || (cookie && sess.CSRFToken == "") {
		return nil, bad
	}
	return a, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// overTLS reports whether the client reached us over TLS: directly, or
// (with trustProxy) through a proxy that says so in X-Forwarded-Proto.
func overTLS(r *http.Request, trustProxy bool) bool {
	return r.TLS != nil || trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// sessionCookie is the cookie of a new cookie session; Secure when the
// request came over TLS.
func sessionCookie(token string, expires time.Time, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(time.Until(expires).Seconds()),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// clearSessionCookie tells the browser to forget the session cookie.
func clearSessionCookie(secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// clientAddr is the address rate limits key on: the connection's host, or
// with trustProxy the last X-Forwarded-For entry (the one our proxy added;
// entries before it are whatever the client sent).
func clientAddr(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if vs := r.Header.Values("X-Forwarded-For"); len(vs) > 0 {
			parts := strings.Split(vs[len(vs)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parseRate reads a rate such as "20/min", "5/s" or "100/h" into a limit
// and a burst (the count). "0" turns limiting off: burst 0.
func parseRate(s string) (rate.Limit, int, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "off" {
		return 0, 0, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || n < 0 {
		return 0, 0, fmt.Errorf("hawkerhttp: auth rate %q: want a count per unit such as 20/min, or 0", s)
	}
	if n == 0 {
		return 0, 0, nil
	}
	var per time.Duration
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "s", "sec", "second":
		per = time.Second
	case "m", "min", "minute":
		per = time.Minute
	case "h", "hour":
		per = time.Hour
	default:
		return 0, 0, fmt.Errorf("hawkerhttp: auth rate %q: unit must be s, min or h", s)
	}
	return rate.Limit(float64(n) / per.Seconds()), n, nil
}

// Limiter bounds.
const (
	maxLimiterEntries = 100_000         // keys kept at most; memory stays bounded
	limiterSweepEvery = 1 * time.Minute // how often idle limiters are dropped
)

// authLimiter holds one token bucket per key (a client address or an
// account). A bucket that has refilled completely carries no information,
// so the sweeper drops it.
type authLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex // guards entries
	entries map[string]*rate.Limiter

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newAuthLimiter(limit rate.Limit, burst int) *authLimiter {
	l := &authLimiter{
		limit:   limit,
		burst:   burst,
		entries: map[string]*rate.Limiter{},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go l.sweepLoop()
	return l
}

// Close stops the sweeper and waits for it.
func (l *authLimiter) Close() {
	l.closeOnce.Do(func() { close(l.stop) })
	<-l.done
}

func (l *authLimiter) sweepLoop() {
	defer close(l.done)
	t := time.NewTicker(limiterSweepEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-t.C:
			l.mu.Lock()
			l.sweepLocked(now)
			l.mu.Unlock()
		}
	}
}

// sweepLocked drops buckets that are full again.
func (l *authLimiter) sweepLocked(now time.Time) {
	for k, lim := range l.entries {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.entries, k)
		}
	}
}

// allow takes one token from the key's bucket. When there is none it
// returns how long until there is.
func (l *authLimiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.entries[key]
	if !ok {
		if len(l.entries) >= maxLimiterEntries {
			l.sweepLocked(now)
			// Still full: forget arbitrary keys, a tenth of the cap, so that
			// the next sweeps are far apart.
			for k := range l.entries {
				if len(l.entries) < maxLimiterEntries*9/10 {
					break
				}
				delete(l.entries, k)
			}
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.entries[key] = lim
	}
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Hour
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// check answers ERATELIMITED (with Retry-After) when the key is over the
// auth rate.
func (l *authLimiter) check(key string) error {
	ok, wait := l.allow(key)
	if ok {
		return nil
	}
	return &retryError{
		err:   hawker.Errorf(hawker.ERATELIMITED, "Too many attempts; try again in %d seconds.", retrySeconds(wait)),
		After: retrySeconds(wait),
	}
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
