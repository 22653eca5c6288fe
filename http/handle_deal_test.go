package hawkerhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"hawker"
)

// fakeDeals records what the deal routes tell the announcer.
type fakeDeals struct {
	mu    sync.Mutex
	deals []hawker.Deal
}

func (w *fakeDeals) DealChanged(d *hawker.Deal) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deals = append(w.deals, *d)
}

func (w *fakeDeals) all() []hawker.Deal {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]hawker.Deal(nil), w.deals...)
}

// dealFixture is the fixture with a deal announcer and a live show of
// shop A selling in the US only, with product A (SKU A: US 1999, 10 on
// hand) in its bag.
func dealFixture(t *testing.T) (*fixture, *fakeDeals, string) {
	t.Helper()
	w := &fakeDeals{}
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Deals: w}})
	return f, w, dealShow(t, f, hawker.ShowLive, "US")
}

// dealShow stores a show of shop A in the state and markets with product
// A in its bag.
func dealShow(t *testing.T, f *fixture, state hawker.ShowState, markets ...string) string {
	t.Helper()
	sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: f.ShopA, HostID: f.UserHost, Title: "Deal show",
		Markets: markets, State: state, CreatedAt: hawker.Now()}
	if err := f.Store.CreateShow(context.Background(), sh); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.SetShowProducts(context.Background(), sh.ID, []string{f.ProductA}); err != nil {
		t.Fatal(err)
	}
	return sh.ID
}

// dealOf is a deal answer as a client reads it.
type dealOf struct {
	ID          string           `json:"id"`
	ShowID      string           `json:"show_id"`
	SKUID       string           `json:"sku_id"`
	ProductID   string           `json:"product_id"`
	Prices      map[string]int64 `json:"prices"`
	Quantity    int64            `json:"quantity"`
	Remaining   int64            `json:"remaining"`
	MaxPerBuyer *int64           `json:"max_per_buyer"`
	StartsAt    time.Time        `json:"starts_at"`
	EndsAt      time.Time        `json:"ends_at"`
	State       string           `json:"state"`
	Now         time.Time        `json:"now"`
}

func (f *fixture) createDeal(t *testing.T, token, show string, body map[string]any) dealOf {
	t.Helper()
	var out struct{ Deal dealOf }
	f.mustJSON(t, "POST", "/api/v1/shows/"+show+"/deals", token, body, http.StatusCreated, &out)
	return out.Deal
}

func (f *fixture) getDeal(t *testing.T, id string) dealOf {
	t.Helper()
	var out struct{ Deal dealOf }
	f.mustJSON(t, "GET", "/api/v1/deals/"+id, "", nil, http.StatusOK, &out)
	return out.Deal
}

