package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/market"
	"hawker/sqlite"
)

// fakePurger records the cutoffs it is asked to purge before.
type fakePurger struct {
	t       *testing.T
	mu      sync.Mutex
	calls   []time.Time
	stopped bool
}

func (p *fakePurger) PurgeRecords(_ context.Context, before time.Time) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		p.t.Error("a purge pass after stop returned")
	}
	p.calls = append(p.calls, before)
	return 1, nil
}

func (p *fakePurger) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// TestHousekeepingLoop: a pass at start and one per interval, each keeping
// RecordRetention by the server's clock, and none after stop returns.
func TestHousekeepingLoop(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &fakePurger{t: t}
	stop := startHousekeepingEvery(context.Background(), p, slog.New(slog.DiscardHandler), 5*time.Millisecond, func() time.Time { return now })
	waitFor(t, 5*time.Second, "three purge passes", func() bool { return p.count() >= 3 })
	stop()
	p.mu.Lock()
	p.stopped = true
	for _, before := range p.calls {
		if want := now.Add(-inventory.RecordRetention); !before.Equal(want) {
			t.Errorf("purged before %v, want %v (now − %v)", before, want, inventory.RecordRetention)
		}
	}
	p.mu.Unlock()

	// A store without PurgeRecords gets no loop, and stop is harmless.
	startHousekeeping(context.Background(), struct{}{}, slog.New(slog.DiscardHandler))()
}

// TestHousekeepingPurgesOldRecords runs a pass on a real store: the
// idempotency record of an order decided 25 h ago goes, today's stays.
func TestHousekeepingPurgesOldRecords(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hawker.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tgt, err := seedFlashTarget(ctx, db, market.Default(), 1)
	if err != nil {
		t.Fatal(err)
	}
	st := &crashState{tgt: tgt}
	if err := st.addSKU(ctx, db, 10); err != nil {
		t.Fatal(err)
	}
	buyer := tgt.buyers[0].id
	reserve := func(clock hawker.Clock, key string) {
		t.Helper()
		eng := inventory.New(db, inventory.Config{Markets: market.Default(), Clock: clock})
		defer eng.Close()
		d, err := eng.Reserve(ctx, inventory.Request{Order: hawker.OrderRequest{BuyerID: buyer, IdempotencyKey: key, Market: "US",
			Lines: []hawker.OrderRequestLine{{SKUID: st.skus[0].id, Quantity: 1}}}})
		if err != nil || d.Status != inventory.StatusCreated {
			t.Fatalf("reserve %s: %v %s", key, err, d.Body)
		}
	}
	reserve(func() time.Time { return hawker.Now().Add(-25 * time.Hour) }, "old")
	reserve(hawker.Now, "new")

	purgeRecords(ctx, db, slog.New(slog.DiscardHandler), hawker.Now())
	recs, err := db.FindDecisions(ctx, []inventory.Key{{BuyerID: buyer, Key: "old"}, {BuyerID: buyer, Key: "new"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Key != "new" {
		t.Fatalf("records left after the purge: %d (want only the new one)", len(recs))
	}
}
