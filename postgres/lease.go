package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/inventory"
)

// The inventory engine's SKU leases (inventory.Leaser): one row per SKU in
// inventory_leases, its expiry set from the database's clock so that no
// node's clock matters. CommitBatch checks them for the SKU changes marked
// Leased.

var _ inventory.Leaser = (*DB)(nil)

// acquireAttempts bounds the retries of AcquireLease when the lease row
// changes between its upsert and its read (a concurrent first insert).
const acquireAttempts = 5

// AcquireLease implements inventory.Leaser: one upsert that takes the row
// when it is free, expired or node's own, and reads it back when another
// node holds it.
func (db *DB) AcquireLease(ctx context.Context, skuID, node, addr string, ttl time.Duration) (_ inventory.Lease, _ bool, err error) {
	defer db.done("AcquireLease", time.Now(), &err)
	for range acquireAttempts {
		var l inventory.Lease
		var taken bool // by this statement's upsert: the only proof this node holds it
		err = db.pool.QueryRow(ctx, `WITH up AS (
				INSERT INTO inventory_leases AS l (sku_id, node, addr, expires_at)
				VALUES ($1, $2, $3, now() + make_interval(secs => $4))
				ON CONFLICT (sku_id) DO UPDATE SET node = excluded.node, addr = excluded.addr, expires_at = excluded.expires_at
				WHERE l.expires_at <= now() OR l.node = excluded.node
				RETURNING node, addr, expires_at)
			SELECT node, addr, expires_at, now(), true FROM up
			UNION ALL
			SELECT node, addr, expires_at, now(), false FROM inventory_leases
			WHERE sku_id = $1 AND NOT EXISTS (SELECT 1 FROM up)`,
			skuID, node, addr, ttl.Seconds()).Scan(&l.Owner, &l.Addr, &l.Expires, &l.Now, &taken)
		if errors.Is(err, pgx.ErrNoRows) {
			// Another node inserted the row after this statement's
			// snapshot: its insert won; read it again.
			continue
		}
		if pgCode(err) == foreignKeyViolation {
			return inventory.Lease{}, false, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
		}
		if err != nil {
			return inventory.Lease{}, false, err
		}
		l.Expires, l.Now = l.Expires.UTC(), l.Now.UTC()
		if !taken && (l.Owner == node || !l.Expires.After(l.Now)) {
			// The upsert found the row taken by another node's commit
			// after this statement's snapshot, and the read shows that
			// snapshot's row (this node's, or expired): only the upsert
			// says who holds it. Ask again with a fresh snapshot.
			continue
		}
		return l, taken, nil
	}
	return inventory.Lease{}, false, errors.New("the lease row kept changing")
}

// RenewLeases implements inventory.Leaser in one statement.
func (db *DB) RenewLeases(ctx context.Context, node string, skuIDs []string, ttl time.Duration) (_ []string, err error) {
	defer db.done("RenewLeases", time.Now(), &err)
	if len(skuIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `UPDATE inventory_leases SET expires_at = now() + make_interval(secs => $3)
		WHERE sku_id = ANY($2) AND node = $1 AND expires_at > now()
		RETURNING sku_id`, node, skuIDs, ttl.Seconds())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ReleaseLeases implements inventory.Leaser.
func (db *DB) ReleaseLeases(ctx context.Context, node string, skuIDs []string) (err error) {
	defer db.done("ReleaseLeases", time.Now(), &err)
	if len(skuIDs) == 0 {
		return nil
	}
	_, err = db.pool.Exec(ctx, `DELETE FROM inventory_leases WHERE sku_id = ANY($2) AND node = $1`, node, skuIDs)
	return err
}