// orderDeal places a one-unit US order of SKU A with the deal and returns
// the status and the error code.
func (f *fixture) orderDeal(t *testing.T, token, dealID string) (int, string, []byte) {
	t.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	h.Set(IdempotencyHeader, "deal-order-"+oaUnique())
	resp, body := f.doHeader(t, "POST", "/api/v1/orders", h, map[string]any{
		"market": "US", "deal_id": dealID, "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}})
	var e apiError
	_ = json.Unmarshal(body, &e)
	return resp.StatusCode, e.Error.Code, body
}

func dealBody(f *fixture, extra map[string]any) map[string]any {
	b := map[string]any{"sku_id": f.SKUA, "price": 999, "quantity": 3, "max_per_buyer": 1, "duration_seconds": 60}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// A deal launched in a live show runs at once: its answer, the show's
// active_deal and the announcer agree, and orders get its price within
// its per-buyer limit.
func TestDealLaunchAndOrder(t *testing.T) {
	f, w, show := dealFixture(t)
	before := hawker.Now()
	d := f.createDeal(t, f.HostToken, show, dealBody(f, nil))
	after := hawker.Now()
	if d.State != "active" || d.ShowID != show || d.SKUID != f.SKUA || d.ProductID != f.ProductA || d.Quantity != 3 || d.Remaining != 3 ||
		d.Prices["US"] != 999 || len(d.Prices) != 1 || d.MaxPerBuyer == nil || *d.MaxPerBuyer != 1 {
		t.Errorf("new deal = %+v", d)
	}
	if d.StartsAt.Before(before) || d.StartsAt.After(after) || !d.EndsAt.Equal(d.StartsAt.Add(time.Minute)) {
		t.Errorf("deal runs %v..%v, want from the server's now (%v..%v) for 60 s", d.StartsAt, d.EndsAt, before, after)
	}
	if d.Now.Before(d.StartsAt) || d.Now.After(hawker.Now()) {
		t.Errorf("now = %v", d.Now)
	}
	if got := w.all(); len(got) != 1 || got[0].ID != d.ID || got[0].State != hawker.DealScheduled {
		t.Errorf("announcer told %+v", got)
	}

	var s struct {
		Show struct {
			ActiveDeal *dealOf `json:"active_deal"`
			Now        time.Time
		}
	}
	f.mustJSON(t, "GET", "/api/v1/shows/"+show, "", nil, http.StatusOK, &s)
	if a := s.Show.ActiveDeal; a == nil || a.ID != d.ID || a.State != "active" || !a.Now.Equal(s.Show.Now) {
		t.Errorf("active_deal = %+v (show now %v)", a, s.Show.Now)
	}
	var list struct {
		Items []struct {
			ID         string
			ActiveDeal *dealOf `json:"active_deal"`
		}
	}
	f.mustJSON(t, "GET", "/api/v1/shows?state=live", "", nil, http.StatusOK, &list)
	for _, it := range list.Items {
		if it.ID == show && (it.ActiveDeal == nil || it.ActiveDeal.ID != d.ID) {
			t.Errorf("the show's active_deal in the list = %+v", it.ActiveDeal)
		}
	}

	code, _, body := f.orderDeal(t, f.BuyerToken, d.ID)
	var o struct{ Order hawker.Order }
	json.Unmarshal(body, &o)
	if code != http.StatusCreated || o.Order.Lines[0].UnitPrice.Amount != 999 || o.Order.DealID != d.ID || o.Order.ShowID != show {
		t.Fatalf("deal order: %d %s", code, body)
	}
	if code, ec, body := f.orderDeal(t, f.BuyerToken, d.ID); code != http.StatusConflict || ec != hawker.ELIMIT {
		t.Errorf("second deal unit of one buyer: %d %s", code, body)
	}
	if got := f.getDeal(t, d.ID); got.Remaining != 2 || got.State != "active" {
		t.Errorf("after one order: %+v", got)
	}
}

// Launching refuses what a real show must not offer, each with its field,
// and stores nothing then.
func TestDealRefusals(t *testing.T) {
	f, w, show := dealFixture(t)
	two := dealShow(t, f, hawker.ShowLive, "US", "DE")
	ended := dealShow(t, f, hawker.ShowEnded, "US")
	other, _ := authzFreshProduct(t, f) // of shop A, not in the bags
	var p struct{ Product hawker.Product }
	f.mustJSON(t, "GET", "/api/v1/products/"+other, "", nil, http.StatusOK, &p)
	now := time.Now().UTC()
	for _, c := range []struct {
		name   string
		show   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"price at the regular price", show, dealBody(f, map[string]any{"price": 1999}), 422, hawker.EINVALID, "price"},
		{"price above the regular price", show, dealBody(f, map[string]any{"price": 5000}), 422, hawker.EINVALID, "price"},
		{"prices at the regular price", two, dealBody(f, map[string]any{"price": nil, "prices": map[string]any{"US": 999, "DE": 1899}}), 422, hawker.EINVALID, "prices.DE"},
		{"zero price", show, dealBody(f, map[string]any{"price": 0}), 422, hawker.EINVALID, "price"},
		{"quantity over the stock", show, dealBody(f, map[string]any{"quantity": 11}), 422, hawker.EINVALID, "quantity"},
		{"no quantity", show, dealBody(f, map[string]any{"quantity": nil}), 422, hawker.EINVALID, "quantity"},
		{"per-buyer limit 0", show, dealBody(f, map[string]any{"max_per_buyer": 0}), 422, hawker.EINVALID, "max_per_buyer"},
		{"too short", show, dealBody(f, map[string]any{"duration_seconds": 9}), 422, hawker.EINVALID, "duration_seconds"},
		{"too long", show, dealBody(f, map[string]any{"duration_seconds": 1201}), 422, hawker.EINVALID, "duration_seconds"},
		{"starts in the past", show, dealBody(f, map[string]any{"starts_at": now.Add(-5 * time.Second)}), 422, hawker.EINVALID, "starts_at"},
		{"starts after the show's day", show, dealBody(f, map[string]any{"starts_at": now.Add(25 * time.Hour)}), 422, hawker.EINVALID, "starts_at"},
		{"one price, two markets", two, dealBody(f, nil), 422, hawker.EINVALID, "price"},
		{"price and prices", show, dealBody(f, map[string]any{"prices": map[string]any{"US": 999}}), 422, hawker.EINVALID, "price"},
		{"no price", show, dealBody(f, map[string]any{"price": nil}), 422, hawker.EINVALID, "prices"},
		{"a market off the show", show, dealBody(f, map[string]any{"price": nil, "prices": map[string]any{"DE": 999}}), 422, hawker.EINVALID, "prices.DE"},
		{"a SKU off the bag", show, dealBody(f, map[string]any{"sku_id": p.Product.SKUs[0].ID}), 422, hawker.EINVALID, "sku_id"},
		{"another shop's SKU", show, dealBody(f, map[string]any{"sku_id": f.SKUB}), 422, hawker.EINVALID, "sku_id"},
		{"an unknown SKU", show, dealBody(f, map[string]any{"sku_id": "sku_01jbz3n8q4m2x7c5v6w9t0r1ys"}), 422, hawker.EINVALID, "sku_id"},
		{"no SKU", show, dealBody(f, map[string]any{"sku_id": nil}), 422, hawker.EINVALID, "sku_id"},
		{"an ended show", ended, dealBody(f, nil), 409, hawker.ESTATE, ""},
		{"an unknown field", show, dealBody(f, map[string]any{"discount": 10}), 400, hawker.EBADREQUEST, "discount"},
		{"a price that is not a number", show, dealBody(f, map[string]any{"price": "9.99"}), 400, hawker.EBADREQUEST, "price"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.do(t, "POST", "/api/v1/shows/"+c.show+"/deals", f.HostToken, c.body)
			wantError(t, resp, body, c.status, c.code, c.field)
		})
	}
	// A client a little behind the server's clock is not refused.
	f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"starts_at": time.Now().Add(-300 * time.Millisecond).UTC(), "duration_seconds": 10}))
	if n := len(w.all()); n != 1 {
		t.Errorf("the announcer heard of %d deals, want the one made", n)
	}
	for _, sh := range []string{two, ended} {
		var l struct{ Items []dealOf }
		f.mustJSON(t, "GET", "/api/v1/shows/"+sh+"/deals", f.HostToken, nil, http.StatusOK, &l)
		if len(l.Items) != 0 {
			t.Errorf("refused deals were stored: %+v", l.Items)
		}
	}
}

