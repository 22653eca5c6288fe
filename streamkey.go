package hawker

import (
	"context"
	"time"
)

// StreamKeyStore keeps the stream key of each show (WHIP ingest), by the
// hash of the key only: the key itself is shown once.
type StreamKeyStore interface {
	// SetStreamKey makes hash the show's stream key hash, replacing any
	// previous key (rotation: the old key stops working). Returns
	// ENOTFOUND for an unknown show and EEXISTS when the hash is taken.
	SetStreamKey(ctx context.Context, showID, hash string, at time.Time) error
	// FindShowByStreamKeyHash returns the id of the show whose current
	// key has the hash; ENOTFOUND for unknown, replaced or revoked keys.
	FindShowByStreamKeyHash(ctx context.Context, hash string) (showID string, err error)
}
