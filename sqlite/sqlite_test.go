package sqlite_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/sqlite"
	"hawker/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) hawker.Store {
		return open(t, filepath.Join(t.TempDir(), "hawker.db"), sqlite.Options{})
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t testing.TB) hawker.Store {
		return open(t, sqlite.MemoryPath, sqlite.Options{})
	})
}

func open(t testing.TB, path string, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// rawDB opens the file beside the store, to set what no Store method sets
// yet (reserved, sold).
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestSetOnHandKeepsInvariant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hawker.db")
	db := open(t, path, sqlite.Options{})
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
	raw := rawDB(t, path)
	if _, err := raw.ExecContext(ctx, `UPDATE skus SET reserved = 3, sold = 4 WHERE id = ?`, sku.ID); err != nil {
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
		// The database refuses to break the invariant even for raw SQL.
		if _, err := raw.ExecContext(ctx, `UPDATE skus SET sold = 100 WHERE id = ?`, sku.ID); err == nil {
			t.Fatal("raw update breaking reserved + sold <= on_hand succeeded")
		}
	})
}

// TestConcurrentOpen opens one fresh file from several "processes" at once
// (separate *DB, separate connections) — as `hawker admin create-key` next
// to `hawker serve` — and expects every one to migrate and work.
func TestConcurrentOpen(t *testing.T) {
	for round := range 5 {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hawker.db")
			const n = 4
			dbs := make([]*sqlite.DB, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { dbs[i], errs[i] = sqlite.Open(t.Context(), path, sqlite.Options{}) })
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
				st, err := db.MigrationStatus(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range st {
					if m.AppliedAt == nil {
						t.Errorf("db %d: migration %d pending", i, m.Version)
					}
				}
			}
			raw := rawDB(t, path)
			var versions, distinct int
			if err := raw.QueryRow(`SELECT count(*), count(DISTINCT version_id) FROM goose_db_version`).Scan(&versions, &distinct); err != nil {
				t.Fatal(err)
			}
			if versions != distinct {
				t.Errorf("goose_db_version has %d rows for %d versions: a migration ran twice", versions, distinct)
			}
		})
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hawker.db")
	db := open(t, path, sqlite.Options{NoMigrate: true})
	st, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations")
	}
	for _, m := range st {
		if m.AppliedAt != nil || m.Version < 1 || !strings.HasSuffix(m.Name, ".sql") {
			t.Errorf("before Migrate: %+v, want pending with a name", m)
		}
	}
	if _, err := db.FindUsers(t.Context(), hawker.Page{}); err == nil {
		t.Error("FindUsers on an unmigrated store succeeded")
	}
	before := hawker.Now()
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
	// Reopening migrates nothing and keeps the data.
	if err := db.CreateUser(t.Context(), &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: "a@example.com", Name: "A", Market: "DE", CreatedAt: hawker.Now()}); err != nil {
		t.Fatal(err)
	}
	again := open(t, path, sqlite.Options{})
	if _, err := again.FindUserByEmail(t.Context(), "A@example.com"); err != nil {
		t.Fatal(err)
	}
}

func TestObserve(t *testing.T) {
	var mu sync.Mutex
	ops := map[string]int{}
	db := open(t, filepath.Join(t.TempDir(), "hawker.db"), sqlite.Options{Observe: func(op string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
	}})
	_, _ = db.FindProductByID(t.Context(), "prd_missing")
	_ = db.Ping(t.Context())
	_, _ = db.FindShows(t.Context(), hawker.ShowFilter{}, hawker.Page{})
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"FindProductByID": 1, "Ping": 1, "FindShows": 1}
	if fmt.Sprint(ops) != fmt.Sprint(want) {
		t.Errorf("observed %v, want %v", ops, want)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"empty", ""},
		{"query string", filepath.Join(t.TempDir(), "x.db") + "?_pragma=foreign_keys(OFF)"},
		{"missing dir", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tc.path, sqlite.Options{})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

func TestInternalErrorsNameTheOp(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "hawker.db"), sqlite.Options{})
	db.Close()
	_, err := db.FindUserByID(t.Context(), "usr_x")
	if err == nil || hawker.ErrorCode(err) != hawker.EINTERNAL || !strings.Contains(err.Error(), "FindUserByID") {
		t.Errorf("error on a closed store = %v, want an internal error naming FindUserByID", err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		t.Error("closed store reported no rows")
	}
}

// BenchmarkFindProductByID reads a product like the demo's (four SKUs, one
// price each) from many goroutines, as GET /api/v1/products/{id} does.
func BenchmarkFindProductByID(b *testing.B) {
	db := open(b, filepath.Join(b.TempDir(), "hawker.db"), sqlite.Options{})
	ctx := b.Context()
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "s", Name: "S", HomeMarket: "US", Markets: []string{"US"}, CreatedAt: hawker.Now()}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		b.Fatal(err)
	}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: "Court Classic Low",
		Description: "White leather low-tops with a gum sole.", Images: []string{"img_x"}, CreatedAt: hawker.Now(), UpdatedAt: hawker.Now()}
	for _, size := range []string{"8", "9", "10", "11"} {
		p.SKUs = append(p.SKUs, &hawker.SKU{Code: "CCL-" + size, Options: map[string]string{"size": size}, Prices: map[string]int64{"US": 8900}, OnHand: 25})
	}
	if err := db.CreateProduct(ctx, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.FindProductByID(ctx, p.ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