// The quantity is checked against the units available now: stock held by
// reservations is not available for a deal.
func TestDealQuantityAgainstReservations(t *testing.T) {
	f, _, show := dealFixture(t)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+f.BuyerToken)
	h.Set(IdempotencyHeader, "hold-8")
	resp, body := f.doHeader(t, "POST", "/api/v1/orders", h, map[string]any{"market": "US", "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 8}}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("hold 8: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(t, "POST", "/api/v1/shows/"+show+"/deals", f.HostToken, dealBody(f, map[string]any{"quantity": 3}))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EINVALID, "quantity")
	f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"quantity": 2}))
}

// One deal at a time in a show, also when launched at once from several
// clients: exactly one is made, the others are 409.
func TestDealOverlap(t *testing.T) {
	f, _, show := dealFixture(t)
	later := time.Now().Add(time.Hour).UTC()
	first := f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"starts_at": later, "duration_seconds": 600}))
	if first.State != "scheduled" {
		t.Errorf("a later deal is %s", first.State)
	}
	for _, start := range []time.Time{later, later.Add(5 * time.Minute), later.Add(-5 * time.Minute)} {
		resp, body := f.do(t, "POST", "/api/v1/shows/"+show+"/deals", f.SellerAToken, dealBody(f, map[string]any{"starts_at": start, "duration_seconds": 600}))
		wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")
	}
	// Back to back is fine.
	f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"starts_at": later.Add(10 * time.Minute), "duration_seconds": 60}))

	race := dealShow(t, f, hawker.ShowLive, "US")
	const n = 12
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, _ := f.do(t, "POST", "/api/v1/shows/"+race+"/deals", f.HostToken, dealBody(f, nil))
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	made := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			made++
		case http.StatusConflict:
		default:
			t.Errorf("concurrent launch: status %d", c)
		}
	}
	if made != 1 {
		t.Errorf("%d of %d concurrent overlapping deals were made, want 1", made, n)
	}
}

