package storetest

import (
	"strings"
	"testing"
	"time"

	"hawker"
)

// testSessionActor checks FindSessionActor, the one read behind every
// authenticated request: it must answer what FindSessionByTokenHash,
// FindUserByID and FindMemberships answer together, and see every change
// (logout, expiry, roles, team) on the very next call.
func testSessionActor(t *testing.T, open opener) {
	s := open(t)
	u := newUser(t, s, "actor@example.com")
	must(t, s.SetUserRoles(t.Context(), u.ID, []hawker.Role{hawker.RoleSeller, hawker.RoleBuyer}))
	u.Roles = []hawker.Role{hawker.RoleSeller, hawker.RoleBuyer}
	own := newShop(t, s, "actor-own", u)
	hosted := newShop(t, s, "actor-hosted", nil)
	must(t, s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: hosted.ID, UserID: u.ID, Role: hawker.RoleHost}))
	stranger := newShop(t, s, "actor-stranger", newUser(t, s, "stranger@example.com"))

	now := hawker.Now()
	newSession := func(t *testing.T, user *hawker.User, hash string, cookie bool, expires time.Time) *hawker.Session {
		t.Helper()
		sess := &hawker.Session{
			ID:        hawker.NewID(hawker.PrefixSession),
			UserID:    user.ID,
			TokenHash: hash,
			Cookie:    cookie,
			CreatedAt: now,
			ExpiresAt: expires,
		}
		if cookie {
			sess.CSRFToken = "csrf-" + hash[:8]
		}
		must(t, s.CreateSession(t.Context(), sess))
		return sess
	}
	// wantShops checks the actor's memberships against want and against
	// FindMemberships, the read it replaces.
	wantShops := func(t *testing.T, a *hawker.Actor, want map[string]hawker.Role) {
		t.Helper()
		if a.Shops == nil {
			t.Fatal("Shops is nil, want a map")
		}
		same(t, "Shops", a.Shops, want)
		ms, err := s.FindMemberships(t.Context(), a.User.ID)
		must(t, err)
		fromMembers := map[string]hawker.Role{}
		for _, m := range ms {
			fromMembers[m.ShopID] = m.Role
		}
		same(t, "Shops against FindMemberships", a.Shops, fromMembers)
	}

	t.Run("Find", func(t *testing.T) {
		cookie := newSession(t, u, strings.Repeat("a1", 32), true, now.Add(hawker.SessionLifetime))
		bearer := newSession(t, u, strings.Repeat("b1", 32), false, now.Add(time.Hour))
		for _, want := range []*hawker.Session{cookie, bearer} {
			sess, a, err := s.FindSessionActor(t.Context(), want.TokenHash, now)
			must(t, err)
			same(t, "session", sess, want)
			if sess.CSRFToken != want.CSRFToken {
				t.Errorf("CSRFToken = %q, want %q", sess.CSRFToken, want.CSRFToken)
			}
			checkUTC(t, "session CreatedAt", sess.CreatedAt)
			checkUTC(t, "session ExpiresAt", sess.ExpiresAt)
			if a.APIKey != nil {
				t.Errorf("APIKey = %+v, want nil for a session", a.APIKey)
			}
			same(t, "user", a.User, u)
			if a.User.PasswordHash != u.PasswordHash {
				t.Errorf("PasswordHash = %q, want %q", a.User.PasswordHash, u.PasswordHash)
			}
			checkUTC(t, "user CreatedAt", a.User.CreatedAt)
			wantShops(t, a, map[string]hawker.Role{own.ID: hawker.RoleSeller, hosted.ID: hawker.RoleHost})
			if a.ShopRole(stranger.ID) != "" || !a.CanManageShop(own.ID) || a.CanManageShop(hosted.ID) || !a.CanHostShop(hosted.ID) {
				t.Errorf("actor rights are wrong: shops %v", a.Shops)
			}
		}
	})

	t.Run("NoMemberships", func(t *testing.T) {
		loner := newUser(t, s, "loner@example.com")
		loner.Roles = []hawker.Role{hawker.RoleBuyer}
		sess := newSession(t, loner, strings.Repeat("c1", 32), false, now.Add(time.Hour))
		_, a, err := s.FindSessionActor(t.Context(), sess.TokenHash, now)
		must(t, err)
		same(t, "user", a.User, loner)
		wantShops(t, a, map[string]hawker.Role{})
	})

	t.Run("NoRoles", func(t *testing.T) {
		bare := newUser(t, s, "bare@example.com")
		must(t, s.SetUserRoles(t.Context(), bare.ID, nil))
		sess := newSession(t, bare, strings.Repeat("c2", 32), false, now.Add(time.Hour))
		_, a, err := s.FindSessionActor(t.Context(), sess.TokenHash, now)
		must(t, err)
		if a.User.Roles == nil || len(a.User.Roles) != 0 {
			t.Errorf("Roles = %#v, want empty, not nil", a.User.Roles)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		sess := newSession(t, u, strings.Repeat("d1", 32), false, now.Add(time.Minute))
		for _, tc := range []struct {
			name string
			now  time.Time
			code string
		}{
			{"before", sess.ExpiresAt.Add(-time.Microsecond), ""},
			{"at", sess.ExpiresAt, hawker.ENOTFOUND},
			{"after", sess.ExpiresAt.Add(time.Microsecond), hawker.ENOTFOUND},
			{"long after", sess.ExpiresAt.Add(365 * 24 * time.Hour), hawker.ENOTFOUND},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := s.FindSessionActor(t.Context(), sess.TokenHash, tc.now)
				wantCode(t, err, tc.code)
			})
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		_, _, err := s.FindSessionActor(t.Context(), strings.Repeat("00", 32), now)
		wantCode(t, err, hawker.ENOTFOUND)
		_, _, err = s.FindSessionActor(t.Context(), "", now)
		wantCode(t, err, hawker.ENOTFOUND)
	})

	t.Run("RefusedRightAfterLogout", func(t *testing.T) {
		sess := newSession(t, u, strings.Repeat("e1", 32), true, now.Add(time.Hour))
		other := newSession(t, u, strings.Repeat("e2", 32), false, now.Add(time.Hour))
		_, _, err := s.FindSessionActor(t.Context(), sess.TokenHash, now)
		must(t, err)
		must(t, s.DeleteSession(t.Context(), sess.ID))
		_, _, err = s.FindSessionActor(t.Context(), sess.TokenHash, now)
		wantCode(t, err, hawker.ENOTFOUND)
		// The user's other sessions stay.
		_, _, err = s.FindSessionActor(t.Context(), other.TokenHash, now)
		must(t, err)
	})

	t.Run("SeesChangesOnNextCall", func(t *testing.T) {
		member := newUser(t, s, "member@example.com")
		sess := newSession(t, member, strings.Repeat("f1", 32), false, now.Add(time.Hour))
		find := func(t *testing.T) *hawker.Actor {
			t.Helper()
			_, a, err := s.FindSessionActor(t.Context(), sess.TokenHash, now)
			must(t, err)
			return a
		}
		wantShops(t, find(t), map[string]hawker.Role{})

		must(t, s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: own.ID, UserID: member.ID, Role: hawker.RoleModerator}))
		wantShops(t, find(t), map[string]hawker.Role{own.ID: hawker.RoleModerator})

		must(t, s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: own.ID, UserID: member.ID, Role: hawker.RoleSeller}))
		must(t, s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: stranger.ID, UserID: member.ID, Role: hawker.RoleHost}))
		wantShops(t, find(t), map[string]hawker.Role{own.ID: hawker.RoleSeller, stranger.ID: hawker.RoleHost})

		must(t, s.DeleteShopMember(t.Context(), own.ID, member.ID))
		wantShops(t, find(t), map[string]hawker.Role{stranger.ID: hawker.RoleHost})

		must(t, s.SetUserRoles(t.Context(), member.ID, []hawker.Role{hawker.RoleAdmin}))
		if a := find(t); !a.IsAdmin() {
			t.Errorf("Roles = %v after SetUserRoles(admin), want admin", a.User.Roles)
		}
		must(t, s.SetUserRoles(t.Context(), member.ID, []hawker.Role{hawker.RoleBuyer}))
		if a := find(t); a.IsAdmin() {
			t.Errorf("Roles = %v after SetUserRoles(buyer), want no admin", a.User.Roles)
		}
	})

	t.Run("Verbatim", func(t *testing.T) {
		for i, tc := range tricky {
			t.Run(tc.name, func(t *testing.T) {
				odd := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: strings.Repeat("x", i+1) + "@tricky.example.com", Name: tc.s, Market: "DE", Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: tc.s, CreatedAt: hawker.Now()}
				must(t, s.CreateUser(t.Context(), odd))
				sess := newSession(t, odd, strings.Repeat(string(rune('0'+i)), 64), false, now.Add(time.Hour))
				_, a, err := s.FindSessionActor(t.Context(), sess.TokenHash, now)
				must(t, err)
				same(t, "user", a.User, odd)
				if a.User.PasswordHash != tc.s {
					t.Errorf("PasswordHash = %q, want %q", a.User.PasswordHash, tc.s)
				}
			})
		}
	})
}
