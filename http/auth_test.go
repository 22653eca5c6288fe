package hawkerhttp

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
)

// authReadCounter counts the store reads that resolve a session.
type authReadCounter struct {
	hawker.Store
	actor, session atomic.Int64
}

func (s *authReadCounter) FindSessionActor(ctx context.Context, hash string, now time.Time) (*hawker.Session, *hawker.Actor, error) {
	s.actor.Add(1)
	return s.Store.FindSessionActor(ctx, hash, now)
}

func (s *authReadCounter) FindSessionByTokenHash(ctx context.Context, hash string, now time.Time) (*hawker.Session, error) {
	s.session.Add(1)
	return s.Store.FindSessionByTokenHash(ctx, hash, now)
}

// TestSessionAuthIsOneRead guards the cost of authentication: a session
// request resolves its actor with one store read, not one per table.
func TestSessionAuthIsOneRead(t *testing.T) {
	t.Parallel()
	counter := &authReadCounter{}
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, WrapStore: func(s hawker.Store) hawker.Store {
		counter.Store = s
		return counter
	}})
	counter.actor.Store(0)
	counter.session.Store(0)
	f.must(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil, http.StatusOK)
	if a, s := counter.actor.Load(), counter.session.Load(); a != 1 || s != 0 {
		t.Errorf("one request: FindSessionActor %d times, FindSessionByTokenHash %d times; want 1 and 0", a, s)
	}
}

// TestSessionSeesTeamChangesAtOnce: nothing about a session is cached, so
// joining or leaving a shop's team counts from the next request on.
func TestSessionSeesTeamChangesAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	team := "/api/v1/shops/" + f.ShopA + "/members"
	outsider, _ := f.do(t, "GET", team, f.BuyerToken, nil)
	if outsider.StatusCode == http.StatusOK {
		t.Fatalf("a buyer outside the team reads the team: %d", outsider.StatusCode)
	}
	f.must(t, "PUT", team+"/"+f.UserBuyer, f.SellerAToken, map[string]any{"role": "moderator"}, http.StatusOK)
	f.must(t, "GET", team, f.BuyerToken, nil, http.StatusOK)
	f.must(t, "DELETE", team+"/"+f.UserBuyer, f.SellerAToken, nil, http.StatusNoContent)
	if resp, body := f.do(t, "GET", team, f.BuyerToken, nil); resp.StatusCode != outsider.StatusCode {
		t.Errorf("after leaving the team: %d %s, want %d as before joining", resp.StatusCode, body, outsider.StatusCode)
	}
}

// TestSessionRefusedRightAfterLogout: a bearer session stops working on the
// request after its logout, while the user's other sessions go on.
func TestSessionRefusedRightAfterLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var login struct {
		Token string `json:"token"`
	}
	f.mustJSON(t, "POST", "/api/v1/auth/login", "", map[string]any{"email": "buyer@example.com", "password": testPassword}, http.StatusOK, &login)
	f.must(t, "GET", "/api/v1/me", login.Token, nil, http.StatusOK)
	f.must(t, "POST", "/api/v1/auth/logout", login.Token, nil, http.StatusNoContent)
	resp, body := f.do(t, "GET", "/api/v1/me", login.Token, nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	f.must(t, "GET", "/api/v1/me", f.BuyerToken, nil, http.StatusOK)
}
