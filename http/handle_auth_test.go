package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"hawker"
	"hawker/internal/secret"
)

func TestSignupAndLoginToken(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{AuthRate: "0"}})
	var out struct {
		User      hawker.User
		Token     string
		CSRFToken string `json:"csrf_token"`
	}
	f.mustJSON(t, "POST", "/api/v1/auth/signup", "", map[string]any{
		"email": "Anna@Example.com", "password": testPassword, "name": "Anna <b>", "market": "DE",
	}, http.StatusCreated, &out)
	if !strings.HasPrefix(out.Token, "hs_") || out.CSRFToken != "" {
		t.Fatalf("signup answer: %+v", out)
	}
	if out.User.Email != "Anna@Example.com" || out.User.Name != "Anna <b>" || out.User.Market != "DE" ||
		len(out.User.Roles) != 1 || out.User.Roles[0] != hawker.RoleBuyer || !hawker.ValidID(hawker.PrefixUser, out.User.ID) {
		t.Errorf("user = %+v", out.User)
	}
	var me struct {
		User  hawker.User
		Shops []membershipJSON
	}
	f.mustJSON(t, "GET", "/api/v1/me", out.Token, nil, http.StatusOK, &me)
	if me.User.ID != out.User.ID || me.Shops == nil {
		t.Errorf("me = %+v", me)
	}
	_, body := f.do(t, "GET", "/api/v1/me", out.Token, nil)
	if strings.Contains(string(body), "password") || strings.Contains(string(body), "argon") {
		t.Errorf("me leaks the password hash: %s", body)
	}

	// Login in any letter case.
	var login struct{ Token string }
	f.mustJSON(t, "POST", "/api/v1/auth/login", "", map[string]any{"email": "anna@EXAMPLE.com", "password": testPassword}, http.StatusOK, &login)
	if !strings.HasPrefix(login.Token, "hs_") || login.Token == out.Token {
		t.Errorf("login token %q", login.Token)
	}

	// Wrong password and unknown email: the same answer.
	resp1, body1 := f.do(t, "POST", "/api/v1/auth/login", "", map[string]any{"email": "anna@example.com", "password": "wrong password"})
	wantError(t, resp1, body1, http.StatusUnauthorized, "unauthenticated", "")
	resp2, body2 := f.do(t, "POST", "/api/v1/auth/login", "", map[string]any{"email": "nobody@example.com", "password": "wrong password"})
	wantError(t, resp2, body2, http.StatusUnauthorized, "unauthenticated", "")
	if string(body1) != string(body2) {
		t.Errorf("login answers differ: %s vs %s", body1, body2)
	}

	// Logout ends the session.
	f.must(t, "POST", "/api/v1/auth/logout", login.Token, nil, http.StatusNoContent)
	resp, body := f.do(t, "GET", "/api/v1/me", login.Token, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	f.must(t, "GET", "/api/v1/me", out.Token, nil, http.StatusOK)
}

func TestSignupInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.must(t, "GET", "/api/v1/users", f.AdminKey, nil, http.StatusOK)
	ok := map[string]any{"email": "new@example.com", "password": testPassword, "name": "New", "market": "US"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"email taken in another case", with("email", "BUYER@example.com"), 409, "already_exists", "email"},
		{"bad email", with("email", "not-an-email"), 422, "invalid", "email"},
		{"short password", with("password", "short"), 422, "invalid", "password"},
		{"no name", with("name", "  "), 422, "invalid", "name"},
		{"unknown market", with("market", "XX"), 422, "invalid", "market"},
		{"bad session kind", with("session", "jwt"), 422, "invalid", "session"},
		{"roles are not the client's", with("roles", []string{"admin"}), 400, "bad_request", "roles"},
		{"wrong type", with("email", 5), 400, "bad_request", "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "POST", "/api/v1/auth/signup", "", tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if after := f.must(t, "GET", "/api/v1/users", f.AdminKey, nil, http.StatusOK); string(after) != string(before) {
		t.Errorf("refused signups changed the users")
	}
}

func TestCookieSessionAndCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := f.do(t, "POST", "/api/v1/auth/login", "", map[string]any{
		"email": "seller.a@example.com", "password": testPassword, "session": "cookie",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie login: %d %s", resp.StatusCode, body)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if _, ok := out["token"]; ok {
		t.Errorf("cookie login answers a token: %s", body)
	}
	var csrf string
	_ = json.Unmarshal(out["csrf_token"], &csrf)
	if csrf == "" {
		t.Fatalf("no csrf_token: %s", body)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Secure || !strings.HasPrefix(cookie.Value, "hs_") {
		t.Fatalf("session cookie = %+v", cookie)
	}
	withCookie := func(csrfToken string) http.Header {
		h := http.Header{}
		h.Set("Cookie", SessionCookie+"="+cookie.Value)
		if csrfToken != "" {
			h.Set(CSRFHeader, csrfToken)
		}
		return h
	}
	// Reads need no CSRF token.
	resp, body = f.doHeader(t, "GET", "/api/v1/me", withCookie(""), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), f.UserSellerA) {
		t.Fatalf("me by cookie: %d %s", resp.StatusCode, body)
	}
	// A page that lost the CSRF token gets it back from /me.
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.CSRFToken != csrf {
		t.Fatalf("me by cookie: csrf_token %q, want the session's (%v)", me.CSRFToken, err)
	}
	// Writes do.
	shops := f.must(t, "GET", "/api/v1/shops", f.AdminKey, nil, http.StatusOK)
	shop := map[string]any{"name": "Cookie shop", "home_market": "US"}
	resp, body = f.doHeader(t, "POST", "/api/v1/shops", withCookie(""), shop)
	wantError(t, resp, body, http.StatusForbidden, "forbidden", "")
	resp, body = f.doHeader(t, "POST", "/api/v1/shops", withCookie("wrong"+csrf), shop)
	wantError(t, resp, body, http.StatusForbidden, "forbidden", "")
	if after := f.must(t, "GET", "/api/v1/shops", f.AdminKey, nil, http.StatusOK); string(after) != string(shops) {
		t.Fatalf("a write without the CSRF token changed shops")
	}
	resp, body = f.doHeader(t, "POST", "/api/v1/shops", withCookie(csrf), shop)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("write with CSRF token: %d %s", resp.StatusCode, body)
	}
	// The cookie token is not a bearer token, nor a bearer token a cookie.
	resp, body = f.do(t, "GET", "/api/v1/me", cookie.Value, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	h := http.Header{}
	h.Set("Cookie", SessionCookie+"="+f.SellerAToken)
	resp, body = f.doHeader(t, "GET", "/api/v1/me", h, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")

	// Logout needs the CSRF token too, then clears the cookie.
	resp, body = f.doHeader(t, "POST", "/api/v1/auth/logout", withCookie(""), nil)
	wantError(t, resp, body, http.StatusForbidden, "forbidden", "")
	resp, _ = f.doHeader(t, "POST", "/api/v1/auth/logout", withCookie(csrf), nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || c.Name == SessionCookie && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("logout did not clear the cookie: %v", resp.Header["Set-Cookie"])
	}
	resp, body = f.doHeader(t, "GET", "/api/v1/me", withCookie(""), nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
}

func TestSignupCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := f.do(t, "POST", "/api/v1/auth/signup", "", map[string]any{
		"email": "cookie@example.com", "password": testPassword, "name": "C", "market": "US", "session": "cookie",
	})
	if resp.StatusCode != http.StatusCreated || strings.Contains(string(body), `"token"`) || !strings.Contains(string(body), `"csrf_token"`) {
		t.Fatalf("cookie signup: %d %s", resp.StatusCode, body)
	}
	if len(resp.Cookies()) != 1 || resp.Cookies()[0].Name != SessionCookie {
		t.Fatalf("cookies: %v", resp.Cookies())
	}
	// A stale cookie does not keep anyone from logging in.
	h := http.Header{}
	h.Set("Cookie", SessionCookie+"=hs_stale")
	resp, body = f.doHeader(t, "POST", "/api/v1/auth/login", h, map[string]any{"email": "cookie@example.com", "password": testPassword})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login with a stale cookie: %d %s", resp.StatusCode, body)
	}
}

func TestBadCredentialsAre401(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA // public: anonymous is fine
	f.must(t, "GET", path, "", nil, http.StatusOK)
	for _, auth := range []string{"Bearer hs_nope", "Bearer hk_nope", "Bearer xyz", "Bearer", "Basic dXNlcjpwdw==", "Bearer " + f.AdminKey + "x"} {
		h := http.Header{}
		h.Set("Authorization", auth)
		resp, body := f.doHeader(t, "GET", path, h, nil)
		wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	}
	h := http.Header{}
	h.Set("Cookie", SessionCookie+"=hs_expired")
	resp, body := f.doHeader(t, "GET", path, h, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, SessionCookie+"=;") {
		t.Errorf("a bad cookie is not cleared: %q", sc)
	}
	// Anonymous on routes that need credentials.
	for _, r := range [][2]string{{"GET", "/api/v1/me"}, {"GET", "/api/v1/shops"}, {"POST", "/api/v1/auth/logout"}, {"GET", "/api/v1/users"}} {
		resp, body := f.do(t, r[0], r[1], "", nil)
		wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	}
}

func TestExpiredSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	token := "hs_expiredtoken"
	{
		// Store an expired session directly.
		hash := secret.HashToken(token)
		past := hawker.Now().Add(-time.Hour)
		if err := f.Store.CreateSession(t.Context(), &hawker.Session{
			ID: hawker.NewID(hawker.PrefixSession), UserID: f.UserBuyer, TokenHash: hash,
			CreatedAt: past.Add(-time.Hour), ExpiresAt: past,
		}); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := f.do(t, "GET", "/api/v1/me", token, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var me struct {
		APIKey hawker.APIKey `json:"api_key"`
	}
	f.mustJSON(t, "GET", "/api/v1/me", f.AdminKey, nil, http.StatusOK, &me)
	if me.APIKey.Role != hawker.RoleAdmin || me.APIKey.Name != "test admin" {
		t.Errorf("me = %+v", me)
	}
	var created struct {
		APIKey hawker.APIKey `json:"api_key"`
		Key    string
	}
	f.mustJSON(t, "POST", "/api/v1/api-keys", f.AdminKey, map[string]any{"name": "shop bot", "role": "seller"}, http.StatusCreated, &created)
	if !strings.HasPrefix(created.Key, "hk_") || !strings.HasPrefix(created.Key, created.APIKey.Prefix) || created.APIKey.RevokedAt != nil {
		t.Fatalf("created = %+v", created)
	}
	// It works at once, with its role: a seller key may open shops.
	f.must(t, "POST", "/api/v1/shops", created.Key, map[string]any{"name": "Bot shop", "home_market": "US"}, http.StatusCreated)
	_, list := f.do(t, "GET", "/api/v1/api-keys", f.AdminKey, nil)
	if !strings.Contains(string(list), created.APIKey.ID) || strings.Contains(string(list), created.Key) {
		t.Errorf("key list: %s", list)
	}
	// Only admins see keys.
	resp, body := f.do(t, "GET", "/api/v1/api-keys", created.Key, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	resp, body = f.do(t, "POST", "/api/v1/api-keys", f.SellerAToken, map[string]any{"name": "x", "role": "admin"})
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	resp, body = f.do(t, "POST", "/api/v1/api-keys", f.AdminKey, map[string]any{"name": "x", "role": "god"})
	wantError(t, resp, body, http.StatusUnprocessableEntity, "invalid", "role")

	// Revoked keys stop working.
	f.must(t, "DELETE", "/api/v1/api-keys/"+created.APIKey.ID, f.AdminKey, nil, http.StatusNoContent)
	resp, body = f.do(t, "GET", "/api/v1/me", created.Key, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	resp, body = f.do(t, "DELETE", "/api/v1/api-keys/"+hawker.NewID(hawker.PrefixAPIKey), f.AdminKey, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	// Logout with a key is a no-op.
	f.must(t, "POST", "/api/v1/auth/logout", f.AdminKey, nil, http.StatusNoContent)
	f.must(t, "GET", "/api/v1/me", f.AdminKey, nil, http.StatusOK)
}

func TestAuthRateLimit(t *testing.T) {
	t.Parallel()
	signup := func(t *testing.T, f *fixture, email, xff string) (*http.Response, []byte) {
		t.Helper()
		h := http.Header{}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		return f.doHeader(t, "POST", "/api/v1/auth/signup", h, map[string]any{
			"email": email, "password": testPassword, "name": "R", "market": "US",
		})
	}
	login := func(t *testing.T, f *fixture, email, xff string) (*http.Response, []byte) {
		t.Helper()
		h := http.Header{}
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		return f.doHeader(t, "POST", "/api/v1/auth/login", h, map[string]any{"email": email, "password": "wrong password"})
	}
	wantLimited := func(t *testing.T, resp *http.Response, body []byte) {
		t.Helper()
		wantError(t, resp, body, http.StatusTooManyRequests, "rate_limited", "")
		n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || n < 1 || n > 60 {
			t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
		}
	}

	t.Run("per address", func(t *testing.T) {
		t.Parallel()
		f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{AuthRate: "2/min"}})
		for i, email := range []string{"a1@example.com", "a2@example.com"} {
			if resp, body := signup(t, f, email, ""); resp.StatusCode != http.StatusCreated {
				t.Fatalf("signup %d: %d %s", i, resp.StatusCode, body)
			}
		}
		resp, body := signup(t, f, "a3@example.com", "")
		wantLimited(t, resp, body)
		resp, body = login(t, f, "a1@example.com", "")
		wantLimited(t, resp, body)
		// Without TrustProxy, X-Forwarded-For changes nothing.
		resp, body = login(t, f, "a1@example.com", "203.0.113.9")
		wantLimited(t, resp, body)
	})
	t.Run("per account", func(t *testing.T) {
		t.Parallel()
		f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{AuthRate: "2/min", TrustProxy: true}})
		if resp, body := signup(t, f, "victim@example.com", "198.51.100.1"); resp.StatusCode != http.StatusCreated {
			t.Fatalf("signup: %d %s", resp.StatusCode, body)
		}
		resp, body := login(t, f, "victim@example.com", "198.51.100.2")
		wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
		// A third try on the account from a third address, in another case.
		resp, body = login(t, f, "VICTIM@example.com", "198.51.100.3")
		wantLimited(t, resp, body)
		// Other accounts from fresh addresses are fine.
		resp, body = login(t, f, "other@example.com", "198.51.100.4")
		wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
		// The proxy's entry (the last) counts, not what the client wrote.
		resp, body = login(t, f, "x@example.com", "10.9.9.9, 198.51.100.4")
		wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
		resp, body = login(t, f, "y@example.com", "10.9.9.8, 198.51.100.4")
		wantLimited(t, resp, body)
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{AuthRate: "0"}})
		for i := range 6 {
			resp, body := login(t, f, "same@example.com", "")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("login %d: %d %s", i, resp.StatusCode, body)
			}
		}
	})
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		burst int
		per   float64 // tokens per second
		bad   bool
	}{
		{"20/min", 20, 20.0 / 60, false},
		{"5/s", 5, 5, false},
		{"100/h", 100, 100.0 / 3600, false},
		{"0", 0, 0, false},
		{"off", 0, 0, false},
		{"20", 0, 0, true},
		{"x/min", 0, 0, true},
		{"5/day", 0, 0, true},
		{"-1/s", 0, 0, true},
	} {
		lim, burst, err := parseRate(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("parseRate(%q) error %v", tc.in, err)
			continue
		}
		if !tc.bad && (burst != tc.burst || float64(lim) < tc.per*0.999 || float64(lim) > tc.per*1.001) {
			t.Errorf("parseRate(%q) = %v, %d", tc.in, lim, burst)
		}
	}
	if _, err := NewServer(nil, nil, nil, nil, Config{AuthRate: "lots"}); err == nil {
		t.Error("NewServer accepts nil dependencies")
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	t.Parallel()
	lim, burst, _ := parseRate("1/h")
	l := newAuthLimiter(lim, burst)
	defer l.Close()
	for i := range maxLimiterEntries + 50 {
		l.check("addr:" + strconv.Itoa(i))
	}
	l.mu.Lock()
	n := len(l.entries)
	l.mu.Unlock()
	if n > maxLimiterEntries {
		t.Errorf("%d limiter entries, cap %d", n, maxLimiterEntries)
	}
	// Full buckets are swept.
	fast, fb, _ := parseRate("1000/s")
	l2 := newAuthLimiter(fast, fb)
	defer l2.Close()
	l2.check("a")
	l2.mu.Lock()
	l2.sweepLocked(time.Now().Add(time.Minute))
	n = len(l2.entries)
	l2.mu.Unlock()
	if n != 0 {
		t.Errorf("%d entries after a sweep, want 0", n)
	}
}

func TestCookieSecureBehindTLSProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		trust  bool
		secure bool
	}{{true, true}, {false, false}} {
		f := newFixtureWith(t, fixtureOptions{NoData: true, Config: Config{AuthRate: "0", TrustProxy: tc.trust}})
		h := http.Header{}
		h.Set("X-Forwarded-Proto", "https")
		resp, body := f.doHeader(t, "POST", "/api/v1/auth/signup", h, map[string]any{
			"email": "tls@example.com", "password": testPassword, "name": "T", "market": "US", "session": "cookie",
		})
		if resp.StatusCode != http.StatusCreated || len(resp.Cookies()) != 1 {
			t.Fatalf("signup: %d %s", resp.StatusCode, body)
		}
		if c := resp.Cookies()[0]; c.Secure != tc.secure {
			t.Errorf("trust proxy %v: Secure = %v", tc.trust, c.Secure)
		}
	}
}
