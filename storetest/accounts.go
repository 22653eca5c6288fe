package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hawker"
)

func testUsers(t *testing.T, open opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		u := &hawker.User{
			ID:           hawker.NewID(hawker.PrefixUser),
			Email:        "Anna.Schmidt@Example.com",
			Name:         "Anna Schmidt",
			Market:       "DE",
			Roles:        []hawker.Role{hawker.RoleSeller, hawker.RoleHost},
			PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
			CreatedAt:    hawker.Now(),
		}
		must(t, s.CreateUser(t.Context(), u))
		got, err := s.FindUserByID(t.Context(), u.ID)
		must(t, err)
		same(t, "FindUserByID", got, u)
		if got.PasswordHash != u.PasswordHash {
			t.Errorf("PasswordHash = %q, want %q", got.PasswordHash, u.PasswordHash)
		}
		checkUTC(t, "CreatedAt", got.CreatedAt)
		for _, email := range []string{u.Email, "anna.schmidt@example.com", "ANNA.SCHMIDT@EXAMPLE.COM", " anna.schmidt@example.COM "} {
			got, err := s.FindUserByEmail(t.Context(), email)
			must(t, err)
			if got.ID != u.ID || got.Email != u.Email {
				t.Errorf("FindUserByEmail(%q) = %s %q, want %s %q", email, got.ID, got.Email, u.ID, u.Email)
			}
		}
	})

	t.Run("EmailUniqueIgnoringCase", func(t *testing.T) {
		s := open(t)
		newUser(t, s, "Bob@Example.com")
		for _, tc := range []struct{ name, email string }{
			{"same", "Bob@Example.com"},
			{"lower", "bob@example.com"},
			{"upper", "BOB@EXAMPLE.COM"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: tc.email, Name: "Bob", Market: "US", CreatedAt: hawker.Now()}
				wantCode(t, s.CreateUser(t.Context(), u), hawker.EEXISTS)
				_, err := s.FindUserByID(t.Context(), u.ID)
				wantCode(t, err, hawker.ENOTFOUND)
			})
		}
		t.Run("SameID", func(t *testing.T) {
			u := newUser(t, s, "carol@example.com")
			dup := *u
			dup.Email = "other@example.com"
			wantCode(t, s.CreateUser(t.Context(), &dup), hawker.EEXISTS)
		})
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		newUser(t, s, "dora@example.com")
		_, err := s.FindUserByID(t.Context(), hawker.NewID(hawker.PrefixUser))
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindUserByID(t.Context(), "")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindUserByEmail(t.Context(), "nobody@example.com")
		wantCode(t, err, hawker.ENOTFOUND)
		wantCode(t, s.SetUserRoles(t.Context(), hawker.NewID(hawker.PrefixUser), []hawker.Role{hawker.RoleAdmin}), hawker.ENOTFOUND)
	})

	t.Run("FindUsersPaging", func(t *testing.T) {
		s := open(t)
		empty, err := s.FindUsers(t.Context(), hawker.Page{})
		must(t, err)
		if len(empty) != 0 {
			t.Fatalf("FindUsers on an empty store = %d users", len(empty))
		}
		var want []string
		for i := range 7 {
			want = append(want, newUser(t, s, fmt.Sprintf("user%d@example.com", i)).ID)
		}
		want = sorted(want)
		for _, n := range []int{1, 2, 3, 7, 200} {
			t.Run(fmt.Sprint("limit", n), func(t *testing.T) {
				got := pageAll(t, n, func(p hawker.Page) ([]string, error) {
					us, err := s.FindUsers(t.Context(), p)
					return ids(us, func(u *hawker.User) string { return u.ID }), err
				})
				same(t, "ids", got, want)
			})
		}
		t.Run("DefaultLimit", func(t *testing.T) {
			us, err := s.FindUsers(t.Context(), hawker.Page{Limit: 0})
			must(t, err)
			same(t, "ids", ids(us, func(u *hawker.User) string { return u.ID }), want)
		})
		t.Run("After", func(t *testing.T) {
			us, err := s.FindUsers(t.Context(), hawker.Page{After: want[4], Limit: 10})
			must(t, err)
			same(t, "ids", ids(us, func(u *hawker.User) string { return u.ID }), want[5:])
		})
	})

	t.Run("SetUserRoles", func(t *testing.T) {
		s := open(t)
		u := newUser(t, s, "erik@example.com")
		for _, tc := range []struct {
			name  string
			roles []hawker.Role
		}{
			{"two", []hawker.Role{hawker.RoleAdmin, hawker.RoleSeller}},
			{"one", []hawker.Role{hawker.RoleModerator}},
			{"none", []hawker.Role{}},
			{"nil", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				must(t, s.SetUserRoles(t.Context(), u.ID, tc.roles))
				got, err := s.FindUserByID(t.Context(), u.ID)
				must(t, err)
				want := *u
				want.Roles = tc.roles
				same(t, "user", normUser(got), normUser(&want))
			})
		}
	})
}

