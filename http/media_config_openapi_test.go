package hawkerhttp

import (
	"strings"
	"testing"

	"hawker"
)

// oaMediaConfigSequence is the show media part of the conformance
// sequence: the settings of a public show for a viewer and for its host,
// of a rehearsal for the team, and the refusals.
func oaMediaConfigSequence(t *testing.T, c *oaClient, f *fixture) {
	const ghost = "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys/media"
	path := "/api/v1/shows/" + f.ShowA + "/media"

	_, b := c.call(oaReq{method: "GET", path: path, want: 200})
	if m := oaJSON(t, b)["media"].(map[string]any); m["mode"] != MediaEmbedded || m["whip_url"] != nil ||
		!strings.HasSuffix(oaStr(m, "whep_url"), "/whep/"+f.ShowA) {
		t.Errorf("viewer's media: %s", b)
	}
	_, b = c.call(oaReq{method: "GET", path: path, token: f.HostToken, want: 200})
	if got := oaStr(oaJSON(t, b), "media", "whip_url"); !strings.HasSuffix(got, "/whip/"+f.ShowA) {
		t.Errorf("host's whip_url = %q", got)
	}
	c.call(oaReq{method: "GET", path: path, token: f.BuyerToken, want: 200})

	rehearsal := "/api/v1/shows/" + authzRehearsal(t, f) + "/media"
	c.call(oaReq{method: "GET", path: rehearsal, token: f.SellerAToken, want: 200})
	c.call(oaReq{method: "GET", path: rehearsal, token: f.SellerBToken, want: 404})
	c.call(oaReq{method: "GET", path: rehearsal, want: 404})
	c.call(oaReq{method: "GET", path: ghost, want: 404})
	c.call(oaReq{method: "GET", path: path, token: "hs_expired-or-never-issued", want: 401})
	ended := "/api/v1/shows/" + authzFreshShow(t, f, hawker.ShowEnded) + "/media"
	c.call(oaReq{method: "GET", path: ended, want: 409})
}

// oaMediaConfigConcrete gives the sweep a real path for the route.
func oaMediaConfigConcrete(f *fixture) map[string]string {
	return map[string]string{"/api/v1/shows/{id}/media": "/api/v1/shows/" + f.ShowA + "/media"}
}
