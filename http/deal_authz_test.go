package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"testing"

	"hawker"
)

// authzDealBody is a one-minute deal of SKU A at 9.99 USD, starting now.
func authzDealBody(f *fixture) map[string]any {
	return map[string]any{"sku_id": f.SKUA, "prices": map[string]any{"US": 999}, "quantity": 1, "duration_seconds": 60}
}

// authzFreshDeal launches a deal (as admin) in a fresh show of shop A in
// the state and returns its id.
func authzFreshDeal(t *testing.T, f *fixture, state hawker.ShowState) string {
	t.Helper()
	show := authzFreshShow(t, f, state)
	var out struct{ Deal hawker.Deal }
	f.mustJSON(t, "POST", "/api/v1/shows/"+show+"/deals", f.AdminKey, authzDealBody(f), http.StatusCreated, &out)
	return out.Deal.ID
}

// authzDealRows are the matrix rows of the deal routes. Launching and
// ending a deal is running the show: its host, the shop's hosts and
// sellers and admins (others 403, or 404 on a rehearsal). Deals are read
// by whoever may see the show.
func authzDealRows() []authzRow {
	const (
		ok, created    = http.StatusOK, http.StatusCreated
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	runA := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, forbid, success, forbid, success, success}
	}
	runARehearsal := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, nf, success, nf, success, success}
	}
	// Reading a rehearsal's deals: the team; anyone else, signed in or
	// not, 404.
	seeRehearsal := [authzNumRoles]int{nf, nf, ok, nf, ok, ok}
	checkDeal := func(t *testing.T, _ int, body []byte) {
		var out struct{ Deal map[string]any }
		if err := json.Unmarshal(body, &out); err != nil || out.Deal["id"] == nil || out.Deal["now"] == nil {
			t.Errorf("not a deal with now: %.300s", body)
		}
	}
	return []authzRow{
		{route: "POST /api/v1/shows/{id}/deals", want: runA(created), check: checkDeal,
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowLive) + "/deals", body: authzDealBody(f)}
			}},
		{route: "POST /api/v1/shows/{id}/deals", variant: "rehearsal", want: runARehearsal(created),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowRehearsal) + "/deals", body: authzDealBody(f)}
			}},
		{route: "GET /api/v1/shows/{id}/deals", want: authzAll(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + f.ShowA + "/deals"}
			}},
		{route: "GET /api/v1/shows/{id}/deals", variant: "rehearsal", want: seeRehearsal,
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowRehearsal) + "/deals"}
			}},
		{route: "GET /api/v1/deals/{id}", want: authzAll(ok), check: checkDeal,
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/deals/" + authzFreshDeal(t, f, hawker.ShowLive)}
			}},
		{route: "GET /api/v1/deals/{id}", variant: "rehearsal", want: seeRehearsal,
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/deals/" + authzFreshDeal(t, f, hawker.ShowRehearsal)}
			}},
		{route: "POST /api/v1/deals/{id}/end", want: runA(ok), check: checkDeal,
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/deals/" + authzFreshDeal(t, f, hawker.ShowLive) + "/end"}
			}},
		{route: "POST /api/v1/deals/{id}/end", variant: "rehearsal", want: runARehearsal(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/deals/" + authzFreshDeal(t, f, hawker.ShowRehearsal) + "/end"}
			}},
	}
}
