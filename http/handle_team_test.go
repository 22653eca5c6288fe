package hawkerhttp

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"hawker"
)

type teamListJSON struct {
	Items []struct {
		ShowID  string    `json:"show_id"`
		UserID  string    `json:"user_id"`
		Role    string    `json:"role"`
		Name    string    `json:"name"`
		AddedAt time.Time `json:"added_at"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// TestShowTeamLifecycle: members are added with their names, a role
// change keeps when they were added, leaving works once, and every change
// is in the show's moderation log with who made it.
func TestShowTeamLifecycle(t *testing.T) {
	f := newFixture(t)
	creator, _ := f.signup(t, "creator@example.com", "Cleo Creator")
	mod, _ := f.signup(t, "mod@example.com", "Mo Moderator")
	id := authzFreshShow(t, f, hawker.ShowScheduled)
	team := "/api/v1/shows/" + id + "/team"

	f.must(t, "PUT", team+"/"+creator, f.SellerAToken, map[string]any{"role": "cohost"}, http.StatusOK)
	f.must(t, "PUT", team+"/"+mod, f.HostToken, map[string]any{"role": "cohost"}, http.StatusOK)
	var list teamListJSON
	f.mustJSON(t, "GET", team, f.HostToken, nil, http.StatusOK, &list)
	if len(list.Items) != 2 || list.NextCursor != nil {
		t.Fatalf("team = %+v", list)
	}
	added := map[string]time.Time{}
	for _, m := range list.Items {
		added[m.UserID] = m.AddedAt
		want := map[string]string{creator: "Cleo Creator", mod: "Mo Moderator"}[m.UserID]
		if m.ShowID != id || m.Role != "cohost" || m.Name != want {
			t.Errorf("member %+v", m)
		}
	}
	if list.Items[0].UserID > list.Items[1].UserID {
		t.Errorf("team not ordered by user id: %+v", list.Items)
	}

	var put struct {
		Member struct {
			Role    string    `json:"role"`
			AddedAt time.Time `json:"added_at"`
		} `json:"member"`
	}
	f.mustJSON(t, "PUT", team+"/"+mod, f.AdminKey, map[string]any{"role": "moderator"}, http.StatusOK, &put)
	if put.Member.Role != "moderator" || !put.Member.AddedAt.Equal(added[mod]) {
		t.Errorf("role change answered %+v, want moderator added at %v", put.Member, added[mod])
	}
	sh, err := f.Store.FindShowByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if sh.TeamRole(mod) != hawker.ShowModerator || sh.TeamRole(creator) != hawker.ShowCohost {
		t.Errorf("stored roles: mod %q, creator %q", sh.TeamRole(mod), sh.TeamRole(creator))
	}

	f.must(t, "DELETE", team+"/"+creator, f.SellerAToken, nil, http.StatusNoContent)
	resp, body := f.do(t, "DELETE", team+"/"+creator, f.SellerAToken, nil)
	wantError(t, resp, body, http.StatusNotFound, hawker.ENOTFOUND, "user")

	var log struct {
		Audit struct {
			Items []hawker.ModerationEntry `json:"items"`
		} `json:"audit"`
	}
	f.mustJSON(t, "GET", "/api/v1/shows/"+id+"/moderation", f.SellerAToken, nil, http.StatusOK, &log)
	type entry struct{ actor, action, user, detail string }
	var got []entry
	for _, e := range log.Audit.Items {
		got = append(got, entry{e.ActorID, string(e.Action), e.UserID, e.Detail})
	}
	admin := ""
	for _, e := range log.Audit.Items {
		if e.Action == hawker.ActionTeamAdd && e.Detail == "moderator" {
			admin = e.ActorID // the admin key's id
		}
	}
	want := []entry{
		{f.UserSellerA, "team_add", creator, "cohost"},
		{f.UserHost, "team_add", mod, "cohost"},
		{admin, "team_add", mod, "moderator"},
		{f.UserSellerA, "team_remove", creator, "cohost"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || !hawker.ValidID(hawker.PrefixAPIKey, admin) {
		t.Errorf("audit log:\n got %v\nwant %v", got, want)
	}
}

// TestShowTeamRefusals: bad input to the team routes changes nothing.
func TestShowTeamRefusals(t *testing.T) {
	f := newFixture(t)
	creator, _ := f.signup(t, "creator@example.com", "Cleo Creator")
	id := authzFreshShow(t, f, hawker.ShowLive)
	team := "/api/v1/shows/" + id + "/team"
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
		field      string
	}{
		{"bad role", team + "/" + creator, map[string]any{"role": "owner"}, http.StatusUnprocessableEntity, hawker.EINVALID, "role"},
		{"shop role", team + "/" + creator, map[string]any{"role": "seller"}, http.StatusUnprocessableEntity, hawker.EINVALID, "role"},
		{"no role", team + "/" + creator, map[string]any{}, http.StatusUnprocessableEntity, hawker.EINVALID, "role"},
		{"role not a string", team + "/" + creator, map[string]any{"role": 1}, http.StatusBadRequest, hawker.EBADREQUEST, "role"},
		{"unknown field", team + "/" + creator, map[string]any{"role": "cohost", "Role": "x"}, http.StatusBadRequest, hawker.EBADREQUEST, "Role"},
		{"unknown user", team + "/" + hawker.NewID(hawker.PrefixUser), map[string]any{"role": "cohost"}, http.StatusNotFound, hawker.ENOTFOUND, "user"},
		{"not a user id", team + "/" + f.ShopA, map[string]any{"role": "cohost"}, http.StatusNotFound, hawker.ENOTFOUND, "user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "PUT", tc.path, f.SellerAToken, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	var list teamListJSON
	f.mustJSON(t, "GET", team, f.SellerAToken, nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("refused requests changed the team: %+v", list.Items)
	}

	t.Run("full team", func(t *testing.T) {
		for range hawker.MaxShowTeam {
			teamPut(t, f, id, authzFreshUser(t, f), hawker.ShowModerator)
		}
		resp, body := f.do(t, "PUT", team+"/"+creator, f.SellerAToken, map[string]any{"role": "cohost"})
		wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "user_id")
	})
	t.Run("ended show", func(t *testing.T) {
		ended := authzFreshShow(t, f, hawker.ShowEnded)
		resp, body := f.do(t, "PUT", "/api/v1/shows/"+ended+"/team/"+creator, f.SellerAToken, map[string]any{"role": "cohost"})
		wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")
	})
}
