package postgres_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/postgres"
	"hawker/postgres/pgtest"
	"hawker/storetest"
)

func TestConformance(t *testing.T) {
	pgtest.URL(t)
	storetest.Run(t, func(t testing.TB) hawker.Store {
		return pgtest.Open(t, postgres.Options{})
	})
}

func TestSetOnHandKeepsInvariant(t *testing.T) {
	url := pgtest.Schema(t, pgtest.URL(t))
	db := pgtest.OpenURL(t, url, postgres.Options{})
	ctx := t.Context()
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "s", Name: "S", HomeMarket: "DE", Markets: []string{"DE"}, CreatedAt: hawker.Now()}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		t.Fatal(err)
	}
	sku := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "A", Prices: map[string]int64{"DE": 100}, OnHand: 10}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: "P", SKUs: []*hawker.SKU{sku}, CreatedAt: hawker.Now(), UpdatedAt: hawker.Now()}
	if err := db.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	// No Store method sets reserved or sold yet.
	raw, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	if _, err := raw.Exec(ctx, `UPDATE skus SET reserved = 3, sold = 4 WHERE id = $1`, sku.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		onHand int64
		code   string
		want   hawker.Stock
	}{
		{"below held", 6, hawker.ESTATE, hawker.Stock{SKUID: sku.ID, OnHand: 10, Reserved: 3, Sold: 4, Available: 3}},
		{"zero", 0, hawker.ESTATE, hawker.Stock{SKUID: sku.ID, OnHand: 10, Reserved: 3, Sold: 4, Available: 3}},
		{"exactly held", 7, "", hawker.Stock{SKUID: sku.ID, OnHand: 7, Reserved: 3, Sold: 4, Available: 0}},
		{"above", 12, "", hawker.Stock{SKUID: sku.ID, OnHand: 12, Reserved: 3, Sold: 4, Available: 5}},
		{"negative", -1, hawker.EINVALID, hawker.Stock{SKUID: sku.ID, OnHand: 12, Reserved: 3, Sold: 4, Available: 5}},
		{"too many", hawker.MaxOnHand + 1, hawker.EINVALID, hawker.Stock{SKUID: sku.ID, OnHand: 12, Reserved: 3, Sold: 4, Available: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := db.SetOnHand(ctx, sku.ID, tc.onHand)
			if got := hawker.ErrorCode(err); got != tc.code {
				t.Fatalf("SetOnHand(%d) error = %v, want code %q", tc.onHand, err, tc.code)
			}
			if err == nil && st != tc.want {
				t.Errorf("SetOnHand = %+v, want %+v", st, tc.want)
			}
			st, err = db.FindStock(ctx, sku.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st != tc.want {
				t.Errorf("FindStock = %+v, want %+v", st, tc.want)
			}
		})
	}
	t.Run("check constraint", func(t *testing.T) {
		if _, err := raw.Exec(ctx, `UPDATE skus SET sold = 100 WHERE id = $1`, sku.ID); err == nil {
			t.Fatal("raw update breaking reserved + sold <= on_hand succeeded")
		}
	})
}

// TestConcurrentOpen opens one fresh schema from several "processes" at
// once; the advisory lock lets one migrate while the others wait.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.Schema(t, pgtest.URL(t))
	const n = 4
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(t.Context(), url, postgres.Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	for i, db := range dbs {
		u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: fmt.Sprintf("p%d@example.com", i), Name: "P", Market: "DE", CreatedAt: hawker.Now()}
		if err := db.CreateUser(t.Context(), u); err != nil {
			t.Fatalf("db %d: %v", i, err)
		}
	}
	for i, db := range dbs {
		us, err := db.FindUsers(t.Context(), hawker.Page{})
		if err != nil || len(us) != n {
			t.Fatalf("db %d sees %d users (%v), want %d", i, len(us), err, n)
		}
	}
}

func TestMigrations(t *testing.T) {
	url := pgtest.Schema(t, pgtest.URL(t))
	db := pgtest.OpenURL(t, url, postgres.Options{NoMigrate: true})
	st, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations")
	}
	for _, m := range st {
		if m.AppliedAt != nil || m.Version < 1 || m.Name == "" {
			t.Errorf("before Migrate: %+v, want pending with a name", m)
		}
	}
	before := time.Now().Add(-time.Second) // the server's clock, not ours, stamps it
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	st, err = db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if m.AppliedAt == nil || m.AppliedAt.Before(before) || m.AppliedAt.Location() != time.UTC {
			t.Errorf("after Migrate: %+v, want applied after %v in UTC", m, before)
		}
	}
	again := pgtest.OpenURL(t, url, postgres.Options{})
	if err := again.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestObserve(t *testing.T) {
	var mu sync.Mutex
	ops := map[string]int{}
	db := pgtest.Open(t, postgres.Options{Observe: func(op string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
	}})
	_, _ = db.FindProductByID(t.Context(), "prd_missing")
	_ = db.Ping(t.Context())
	_, _ = db.FindShows(t.Context(), hawker.ShowFilter{Market: "DE"}, hawker.Page{})
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"FindProductByID": 1, "Ping": 1, "FindShows": 1}
	if fmt.Sprint(ops) != fmt.Sprint(want) {
		t.Errorf("observed %v, want %v", ops, want)
	}
}

func TestOpenErrors(t *testing.T) {
	url := pgtest.URL(t)
	for _, tc := range []struct{ name, url string }{
		{"garbage", "postgres://%zz"},
		{"no such schema", withParam(url, "search_path=hawker_no_such_schema")},
		{"unreachable", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := postgres.Open(t.Context(), tc.url, postgres.Options{})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

func withParam(url, kv string) string {
	switch {
	case strings.HasPrefix(url, "postgres") && strings.Contains(url, "?"):
		return url + "&" + kv
	case strings.HasPrefix(url, "postgres"):
		return url + "?" + kv
	}
	return url + " " + kv
}
