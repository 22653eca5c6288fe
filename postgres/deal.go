package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// hawker.DealStore (migrations 00003 and 00007). The deals_version trigger
// of 00003 moves the SKU's version whenever a deal is made or changed by
// anyone but the inventory engine, in the statement's own transaction:
// CreateDeal and EndDeal need not (and must not) bump it themselves.

var _ hawker.DealStore = (*DB)(nil)

// fullDealColumns reads a deal with its SKU's product; the deal is d, its
// SKU s.
const fullDealColumns = `d.id, d.show_id, d.shop_id, d.sku_id, coalesce(s.product_id, ''), d.prices, d.quantity,
	d.max_per_buyer, d.taken, d.starts_at, d.ends_at, d.state, d.created_at, d.created_by, d.idempotency_key, d.fingerprint`

const fullDealFrom = ` FROM deals d LEFT JOIN skus s ON s.id = d.sku_id `

func scanFullDeal(row pgx.Row) (*hawker.Deal, error) {
	var d hawker.Deal
	var taken int64
	var state string
	if err := row.Scan(&d.ID, &d.ShowID, &d.ShopID, &d.SKUID, &d.ProductID, &d.Prices, &d.Quantity, &d.MaxPerBuyer, &taken,
		&d.StartsAt, &d.EndsAt, &state, &d.CreatedAt, &d.CreatedBy, &d.IdempotencyKey, &d.Fingerprint); err != nil {
		return nil, err
	}
	if d.Prices == nil {
		d.Prices = map[string]int64{}
	}
	d.State = hawker.DealState(state)
	d.Remaining = d.Quantity - taken
	d.StartsAt, d.EndsAt, d.CreatedAt = d.StartsAt.UTC(), d.EndsAt.UTC(), d.CreatedAt.UTC()
	return &d, nil
}

func scanDeals(rows pgx.Rows, err error) ([]*hawker.Deal, error) {
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, func(r pgx.Row) (*hawker.Deal, error) { return scanFullDeal(r) })
	if out == nil {
		out = []*hawker.Deal{}
	}
	return out, err
}

// CreateDeal implements hawker.DealStore. The show's row is locked for the
// transaction, so two deals of one show are checked for overlap one after
// the other, never both against a state without the other.
func (db *DB) CreateDeal(ctx context.Context, d *hawker.Deal) (err error) {
	defer db.done("CreateDeal", time.Now(), &err)
	var product string
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if d.ShowID != "" {
			shop, _, err := lockShow(ctx, tx, d.ShowID)
			if err != nil {
				return err
			}
			if shop != d.ShopID {
				return hawker.FieldError("show_id", "the show is another shop's")
			}
		}
		var shop string
		var deleted bool
		err := tx.QueryRow(ctx, `SELECT s.shop_id, s.product_id, s.deleted_at IS NOT NULL OR p.deleted_at IS NOT NULL
			FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = $1`, d.SKUID).Scan(&shop, &product, &deleted)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("SKU")
		} else if err != nil {
			return err
		}
		if shop != d.ShopID || deleted {
			return hawker.FieldError("sku_id", "no such SKU in the shop")
		}
		if d.ShowID != "" {
			var other string
			var starts, ends time.Time
			err = tx.QueryRow(ctx, `SELECT id, starts_at, ends_at FROM deals
				WHERE show_id = $1 AND state = 'scheduled' AND starts_at < $2 AND ends_at > $3
				ORDER BY starts_at LIMIT 1`, d.ShowID, d.EndsAt, d.StartsAt).Scan(&other, &starts, &ends)
			switch {
			case err == nil:
				return hawker.Errorf(hawker.ESTATE, "Another deal of the show (%s) runs from %s to %s; one deal at a time.",
					other, starts.UTC().Format(time.RFC3339), ends.UTC().Format(time.RFC3339))
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO deals (id, show_id, shop_id, sku_id, prices, quantity, max_per_buyer, taken,
			starts_at, ends_at, state, created_at, created_by, idempotency_key, fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $12, $13, $14)`,
			d.ID, d.ShowID, d.ShopID, d.SKUID, d.Prices, d.Quantity, d.MaxPerBuyer,
			d.StartsAt, d.EndsAt, string(d.State), d.CreatedAt, d.CreatedBy, d.IdempotencyKey, d.Fingerprint)
		return mapErr(err, "deal already exists", "SKU or shop not found")
	})
	if err != nil {
		return err
	}
	d.ProductID, d.Remaining = product, d.Quantity
	return nil
}

// FindDeal implements hawker.DealStore.
func (db *DB) FindDeal(ctx context.Context, id string) (_ *hawker.Deal, err error) {
	defer db.done("FindDeal", time.Now(), &err)
	d, err := scanFullDeal(db.pool.QueryRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("deal")
	}
	return d, err
}

// FindDealByKey implements hawker.DealStore.
func (db *DB) FindDealByKey(ctx context.Context, createdBy, key string) (_ *hawker.Deal, err error) {
	defer db.done("FindDealByKey", time.Now(), &err)
	if key == "" {
		return nil, notFound("deal")
	}
	d, err := scanFullDeal(db.pool.QueryRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.created_by = $1 AND d.idempotency_key = $2`, createdBy, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("deal")
	}
	return d, err
}

