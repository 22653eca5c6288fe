package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
)

// skuLoader is the part of inventory.Store the deal checks read SKU
// versions and deal counts through; both engines implement it.
type skuLoader interface {
	LoadSKU(ctx context.Context, skuID string) (*inventory.SKUState, error)
	CommitBatch(ctx context.Context, b *inventory.Batch) error
}

// testDeals checks hawker.DealStore: creating deals (one at a time per
// show, also under concurrency), reading them back, the running deal of
// shows, what the announcer reads, ending early, and that every change
// moves the SKU's version the inventory engine fences on.
func testDeals(t *testing.T, open opener) {
	s := open(t)
	ctx := t.Context()
	seller := newUser(t, s, "deal-seller@example.com")
	a := newShop(t, s, "deal-a", seller)
	b := newShop(t, s, "deal-b", nil)
	pa := product(a.ID, "DEAL-A1", "DEAL-A2")
	must(t, s.CreateProduct(ctx, pa))
	pb := product(b.ID, "DEAL-B1")
	must(t, s.CreateProduct(ctx, pb))
	skuA, skuA2, skuB := pa.SKUs[0].ID, pa.SKUs[1].ID, pb.SKUs[0].ID
	loader, _ := s.(skuLoader)
	version := func(t *testing.T, sku string) int64 {
		t.Helper()
		if loader == nil {
			return 0
		}
		st, err := loader.LoadSKU(ctx, sku)
		must(t, err)
		return st.Version
	}

	mkShow := func(t *testing.T, shop *hawker.Shop) *hawker.Show {
		t.Helper()
		sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, Title: "Deals", Markets: []string{"DE"},
			State: hawker.ShowLive, CreatedAt: hawker.Now()}
		must(t, s.CreateShow(ctx, sh))
		return sh
	}
	now := hawker.Now()
	mkDeal := func(show *hawker.Show, sku string, from, to time.Duration) *hawker.Deal {
		d := &hawker.Deal{
			ID: hawker.NewID(hawker.PrefixDeal), ShopID: a.ID, SKUID: sku,
			Prices: map[string]int64{"DE": 3999, "FR": 4100}, Quantity: 5, MaxPerBuyer: ptr(int64(1)),
			StartsAt: now.Add(from), EndsAt: now.Add(to), State: hawker.DealScheduled, CreatedAt: hawker.Now(),
		}
		if show != nil {
			d.ShowID, d.ShopID = show.ID, show.ShopID
		}
		return d
	}
	// norm is what a store answers for a deal it was given.
	norm := func(d *hawker.Deal, remaining int64) *hawker.Deal {
		c := *d
		c.ProductID, c.Remaining = pa.ID, remaining
		if c.ShopID == b.ID {
			c.ProductID = pb.ID
		}
		return &c
	}

	t.Run("Create and find", func(t *testing.T) {
		sh := mkShow(t, a)
		v := version(t, skuA)
		d := mkDeal(sh, skuA, -time.Second, time.Minute)
		d.CreatedBy, d.IdempotencyKey, d.Fingerprint = seller.ID, "key-1", "fp-1"
		must(t, s.CreateDeal(ctx, d))
		if d.ProductID != pa.ID || d.Remaining != d.Quantity {
			t.Errorf("CreateDeal filled in product %q remaining %d", d.ProductID, d.Remaining)
		}
		if loader != nil && version(t, skuA) <= v {
			t.Errorf("creating a deal left the SKU's version at %d: the engine would not see the deal", v)
		}
		got, err := s.FindDeal(ctx, d.ID)
		must(t, err)
		same(t, "deal", got, norm(d, 5))
		if got.CreatedBy != seller.ID || got.IdempotencyKey != "key-1" || got.Fingerprint != "fp-1" {
			t.Errorf("request identity = %q %q %q", got.CreatedBy, got.IdempotencyKey, got.Fingerprint)
		}
		for _, tm := range []time.Time{got.StartsAt, got.EndsAt, got.CreatedAt} {
			checkUTC(t, "deal time", tm)
		}
		got, err = s.FindDealByKey(ctx, seller.ID, "key-1")
		must(t, err)
		if got.ID != d.ID {
			t.Errorf("FindDealByKey = %s, want %s", got.ID, d.ID)
		}
		_, err = s.FindDealByKey(ctx, seller.ID, "key-2")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindDealByKey(ctx, "usr_other", "key-1")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindDealByKey(ctx, "", "")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindDeal(ctx, hawker.NewID(hawker.PrefixDeal))
		wantCode(t, err, hawker.ENOTFOUND)

		// The same key of the same caller is taken, whatever the show.
		again := mkDeal(mkShow(t, a), skuA, 0, time.Minute)
		again.CreatedBy, again.IdempotencyKey = seller.ID, "key-1"
		wantCode(t, s.CreateDeal(ctx, again), hawker.EEXISTS)
		again.CreatedBy = "usr_someone_else"
		must(t, s.CreateDeal(ctx, again))
		dup := *d
		dup.ShowID, dup.IdempotencyKey = "", ""
		wantCode(t, s.CreateDeal(ctx, &dup), hawker.EEXISTS)
	})

	t.Run("Create errors", func(t *testing.T) {
		sh := mkShow(t, a)
		other := mkShow(t, b)
		v := version(t, skuB)
		wantCode(t, s.CreateDeal(ctx, mkDeal(sh, skuB, 0, time.Minute)), hawker.EINVALID)
		if loader != nil && version(t, skuB) != v {
			t.Errorf("a refused deal moved the SKU's version")
		}
		wantCode(t, s.CreateDeal(ctx, mkDeal(sh, hawker.NewID(hawker.PrefixSKU), 0, time.Minute)), hawker.ENOTFOUND)
		foreign := mkDeal(sh, skuA, 0, time.Minute)
		foreign.ShowID = other.ID
		wantCode(t, s.CreateDeal(ctx, foreign), hawker.EINVALID)
		ghost := mkDeal(sh, skuA, 0, time.Minute)
		ghost.ShowID = hawker.NewID(hawker.PrefixShow)
		wantCode(t, s.CreateDeal(ctx, ghost), hawker.ENOTFOUND)
		deals, err := s.FindShowDeals(ctx, sh.ID)
		must(t, err)
		if len(deals) != 0 {
			t.Errorf("refused deals were stored: %d", len(deals))
		}
	})

	t.Run("One deal at a time", func(t *testing.T) {
		sh := mkShow(t, a)
		first := mkDeal(sh, skuA, time.Minute, 2*time.Minute)
		must(t, s.CreateDeal(ctx, first))
		for _, c := range []struct {
			name     string
			from, to time.Duration
			sku      string
		}{
			{"same time", time.Minute, 2 * time.Minute, skuA},
			{"inside", 70 * time.Second, 80 * time.Second, skuA},
			{"around", 0, 3 * time.Minute, skuA},
			{"tail", 90 * time.Second, 3 * time.Minute, skuA},
			{"head", 30 * time.Second, 61 * time.Second, skuA},
			{"other SKU, same show", time.Minute, 2 * time.Minute, skuA2},
		} {
			wantCode(t, s.CreateDeal(ctx, mkDeal(sh, c.sku, c.from, c.to)), hawker.ESTATE)
		}
		// Touching ends do not overlap; another show is another matter.
		must(t, s.CreateDeal(ctx, mkDeal(sh, skuA, 2*time.Minute, 3*time.Minute)))
		must(t, s.CreateDeal(ctx, mkDeal(sh, skuA2, 0, time.Minute)))
		must(t, s.CreateDeal(ctx, mkDeal(mkShow(t, a), skuA, time.Minute, 2*time.Minute)))
		// Deals outside a show are not checked against each other.
		must(t, s.CreateDeal(ctx, mkDeal(nil, skuA, time.Minute, 2*time.Minute)))
		must(t, s.CreateDeal(ctx, mkDeal(nil, skuA, time.Minute, 2*time.Minute)))
		// A cancelled deal frees its time.
		_, err := s.EndDeal(ctx, first.ID, hawker.Now())
		must(t, err)
		must(t, s.CreateDeal(ctx, mkDeal(sh, skuA, time.Minute, 2*time.Minute)))

		deals, err := s.FindShowDeals(ctx, sh.ID)
		must(t, err)
		if len(deals) != 4 {
			t.Fatalf("FindShowDeals: %d deals, want 4", len(deals))
		}
		if !slices.IsSortedFunc(deals, func(x, y *hawker.Deal) int { return cmpString(x.ID, y.ID) }) {
			t.Errorf("FindShowDeals not ordered by id: %v", ids(deals, func(d *hawker.Deal) string { return d.ID }))
		}
		if deals[0].ID != first.ID || deals[0].State != hawker.DealCancelled {
			t.Errorf("first deal = %s %s, want %s cancelled", deals[0].ID, deals[0].State, first.ID)
		}
		none, err := s.FindShowDeals(ctx, hawker.NewID(hawker.PrefixShow))
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Errorf("FindShowDeals of an unknown show = %v, want an empty list", none)
		}
	})

	t.Run("Concurrent overlapping deals", func(t *testing.T) {
		sh := mkShow(t, a)
		const n = 16
		errs := parallel(n, func(i int) error {
			return s.CreateDeal(ctx, mkDeal(sh, skuA, time.Duration(i)*time.Second, time.Duration(i)*time.Second+time.Minute))
		})
		ok := 0
		for _, err := range errs {
			switch hawker.ErrorCode(err) {
			case "":
				ok++
			case hawker.ESTATE:
			default:
				t.Errorf("CreateDeal: %v", err)
			}
		}
		deals, err := s.FindShowDeals(ctx, sh.ID)
		must(t, err)
		if ok != 1 || len(deals) != 1 {
			t.Fatalf("%d of %d overlapping deals were made (%d stored), want exactly 1", ok, n, len(deals))
		}
	})

	t.Run("Running deals and the announcer's list", func(t *testing.T) {
		s := open(t) // a store of its own: the lists span every show
		seller := newUser(t, s, "deal-seller@example.com")
		a := newShop(t, s, "deal-a", seller)
		p := product(a.ID, "RUN-1")
		must(t, s.CreateProduct(ctx, p))
		sku := p.SKUs[0].ID
		show := func() *hawker.Show {
			sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: a.ID, Title: "Deals", Markets: []string{"DE"},
				State: hawker.ShowLive, CreatedAt: hawker.Now()}
			must(t, s.CreateShow(ctx, sh))
			return sh
		}
		deal := func(sh *hawker.Show, from, to time.Duration) *hawker.Deal {
			d := &hawker.Deal{ID: hawker.NewID(hawker.PrefixDeal), ShopID: a.ID, SKUID: sku, Prices: map[string]int64{"DE": 100},
				Quantity: 1, StartsAt: now.Add(from), EndsAt: now.Add(to), State: hawker.DealScheduled, CreatedAt: hawker.Now()}
			if sh != nil {
				d.ShowID = sh.ID
			}
			must(t, s.CreateDeal(ctx, d))
			return d
		}
		s1, s2, s3 := show(), show(), show()
		past := deal(s1, -3*time.Minute, -2*time.Minute)
		running := deal(s1, -time.Minute, time.Minute)
		later := deal(s1, 2*time.Minute, 3*time.Minute)
		soon := deal(s2, 30*time.Second, 90*time.Second)
		ended := deal(s3, -time.Minute, time.Minute)
		_, err := s.EndDeal(ctx, ended.ID, now)
		must(t, err)
		cancelled := deal(s3, time.Minute, 2*time.Minute)
		_, err = s.EndDeal(ctx, cancelled.ID, now)
		must(t, err)
		outside := deal(nil, -time.Minute, time.Minute)

		active, err := s.FindActiveDeals(ctx, []string{s1.ID, s2.ID, s3.ID, hawker.NewID(hawker.PrefixShow)}, now)
		must(t, err)
		if len(active) != 1 || active[s1.ID] == nil || active[s1.ID].ID != running.ID {
			t.Errorf("FindActiveDeals = %v, want only %s of show 1", active, running.ID)
		}
		if d := active[s1.ID]; d != nil && (d.ProductID != p.ID || d.Remaining != 1) {
			t.Errorf("active deal product %q remaining %d", d.ProductID, d.Remaining)
		}
		active, err = s.FindActiveDeals(ctx, []string{s1.ID, s2.ID}, now.Add(time.Minute))
		must(t, err)
		if len(active) != 1 || active[s2.ID] == nil || active[s2.ID].ID != soon.ID {
			t.Errorf("FindActiveDeals a minute later = %v, want only %s of show 2 (the end is exclusive)", active, soon.ID)
		}
		active, err = s.FindActiveDeals(ctx, nil, now)
		must(t, err)
		if len(active) != 0 {
			t.Errorf("FindActiveDeals of no shows = %v", active)
		}

		got, err := s.FindDealsEndingAfter(ctx, now, 100)
		must(t, err)
		want := []string{running.ID, soon.ID, later.ID}
		if g := ids(got, func(d *hawker.Deal) string { return d.ID }); !slices.Equal(g, want) {
			t.Errorf("FindDealsEndingAfter = %v, want %v (by start; not %s past, %s ended, %s cancelled, %s outside a show)",
				g, want, past.ID, ended.ID, cancelled.ID, outside.ID)
		}
		got, err = s.FindDealsEndingAfter(ctx, now, 2)
		must(t, err)
		if len(got) != 2 {
			t.Errorf("FindDealsEndingAfter with limit 2: %d deals", len(got))
		}
	})

	t.Run("End", func(t *testing.T) {
		sh := mkShow(t, a)
		d := mkDeal(sh, skuA2, -time.Second, time.Minute)
		must(t, s.CreateDeal(ctx, d))
		v := version(t, skuA2)
		at := hawker.Now()
		got, err := s.EndDeal(ctx, d.ID, at)
		must(t, err)
		if got.State != hawker.DealEnded || !got.EndsAt.Equal(at) || !got.StartsAt.Equal(d.StartsAt) || got.ProductID != pa.ID {
			t.Errorf("EndDeal of a running deal = %+v, want ended at %v", got, at)
		}
		if loader != nil && version(t, skuA2) <= v {
			t.Errorf("ending a deal left the SKU's version at %d", v)
		}
		stored, err := s.FindDeal(ctx, d.ID)
		must(t, err)
		same(t, "ended deal", stored, got)
		_, err = s.EndDeal(ctx, d.ID, at)
		wantCode(t, err, hawker.ESTATE)

		future := mkDeal(sh, skuA2, time.Hour, time.Hour+time.Minute)
		must(t, s.CreateDeal(ctx, future))
		got, err = s.EndDeal(ctx, future.ID, hawker.Now())
		must(t, err)
		if got.State != hawker.DealCancelled || !got.EndsAt.Equal(future.EndsAt) {
			t.Errorf("EndDeal of a future deal = %+v, want cancelled, ends_at kept", got)
		}
		_, err = s.EndDeal(ctx, future.ID, hawker.Now())
		wantCode(t, err, hawker.ESTATE)

		over := mkDeal(sh, skuA2, 2*time.Hour, 2*time.Hour+time.Minute)
		must(t, s.CreateDeal(ctx, over))
		_, err = s.EndDeal(ctx, over.ID, over.EndsAt)
		wantCode(t, err, hawker.ESTATE)
		_, err = s.EndDeal(ctx, hawker.NewID(hawker.PrefixDeal), hawker.Now())
		wantCode(t, err, hawker.ENOTFOUND)
	})

	t.Run("Remaining follows the engine", func(t *testing.T) {
		if loader == nil {
			t.Skip("the store has no inventory engine support")
		}
		sh := mkShow(t, a)
		d := mkDeal(sh, skuA, -time.Second, time.Minute)
		must(t, s.CreateDeal(ctx, d))
		st, err := loader.LoadSKU(ctx, skuA)
		must(t, err)
		i := slices.IndexFunc(st.Deals, func(c inventory.DealCount) bool { return c.Deal.ID == d.ID })
		if i < 0 {
			t.Fatalf("LoadSKU does not see the new deal")
		}
		must(t, loader.CommitBatch(ctx, &inventory.Batch{At: hawker.Now(),
			SKUs:  []inventory.SKUChange{{SKUID: skuA, Version: st.Version, Reserved: 5}},
			Deals: []inventory.DealChange{{DealID: d.ID, Taken: 5, End: true}}}))
		got, err := s.FindDeal(ctx, d.ID)
		must(t, err)
		if got.Remaining != 0 || got.State != hawker.DealEnded {
			t.Errorf("after the engine took 5 and ended it: remaining %d state %s", got.Remaining, got.State)
		}
		if _, err := s.EndDeal(ctx, d.ID, hawker.Now()); hawker.ErrorCode(err) != hawker.ESTATE {
			t.Errorf("ending a sold-out deal: %v, want %s", err, hawker.ESTATE)
		}
		active, err := s.FindActiveDeals(ctx, []string{sh.ID}, hawker.Now())
		must(t, err)
		if len(active) != 0 {
			t.Errorf("a sold-out deal is still active: %v", active)
		}
		// Give the units back so the stock stays as other checks expect.
		st, err = loader.LoadSKU(ctx, skuA)
		must(t, err)
		must(t, loader.CommitBatch(ctx, &inventory.Batch{At: hawker.Now(),
			SKUs:  []inventory.SKUChange{{SKUID: skuA, Version: st.Version, Reserved: -5}},
			Deals: []inventory.DealChange{{DealID: d.ID, Taken: -5}}}))
		got, err = s.FindDeal(ctx, d.ID)
		must(t, err)
		if got.Remaining != 5 || got.State != hawker.DealEnded {
			t.Errorf("after the units came back: remaining %d state %s (a sold-out deal stays ended)", got.Remaining, got.State)
		}
	})
}
