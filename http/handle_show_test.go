package hawkerhttp

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"hawker"
)

func TestShowCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out struct{ Show hawker.Show }
	f.mustJSON(t, "GET", "/api/v1/shows/"+f.ShowA, "", nil, http.StatusOK, &out)
	sh := out.Show
	if sh.ShopID != f.ShopA || sh.HostID != f.UserHost || sh.State != hawker.ShowScheduled || !slices.Equal(sh.Markets, []string{"US", "DE"}) ||
		sh.ScheduledAt == nil || !sh.ScheduledAt.Equal(showAt) {
		t.Errorf("show A = %+v", sh)
	}
	_, body := f.do(t, "GET", "/api/v1/shows/"+f.ShowA, "", nil)
	for _, want := range []string{`"pinned_product_id":null`, `"viewer_count":0`, `"active_deal":null`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("show JSON lacks %s: %s", want, body)
		}
	}
	// A seller names the host; markets narrow the shop's.
	f.mustJSON(t, "POST", "/api/v1/shows", f.SellerAToken, map[string]any{
		"shop_id": f.ShopA, "title": "Night", "host_id": f.UserHost, "markets": []string{"DE"},
	}, http.StatusCreated, &out)
	if out.Show.HostID != f.UserHost || !slices.Equal(out.Show.Markets, []string{"DE"}) || out.Show.ScheduledAt != nil {
		t.Errorf("show = %+v", out.Show)
	}
	f.must(t, "POST", "/api/v1/shows", f.AdminKey, map[string]any{"shop_id": f.ShopA, "title": "Ops", "host_id": f.UserSellerA}, http.StatusCreated)

	var list struct{ Items []hawker.Show }
	f.mustJSON(t, "GET", "/api/v1/shows?shop_id="+f.ShopA, f.SellerAToken, nil, http.StatusOK, &list)
	before := len(list.Items)
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"anonymous", "", map[string]any{"shop_id": f.ShopA, "title": "x"}, 401, "unauthenticated", ""},
		{"buyer", f.BuyerToken, map[string]any{"shop_id": f.ShopA, "title": "x"}, 403, "forbidden", ""},
		{"another shop's seller", f.SellerBToken, map[string]any{"shop_id": f.ShopA, "title": "x"}, 403, "forbidden", ""},
		{"unknown shop", f.SellerAToken, map[string]any{"shop_id": hawker.NewID(hawker.PrefixShop), "title": "x"}, 404, "not_found", "shop_id"},
		{"no shop", f.SellerAToken, map[string]any{"title": "x"}, 422, "invalid", "shop_id"},
		{"host off the team", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "host_id": f.UserSellerB}, 422, "invalid", "host_id"},
		{"unknown host", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "host_id": "usr_nope"}, 422, "invalid", "host_id"},
		{"key without host", f.AdminKey, map[string]any{"shop_id": f.ShopA, "title": "x"}, 422, "invalid", "host_id"},
		{"market the shop does not sell in", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "markets": []string{"VN"}}, 422, "invalid", "markets"},
		{"no title", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": ""}, 422, "invalid", "title"},
		{"client state", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "state": "live"}, 400, "bad_request", "state"},
		{"bad time", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "scheduled_at": "tomorrow"}, 400, "bad_request", ""},
		{"in the past", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "scheduled_at": "2001-01-01T00:00:00Z"}, 422, "invalid", "scheduled_at"},
		{"years ahead", f.SellerAToken, map[string]any{"shop_id": f.ShopA, "title": "x", "scheduled_at": "9999-01-01T00:00:00Z"}, 422, "invalid", "scheduled_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "POST", "/api/v1/shows", tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	f.mustJSON(t, "GET", "/api/v1/shows?shop_id="+f.ShopA, f.SellerAToken, nil, http.StatusOK, &list)
	if len(list.Items) != before {
		t.Errorf("refused creates made shows")
	}
}

func TestShowVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	mk := func(shop string, state hawker.ShowState) string {
		sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: shop, HostID: f.UserSellerA, Title: string(state),
			Markets: []string{"US"}, State: state, CreatedAt: hawker.Now()}
		if err := f.Store.CreateShow(ctx, sh); err != nil {
			t.Fatal(err)
		}
		return sh.ID
	}
	rehearsal, live, ended := mk(f.ShopA, hawker.ShowRehearsal), mk(f.ShopA, hawker.ShowLive), mk(f.ShopA, hawker.ShowEnded)
	liveB := mk(f.ShopB, hawker.ShowLive)

	ids := func(token, query string) []string {
		t.Helper()
		var l struct{ Items []hawker.Show }
		f.mustJSON(t, "GET", "/api/v1/shows"+query, token, nil, http.StatusOK, &l)
		var out []string
		for _, s := range l.Items {
			out = append(out, s.ID)
		}
		return out
	}
	if got, want := ids("", ""), []string{f.ShowA, live, liveB}; !slices.Equal(got, want) {
		t.Errorf("anonymous sees %v, want %v", got, want)
	}
	if got, want := ids(f.BuyerToken, "?shop_id="+f.ShopA), []string{f.ShowA, live}; !slices.Equal(got, want) {
		t.Errorf("buyer sees %v, want %v", got, want)
	}
	if got, want := ids(f.HostToken, "?shop_id="+f.ShopA), []string{f.ShowA, rehearsal, live, ended}; !slices.Equal(got, want) {
		t.Errorf("team sees %v, want %v", got, want)
	}
	if got, want := ids(f.SellerBToken, "?shop_id="+f.ShopA+"&state=rehearsal"), []string(nil); !slices.Equal(got, want) {
		t.Errorf("another seller sees %v", got)
	}
	if got, want := ids(f.SellerAToken, "?shop_id="+f.ShopA+"&state=rehearsal"), []string{rehearsal}; !slices.Equal(got, want) {
		t.Errorf("seller sees rehearsals %v", got)
	}
	if got, want := ids("", "?state=live"), []string{live, liveB}; !slices.Equal(got, want) {
		t.Errorf("live shows: %v", got)
	}
	if got, want := ids("", "?market=DE"), []string{f.ShowA}; !slices.Equal(got, want) {
		t.Errorf("DE shows: %v", got)
	}
	for _, q := range []string{"?state=paused", "?market=XX", "?limit=500"} {
		resp, body := f.do(t, "GET", "/api/v1/shows"+q, "", nil)
		wantError(t, resp, body, http.StatusUnprocessableEntity, "invalid", "")
	}

	resp, body := f.do(t, "GET", "/api/v1/shows/"+rehearsal, "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	resp, body = f.do(t, "GET", "/api/v1/shows/"+rehearsal, f.SellerBToken, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	f.must(t, "GET", "/api/v1/shows/"+rehearsal, f.HostToken, nil, http.StatusOK)
	f.must(t, "GET", "/api/v1/shows/"+ended, "", nil, http.StatusOK)
	resp, body = f.do(t, "GET", "/api/v1/shows/"+hawker.NewID(hawker.PrefixShow), "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
}

func TestMarkets(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, fixtureOptions{NoData: true})
	var l struct {
		Items      []hawker.Market
		NextCursor *string `json:"next_cursor"`
	}
	f.mustJSON(t, "GET", "/api/v1/markets", "", nil, http.StatusOK, &l)
	if len(l.Items) < 10 || l.NextCursor != nil {
		t.Errorf("markets = %d, cursor %v", len(l.Items), l.NextCursor)
	}
	var one struct{ Market hawker.Market }
	f.mustJSON(t, "GET", "/api/v1/markets/VN", "", nil, http.StatusOK, &one)
	if one.Market.Currency != "VND" || one.Market.MinorUnits != 0 {
		t.Errorf("VN = %+v", one.Market)
	}
	resp, body := f.do(t, "GET", "/api/v1/markets/XX", "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
}
