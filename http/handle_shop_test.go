package hawkerhttp

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"hawker"
)

func TestShopCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out struct{ Shop hawker.Shop }
	f.mustJSON(t, "POST", "/api/v1/shops", f.SellerAToken, map[string]any{"name": "  Café Ünïcode & Co!! ", "home_market": "FR"}, http.StatusCreated, &out)
	if out.Shop.Slug != "caf-n-code-co" || !slices.Equal(out.Shop.Markets, []string{"FR"}) || !hawker.ValidID(hawker.PrefixShop, out.Shop.ID) || out.Shop.CreatedAt.IsZero() {
		t.Errorf("shop = %+v", out.Shop)
	}
	// The creator is its seller.
	var me struct{ Shops []membershipJSON }
	f.mustJSON(t, "GET", "/api/v1/me", f.SellerAToken, nil, http.StatusOK, &me)
	if !slices.Contains(me.Shops, membershipJSON{ShopID: out.Shop.ID, Role: hawker.RoleSeller}) {
		t.Errorf("memberships = %+v", me.Shops)
	}
	// An admin key opens shops without an owner.
	f.must(t, "POST", "/api/v1/shops", f.AdminKey, map[string]any{"name": "Ops", "home_market": "US", "slug": "ops"}, http.StatusCreated)

	before := f.must(t, "GET", "/api/v1/shops", f.AdminKey, nil, http.StatusOK)
	for _, tc := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"anonymous", "", map[string]any{"name": "X", "home_market": "US"}, 401, "unauthenticated", ""},
		{"buyer", f.BuyerToken, map[string]any{"name": "X", "home_market": "US"}, 403, "forbidden", ""},
		{"host", f.HostToken, map[string]any{"name": "X", "home_market": "US"}, 403, "forbidden", ""},
		{"slug taken", f.SellerBToken, map[string]any{"name": "X", "home_market": "US", "slug": "shop-a"}, 409, "already_exists", "slug"},
		{"default slug taken", f.SellerBToken, map[string]any{"name": "Shop A", "home_market": "US"}, 409, "already_exists", "slug"},
		{"bad slug", f.SellerBToken, map[string]any{"name": "X", "home_market": "US", "slug": "Not A Slug"}, 422, "invalid", "slug"},
		{"unknown home market", f.SellerBToken, map[string]any{"name": "X", "home_market": "ZZ"}, 422, "invalid", "home_market"},
		{"unknown market", f.SellerBToken, map[string]any{"name": "X", "home_market": "US", "markets": []string{"US", "ZZ"}}, 422, "invalid", "markets"},
		{"markets without home", f.SellerBToken, map[string]any{"name": "X", "home_market": "US", "markets": []string{"DE"}}, 422, "invalid", "markets"},
		{"no name", f.SellerBToken, map[string]any{"name": "", "home_market": "US"}, 422, "invalid", "name"},
		{"client id", f.SellerBToken, map[string]any{"id": "shp_x", "name": "X", "home_market": "US"}, 400, "bad_request", "id"},
		{"client time", f.SellerBToken, map[string]any{"created_at": "2020-01-01T00:00:00Z", "name": "X", "home_market": "US"}, 400, "bad_request", "created_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "POST", "/api/v1/shops", tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if after := f.must(t, "GET", "/api/v1/shops", f.AdminKey, nil, http.StatusOK); string(after) != string(before) {
		t.Errorf("refused creates changed the shops")
	}
}

