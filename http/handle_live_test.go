package hawkerhttp

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"hawker"
)

type liveShow struct {
	Show struct {
		ID              string
		State           string
		PinnedProductID *string   `json:"pinned_product_id"`
		ViewerCount     int       `json:"viewer_count"`
		StartedAt       *string   `json:"started_at"`
		EndedAt         *string   `json:"ended_at"`
		Now             time.Time `json:"now"`
	}
}

func TestShowLifecycleAnnounces(t *testing.T) {
	f := newFixture(t)
	show := "/api/v1/shows/" + f.ShowA
	var out liveShow
	f.mustJSON(t, "PUT", show+"/products", f.HostToken, map[string]any{"product_ids": []string{f.ProductA}}, http.StatusOK, &struct{}{})
	f.mustJSON(t, "POST", show+"/rehearse", f.HostToken, nil, http.StatusOK, &out)
	f.mustJSON(t, "POST", show+"/pin", f.HostToken, map[string]any{"product_id": f.ProductA}, http.StatusOK, &out)
	if out.Show.PinnedProductID == nil || *out.Show.PinnedProductID != f.ProductA {
		t.Fatalf("pinned_product_id = %v", out.Show.PinnedProductID)
	}
	f.mustJSON(t, "POST", show+"/start", f.SellerAToken, nil, http.StatusOK, &out)
	if out.Show.State != "live" || out.Show.StartedAt == nil {
		t.Fatalf("after start: %+v", out.Show)
	}
	if d := time.Since(out.Show.Now); d < -time.Minute || d > time.Minute {
		t.Errorf("now = %v, not the server's clock", out.Show.Now)
	}
	f.RT.setViewers(f.ShowA, 42)
	f.mustJSON(t, "GET", show, "", nil, http.StatusOK, &out)
	if out.Show.ViewerCount != 42 || out.Show.PinnedProductID == nil {
		t.Errorf("GET live show: viewer_count %d, pinned %v", out.Show.ViewerCount, out.Show.PinnedProductID)
	}
	// A bag without the pinned product unpins it, and says so.
	f.mustJSON(t, "PUT", show+"/products", f.HostToken, map[string]any{"product_ids": []string{}}, http.StatusOK, &struct{}{})
	f.mustJSON(t, "GET", show, "", nil, http.StatusOK, &out)
	if out.Show.PinnedProductID != nil {
		t.Errorf("still pinned after the bag dropped it: %v", *out.Show.PinnedProductID)
	}
	f.mustJSON(t, "POST", show+"/end", f.HostToken, nil, http.StatusOK, &out)
	if out.Show.State != "ended" || out.Show.EndedAt == nil {
		t.Fatalf("after end: %+v", out.Show)
	}

	want := []fakeEvent{
		{Type: "state", ShowID: f.ShowA, State: "rehearsal"},
		{Type: "pinned", ShowID: f.ShowA, ProductID: f.ProductA},
		{Type: "state", ShowID: f.ShowA, State: "live"},
		{Type: "unpinned", ShowID: f.ShowA},
		{Type: "state", ShowID: f.ShowA, State: "ended"},
	}
	if got := f.RT.Events(f.ShowA); !slices.Equal(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}

	// Refusals announce nothing.
	n := len(f.RT.Events(f.ShowA))
	resp, body := f.do(t, "POST", show+"/start", f.HostToken, nil)
	wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")
	if len(f.RT.Events(f.ShowA)) != n {
		t.Errorf("a refused start was announced")
	}
}

// A failing realtime hub does not fail the change: the store is the truth.
func TestShowChangeSurvivesRealtimeFailure(t *testing.T) {
	f := newFixture(t)
	f.RT.mu.Lock()
	f.RT.fail = errors.New("broker down")
	f.RT.mu.Unlock()
	var out liveShow
	f.mustJSON(t, "POST", "/api/v1/shows/"+f.ShowA+"/start", f.HostToken, nil, http.StatusOK, &out)
	if out.Show.State != "live" || out.Show.ViewerCount != 0 {
		t.Fatalf("start with a failing hub: %+v", out.Show)
	}
}