// The server's clock decides: an order with a deal that has not started,
// was cancelled, or was ended by the host is 409 deal_not_active.
func TestDealNotActiveThroughHTTP(t *testing.T) {
	f, w, show := dealFixture(t)
	future := f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"starts_at": time.Now().Add(time.Hour).UTC()}))
	if code, ec, body := f.orderDeal(t, f.BuyerToken, future.ID); code != http.StatusConflict || ec != hawker.EDEALNOTACTIVE {
		t.Errorf("before the start: %d %s", code, body)
	}
	var out struct{ Deal dealOf }
	f.mustJSON(t, "POST", "/api/v1/deals/"+future.ID+"/end", f.HostToken, nil, http.StatusOK, &out)
	if out.Deal.State != "cancelled" || !out.Deal.EndsAt.Equal(future.EndsAt) {
		t.Errorf("ending a deal before its start: %+v", out.Deal)
	}

	now := f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"max_per_buyer": nil}))
	if code, _, body := f.orderDeal(t, f.BuyerToken, now.ID); code != http.StatusCreated {
		t.Fatalf("while it runs: %d %s", code, body)
	}
	f.mustJSON(t, "POST", "/api/v1/deals/"+now.ID+"/end", f.SellerAToken, nil, http.StatusOK, &out)
	if out.Deal.State != "ended" || out.Deal.EndsAt.After(out.Deal.Now) || out.Deal.Remaining != 2 {
		t.Errorf("ended deal: %+v", out.Deal)
	}
	if code, ec, body := f.orderDeal(t, f.BuyerToken, now.ID); code != http.StatusConflict || ec != hawker.EDEALNOTACTIVE {
		t.Errorf("after the host ended it: %d %s", code, body)
	}
	resp, body := f.do(t, "POST", "/api/v1/deals/"+now.ID+"/end", f.HostToken, nil)
	wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")

	var s struct {
		Show struct {
			ActiveDeal *dealOf `json:"active_deal"`
		}
	}
	f.mustJSON(t, "GET", "/api/v1/shows/"+show, "", nil, http.StatusOK, &s)
	if s.Show.ActiveDeal != nil {
		t.Errorf("active_deal after the end: %+v", s.Show.ActiveDeal)
	}
	got := w.all()
	if len(got) != 4 || got[1].State != hawker.DealCancelled || got[3].State != hawker.DealEnded {
		t.Errorf("announcer heard %+v", got)
	}

	// A deal of another show is not this show's.
	otherShow := dealShow(t, f, hawker.ShowLive, "US")
	d := f.createDeal(t, f.HostToken, otherShow, dealBody(f, map[string]any{"max_per_buyer": nil}))
	h := http.Header{}
	h.Set("Authorization", "Bearer "+f.BuyerToken)
	h.Set(IdempotencyHeader, "wrong-show")
	resp, body = f.doHeader(t, "POST", "/api/v1/orders", h, map[string]any{
		"market": "US", "deal_id": d.ID, "show_id": show, "lines": []any{map[string]any{"sku_id": f.SKUA, "quantity": 1}}})
	wantError(t, resp, body, http.StatusConflict, hawker.EDEALNOTACTIVE, "")
}

