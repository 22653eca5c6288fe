package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// hawker.StreamKeyStore (migration 00004).

var _ hawker.StreamKeyStore = (*DB)(nil)

// SetStreamKey stores the show's stream key hash, replacing the previous
// key. ENOTFOUND for an unknown show, EEXISTS when the hash is taken.
func (db *DB) SetStreamKey(ctx context.Context, showID, hash string, at time.Time) (err error) {
	defer db.done("SetStreamKey", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO stream_keys (show_id, key_hash, created_at, revoked_at)
		VALUES ($1, $2, $3, NULL)
		ON CONFLICT (show_id) DO UPDATE SET
			key_hash = excluded.key_hash,
			created_at = excluded.created_at,
			revoked_at = NULL`,
		showID, hash, at)
	return mapErr(err, "stream key already exists", "show not found")
}

// FindShowByStreamKeyHash returns the show of the current key with the
// hash; ENOTFOUND for unknown or revoked keys.
func (db *DB) FindShowByStreamKeyHash(ctx context.Context, hash string) (_ string, err error) {
	defer db.done("FindShowByStreamKeyHash", time.Now(), &err)
	var id string
	err = db.pool.QueryRow(ctx, `SELECT show_id FROM stream_keys WHERE key_hash = $1 AND revoked_at IS NULL`, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", notFound("stream key")
	}
	return id, err
}