func TestBagRefusalsChangeNothing(t *testing.T) {
	f := newFixture(t)
	show := "/api/v1/shows/" + f.ShowA
	f.must(t, "PUT", show+"/products", f.SellerAToken, map[string]any{"product_ids": []string{f.ProductA}}, http.StatusOK)
	many := make([]string, hawker.MaxShowProducts+1)
	for i := range many {
		many[i] = hawker.NewID(hawker.PrefixProduct)
	}
	for _, tc := range []struct {
		name, field string
		body        any
		status      int
	}{
		{"too many", "product_ids", map[string]any{"product_ids": many}, 422},
		{"other shop", "product_ids[1]", map[string]any{"product_ids": []string{f.ProductA, f.ProductB}}, 422},
		{"duplicate", "product_ids[1]", map[string]any{"product_ids": []string{f.ProductA, f.ProductA}}, 422},
		{"unknown", "product_ids[0]", map[string]any{"product_ids": []string{hawker.NewID(hawker.PrefixProduct)}}, 422},
		{"not an id", "product_ids[0]", map[string]any{"product_ids": []string{"shirt"}}, 422},
		{"binary", "", `{"product_ids":["\u0000"]}` + "\x00", 400},
		{"null", "", `null`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "PUT", show+"/products", f.SellerAToken, tc.body)
			code := hawker.EINVALID
			if tc.status == 400 {
				code = hawker.EBADREQUEST
			}
			wantError(t, resp, body, tc.status, code, tc.field)
			ids, err := f.Store.FindShowProducts(context.Background(), f.ShowA)
			if err != nil || !slices.Equal(ids, []string{f.ProductA}) {
				t.Fatalf("bag after refusal = %v, %v", ids, err)
			}
		})
	}
	// A product left without a price in a market of the show.
	var p struct{ Product hawker.Product }
	f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopA+"/products", f.SellerAToken, map[string]any{
		"title": "Two sizes", "skus": []any{
			map[string]any{"code": "TS-S", "prices": map[string]any{"US": 100, "DE": 90}},
			map[string]any{"code": "TS-M", "prices": map[string]any{"US": 100}},
		}}, http.StatusCreated, &p)
	resp, body := f.do(t, "PUT", show+"/products", f.SellerAToken, map[string]any{"product_ids": []string{p.Product.ID}})
	wantError(t, resp, body, 422, hawker.EINVALID, "product_ids[0]")
	// Markets the bag is not priced in are refused too.
	f.must(t, "PATCH", show, f.SellerAToken, map[string]any{"markets": []string{"US"}}, http.StatusOK)
	f.must(t, "PUT", show+"/products", f.SellerAToken, map[string]any{"product_ids": []string{f.ProductA, p.Product.ID}}, http.StatusOK)
	resp, body = f.do(t, "PATCH", show, f.SellerAToken, map[string]any{"markets": []string{"US", "DE"}})
	wantError(t, resp, body, 422, hawker.EINVALID, "markets")
	sh, err := f.Store.FindShowByID(context.Background(), f.ShowA)
	if err != nil || !slices.Equal(sh.Markets, []string{"US"}) {
		t.Fatalf("markets after refusal = %v, %v", sh, err)
	}
}

