package hawkerhttp

import (
	"context"
	"net/http"
	"testing"

	"hawker"
)

// authzFreshShow stores a show of shop A hosted by the host, in the state,
// with product A in its bag, and returns its id.
func authzFreshShow(t *testing.T, f *fixture, state hawker.ShowState) string {
	t.Helper()
	ctx := context.Background()
	sh := &hawker.Show{
		ID: hawker.NewID(hawker.PrefixShow), ShopID: f.ShopA, HostID: f.UserHost, Title: "Matrix live show",
		Markets: []string{"US", "DE"}, State: state, CreatedAt: hawker.Now(),
	}
	if err := f.Store.CreateShow(ctx, sh); err != nil {
		t.Fatalf("create show: %v", err)
	}
	if err := f.Store.SetShowProducts(ctx, sh.ID, []string{f.ProductA}); err != nil {
		t.Fatalf("set bag: %v", err)
	}
	return sh.ID
}

// authzLiveRows are the matrix rows of the live-show routes. Running a
// show (state, edit, bag, pin) is for its host, the shop's hosts and
// sellers and admins: others get 403 on a public show and 404 on a
// rehearsal. Moderation is private to the shop's team (moderators too)
// and admins: others get 404.
func authzLiveRows() []authzRow {
	const (
		ok, gone       = http.StatusOK, http.StatusNoContent
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	runA := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, forbid, success, forbid, success, success}
	}
	runARehearsal := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, nf, success, nf, success, success}
	}
	moderateA := runARehearsal
	fresh := func(state hawker.ShowState, suffix string, body any) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, state) + suffix, body: body}
		}
	}
	showA := func(suffix string, body any) func(*testing.T, *fixture, int) authzReq {
		return func(_ *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/shows/" + f.ShowA + suffix, body: body}
		}
	}
	return []authzRow{
		{route: "GET /api/v1/realtime/token", prepare: authzPath("/api/v1/realtime/token"), want: authzAll(ok)},

		{route: "PATCH /api/v1/shows/{id}", want: runA(ok), prepare: showA("", map[string]any{"title": "Mug night"})},
		{route: "PATCH /api/v1/shows/{id}", variant: "rehearsal", want: runARehearsal(ok),
			prepare: fresh(hawker.ShowRehearsal, "", map[string]any{"title": "Quiet rehearsal"})},
		{route: "POST /api/v1/shows/{id}/rehearse", want: runA(ok), prepare: fresh(hawker.ShowScheduled, "/rehearse", nil)},
		{route: "POST /api/v1/shows/{id}/start", want: runA(ok), prepare: fresh(hawker.ShowScheduled, "/start", nil)},
		{route: "POST /api/v1/shows/{id}/start", variant: "rehearsal", want: runARehearsal(ok), prepare: fresh(hawker.ShowRehearsal, "/start", nil)},
		{route: "POST /api/v1/shows/{id}/end", want: runA(ok), prepare: fresh(hawker.ShowLive, "/end", nil)},

		{route: "GET /api/v1/shows/{id}/products", want: authzAll(ok), prepare: showA("/products", nil)},
		{route: "GET /api/v1/shows/{id}/products", variant: "rehearsal", want: teamOfAOrAnon(runARehearsal(ok)),
			prepare: fresh(hawker.ShowRehearsal, "/products", nil)},
		{route: "PUT /api/v1/shows/{id}/products", want: runA(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + f.ShowA + "/products", body: map[string]any{"product_ids": []string{f.ProductA}}}
			}},
		{route: "POST /api/v1/shows/{id}/pin", want: runA(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowLive) + "/pin", body: map[string]any{"product_id": f.ProductA}}
			}},
		{route: "POST /api/v1/shows/{id}/unpin", want: runA(ok), prepare: fresh(hawker.ShowLive, "/unpin", nil)},

		{route: "GET /api/v1/shows/{id}/moderation", want: moderateA(ok), prepare: showA("/moderation", nil)},
		{route: "PATCH /api/v1/shows/{id}/moderation", want: moderateA(ok),
			prepare: fresh(hawker.ShowLive, "/moderation", map[string]any{"slow_mode_seconds": 30})},
		{route: "POST /api/v1/shows/{id}/mutes/{user}", want: moderateA(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowLive) + "/mutes/" + f.UserBuyer}
			}},
		{route: "DELETE /api/v1/shows/{id}/mutes/{user}", want: moderateA(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				id := authzFreshShow(t, f, hawker.ShowLive)
				if err := f.Store.SetShowMute(context.Background(), id, f.UserBuyer, true, hawker.Now()); err != nil {
					t.Fatal(err)
				}
				return authzReq{path: "/api/v1/shows/" + id + "/mutes/" + f.UserBuyer}
			}},
		{route: "DELETE /api/v1/shows/{id}/messages/{msg}", want: moderateA(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowLive) + "/messages/" + hawker.NewID(hawker.PrefixChatMessage)}
			}},
		{route: "PUT /api/v1/markets/{code}/blocked-words", want: [authzNumRoles]int{unauth, forbid, forbid, forbid, forbid, ok},
			prepare: func(*testing.T, *fixture, int) authzReq {
				return authzReq{path: "/api/v1/markets/DE/blocked-words", body: map[string]any{"blocked_words": []string{"betrug"}}}
			}},
	}
}
