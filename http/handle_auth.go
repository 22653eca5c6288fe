package hawkerhttp

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"hawker"
	"hawker/internal/secret"
)

// Session kinds a client may ask for at signup and login.
const (
	sessionKindToken  = "token"
	sessionKindCookie = "cookie"
)

type signupRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Market   string `json:"market"`
	Session  string `json:"session"`
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Session  string `json:"session"`
}

// sessionResponse is the answer of signup and login: the token for bearer
// sessions, the CSRF token for cookie sessions (the token is in the cookie).
type sessionResponse struct {
	User      *hawker.User `json:"user"`
	Token     string       `json:"token,omitempty"`
	CSRFToken string       `json:"csrf_token,omitempty"`
}

func validSessionKind(s string) error {
	if s != "" && s != sessionKindToken && s != sessionKindCookie {
		return hawker.FieldError("session", "session must be %q or %q", sessionKindToken, sessionKindCookie)
	}
	return nil
}

// handleSignup makes a buyer account and a session. Rate limited per
// client address and per account.
func handleSignup(store hawker.Store, markets hawker.Markets, limiter *authLimiter, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := limiter.check("addr:" + clientAddr(r, trustProxy)); err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[signupRequest](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if err := limiter.check("account:" + hawker.NormalizeEmail(req.Email)); err != nil {
			Error(w, r, err)
			return
		}
		if err := hawker.ValidateSignup(req.Email, req.Password, req.Name); err != nil {
			Error(w, r, err)
			return
		}
		if _, ok := markets.Market(req.Market); !ok {
			Error(w, r, hawker.FieldError("market", "unknown market %q", req.Market))
			return
		}
		if err := validSessionKind(req.Session); err != nil {
			Error(w, r, err)
			return
		}
		hash, err := secret.HashPassword(req.Password)
		if err != nil {
			Error(w, r, fmt.Errorf("hash password: %w", err))
			return
		}
		u := &hawker.User{
			ID:           hawker.NewID(hawker.PrefixUser),
			Email:        strings.TrimSpace(req.Email),
			Name:         req.Name,
			Market:       req.Market,
			Roles:        []hawker.Role{hawker.RoleBuyer},
			PasswordHash: hash,
			CreatedAt:    hawker.Now(),
		}
		if err := store.CreateUser(r.Context(), u); err != nil {
			if hawker.ErrorCode(err) == hawker.EEXISTS {
				err = &hawker.Error{Code: hawker.EEXISTS, Message: "An account with this email exists.", Field: "email"}
			}
			Error(w, r, err)
			return
		}
		startSession(w, r, store, u, req.Session, overTLS(r, trustProxy), http.StatusCreated)
	})
}

// handleLogin checks a password and makes a session. Unknown emails and
// wrong passwords get the same answer in about the same time.
func handleLogin(store hawker.Store, limiter *authLimiter, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := limiter.check("addr:" + clientAddr(r, trustProxy)); err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[loginRequest](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if err := validSessionKind(req.Session); err != nil {
			Error(w, r, err)
			return
		}
		email := hawker.NormalizeEmail(req.Email)
		if err := limiter.check("account:" + email); err != nil {
			Error(w, r, err)
			return
		}
		wrong := hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong email or password.")
		if email == "" || len(email) > hawker.MaxEmailLen || len(req.Password) > hawker.MaxPasswordLen {
			secret.BurnPasswordCheck(req.Password[:min(len(req.Password), hawker.MaxPasswordLen)])
			Error(w, r, wrong)
			return
		}
		u, err := store.FindUserByEmail(r.Context(), email)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			secret.BurnPasswordCheck(req.Password)
			Error(w, r, wrong)
			return
		} else if err != nil {
			Error(w, r, fmt.Errorf("find user: %w", err))
			return
		}
		ok, err := secret.CheckPassword(u.PasswordHash, req.Password)
		if err != nil {
			Error(w, r, fmt.Errorf("check password of %s: %w", u.ID, err))
			return
		}
		if !ok {
			Error(w, r, wrong)
			return
		}
		startSession(w, r, store, u, req.Session, overTLS(r, trustProxy), http.StatusOK)
	})
}

// startSession stores a new session for u and answers it: a bearer token
// in the body, or a cookie plus the CSRF token.
func startSession(w http.ResponseWriter, r *http.Request, store hawker.Store, u *hawker.User, kind string, secure bool, status int) {
	now := hawker.Now()
	token, hash := secret.NewToken(prefixSessionToken)
	sess := &hawker.Session{
		ID:        hawker.NewID(hawker.PrefixSession),
		UserID:    u.ID,
		TokenHash: hash,
		Cookie:    kind == sessionKindCookie,
		CreatedAt: now,
		ExpiresAt: now.Add(hawker.SessionLifetime),
	}
	if sess.Cookie {
		sess.CSRFToken, _ = secret.NewToken("csrf")
	}
	if err := store.CreateSession(r.Context(), sess); err != nil {
		Error(w, r, fmt.Errorf("create session: %w", err))
		return
	}
	resp := sessionResponse{User: userOut(u)}
	if sess.Cookie {
		http.SetCookie(w, sessionCookie(token, sess.ExpiresAt, secure))
		resp.CSRFToken = sess.CSRFToken
	} else {
		resp.Token = token
	}
	encode(w, status, resp)
}

// handleLogout ends the caller's session and clears the cookie. For API
// keys it does nothing.
func handleLogout(store hawker.Store, trustProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireActor(r); err != nil {
			Error(w, r, err)
			return
		}
		if sess := sessionFrom(r); sess != nil {
			err := store.DeleteSession(r.Context(), sess.ID)
			if err != nil && hawker.ErrorCode(err) != hawker.ENOTFOUND {
				Error(w, r, fmt.Errorf("delete session: %w", err))
				return
			}
			if sess.Cookie {
				http.SetCookie(w, clearSessionCookie(overTLS(r, trustProxy)))
			}
		}
		noContent(w)
	})
}

type membershipJSON struct {
	ShopID string      `json:"shop_id"`
	Role   hawker.Role `json:"role"`
}

// meUser and meKey are the two answers of GET /me.
type meUser struct {
	User  *hawker.User     `json:"user"`
	Shops []membershipJSON `json:"shops"`
	// CSRFToken lets a page of the site that lost the token (cleared
	// storage) recover it; other sites cannot read this response.
	CSRFToken string `json:"csrf_token,omitempty"`
}

type meKey struct {
	APIKey *hawker.APIKey `json:"api_key"`
}

// handleMe answers who the caller is.
func handleMe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if a.APIKey != nil {
			encode(w, http.StatusOK, meKey{APIKey: a.APIKey})
			return
		}
		// The memberships were loaded with the credentials.
		resp := meUser{User: userOut(a.User), Shops: []membershipJSON{}}
		for shopID, role := range a.Shops {
			resp.Shops = append(resp.Shops, membershipJSON{ShopID: shopID, Role: role})
		}
		slices.SortFunc(resp.Shops, func(x, y membershipJSON) int { return strings.Compare(x.ShopID, y.ShopID) })
		if s := sessionFrom(r); s != nil && s.Cookie {
			resp.CSRFToken = s.CSRFToken
		}
		encode(w, http.StatusOK, resp)
	})
}

// userOut is the JSON form of a user: roles never null.
func userOut(u *hawker.User) *hawker.User {
	c := *u
	if c.Roles == nil {
		c.Roles = []hawker.Role{}
	}
	return &c
}