func TestModerationStoredAndApplied(t *testing.T) {
	f := newFixture(t)
	show := "/api/v1/shows/" + f.ShowA
	// A shop moderator may moderate, not run the show.
	modID, modToken := f.signup(t, "mod@example.com", "Mia Moderator")
	f.must(t, "PUT", "/api/v1/shops/"+f.ShopA+"/members/"+modID, f.SellerAToken, map[string]any{"role": "moderator"}, http.StatusOK)
	f.must(t, "POST", show+"/start", modToken, nil, http.StatusForbidden)

	f.must(t, "PATCH", show+"/moderation", modToken, map[string]any{"slow_mode_seconds": 15, "blocked_words": []string{"scam"}}, http.StatusOK)
	f.must(t, "PATCH", show+"/moderation", modToken, map[string]any{"links_allowed": true}, http.StatusOK)
	f.must(t, "POST", show+"/mutes/"+f.UserBuyer, modToken, nil, http.StatusNoContent)
	msg := hawker.NewID(hawker.PrefixChatMessage)
	f.must(t, "DELETE", show+"/messages/"+msg, modToken, nil, http.StatusNoContent)

	// Bad settings change nothing.
	resp, body := f.do(t, "PATCH", show+"/moderation", modToken, map[string]any{"slow_mode_seconds": -5})
	wantError(t, resp, body, 422, hawker.EINVALID, "slow_mode_seconds")
	resp, body = f.do(t, "PATCH", show+"/moderation", modToken, map[string]any{"burst": 0})
	wantError(t, resp, body, 422, hawker.EINVALID, "burst")

	m, muted, err := f.Store.FindShowModeration(context.Background(), f.ShowA)
	if err != nil {
		t.Fatal(err)
	}
	if m.SlowModeSeconds != 15 || !m.LinksAllowed || !slices.Equal(m.BlockedWords, []string{"scam"}) || m.Burst != hawker.DefaultChatBurst {
		t.Errorf("stored settings = %+v", m)
	}
	if !slices.Equal(muted, []string{f.UserBuyer}) {
		t.Errorf("stored mutes = %v", muted)
	}
	var got struct {
		Moderation hawker.Moderation
		Muted      []string
		Audit      struct{ Items []hawker.ModerationEntry }
	}
	f.mustJSON(t, "GET", show+"/moderation", f.HostToken, nil, http.StatusOK, &got)
	var actions []hawker.ModerationAction
	for _, e := range got.Audit.Items {
		actions = append(actions, e.Action)
		if e.ActorID != modID {
			t.Errorf("audit actor %q, want the moderator", e.ActorID)
		}
	}
	want := []hawker.ModerationAction{hawker.ActionSettings, hawker.ActionSettings, hawker.ActionMute, hawker.ActionDelete}
	if !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
	applied := f.RT.Actions()
	if len(applied) != 4 || applied[1].Settings == nil || applied[1].Settings.SlowModeSeconds != 15 || applied[2].Subject != f.UserBuyer || applied[3].Subject != msg {
		t.Errorf("applied actions = %+v", applied)
	}

	// Market words are stored and applied.
	f.must(t, "PUT", "/api/v1/markets/DE/blocked-words", f.AdminKey, map[string]any{"blocked_words": []string{" Betrug ", "betrug", "Abzocke"}}, http.StatusOK)
	words, err := f.Store.FindMarketBlockedWords(context.Background())
	if err != nil || !slices.Equal(words["DE"], []string{"Betrug", "Abzocke"}) {
		t.Errorf("market words = %v, %v", words, err)
	}
}

func TestRealtimeTokenCarriesUser(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", TokenRate: "3/min"}})
	var tok struct {
		Token     string
		ExpiresAt time.Time `json:"expires_at"`
	}
	f.mustJSON(t, "GET", "/api/v1/realtime/token", f.HostToken, nil, http.StatusOK, &tok)
	if tok.Token != "fake."+f.UserHost || tok.ExpiresAt.IsZero() {
		t.Errorf("token = %+v", tok)
	}
	f.mustJSON(t, "GET", "/api/v1/realtime/token", f.AdminKey, nil, http.StatusOK, &tok)
	if tok.Token != "fake.anonymous" {
		t.Errorf("an API key's token = %q, want an anonymous one", tok.Token)
	}
	f.must(t, "GET", "/api/v1/realtime/token", "", nil, http.StatusOK)
	resp, body := f.do(t, "GET", "/api/v1/realtime/token", "", nil)
	wantError(t, resp, body, http.StatusTooManyRequests, hawker.ERATELIMITED, "")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