// A crowd racing for a deal never gets more than its quantity: exactly
// quantity orders at the deal price, and the deal is then ended (sold
// out) with nothing remaining and no longer the show's active deal.
func TestDealConcurrentOrdersNeverExceed(t *testing.T) {
	f, _, show := dealFixture(t)
	const buyers, quantity = 30, 4
	tokens := make([]string, buyers)
	for i := range tokens {
		_, tokens[i] = f.signup(t, fmt.Sprintf("crowd-%d@example.com", i), fmt.Sprintf("Crowd %d", i))
	}
	d := f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"quantity": quantity, "max_per_buyer": nil}))
	codes := make([]string, buyers)
	statuses := make([]int, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() { statuses[i], codes[i], _ = f.orderDeal(t, tokens[i], d.ID) })
	}
	wg.Wait()
	won := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			won++
		case s == http.StatusConflict && (codes[i] == hawker.ESOLDOUT || codes[i] == hawker.EDEALNOTACTIVE):
		default:
			t.Errorf("order %d: %d %s", i, s, codes[i])
		}
	}
	if won != quantity {
		t.Errorf("%d deal orders, want exactly %d", won, quantity)
	}
	got := f.getDeal(t, d.ID)
	if got.State != "ended" || got.Remaining != 0 {
		t.Errorf("sold-out deal = %+v, want ended with 0 remaining", got)
	}
	var stock hawker.Stock
	f.mustJSON(t, "GET", "/api/v1/skus/"+f.SKUA+"/stock", f.SellerAToken, nil, http.StatusOK, &stock)
	if stock.Reserved != quantity {
		t.Errorf("stock %+v, want %d reserved", stock, quantity)
	}
	var s struct {
		Show struct {
			ActiveDeal *dealOf `json:"active_deal"`
		}
	}
	f.mustJSON(t, "GET", "/api/v1/shows/"+show, "", nil, http.StatusOK, &s)
	if s.Show.ActiveDeal != nil {
		t.Errorf("a sold-out deal is still active: %+v", s.Show.ActiveDeal)
	}
	// Ended by selling out, it cannot be ended again.
	resp, body := f.do(t, "POST", "/api/v1/deals/"+d.ID+"/end", f.HostToken, nil)
	wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")
}

// An Idempotency-Key makes a launch safe to retry, also when the retries
// race: one deal, the same id in every answer; another body with the key
// is refused.
func TestDealIdempotency(t *testing.T) {
	f, w, show := dealFixture(t)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+f.HostToken)
	h.Set(IdempotencyHeader, "launch-1")
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, body := f.doHeader(t, "POST", "/api/v1/shows/"+show+"/deals", h, dealBody(f, nil))
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("retry %d: %d %s", i, resp.StatusCode, body)
				return
			}
			var out struct{ Deal dealOf }
			json.Unmarshal(body, &out)
			ids[i] = out.Deal.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("retries answered different deals: %v", ids)
		}
	}
	if n := len(w.all()); n != 1 {
		t.Errorf("the announcer heard of %d deals", n)
	}
	resp, body := f.doHeader(t, "POST", "/api/v1/shows/"+show+"/deals", h, dealBody(f, map[string]any{"quantity": 2}))
	wantError(t, resp, body, http.StatusUnprocessableEntity, hawker.EKEYREUSED, "")
	// The key is the caller's: another seller's same key is a new request.
	h.Set("Authorization", "Bearer "+f.SellerAToken)
	resp, body = f.doHeader(t, "POST", "/api/v1/shows/"+show+"/deals", h, dealBody(f, nil))
	wantError(t, resp, body, http.StatusConflict, hawker.ESTATE, "")
}

// Deals of a show are listed oldest first with the server's state of each.
func TestDealList(t *testing.T) {
	f, _, show := dealFixture(t)
	a := f.createDeal(t, f.HostToken, show, dealBody(f, nil))
	b := f.createDeal(t, f.HostToken, show, dealBody(f, map[string]any{"starts_at": time.Now().Add(time.Hour).UTC()}))
	var l struct {
		Items      []dealOf
		NextCursor *string `json:"next_cursor"`
	}
	f.mustJSON(t, "GET", "/api/v1/shows/"+show+"/deals", "", nil, http.StatusOK, &l)
	if len(l.Items) != 2 || l.Items[0].ID != a.ID || l.Items[1].ID != b.ID || l.Items[0].State != "active" || l.Items[1].State != "scheduled" || l.NextCursor != nil {
		t.Errorf("list = %+v", l)
	}
}
