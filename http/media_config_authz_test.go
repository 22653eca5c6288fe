package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"testing"

	"hawker"
)

// authzMediaConfigRows are the matrix rows of the show media route: as
// for reading the show (everyone; a rehearsal only the team, others 404),
// and an ended show is 409 to all who may see it. Publishing settings
// (whip_url) go only to who may run the show: sellerA, hostA and admin.
func authzMediaConfigRows() []authzRow {
	const (
		ok     = http.StatusOK
		unauth = http.StatusUnauthorized
		nf     = http.StatusNotFound
		ended  = http.StatusConflict
	)
	fresh := func(state hawker.ShowState) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, state) + "/media"}
		}
	}
	publishOnlyForRunners := func(t *testing.T, role int, body []byte) {
		var a struct {
			Media struct {
				Mode    string `json:"mode"`
				WHEPURL string `json:"whep_url"`
				WHIPURL string `json:"whip_url"`
			} `json:"media"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("decode: %v", err)
		}
		runner := role == authzSellerA || role == authzHostA || role == authzAdmin
		if a.Media.Mode != MediaEmbedded || a.Media.WHEPURL == "" {
			t.Errorf("media %s", body)
		}
		if runner != (a.Media.WHIPURL != "") {
			t.Errorf("%s gets whip_url %q", authzRoleNames[role], a.Media.WHIPURL)
		}
	}
	return []authzRow{
		{route: "GET /api/v1/shows/{id}/media", want: authzAll(ok), prepare: fresh(hawker.ShowScheduled), check: publishOnlyForRunners},
		{route: "GET /api/v1/shows/{id}/media", variant: "live", want: authzAll(ok), prepare: fresh(hawker.ShowLive), check: publishOnlyForRunners},
		{route: "GET /api/v1/shows/{id}/media", variant: "rehearsal", want: [authzNumRoles]int{nf, nf, ok, nf, ok, ok},
			prepare: fresh(hawker.ShowRehearsal), check: publishOnlyForRunners},
		{route: "GET /api/v1/shows/{id}/media", variant: "ended", want: authzAll(ended), prepare: fresh(hawker.ShowEnded)},
		{route: "GET /api/v1/shows/{id}/media", variant: "bad credentials", want: authzAll(unauth),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				bad := "hs_expired-or-never-issued"
				return authzReq{path: "/api/v1/shows/" + f.ShowA + "/media", token: &bad}
			}},
	}
}
