package postgres_test

import (
	"testing"

	"hawker/inventory/invtest"
	"hawker/postgres"
	"hawker/postgres/pgtest"
)

// The inventory conformance suite, each test on a fresh schema. Without
// HAWKER_TEST_POSTGRES_URL it skips (fails with HAWKER_TEST_REQUIRE_DB=1).
func TestInventory(t *testing.T) {
	pgtest.URL(t)
	invtest.Run(t, func(t testing.TB) invtest.Stores {
		return invStores(t, pgtest.Schema(t, pgtest.URL(t)))
	})
}

func invStores(t testing.TB, url string) invtest.Stores {
	t.Helper()
	db := pgtest.OpenURL(t, url, postgres.Options{})
	return invtest.Stores{
		Store:   db,
		RowLock: db,
		Catalog: db,
		Audit:   db.AuditStock,
		PutDeal: db.InsertDeal,
		Purge:   db.PurgeRecords,
		Reopen:  func(t testing.TB) invtest.Stores { return invStores(t, url) },
	}
}