// FindShowDeals implements hawker.DealStore.
func (db *DB) FindShowDeals(ctx context.Context, showID string) (_ []*hawker.Deal, err error) {
	defer db.done("FindShowDeals", time.Now(), &err)
	return scanDeals(db.pool.Query(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.show_id = $1 ORDER BY d.id`, showID))
}

// FindActiveDeals implements hawker.DealStore.
func (db *DB) FindActiveDeals(ctx context.Context, showIDs []string, now time.Time) (_ map[string]*hawker.Deal, err error) {
	defer db.done("FindActiveDeals", time.Now(), &err)
	out := map[string]*hawker.Deal{}
	if len(showIDs) == 0 {
		return out, nil
	}
	deals, err := scanDeals(db.pool.Query(ctx, `SELECT `+fullDealColumns+fullDealFrom+`
		WHERE d.show_id = ANY($1) AND d.state = 'scheduled' AND d.starts_at <= $2 AND d.ends_at > $2
		ORDER BY d.starts_at, d.id`, showIDs, now))
	if err != nil {
		return nil, err
	}
	for _, d := range deals {
		if _, ok := out[d.ShowID]; !ok {
			out[d.ShowID] = d
		}
	}
	return out, nil
}

// FindDealsEndingAfter implements hawker.DealStore.
func (db *DB) FindDealsEndingAfter(ctx context.Context, t time.Time, limit int) (_ []*hawker.Deal, err error) {
	defer db.done("FindDealsEndingAfter", time.Now(), &err)
	return scanDeals(db.pool.Query(ctx, `SELECT `+fullDealColumns+fullDealFrom+`
		WHERE d.state = 'scheduled' AND d.ends_at > $1 AND d.show_id <> ''
		ORDER BY d.starts_at, d.id LIMIT $2`, t, limit))
}

// EndDeal implements hawker.DealStore. The deal's row is locked, so a host
// ending it and the engine ending it sold out are one after the other.
func (db *DB) EndDeal(ctx context.Context, id string, at time.Time) (_ *hawker.Deal, err error) {
	defer db.done("EndDeal", time.Now(), &err)
	var d *hawker.Deal
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanFullDeal(tx.QueryRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = $1 FOR UPDATE OF d`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("deal")
		} else if err != nil {
			return err
		}
		switch {
		case cur.State != hawker.DealScheduled:
			return hawker.Errorf(hawker.ESTATE, "The deal is %s.", cur.State)
		case !at.Before(cur.EndsAt):
			return hawker.Errorf(hawker.ESTATE, "The deal is over.")
		case at.Before(cur.StartsAt):
			_, err = tx.Exec(ctx, `UPDATE deals SET state = 'cancelled' WHERE id = $1`, id)
		default:
			_, err = tx.Exec(ctx, `UPDATE deals SET state = 'ended', ends_at = $1 WHERE id = $2`, at, id)
		}
		if err != nil {
			return err
		}
		d, err = scanFullDeal(tx.QueryRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = $1`, id))
		return err
	})
	return d, err
}
