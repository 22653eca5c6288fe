package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/inventory"
	"hawker/postgres"
	"hawker/postgres/pgtest"
)

// leaseFixture is a store with SKUs and a raw connection to play the
// clock (expire leases by SQL).
type leaseFixture struct {
	db   *postgres.DB
	raw  *pgx.Conn
	skus []string
}

func newLeaseFixture(t *testing.T, skus int) *leaseFixture {
	t.Helper()
	url := pgtest.Schema(t, pgtest.URL(t))
	db := pgtest.OpenURL(t, url, postgres.Options{})
	ctx := t.Context()
	raw, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close(context.Background()) })
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "lease", Name: "L", HomeMarket: "DE", Markets: []string{"DE"}, CreatedAt: hawker.Now()}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		t.Fatal(err)
	}
	f := &leaseFixture{db: db, raw: raw}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: "P", CreatedAt: hawker.Now(), UpdatedAt: hawker.Now()}
	for i := range skus {
		s := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: fmt.Sprintf("C%d", i), Prices: map[string]int64{"DE": 100}, OnHand: 10}
		p.SKUs = append(p.SKUs, s)
		f.skus = append(f.skus, s.ID)
	}
	if err := db.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	return f
}

// expire ends every lease by the database's clock.
func (f *leaseFixture) expire(t *testing.T) {
	t.Helper()
	if _, err := f.raw.Exec(t.Context(), `UPDATE inventory_leases SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
}

func (f *leaseFixture) acquire(t *testing.T, sku, node string, ttl time.Duration) (inventory.Lease, bool) {
	t.Helper()
	l, held, err := f.db.AcquireLease(t.Context(), sku, node, "http://"+node, ttl)
	if err != nil {
		t.Fatalf("AcquireLease(%s): %v", node, err)
	}
	return l, held
}

func TestLeaseLifecycle(t *testing.T) {
	f := newLeaseFixture(t, 1)
	ctx := t.Context()
	sku := f.skus[0]
	const ttl = time.Minute

	l, held := f.acquire(t, sku, "a", ttl)
	if !held || l.Owner != "a" || l.Addr != "http://a" {
		t.Fatalf("first acquire = %+v held=%v, want a's", l, held)
	}
	if left := l.Expires.Sub(l.Now); left < ttl-time.Second || left > ttl {
		t.Errorf("lease left %v, want about %v by the database's clock", left, ttl)
	}
	if l, held := f.acquire(t, sku, "b", ttl); held || l.Owner != "a" || l.Addr != "http://a" {
		t.Fatalf("b's acquire of a live lease = %+v held=%v, want a's lease, not held", l, held)
	}
	if _, held := f.acquire(t, sku, "a", ttl); !held {
		t.Fatal("a cannot take its own lease again")
	}

	got, err := f.db.RenewLeases(ctx, "a", []string{sku, "sku_unknown"}, ttl)
	if err != nil || len(got) != 1 || got[0] != sku {
		t.Fatalf("a renews = %v, %v; want [%s]", got, err, sku)
	}
	if got, err := f.db.RenewLeases(ctx, "b", []string{sku}, ttl); err != nil || len(got) != 0 {
		t.Fatalf("b renews a's lease = %v, %v; want none", got, err)
	}

	// Expired by the database's clock: lost to its holder, free for others.
	f.expire(t)
	if got, err := f.db.RenewLeases(ctx, "a", []string{sku}, ttl); err != nil || len(got) != 0 {
		t.Fatalf("a renews an expired lease = %v, %v; want none (lost)", got, err)
	}
	if l, held := f.acquire(t, sku, "b", ttl); !held || l.Owner != "b" {
		t.Fatalf("b's acquire of an expired lease = %+v held=%v, want b's", l, held)
	}
	if l, held := f.acquire(t, sku, "a", ttl); held || l.Owner != "b" {
		t.Fatalf("a's acquire after b took over = %+v held=%v, want b's, not held", l, held)
	}

	// Release: only the holder's goes, and frees the SKU at once.
	if err := f.db.ReleaseLeases(ctx, "a", []string{sku}); err != nil {
		t.Fatal(err)
	}
	if _, held := f.acquire(t, sku, "a", ttl); held {
		t.Fatal("a's release dropped b's lease")
	}
	if err := f.db.ReleaseLeases(ctx, "b", []string{sku}); err != nil {
		t.Fatal(err)
	}
	if _, held := f.acquire(t, sku, "a", ttl); !held {
		t.Fatal("a cannot take a released lease")
	}

	if _, _, err := f.db.AcquireLease(ctx, "sku_unknown", "a", "http://a", ttl); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("acquire of an unknown SKU: %v, want not_found", err)
	}
}

// A lease ends by itself when its ttl passes on the database's clock.
func TestLeaseExpiresByDatabaseClock(t *testing.T) {
	f := newLeaseFixture(t, 1)
	sku := f.skus[0]
	if _, held := f.acquire(t, sku, "a", 200*time.Millisecond); !held {
		t.Fatal("a cannot take a free lease")
	}
	if _, held := f.acquire(t, sku, "b", time.Minute); held {
		t.Fatal("b took a live lease")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, held := f.acquire(t, sku, "b", time.Minute)
		if held {
			break
		}
		if !l.Expires.After(l.Now) {
			t.Fatalf("b was refused a lease that had expired: %+v", l)
		}
		if time.Now().After(deadline) {
			t.Fatalf("a's 200ms lease still live after 10s: %+v", l)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two nodes racing for the same free leases: for each SKU exactly one
// node is ever told it holds it.
func TestLeaseTwoNodesNeverBothHold(t *testing.T) {
	f := newLeaseFixture(t, 8)
	const perNode = 8
	for round := range 3 {
		type answer struct {
			sku, node string
			held      bool
			owner     string
		}
		var mu sync.Mutex
		var answers []answer
		var wg sync.WaitGroup
		for _, node := range []string{"a", "b"} {
			for range perNode {
				wg.Go(func() {
					for _, sku := range f.skus {
						l, held, err := f.db.AcquireLease(t.Context(), sku, node, "http://"+node, time.Minute)
						if err != nil {
							t.Errorf("acquire: %v", err)
							return
						}
						mu.Lock()
						answers = append(answers, answer{sku, node, held, l.Owner})
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		holder := map[string]string{}
		for _, a := range answers {
			if a.held && a.owner != a.node {
				t.Errorf("round %d: %s told it holds %s owned by %s", round, a.node, a.sku, a.owner)
			}
			if h, ok := holder[a.sku]; ok && h != a.owner {
				t.Errorf("round %d: SKU %s held by %s and %s", round, a.sku, h, a.owner)
			}
			holder[a.sku] = a.owner
		}
		if len(holder) != len(f.skus) {
			t.Errorf("round %d: %d SKUs got a holder, want %d", round, len(holder), len(f.skus))
		}
		f.expire(t)
	}
}

// CommitBatch fences the SKU changes marked Leased by the node's live
// lease, and the others by their version only.
func TestCommitBatchLeaseFence(t *testing.T) {
	f := newLeaseFixture(t, 1)
	ctx := t.Context()
	sku := f.skus[0]
	commit := func(node string, leased bool) error {
		st, err := f.db.LoadSKU(ctx, sku)
		if err != nil {
			t.Fatal(err)
		}
		return f.db.CommitBatch(ctx, &inventory.Batch{At: hawker.Now(), Node: node,
			SKUs: []inventory.SKUChange{{SKUID: sku, Version: st.Version, Leased: leased}}})
	}
	for _, tc := range []struct {
		name   string
		setup  func()
		node   string
		leased bool
		stale  bool
	}{
		{"no lease, unleased change", func() {}, "a", false, false},
		{"no lease, leased change", func() {}, "a", true, true},
		{"own live lease", func() { f.acquire(t, sku, "a", time.Minute) }, "a", true, false},
		{"another node's lease", func() {}, "b", true, true},
		{"another node's lease, unleased change", func() {}, "b", false, false},
		{"own expired lease", func() { f.expire(t) }, "a", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			err := commit(tc.node, tc.leased)
			if stale := errors.Is(err, inventory.ErrStale); stale != tc.stale || err != nil && !stale {
				t.Fatalf("CommitBatch = %v, want stale %v", err, tc.stale)
			}
		})
	}
}
