package postgres

import (
	"context"

	"hawker"
)

// InsertDeal exposes insertDeal to the external tests until the deals
// service exists.
func (db *DB) InsertDeal(ctx context.Context, d *hawker.Deal) error { return db.insertDeal(ctx, d) }
