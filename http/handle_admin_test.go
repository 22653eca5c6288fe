package hawkerhttp

import (
	"net/http"
	"slices"
	"testing"

	"hawker"
)

func TestUsersAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var page struct {
		Items      []hawker.User
		NextCursor *string `json:"next_cursor"`
	}
	f.mustJSON(t, "GET", "/api/v1/users?limit=3", f.AdminKey, nil, http.StatusOK, &page)
	if len(page.Items) != 3 || page.NextCursor == nil {
		t.Fatalf("page 1 = %+v", page)
	}
	f.mustJSON(t, "GET", "/api/v1/users?limit=3&cursor="+*page.NextCursor, f.AdminKey, nil, http.StatusOK, &page)
	if len(page.Items) != 1 || page.NextCursor != nil || page.Items[0].ID != f.UserHost {
		t.Fatalf("page 2 = %+v", page)
	}
	for _, token := range []string{f.BuyerToken, f.SellerAToken} {
		resp, body := f.do(t, "GET", "/api/v1/users", token, nil)
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
		resp, body = f.do(t, "PUT", "/api/v1/users/"+f.UserBuyer+"/roles", token, map[string]any{"roles": []string{"admin"}})
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	}
	resp, body := f.do(t, "PUT", "/api/v1/users/"+f.UserBuyer+"/roles", f.AdminKey, map[string]any{"roles": []string{"buyer", "wizard"}})
	wantError(t, resp, body, http.StatusUnprocessableEntity, "invalid", "roles[1]")
	resp, body = f.do(t, "PUT", "/api/v1/users/"+f.UserBuyer+"/roles", f.AdminKey, map[string]any{})
	wantError(t, resp, body, http.StatusUnprocessableEntity, "invalid", "roles")
	resp, body = f.do(t, "PUT", "/api/v1/users/"+hawker.NewID(hawker.PrefixUser)+"/roles", f.AdminKey, map[string]any{"roles": []string{"buyer"}})
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	var me struct{ User hawker.User }
	f.mustJSON(t, "GET", "/api/v1/me", f.BuyerToken, nil, http.StatusOK, &me)
	if !slices.Equal(me.User.Roles, []hawker.Role{hawker.RoleBuyer}) {
		t.Fatalf("refused role changes changed roles: %v", me.User.Roles)
	}

	var out struct{ User hawker.User }
	f.mustJSON(t, "PUT", "/api/v1/users/"+f.UserBuyer+"/roles", f.AdminKey, map[string]any{"roles": []string{"buyer", "admin", "buyer"}}, http.StatusOK, &out)
	if !slices.Equal(out.User.Roles, []hawker.Role{hawker.RoleBuyer, hawker.RoleAdmin}) {
		t.Errorf("roles = %v", out.User.Roles)
	}
	// Roles count from the next request on: the buyer is an admin now.
	f.must(t, "GET", "/api/v1/users", f.BuyerToken, nil, http.StatusOK)
	f.must(t, "PATCH", "/api/v1/shops/"+f.ShopB, f.BuyerToken, map[string]any{"name": "Admin edit"}, http.StatusOK)
}
