package hawker

import (
	"context"
	"time"
)

// Migration is one schema migration of a store, as `hawker migrate status`
// shows it.
type Migration struct {
	Version int64
	Name    string // file name, e.g. "00001_init.sql"
	// AppliedAt is when the migration ran; nil while it is pending.
	AppliedAt *time.Time
}

// Migrator is implemented by stores with a schema (sqlite.DB, postgres.DB),
// for `hawker migrate`. Stores open with their migrations applied unless
// told otherwise, so most callers never need it.
type Migrator interface {
	// Migrate applies pending migrations. Safe while other processes open
	// or migrate the same store.
	Migrate(ctx context.Context) error
	// MigrationStatus lists every migration the binary knows, ordered by
	// version.
	MigrationStatus(ctx context.Context) ([]Migration, error)
}
