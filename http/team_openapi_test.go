package hawkerhttp

import (
	"testing"
)

// oaTeamSequence is the show team part of the conformance sequence (and
// the cover image of shows): adding co-hosts and moderators, changing a
// role, reading and leaving the team, each with its error answers. It
// works on shows and users of its own.
func oaTeamSequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghost = "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys"
	const ghostUser = "usr_01jbz3n8q4m2x7c5v6w9t0r1ys"
	creator, creatorToken := f.signup(t, "oa-creator-"+oaUnique()+"@example.com", "Cleo Creator")
	mod, _ := f.signup(t, "oa-mod-"+oaUnique()+"@example.com", "Mo Moderator")

	// A show with a cover, and one without.
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{
		"shop_id": f.ShopA, "title": "Team sequence", "cover_image_id": f.ImageA}, want: 201})
	show := oaJSON(t, b)["show"].(map[string]any)
	if show["cover_image_id"] != f.ImageA || show["cover_image_url"] != "/media/images/"+f.ImageA {
		t.Errorf("cover of a new show = %v, %v", show["cover_image_id"], show["cover_image_url"])
	}
	path := "/api/v1/shows/" + show["id"].(string)
	c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{
		"shop_id": f.ShopA, "title": "Foreign cover", "cover_image_id": "img_01jbz3n8q4m2x7c5v6w9t0r1ys"}, want: 422, wantField: "cover_image_id"})
	_, b = c.call(oaReq{method: "PATCH", path: path, token: sellerA, body: map[string]any{"cover_image_id": nil}, want: 200})
	if s := oaJSON(t, b)["show"].(map[string]any); s["cover_image_id"] != nil || s["cover_image_url"] != nil {
		t.Errorf("cover after PATCH null = %v, %v", s["cover_image_id"], s["cover_image_url"])
	}
	c.call(oaReq{method: "PATCH", path: path, token: sellerA, body: map[string]any{"cover_image_id": f.ImageA}, want: 200})
	c.call(oaReq{method: "PATCH", path: path, token: sellerA, body: map[string]any{"cover_image_id": "nope"}, want: 422, wantField: "cover_image_id"})
	c.call(oaReq{method: "PATCH", path: path, token: sellerA, body: map[string]any{"cover_image_id": 7}, want: 400, docRejects: true})

	team := path + "/team"
	_, b = c.call(oaReq{method: "GET", path: team, token: host, want: 200})
	if items, _ := oaJSON(t, b)["items"].([]any); len(items) != 0 {
		t.Errorf("new show's team = %s", b)
	}

	// adding and changing
	_, b = c.call(oaReq{method: "PUT", path: team + "/" + creator, token: sellerA, body: map[string]any{"role": "cohost"}, want: 200})
	m := oaJSON(t, b)["member"].(map[string]any)
	if m["role"] != "cohost" || m["user_id"] != creator || m["name"] != "Cleo Creator" {
		t.Errorf("member = %s", b)
	}
	c.call(oaReq{method: "PUT", path: team + "/" + mod, token: host, body: map[string]any{"role": "cohost"}, want: 200})
	_, b = c.call(oaReq{method: "PUT", path: team + "/" + mod, token: admin, body: map[string]any{"role": "moderator"}, want: 200})
	if got := oaStr(oaJSON(t, b), "member", "role"); got != "moderator" {
		t.Errorf("role after change = %q", got)
	}
	c.call(oaReq{method: "PUT", path: team + "/" + creator, token: sellerA, body: map[string]any{"role": "owner"}, want: 422, wantField: "role", docRejects: true})
	c.call(oaReq{method: "PUT", path: team + "/" + creator, token: sellerA, body: map[string]any{}, want: 422, wantField: "role", docRejects: true})
	c.call(oaReq{method: "PUT", path: team + "/" + creator, token: sellerA, body: map[string]any{"role": "cohost", "since": "now"}, want: 400, docRejects: true})
	c.call(oaReq{method: "PUT", path: team + "/" + creator, token: sellerA, body: oaRaw(`{"role":`), want: 400, docRejects: true})
	c.call(oaReq{method: "PUT", path: team + "/" + ghostUser, token: sellerA, body: map[string]any{"role": "cohost"}, want: 404, wantField: "user"})
	c.call(oaReq{method: "PUT", path: team + "/nobody", token: sellerA, body: map[string]any{"role": "cohost"}, want: 404, wantField: "user"})
	// The show's own co-host may read the team but not change it.
	c.call(oaReq{method: "GET", path: team, token: creatorToken, want: 200})
	c.call(oaReq{method: "PUT", path: team + "/" + f.UserBuyer, token: creatorToken, body: map[string]any{"role": "moderator"}, want: 403})
	c.call(oaReq{method: "PUT", path: team + "/" + f.UserBuyer, token: buyer, body: map[string]any{"role": "moderator"}, want: 404})
	c.call(oaReq{method: "PUT", path: team + "/" + f.UserBuyer, token: sellerB, body: map[string]any{"role": "moderator"}, want: 404})
	c.call(oaReq{method: "PUT", path: team + "/" + f.UserBuyer, body: map[string]any{"role": "moderator"}, want: 401})
	c.call(oaReq{method: "PUT", path: ghost + "/team/" + f.UserBuyer, token: admin, body: map[string]any{"role": "moderator"}, want: 404})

	// reading
	_, b = c.call(oaReq{method: "GET", path: team, token: sellerA, want: 200})
	if items, _ := oaJSON(t, b)["items"].([]any); len(items) != 2 {
		t.Errorf("team = %s", b)
	}
	c.call(oaReq{method: "GET", path: team, token: buyer, want: 404})
	c.call(oaReq{method: "GET", path: team, token: sellerB, want: 404})
	c.call(oaReq{method: "GET", path: team, want: 401})
	c.call(oaReq{method: "GET", path: ghost + "/team", token: admin, want: 404})

	// leaving
	c.call(oaReq{method: "DELETE", path: team + "/" + mod, token: creatorToken, want: 403})
	c.call(oaReq{method: "DELETE", path: team + "/" + mod, token: buyer, want: 404})
	c.call(oaReq{method: "DELETE", path: team + "/" + mod, want: 401})
	c.call(oaReq{method: "DELETE", path: team + "/" + mod, token: host, want: 204})
	c.call(oaReq{method: "DELETE", path: team + "/" + mod, token: host, want: 404, wantField: "user"})
	c.call(oaReq{method: "DELETE", path: ghost + "/team/" + mod, token: admin, want: 404})

	// An ended show takes no new member, but members may still leave.
	c.call(oaReq{method: "POST", path: path + "/start", token: creatorToken, want: 200})
	c.call(oaReq{method: "POST", path: path + "/end", token: creatorToken, want: 200})
	c.call(oaReq{method: "PUT", path: team + "/" + mod, token: sellerA, body: map[string]any{"role": "moderator"}, want: 409})
	c.call(oaReq{method: "DELETE", path: team + "/" + creator, token: sellerA, want: 204})
}

// oaTeamConcrete gives the sweep real paths for the team routes.
func oaTeamConcrete(f *fixture) map[string]string {
	return map[string]string{
		"/api/v1/shows/{id}/team":        "/api/v1/shows/" + f.ShowA + "/team",
		"/api/v1/shows/{id}/team/{user}": "/api/v1/shows/" + f.ShowA + "/team/" + f.UserBuyer,
	}
}
