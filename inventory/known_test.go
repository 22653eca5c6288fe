package inventory

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"hawker"
)

func TestKnownKeysSet(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	store := NewMemStore()
	old := &Record{BuyerID: "b1", Key: "old", CreatedAt: now.Add(-RecordRetention - knownMargin - time.Minute)}
	recent := &Record{BuyerID: "b1", Key: "recent", CreatedAt: now.Add(-time.Hour)}
	if err := store.CommitBatch(context.Background(), &Batch{At: now, Records: []*Record{old, recent}}); err != nil {
		t.Fatal(err)
	}
	k := func(buyer, key string) Key { return Key{BuyerID: buyer, Key: key} }
	all := []Key{k("b1", "old"), k("b1", "recent"), k("b1", "new"), k("b2", "recent")}

	s := newKnownKeys(3)
	if got := s.unknown(all); len(got) != len(all) {
		t.Fatalf("before the listing every key must be looked up, got %v", got)
	}
	s.add([]*Record{{BuyerID: "b1", Key: "committed", CreatedAt: now}}) // a commit while the listing runs
	if err := s.load(context.Background(), store, now); err != nil {
		t.Fatal(err)
	}
	want := []Key{k("b1", "recent"), k("b1", "committed")}
	if got := s.unknown(append(all, k("b1", "committed"))); !equalKeys(got, want) {
		t.Errorf("after the listing: %v, want %v (the record older than the retention is not listed)", got, want)
	}

	// Full: the first in leave first.
	s.add([]*Record{{BuyerID: "b3", Key: "x", CreatedAt: now}, {BuyerID: "b3", Key: "y", CreatedAt: now}})
	if got := s.unknown([]Key{k("b1", "committed"), k("b1", "recent"), k("b3", "x"), k("b3", "y")}); !equalKeys(got, []Key{k("b1", "recent"), k("b3", "x"), k("b3", "y")}) {
		t.Errorf("after eviction: %v", got)
	}
	s.prune(now.Add(RecordRetention + knownMargin - 30*time.Minute))
	if got := s.unknown([]Key{k("b1", "recent"), k("b3", "x")}); !equalKeys(got, []Key{k("b3", "x")}) {
		t.Errorf("after pruning: %v", got)
	}

	var nilSet *knownKeys
	if got := nilSet.unknown(all); len(got) != len(all) {
		t.Errorf("no set: %v", got)
	}
	nilSet.add([]*Record{recent})
	nilSet.prune(now)
}

func TestKnownKeysListingFails(t *testing.T) {
	s := newKnownKeys(10)
	boom := errors.New("boom")
	if err := s.load(context.Background(), failingLister{boom}, time.Now()); !errors.Is(err, boom) {
		t.Fatalf("load: %v", err)
	}
	if got := s.unknown([]Key{{BuyerID: "b", Key: "k"}}); len(got) != 1 {
		t.Errorf("a failed listing must leave every key looked up: %v", got)
	}
}

type failingLister struct{ err error }

func (f failingLister) DecisionKeys(context.Context, time.Time, func(Key, time.Time) error) error {
	return f.err
}

func equalKeys(a, b []Key) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// waitKnown waits until the engine trusts its set of keys.
func waitKnown(t *testing.T, e *GroupCommit) {
	t.Helper()
	waitFor(t, 5*time.Second, func() error {
		e.known.mu.Lock()
		defer e.known.mu.Unlock()
		if !e.known.complete {
			return errors.New("keys not listed yet")
		}
		return nil
	})
}

// New keys are decided without a store lookup once the set is listed;
// stored keys the key cache forgot are still looked up and replayed.
func TestKnownKeysSkipLookups(t *testing.T) {
	h := newHarness(t, kinds[0], func(c *Config) { c.KeyCache = 2 })
	sku := h.sku(10, 0)
	buyer := newBuyer()
	// Decided before the restart: the new engine must list them.
	first, err := h.reserve(request(buyer, key(0), line(sku, 1)))
	if err != nil {
		t.Fatal(err)
	}
	h.restart()
	e := h.eng.(*GroupCommit)
	waitKnown(t, e)
	before := h.store.Lookups()
	for i := 1; i <= 6; i++ {
		h.mustOrder(request(buyer, key(i), line(sku, 1)))
	}
	if n := h.store.Lookups() - before; n != 0 {
		t.Errorf("%d keys looked up for 6 new keys", n)
	}
	d, err := h.reserve(request(buyer, key(0), line(sku, 1)))
	if err != nil || !d.Replayed || !bytes.Equal(d.Body, first.Body) {
		t.Errorf("replay of a key from before the restart: %+v %v", d, err)
	}
	if h.store.Lookups() == before {
		t.Error("the replayed key was not looked up")
	}
	if s := h.stock(sku); s.Reserved != 7 {
		t.Errorf("stock %+v, want 7 reserved", s)
	}
}

// A key that another process decided after this one listed its keys is
// not in the set: the commit of the fresh decision fails on the stored key
// and the request is decided again with a lookup, so it replays the other
// process's decision (or is refused as reused) and never makes a second
// order.
func TestKnownKeysOtherProcess(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(3, 0)
	a := h.eng.(*GroupCommit)
	waitKnown(t, a)
	b := New(h.store, h.cfg) // another process on the same store
	defer b.Close()

	buyer := newBuyer()
	ctx := context.Background()
	made, err := b.Reserve(ctx, request(buyer, "shared", line(sku, 1)))
	if err != nil || made.Status != StatusCreated {
		t.Fatalf("other process: %+v %v", made, err)
	}
	for range 2 { // the second is answered from a's key cache
		d, err := a.Reserve(ctx, request(buyer, "shared", line(sku, 1)))
		if err != nil || d.Status != StatusCreated || !d.Replayed || !bytes.Equal(d.Body, made.Body) {
			t.Fatalf("replay of the other process's order: %+v %v", d, err)
		}
	}
	other := request(buyer, "shared2", line(sku, 1))
	if _, err := b.Reserve(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.Order.Lines = []hawker.OrderRequestLine{line(sku, 2)}
	if _, err := a.Reserve(ctx, other); hawker.ErrorCode(err) != hawker.EKEYREUSED {
		t.Errorf("the other process's key with another body: %v", err)
	}
	// Both processes' fresh orders still fit the stock exactly.
	h.mustOrder(request(newBuyer(), "last", line(sku, 1)))
	if d, err := h.reserve(request(newBuyer(), "over", line(sku, 1))); err != nil || d.Status != StatusConflict {
		t.Errorf("past the stock: %+v %v", d, err)
	}
	if n := h.store.Records(); n != 4 {
		t.Errorf("%d records, want 4", n)
	}
}
