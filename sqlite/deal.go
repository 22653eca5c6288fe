package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hawker"
)

// hawker.DealStore (migrations 00003 and 00007). The deals_version_*
// triggers of 00003 move the SKU's version whenever a deal is made or
// changed by anyone but the inventory engine, in the statement's own
// transaction: CreateDeal and EndDeal need not (and must not) bump it
// themselves.

var _ hawker.DealStore = (*DB)(nil)

// fullDealColumns reads a deal with its SKU's product; the deal is d, its
// SKU s.
const fullDealColumns = `d.id, d.show_id, d.shop_id, d.sku_id, coalesce(s.product_id, ''), d.prices, d.quantity,
	d.max_per_buyer, d.taken, d.starts_at, d.ends_at, d.state, d.created_at, d.created_by, d.idempotency_key, d.fingerprint`

const fullDealFrom = ` FROM deals d LEFT JOIN skus s ON s.id = d.sku_id `

func scanFullDeal(row interface{ Scan(...any) error }) (*hawker.Deal, error) {
	var d hawker.Deal
	var prices []byte
	var maxPerBuyer sql.NullInt64
	var taken int64
	var starts, ends, created string
	if err := row.Scan(&d.ID, &d.ShowID, &d.ShopID, &d.SKUID, &d.ProductID, &prices, &d.Quantity, &maxPerBuyer, &taken,
		&starts, &ends, &d.State, &created, &d.CreatedBy, &d.IdempotencyKey, &d.Fingerprint); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(prices, &d.Prices); err != nil {
		return nil, fmt.Errorf("deal %s prices: %w", d.ID, err)
	}
	if d.Prices == nil {
		d.Prices = map[string]int64{}
	}
	if maxPerBuyer.Valid {
		d.MaxPerBuyer = &maxPerBuyer.Int64
	}
	d.Remaining = d.Quantity - taken
	var err error
	if d.StartsAt, err = parseTime(starts); err != nil {
		return nil, err
	}
	if d.EndsAt, err = parseTime(ends); err != nil {
		return nil, err
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &d, nil
}

// scanDeals reads every row of rows as a deal.
func scanDeals(rows *sql.Rows, err error) ([]*hawker.Deal, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*hawker.Deal{}
	for rows.Next() {
		d, err := scanFullDeal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateDeal implements hawker.DealStore. The write transaction (BEGIN
// IMMEDIATE on the one writer) makes the overlap check and the insert one
// step: no other deal can slip in between.
func (db *DB) CreateDeal(ctx context.Context, d *hawker.Deal) (err error) {
	defer db.done("CreateDeal", time.Now(), &err)
	prices, err := jsonText(d.Prices)
	if err != nil {
		return err
	}
	var product string
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var shop string
		var deleted bool
		err := tx.QueryRowContext(ctx, `SELECT s.shop_id, s.product_id, s.deleted_at IS NOT NULL OR p.deleted_at IS NOT NULL
			FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = ?`, d.SKUID).Scan(&shop, &product, &deleted)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("SKU")
		} else if err != nil {
			return err
		}
		if shop != d.ShopID || deleted {
			return hawker.FieldError("sku_id", "no such SKU in the shop")
		}
		if d.ShowID != "" {
			var showShop string
			err := tx.QueryRowContext(ctx, `SELECT shop_id FROM shows WHERE id = ?`, d.ShowID).Scan(&showShop)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("show")
			} else if err != nil {
				return err
			}
			if showShop != d.ShopID {
				return hawker.FieldError("show_id", "the show is another shop's")
			}
			var other, starts, ends string
			err = tx.QueryRowContext(ctx, `SELECT id, starts_at, ends_at FROM deals
				WHERE show_id = ? AND state = 'scheduled' AND starts_at < ? AND ends_at > ?
				ORDER BY starts_at LIMIT 1`, d.ShowID, fmtTime(d.EndsAt), fmtTime(d.StartsAt)).Scan(&other, &starts, &ends)
			switch {
			case err == nil:
				return overlapErr(other, starts, ends)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO deals (id, show_id, shop_id, sku_id, prices, quantity, max_per_buyer, taken,
			starts_at, ends_at, state, created_at, created_by, idempotency_key, fingerprint)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.ShowID, d.ShopID, d.SKUID, prices, d.Quantity, d.MaxPerBuyer,
			fmtTime(d.StartsAt), fmtTime(d.EndsAt), string(d.State), fmtTime(d.CreatedAt), d.CreatedBy, d.IdempotencyKey, d.Fingerprint)
		return mapErr(err, "deal already exists", "SKU or shop not found")
	})
	if err != nil {
		return err
	}
	d.ProductID, d.Remaining = product, d.Quantity
	return nil
}

// overlapErr refuses a deal that would run beside another of the show.
func overlapErr(other, starts, ends string) error {
	return hawker.Errorf(hawker.ESTATE, "Another deal of the show (%s) runs from %s to %s; one deal at a time.",
		other, shortTime(starts), shortTime(ends))
}

// shortTime shows a stored time to the second, for messages.
func shortTime(s string) string {
	if t, err := parseTime(s); err == nil {
		return t.Format(time.RFC3339)
	}
	return s
}

// FindDeal implements hawker.DealStore.
func (db *DB) FindDeal(ctx context.Context, id string) (_ *hawker.Deal, err error) {
	defer db.done("FindDeal", time.Now(), &err)
	d, err := scanFullDeal(db.readRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	d, err := scanFullDeal(db.readRow(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.created_by = ? AND d.idempotency_key = ?`, createdBy, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("deal")
	}
	return d, err
}

// FindShowDeals implements hawker.DealStore.
func (db *DB) FindShowDeals(ctx context.Context, showID string) (_ []*hawker.Deal, err error) {
	defer db.done("FindShowDeals", time.Now(), &err)
	return scanDeals(db.readRows(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.show_id = ? ORDER BY d.id`, showID))
}

// FindActiveDeals implements hawker.DealStore.
func (db *DB) FindActiveDeals(ctx context.Context, showIDs []string, now time.Time) (_ map[string]*hawker.Deal, err error) {
	defer db.done("FindActiveDeals", time.Now(), &err)
	out := map[string]*hawker.Deal{}
	for len(showIDs) > 0 {
		// Chunks keep the statement under SQLite's variable limit; a page
		// of shows (at most 200) is one chunk.
		n := min(len(showIDs), 200)
		chunk := showIDs[:n]
		showIDs = showIDs[n:]
		args := make([]any, 0, len(chunk)+2)
		for _, id := range chunk {
			args = append(args, id)
		}
		at := fmtTime(now)
		args = append(args, at, at)
		// Not prepared: the text varies with the number of shows.
		deals, err := scanDeals(db.read.QueryContext(ctx, `SELECT `+fullDealColumns+fullDealFrom+`
			WHERE d.show_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) AND d.state = 'scheduled'
			AND d.starts_at <= ? AND d.ends_at > ? ORDER BY d.starts_at, d.id`, args...))
		if err != nil {
			return nil, err
		}
		for _, d := range deals {
			if _, ok := out[d.ShowID]; !ok {
				out[d.ShowID] = d
			}
		}
	}
	return out, nil
}

// FindDealsEndingAfter implements hawker.DealStore.
func (db *DB) FindDealsEndingAfter(ctx context.Context, t time.Time, limit int) (_ []*hawker.Deal, err error) {
	defer db.done("FindDealsEndingAfter", time.Now(), &err)
	return scanDeals(db.readRows(ctx, `SELECT `+fullDealColumns+fullDealFrom+`
		WHERE d.state = 'scheduled' AND d.ends_at > ? AND d.show_id <> ''
		ORDER BY d.starts_at, d.id LIMIT ?`, fmtTime(t), limit))
}

// EndDeal implements hawker.DealStore.
func (db *DB) EndDeal(ctx context.Context, id string, at time.Time) (_ *hawker.Deal, err error) {
	defer db.done("EndDeal", time.Now(), &err)
	var d *hawker.Deal
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanFullDeal(tx.QueryRowContext(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
			_, err = tx.ExecContext(ctx, `UPDATE deals SET state = 'cancelled' WHERE id = ?`, id)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE deals SET state = 'ended', ends_at = ? WHERE id = ?`, fmtTime(at), id)
		}
		if err != nil {
			return err
		}
		d, err = scanFullDeal(tx.QueryRowContext(ctx, `SELECT `+fullDealColumns+fullDealFrom+`WHERE d.id = ?`, id))
		return err
	})
	return d, err
}