func testSessions(t *testing.T, open opener) {
	s := open(t)
	u := newUser(t, s, "sam@example.com")
	now := hawker.Now()
	sess := &hawker.Session{
		ID:        hawker.NewID(hawker.PrefixSession),
		UserID:    u.ID,
		TokenHash: strings.Repeat("ab", 32),
		Cookie:    true,
		CSRFToken: "csrf-token-1",
		CreatedAt: now,
		ExpiresAt: now.Add(hawker.SessionLifetime),
	}
	must(t, s.CreateSession(t.Context(), sess))
	bearer := &hawker.Session{
		ID:        hawker.NewID(hawker.PrefixSession),
		UserID:    u.ID,
		TokenHash: strings.Repeat("cd", 32),
		CreatedAt: now,
		ExpiresAt: now.Add(time.Hour),
	}
	must(t, s.CreateSession(t.Context(), bearer))

	t.Run("Find", func(t *testing.T) {
		for _, want := range []*hawker.Session{sess, bearer} {
			got, err := s.FindSessionByTokenHash(t.Context(), want.TokenHash, now)
			must(t, err)
			same(t, "session", got, want)
			checkUTC(t, "ExpiresAt", got.ExpiresAt)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			now  time.Time
			code string
		}{
			{"before", bearer.ExpiresAt.Add(-time.Microsecond), ""},
			{"at", bearer.ExpiresAt, hawker.ENOTFOUND},
			{"after", bearer.ExpiresAt.Add(time.Microsecond), hawker.ENOTFOUND},
			{"long after", bearer.ExpiresAt.Add(365 * 24 * time.Hour), hawker.ENOTFOUND},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.FindSessionByTokenHash(t.Context(), bearer.TokenHash, tc.now)
				wantCode(t, err, tc.code)
			})
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		_, err := s.FindSessionByTokenHash(t.Context(), strings.Repeat("00", 32), now)
		wantCode(t, err, hawker.ENOTFOUND)
		wantCode(t, s.DeleteSession(t.Context(), hawker.NewID(hawker.PrefixSession)), hawker.ENOTFOUND)
	})
	t.Run("UnknownUser", func(t *testing.T) {
		bad := *bearer
		bad.ID, bad.UserID, bad.TokenHash = hawker.NewID(hawker.PrefixSession), hawker.NewID(hawker.PrefixUser), strings.Repeat("ef", 32)
		wantCode(t, s.CreateSession(t.Context(), &bad), hawker.ENOTFOUND)
	})
	t.Run("DuplicateHash", func(t *testing.T) {
		dup := *bearer
		dup.ID = hawker.NewID(hawker.PrefixSession)
		wantCode(t, s.CreateSession(t.Context(), &dup), hawker.EEXISTS)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteSession(t.Context(), sess.ID))
		_, err := s.FindSessionByTokenHash(t.Context(), sess.TokenHash, now)
		wantCode(t, err, hawker.ENOTFOUND)
		wantCode(t, s.DeleteSession(t.Context(), sess.ID), hawker.ENOTFOUND)
		// Other sessions of the user stay.
		_, err = s.FindSessionByTokenHash(t.Context(), bearer.TokenHash, now)
		must(t, err)
	})
}

func testAPIKeys(t *testing.T, open opener) {
	s := open(t)
	var keys []*hawker.APIKey
	for i := range 5 {
		k := &hawker.APIKey{
			ID:        hawker.NewID(hawker.PrefixAPIKey),
			Name:      fmt.Sprintf("deploy bot %d", i),
			Role:      hawker.RoleAdmin,
			KeyHash:   fmt.Sprintf("%064x", i+1),
			Prefix:    fmt.Sprintf("hk_%04d", i),
			CreatedAt: hawker.Now(),
		}
		must(t, s.CreateAPIKey(t.Context(), k))
		keys = append(keys, k)
	}

	t.Run("FindByHash", func(t *testing.T) {
		for _, k := range keys {
			got, err := s.FindAPIKeyByHash(t.Context(), k.KeyHash)
			must(t, err)
			same(t, "key", got, k)
			if got.KeyHash != k.KeyHash {
				t.Errorf("KeyHash = %q, want %q", got.KeyHash, k.KeyHash)
			}
		}
		_, err := s.FindAPIKeyByHash(t.Context(), fmt.Sprintf("%064x", 999))
		wantCode(t, err, hawker.ENOTFOUND)
	})
	t.Run("DuplicateHash", func(t *testing.T) {
		dup := *keys[0]
		dup.ID = hawker.NewID(hawker.PrefixAPIKey)
		wantCode(t, s.CreateAPIKey(t.Context(), &dup), hawker.EEXISTS)
	})
	t.Run("Revoke", func(t *testing.T) {
		at := hawker.Now()
		must(t, s.RevokeAPIKey(t.Context(), keys[1].ID, at))
		_, err := s.FindAPIKeyByHash(t.Context(), keys[1].KeyHash)
		wantCode(t, err, hawker.ENOTFOUND)
		// Others still work.
		_, err = s.FindAPIKeyByHash(t.Context(), keys[2].KeyHash)
		must(t, err)
		wantCode(t, s.RevokeAPIKey(t.Context(), hawker.NewID(hawker.PrefixAPIKey), at), hawker.ENOTFOUND)

		list, err := s.FindAPIKeys(t.Context(), hawker.Page{})
		must(t, err)
		want := []*hawker.APIKey{keys[0], keys[1], keys[2], keys[3], keys[4]}
		revoked := *keys[1]
		revoked.RevokedAt = &at
		want[1] = &revoked
		same(t, "FindAPIKeys", list, want)
		if r := list[1].RevokedAt; r == nil {
			t.Error("RevokedAt = nil")
		} else {
			checkUTC(t, "RevokedAt", *r)
		}
	})
	t.Run("Paging", func(t *testing.T) {
		got := pageAll(t, 2, func(p hawker.Page) ([]string, error) {
			ks, err := s.FindAPIKeys(t.Context(), p)
			return ids(ks, func(k *hawker.APIKey) string { return k.ID }), err
		})
		same(t, "ids", got, sorted(ids(keys, func(k *hawker.APIKey) string { return k.ID })))
	})
}
