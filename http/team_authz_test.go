package hawkerhttp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"hawker"
)

// authzTeamRows are the matrix rows of the show team routes. Reading the
// team is for those who may moderate the show (its host, the shop's team,
// admins; its own team too, see TestShowTeamPowers); others get 404.
// Changing it is for the show's host, the shop's hosts and sellers and
// admins.
func authzTeamRows() []authzRow {
	const (
		ok, gone = http.StatusOK, http.StatusNoContent
		unauth   = http.StatusUnauthorized
		nf       = http.StatusNotFound
	)
	teamOfA := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, nf, success, nf, success, success}
	}
	fresh := func(state hawker.ShowState, member bool, suffix func(user string) string, body any) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			id := authzFreshShow(t, f, state)
			user := authzFreshUser(t, f)
			if member {
				teamPut(t, f, id, user, hawker.ShowCohost)
			}
			return authzReq{path: "/api/v1/shows/" + id + "/team" + suffix(user), body: body}
		}
	}
	none := func(string) string { return "" }
	userPath := func(u string) string { return "/" + u }
	cohost := map[string]any{"role": "cohost"}
	return []authzRow{
		{route: "GET /api/v1/shows/{id}/team", want: teamOfA(ok), prepare: fresh(hawker.ShowScheduled, true, none, nil)},
		{route: "GET /api/v1/shows/{id}/team", variant: "rehearsal", want: teamOfA(ok), prepare: fresh(hawker.ShowRehearsal, true, none, nil)},
		{route: "PUT /api/v1/shows/{id}/team/{user}", want: teamOfA(ok), prepare: fresh(hawker.ShowScheduled, false, userPath, cohost)},
		{route: "PUT /api/v1/shows/{id}/team/{user}", variant: "live", want: teamOfA(ok), prepare: fresh(hawker.ShowLive, true, userPath, map[string]any{"role": "moderator"})},
		{route: "DELETE /api/v1/shows/{id}/team/{user}", want: teamOfA(gone), prepare: fresh(hawker.ShowScheduled, true, userPath, nil)},
		{route: "DELETE /api/v1/shows/{id}/team/{user}", variant: "rehearsal", want: teamOfA(gone), prepare: fresh(hawker.ShowRehearsal, true, userPath, nil)},
	}
}

// teamPut puts the user on the show's team straight in the store.
func teamPut(t *testing.T, f *fixture, showID, userID string, role hawker.ShowRole) {
	t.Helper()
	if err := f.Store.PutShowTeamMember(context.Background(), hawker.ShowTeamMember{
		ShowID: showID, UserID: userID, Role: role, AddedAt: hawker.Now(),
	}); err != nil {
		t.Fatalf("put team member: %v", err)
	}
}

// Callers of the show team matrix: users off the shop's team whose only
// tie to a show is its team.
const (
	teamCohost        = iota // co-host of the show
	teamModerator            // moderator of the show
	teamRemovedCohost        // was its co-host, taken off through the API
	teamOtherCohost          // co-host of another show of the same shop
	teamNumRoles
)

var teamRoleNames = [teamNumRoles]string{"cohost", "moderator", "removed cohost", "cohost of another show"}

