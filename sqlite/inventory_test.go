package sqlite

import (
	"path/filepath"
	"testing"

	"hawker/inventory/invtest"
)

// The inventory conformance suite on a database file (WAL, one writer, a
// read pool), as `hawker serve` runs it.
func TestInventory(t *testing.T) {
	invtest.Run(t, func(t testing.TB) invtest.Stores {
		return invStores(t, filepath.Join(t.TempDir(), "hawker.db"))
	})
}

func invStores(t testing.TB, path string) invtest.Stores {
	t.Helper()
	db, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return invtest.Stores{
		Store:   db,
		RowLock: db,
		Catalog: db,
		Audit:   db.AuditStock,
		PutDeal: db.insertDeal,
		Purge:   db.PurgeRecords,
		Reopen:  func(t testing.TB) invtest.Stores { return invStores(t, path) },
	}
}
