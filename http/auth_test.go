package hawkerhttp

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
	"hawker/internal/secret"
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

// TestSessionAuthReads guards the cost of authentication: a session
// request resolves its actor with one store read, not one per table, and
// the same session's next requests reuse it until something this process
// changes could alter the answer.
func TestSessionAuthReads(t *testing.T) {
	t.Parallel()
	counter := &authReadCounter{}
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, WrapStore: func(s hawker.Store) hawker.Store {
		counter.Store = s
		return counter
	}})
	reads := func(step string, want int64) {
		t.Helper()
		if a, s := counter.actor.Swap(0), counter.session.Swap(0); a != want || s != 0 {
			t.Errorf("%s: FindSessionActor %d times, FindSessionByTokenHash %d times; want %d and 0", step, a, s, want)
		}
	}
	team := "/api/v1/shops/" + f.ShopA + "/members/" + f.UserBuyer
	f.must(t, "PUT", team, f.SellerAToken, map[string]any{"role": "moderator"}, http.StatusOK) // empties the cache
	counter.actor.Store(0)
	f.must(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil, http.StatusOK)
	reads("first request after it", 1)
	for range 5 {
		f.must(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil, http.StatusOK)
	}
	reads("five more requests", 0)
	f.must(t, "DELETE", team, f.SellerAToken, nil, http.StatusNoContent)
	reads("another team change", 0) // the seller's own auth was still cached when it ran
	f.must(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil, http.StatusOK)
	reads("first request after it", 1)
}

// TestSessionCacheForgetsOtherProcessesChanges: a logout written by another
// process (here: straight into the store, past this server) takes effect
// within AuthCacheTTL.
func TestSessionCacheForgetsOtherProcessesChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.must(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil, http.StatusOK)
	sess, _, err := f.Store.FindSessionActor(context.Background(), secret.HashToken(f.SellerAToken), hawker.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Store.DeleteSession(context.Background(), sess.ID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := start.Add(AuthCacheTTL + 3*time.Second)
	for {
		resp, _ := f.do(t, "GET", "/api/v1/shops/"+f.ShopA, f.SellerAToken, nil)
		if resp.StatusCode == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a session deleted by another process still works after %v (TTL %v): %d", time.Since(start), AuthCacheTTL, resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond) // polling the server's answer, not waiting for it
	}
}

// TestSessionSeesTeamChangesAtOnce: joining or leaving a shop's team
// counts from the next request on (the change empties the auth cache).
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