func TestShopReadAndList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var one struct{ Shop hawker.Shop }
	f.mustJSON(t, "GET", "/api/v1/shops/"+f.ShopA, "", nil, http.StatusOK, &one)
	if one.Shop.ID != f.ShopA || one.Shop.Slug != "shop-a" || !slices.Equal(one.Shop.Markets, []string{"US", "DE"}) {
		t.Errorf("shop = %+v", one.Shop)
	}
	for _, id := range []string{hawker.NewID(hawker.PrefixShop), "nope", f.ProductA} {
		resp, body := f.do(t, "GET", "/api/v1/shops/"+id, "", nil)
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	}
	ids := func(token string) []string {
		var l struct{ Items []hawker.Shop }
		f.mustJSON(t, "GET", "/api/v1/shops", token, nil, http.StatusOK, &l)
		var out []string
		for _, s := range l.Items {
			out = append(out, s.ID)
		}
		return out
	}
	if got := ids(f.AdminKey); !slices.Equal(got, []string{f.ShopA, f.ShopB}) {
		t.Errorf("admin sees %v", got)
	}
	if got := ids(f.SellerBToken); !slices.Equal(got, []string{f.ShopB}) {
		t.Errorf("seller B sees %v", got)
	}
	if got := ids(f.HostToken); !slices.Equal(got, []string{f.ShopA}) {
		t.Errorf("host sees %v", got)
	}
	if got := ids(f.BuyerToken); len(got) != 0 {
		t.Errorf("buyer sees %v", got)
	}
	_, body := f.do(t, "GET", "/api/v1/shops", f.BuyerToken, nil)
	if !strings.Contains(string(body), `"items":[]`) {
		t.Errorf("empty list is not []: %s", body)
	}
}

func TestShopUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA
	before := f.must(t, "GET", path, "", nil, http.StatusOK)
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"anonymous", "", map[string]any{"name": "X"}, 401, "unauthenticated", ""},
		{"another seller", f.SellerBToken, map[string]any{"name": "Mine now"}, 403, "forbidden", ""},
		{"host", f.HostToken, map[string]any{"name": "X"}, 403, "forbidden", ""},
		{"buyer", f.BuyerToken, map[string]any{"name": "X"}, 403, "forbidden", ""},
		{"unknown market", f.SellerAToken, map[string]any{"markets": []string{"US", "QQ"}}, 422, "invalid", "markets"},
		{"drop home market", f.SellerAToken, map[string]any{"markets": []string{"DE"}}, 422, "invalid", "markets"},
		{"empty name", f.SellerAToken, map[string]any{"name": ""}, 422, "invalid", "name"},
		{"slug is fixed", f.SellerAToken, map[string]any{"slug": "other"}, 400, "bad_request", "slug"},
		{"wrong type", f.SellerAToken, `{"name":["x"]}`, 400, "bad_request", "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "PATCH", path, tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if after := f.must(t, "GET", path, "", nil, http.StatusOK); string(after) != string(before) {
		t.Fatalf("refused updates changed the shop:\n%s\n%s", before, after)
	}
	resp, body := f.do(t, "PATCH", "/api/v1/shops/"+hawker.NewID(hawker.PrefixShop), f.SellerAToken, map[string]any{"name": "X"})
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")

	var out struct{ Shop hawker.Shop }
	f.mustJSON(t, "PATCH", path, f.SellerAToken, map[string]any{"name": "Shop A+", "markets": []string{"US", "DE", "FR"}}, http.StatusOK, &out)
	if out.Shop.Name != "Shop A+" || !slices.Equal(out.Shop.Markets, []string{"US", "DE", "FR"}) || out.Shop.Slug != "shop-a" {
		t.Errorf("updated = %+v", out.Shop)
	}
	f.mustJSON(t, "GET", path, "", nil, http.StatusOK, &out)
	if out.Shop.Name != "Shop A+" {
		t.Errorf("stored = %+v", out.Shop)
	}
	f.must(t, "PATCH", path, f.AdminKey, map[string]any{"name": "Admin was here"}, http.StatusOK)
}

func TestShopMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA + "/members"
	var l struct{ Items []memberJSON }
	f.mustJSON(t, "GET", path, f.HostToken, nil, http.StatusOK, &l)
	if len(l.Items) != 2 {
		t.Fatalf("members = %+v", l.Items)
	}
	found := false
	for _, m := range l.Items {
		if m.UserID == f.UserHost {
			found = m.Role == hawker.RoleHost && m.Email == "host@example.com" && m.Name == "Hal Host" && m.ShopID == f.ShopA
		}
	}
	if !found {
		t.Errorf("host not listed right: %+v", l.Items)
	}
	f.must(t, "GET", path, f.AdminKey, nil, http.StatusOK)
	// Off the team, the list does not exist.
	for _, token := range []string{f.SellerBToken, f.BuyerToken} {
		resp, body := f.do(t, "GET", path, token, nil)
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	}
	resp, body := f.do(t, "GET", path, "", nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")

	before := f.must(t, "GET", path, f.SellerAToken, nil, http.StatusOK)
	buyerPath := path + "/" + f.UserBuyer
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code, field               string
	}{
		{"host may not add", "PUT", buyerPath, f.HostToken, map[string]any{"role": "host"}, 403, "forbidden", ""},
		{"other seller", "PUT", buyerPath, f.SellerBToken, map[string]any{"role": "seller"}, 404, "not_found", ""},
		{"buyer makes itself seller", "PUT", buyerPath, f.BuyerToken, map[string]any{"role": "seller"}, 404, "not_found", ""},
		{"admin role is not a shop role", "PUT", buyerPath, f.SellerAToken, map[string]any{"role": "admin"}, 422, "invalid", "role"},
		{"unknown role", "PUT", buyerPath, f.SellerAToken, map[string]any{"role": "boss"}, 422, "invalid", "role"},
		{"unknown user", "PUT", path + "/" + hawker.NewID(hawker.PrefixUser), f.SellerAToken, map[string]any{"role": "host"}, 404, "not_found", "user"},
		{"host may not remove", "DELETE", path + "/" + f.UserSellerA, f.HostToken, nil, 403, "forbidden", ""},
		{"other seller may not remove", "DELETE", path + "/" + f.UserHost, f.SellerBToken, nil, 404, "not_found", ""},
		{"remove a non-member", "DELETE", buyerPath, f.SellerAToken, nil, 404, "not_found", ""},
		{"last seller removes itself", "DELETE", path + "/" + f.UserSellerA, f.SellerAToken, nil, 409, "invalid_state", "user"},
		{"last seller demotes itself", "PUT", path + "/" + f.UserSellerA, f.SellerAToken, map[string]any{"role": "host"}, 409, "invalid_state", "user"},
		{"admin removes the last seller", "DELETE", path + "/" + f.UserSellerA, f.AdminKey, nil, 409, "invalid_state", "user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, tc.method, tc.path, tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if after := f.must(t, "GET", path, f.SellerAToken, nil, http.StatusOK); string(after) != string(before) {
		t.Fatalf("refused changes changed the team")
	}

	var put struct{ Member memberJSON }
	f.mustJSON(t, "PUT", buyerPath, f.SellerAToken, map[string]any{"role": "moderator"}, http.StatusOK, &put)
	if put.Member.UserID != f.UserBuyer || put.Member.Role != hawker.RoleModerator || put.Member.Email != "buyer@example.com" {
		t.Errorf("member = %+v", put.Member)
	}
	// The buyer is on the team now, and sees it.
	f.must(t, "GET", path, f.BuyerToken, nil, http.StatusOK)
	f.must(t, "DELETE", buyerPath, f.SellerAToken, nil, http.StatusNoContent)
	resp, body = f.do(t, "GET", path, f.BuyerToken, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")

	// With a second seller, the first may step down.
	f.must(t, "PUT", buyerPath, f.SellerAToken, map[string]any{"role": "seller"}, http.StatusOK)
	f.must(t, "PUT", path+"/"+f.UserSellerA, f.SellerAToken, map[string]any{"role": "host"}, http.StatusOK)
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Shop A":                 "shop-a",
		"  --Hello,   World--  ": "hello-world",
		"日本の店":                   "shop",
		"":                       "shop",
		strings.Repeat("ab", 50): strings.Repeat("ab", 32),
		strings.Repeat("a ", 40): strings.TrimSuffix(strings.Repeat("a-", 32), "-"),
	} {
		got := slugify(in)
		if got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
		s := hawker.Shop{Name: "x", Slug: got, HomeMarket: "US"}
		if err := s.Validate(stubMarkets{}); err != nil {
			t.Errorf("slugify(%q) = %q: %v", in, got, err)
		}
	}
}

// stubMarkets knows only US.
type stubMarkets struct{}

func (stubMarkets) Market(code string) (*hawker.Market, bool) {
	if code == "US" {
		return &hawker.Market{Code: "US", Currency: "USD"}, true
	}
	return nil, false
}
func (stubMarkets) All() []*hawker.Market {
	m, _ := stubMarkets{}.Market("US")
	return []*hawker.Market{m}
}
