package hawkerhttp

import (
	"net/http"
	"testing"

	"hawker"
)

// authzStreamKeyRows are the matrix rows of the stream-key route: as for
// starting the show (its host, the shop's hosts and sellers, admins);
// others get 403 on a public show and 404 on a rehearsal.
func authzStreamKeyRows() []authzRow {
	const (
		created        = http.StatusCreated
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	fresh := func(state hawker.ShowState) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, state) + "/stream-key"}
		}
	}
	return []authzRow{
		{route: "POST /api/v1/shows/{id}/stream-key", want: [authzNumRoles]int{unauth, forbid, created, forbid, created, created},
			prepare: fresh(hawker.ShowScheduled)},
		{route: "POST /api/v1/shows/{id}/stream-key", variant: "rehearsal", want: [authzNumRoles]int{unauth, nf, created, nf, created, created},
			prepare: fresh(hawker.ShowRehearsal)},
	}
}
