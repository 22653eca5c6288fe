package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hawker"
	"hawker/postgres"
	"hawker/sqlite"
)

// migratingStore is a store that can also report and apply its migrations.
type migratingStore interface {
	hawker.Store
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context) ([]hawker.Migration, error)
}

// openStore opens the store named by the flags: PostgreSQL for a postgres://
// URL, else SQLite in the data dir. It migrates unless noMigrate; observe
// (may be nil) receives each store call's latency.
func openStore(ctx context.Context, sf *storeFlags, noMigrate bool, observe func(op string, d time.Duration)) (migratingStore, error) {
	url := sf.databaseURL
	switch {
	case url == "":
		if err := os.MkdirAll(sf.dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		db, err := sqlite.Open(ctx, filepath.Join(sf.dataDir, "hawker.db"), sqlite.Options{NoMigrate: noMigrate, Observe: observe})
		if err != nil {
			return nil, fmt.Errorf("open SQLite store: %w", err)
		}
		return db, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err := postgres.Open(ctx, url, postgres.Options{NoMigrate: noMigrate, Observe: observe})
		if err != nil {
			// The URL may hold a password: name the engine, not the URL.
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return db, nil
	}
	return nil, fmt.Errorf("--database-url must start with postgres:// (or be empty for SQLite)")
}

// storeObserver returns an Observe hook feeding a store-latency histogram.
func storeObserver(reg prometheus.Registerer) func(op string, d time.Duration) {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hawker_store_duration_seconds",
		Help:    "Latency of store calls by operation.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	}, []string{"op"})
	reg.MustRegister(h)
	return func(op string, d time.Duration) { h.WithLabelValues(op).Observe(d.Seconds()) }
}