// TestShowTeamPowers is the role × route matrix of a show's own team: a
// co-host runs the show (state, edit, bag, pin, stream key, moderation)
// but does not change its team; a moderator moderates and sees the show
// in rehearsal but does not run it; a co-host taken off the team, or one
// of another show, has no power left (403 on a public show, 404 where the
// show or the resource is private).
func TestShowTeamPowers(t *testing.T) {
	f := newFixture(t)
	users := [teamNumRoles]struct{ id, token string }{}
	for i, name := range teamRoleNames {
		users[i].id, users[i].token = f.signup(t, "team-"+oaUnique()+"@example.com", "Team "+name)
	}
	const (
		ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
		forbid, nf        = http.StatusForbidden, http.StatusNotFound
	)
	type cell = [teamNumRoles]int
	run := func(success int) cell { return cell{success, forbid, forbid, forbid} }
	runRehearsal := func(success int) cell { return cell{success, forbid, nf, nf} }
	moderate := func(success int) cell { return cell{success, success, nf, nf} }
	manageTeam := cell{forbid, forbid, nf, nf}

	for _, row := range []struct {
		method, suffix string
		state          hawker.ShowState
		body           func(f *fixture, other string) any
		want           cell
	}{
		{"PATCH", "", hawker.ShowScheduled, func(*fixture, string) any { return map[string]any{"title": "Co-hosted"} }, run(ok)},
		{"PATCH", "", hawker.ShowRehearsal, func(*fixture, string) any { return map[string]any{"title": "Co-hosted"} }, runRehearsal(ok)},
		{"POST", "/rehearse", hawker.ShowScheduled, nil, run(ok)},
		{"POST", "/start", hawker.ShowScheduled, nil, run(ok)},
		{"POST", "/start", hawker.ShowRehearsal, nil, runRehearsal(ok)},
		{"POST", "/end", hawker.ShowLive, nil, run(ok)},
		{"POST", "/stream-key", hawker.ShowScheduled, nil, run(created)},
		{"PUT", "/products", hawker.ShowLive, func(f *fixture, _ string) any { return map[string]any{"product_ids": []string{f.ProductA}} }, run(ok)},
		{"POST", "/pin", hawker.ShowLive, func(f *fixture, _ string) any { return map[string]any{"product_id": f.ProductA} }, run(ok)},
		{"POST", "/unpin", hawker.ShowLive, nil, run(ok)},
		{"GET", "", hawker.ShowRehearsal, nil, moderate(ok)},
		{"GET", "/products", hawker.ShowRehearsal, nil, moderate(ok)},
		{"GET", "/moderation", hawker.ShowLive, nil, moderate(ok)},
		{"PATCH", "/moderation", hawker.ShowLive, func(*fixture, string) any { return map[string]any{"slow_mode_seconds": 10} }, moderate(ok)},
		{"POST", "/mutes/" + "{buyer}", hawker.ShowLive, nil, moderate(gone)},
		{"DELETE", "/mutes/" + "{buyer}", hawker.ShowLive, nil, moderate(gone)},
		{"DELETE", "/messages/" + hawker.NewID(hawker.PrefixChatMessage), hawker.ShowLive, nil, moderate(gone)},
		{"GET", "/team", hawker.ShowLive, nil, moderate(ok)},
		{"PUT", "/team/{other}", hawker.ShowLive, func(*fixture, string) any { return map[string]any{"role": "moderator"} }, manageTeam},
		{"DELETE", "/team/{other}", hawker.ShowLive, nil, manageTeam},
	} {
		for role := range teamNumRoles {
			t.Run(row.method+" "+row.suffix+" ("+string(row.state)+")/"+teamRoleNames[role], func(t *testing.T) {
				id := authzFreshShow(t, f, row.state)
				// The show's team always holds someone else as well, the
				// target of the team rows.
				other := authzFreshUser(t, f)
				teamPut(t, f, id, other, hawker.ShowModerator)
				show := "/api/v1/shows/" + id
				switch role {
				case teamCohost:
					teamPut(t, f, id, users[role].id, hawker.ShowCohost)
				case teamModerator:
					teamPut(t, f, id, users[role].id, hawker.ShowModerator)
				case teamRemovedCohost:
					f.must(t, "PUT", show+"/team/"+users[role].id, f.SellerAToken, map[string]any{"role": "cohost"}, ok)
					f.must(t, "DELETE", show+"/team/"+users[role].id, f.SellerAToken, nil, gone)
				case teamOtherCohost:
					teamPut(t, f, authzFreshShow(t, f, row.state), users[role].id, hawker.ShowCohost)
				}
				path := strings.NewReplacer("{buyer}", f.UserBuyer, "{other}", other).Replace(show + row.suffix)
				var body any
				if row.body != nil {
					body = row.body(f, other)
				}
				resp, b := f.do(t, row.method, path, users[role].token, body)
				if resp.StatusCode != row.want[role] {
					t.Fatalf("%s %s as %s: status %d, want %d: %.300s", row.method, path, teamRoleNames[role], resp.StatusCode, row.want[role], b)
				}
				if code, isRefusal := authzCodes[row.want[role]]; isRefusal {
					var e apiError
					if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != code {
						t.Errorf("refusal %d: want error code %q, got %s", row.want[role], code, b)
					}
				}
			})
		}
	}
}

// TestShowTeamSeesRehearsalMedia checks the WHEP path's check
// (Server.MaySeeShow): a rehearsal's co-hosts and moderators may watch
// it, a removed one may not.
func TestShowTeamSeesRehearsalMedia(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cohost, cohostToken := f.signup(t, "media-cohost@example.com", "Media Cohost")
	mod, modToken := f.signup(t, "media-mod@example.com", "Media Mod")
	id := authzFreshShow(t, f, hawker.ShowRehearsal)
	teamPut(t, f, id, cohost, hawker.ShowCohost)
	teamPut(t, f, id, mod, hawker.ShowModerator)
	may := func(token string) bool {
		t.Helper()
		sh, err := f.Store.FindShowByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "/whep/"+id, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		ok, err := f.Server.MaySeeShow(r, sh)
		if err != nil {
			t.Fatalf("MaySeeShow: %v", err)
		}
		return ok
	}
	if !may(cohostToken) || !may(modToken) {
		t.Errorf("the show's team may not watch its rehearsal: cohost %v, moderator %v", may(cohostToken), may(modToken))
	}
	if may(f.BuyerToken) {
		t.Errorf("a buyer may watch a rehearsal")
	}
	if err := f.Store.DeleteShowTeamMember(ctx, id, mod); err != nil {
		t.Fatal(err)
	}
	if may(modToken) {
		t.Errorf("a removed moderator may still watch the rehearsal")
	}
}
