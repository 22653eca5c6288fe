package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"hawker"
	"hawker/payment"
)

// payment.Store (migrations 00006 and 00009). Every write runs on the
// single writer connection, so a conditional update is its own check; the
// partial unique index payments_capture_once keeps a second claim of an
// order's capture out all the same.

var _ payment.Store = (*DB)(nil)

// paymentCols are the columns scanPayment reads, in its order.
var paymentCols = []string{"id", "order_id", "buyer_id", "provider", "provider_ref", "amount", "currency", "state",
	"failure_code", "next_action", "client_secret", "idempotency_key", "fingerprint", "response_status", "response",
	"created_at", "updated_at", "capture_claimed"}

var (
	paymentColumns  = strings.Join(paymentCols, ", ")
	paymentColumnsP = "p." + strings.Join(paymentCols, ", p.")
)

func scanPayment(s scanner) (*payment.Payment, error) {
	var p payment.Payment
	var ref sql.NullString
	var state, created, updated string
	if err := s.Scan(&p.ID, &p.OrderID, &p.BuyerID, &p.Provider, &ref, &p.Amount.Amount, &p.Amount.Currency, &state,
		&p.FailureCode, &p.NextAction, &p.ClientSecret, &p.IdempotencyKey, &p.Fingerprint, &p.ResponseStatus, &p.Response,
		&created, &updated, &p.CaptureClaimed); err != nil {
		return nil, err
	}
	p.ProviderRef = ref.String
	p.State = payment.State(state)
	var err error
	if p.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &p, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreatePayment implements payment.Store.
func (db *DB) CreatePayment(ctx context.Context, p *payment.Payment) (err error) {
	defer db.done("CreatePayment", time.Now(), &err)
	var resp any
	if p.Response != nil {
		resp = p.Response
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO payments (`+paymentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.OrderID, p.BuyerID, p.Provider, nullString(p.ProviderRef), p.Amount.Amount, p.Amount.Currency, string(p.State),
		p.FailureCode, p.NextAction, p.ClientSecret, p.IdempotencyKey, p.Fingerprint, p.ResponseStatus, resp,
		fmtTime(p.CreatedAt), fmtTime(p.UpdatedAt), p.CaptureClaimed)
	return mapErr(err, "payment already exists", "order not found")
}

// FindPayment implements payment.Store.
func (db *DB) FindPayment(ctx context.Context, id string) (_ *payment.Payment, err error) {
	defer db.done("FindPayment", time.Now(), &err)
	return findPayment(db.readRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id))
}

// FindPaymentByKey implements payment.Store.
func (db *DB) FindPaymentByKey(ctx context.Context, buyerID, key string) (_ *payment.Payment, err error) {
	defer db.done("FindPaymentByKey", time.Now(), &err)
	return findPayment(db.readRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE buyer_id = ? AND idempotency_key = ?`, buyerID, key))
}

// FindPaymentByRef implements payment.Store.
func (db *DB) FindPaymentByRef(ctx context.Context, provider, ref string) (_ *payment.Payment, err error) {
	defer db.done("FindPaymentByRef", time.Now(), &err)
	return findPayment(db.readRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE provider = ? AND provider_ref = ?`, provider, ref))
}

func findPayment(row scanner) (*payment.Payment, error) {
	p, err := scanPayment(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("payment")
	}
	return p, err
}

// UpdatePayment implements payment.Store.
func (db *DB) UpdatePayment(ctx context.Context, id string, from []payment.State, upd payment.Update) (p *payment.Payment, err error) {
	defer db.done("UpdatePayment", time.Now(), &err)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		ok, err := updatePayment(ctx, tx, id, from, upd)
		if err != nil {
			return err
		}
		if p, err = findPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id)); err != nil {
			return err
		}
		if !ok {
			return hawker.Errorf(hawker.ESTATE, "payment is %s", p.State)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// updatePayment applies upd where the payment's state is in from (any
// when empty) and reports whether it did.
func updatePayment(ctx context.Context, tx *sql.Tx, id string, from []payment.State, upd payment.Update) (bool, error) {
	q := `UPDATE payments SET state = ?, updated_at = ?,
		provider_ref = COALESCE(?, provider_ref), failure_code = COALESCE(?, failure_code),
		next_action = COALESCE(?, next_action), client_secret = COALESCE(?, client_secret)
		WHERE id = ?`
	args := []any{string(upd.State), fmtTime(upd.At), refArg(upd.Ref), strArg(upd.FailureCode), strArg(upd.NextAction), strArg(upd.ClientSecret), id}
	if len(from) > 0 {
		q += ` AND state IN (?` + strings.Repeat(", ?", len(from)-1) + `)`
		for _, s := range from {
			args = append(args, string(s))
		}
	}
	if upd.Unclaimed {
		q += ` AND capture_claimed = 0`
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, mapErr(err, "provider ref belongs to another payment", "")
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ClaimCapture implements payment.Store: one conditional UPDATE, backed
// by the partial unique index payments_capture_once (migration 00009).
func (db *DB) ClaimCapture(ctx context.Context, id string, at time.Time) (p *payment.Payment, err error) {
	defer db.done("ClaimCapture", time.Now(), &err)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE payments SET capture_claimed = 1, updated_at = ?
			WHERE id = ? AND state = 'authorized' AND capture_claimed = 0 AND NOT EXISTS (
				SELECT 1 FROM payments o
				WHERE o.order_id = payments.order_id AND o.id <> payments.id
					AND (o.capture_claimed = 1 OR o.state IN ('succeeded', 'refunded')))`,
			fmtTime(at), id)
		if isUnique(err) {
			return alreadyPaid()
		} else if err != nil {
			return err
		}
		if p, err = findPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id)); err != nil {
			return err
		}
		switch {
		case p.State != payment.StateAuthorized:
			return hawker.Errorf(hawker.ESTATE, "payment is %s", p.State)
		case !p.CaptureClaimed:
			return alreadyPaid()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func alreadyPaid() error {
	return hawker.Errorf(payment.EALREADYPAID, "another payment of the order claimed its capture")
}

// refArg keeps the column when the update sets no ref (nil or empty).
func refArg(s *string) any {
	if s == nil || *s == "" {
		return nil
	}
	return *s
}

func strArg(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// DeletePending implements payment.Store.
func (db *DB) DeletePending(ctx context.Context, id string) (err error) {
	defer db.done("DeletePending", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `DELETE FROM payments WHERE id = ? AND state = 'pending' AND response_status = 0`, id)
	return err
}

// SaveResponse implements payment.Store.
func (db *DB) SaveResponse(ctx context.Context, id string, status int, body []byte) (p *payment.Payment, err error) {
	defer db.done("SaveResponse", time.Now(), &err)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET response_status = ?, response = ? WHERE id = ? AND response_status = 0`,
			status, body, id); err != nil {
			return err
		}
		p, err = findPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ApplyEvent implements payment.Store.
func (db *DB) ApplyEvent(ctx context.Context, provider, eventID string, at time.Time, paymentID string, from []payment.State, upd payment.Update) (fresh bool, p *payment.Payment, err error) {
	defer db.done("ApplyEvent", time.Now(), &err)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO payment_events (provider, event_id, received_at) VALUES (?, ?, ?)
			ON CONFLICT (provider, event_id) DO NOTHING`, provider, eventID, fmtTime(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		fresh = true
		if paymentID == "" {
			return nil
		}
		if upd.State != "" {
			if _, err := updatePayment(ctx, tx, paymentID, from, upd); err != nil {
				return err
			}
		}
		p, err = findPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, paymentID))
		return err
	})
	if err != nil {
		return false, nil, err
	}
	return fresh, p, nil
}

// FindWork implements payment.Store: three index-driven reads (refunded
// orders; authorized payments by update; requires_action payments),
// merged.
func (db *DB) FindWork(ctx context.Context, now, staleBefore time.Time, limit int) (_ []*payment.Payment, err error) {
	defer db.done("FindWork", time.Now(), &err)
	cols := paymentColumnsP
	rows, err := db.readRows(ctx, `SELECT * FROM (
			SELECT `+cols+` FROM orders o JOIN payments p ON p.order_id = o.id
				WHERE o.state = 'refunded' AND p.state = 'succeeded'
			UNION ALL
			SELECT `+cols+` FROM payments p
				WHERE p.state = 'authorized' AND p.updated_at <= ?
			UNION ALL
			SELECT `+cols+` FROM payments p JOIN orders o ON o.id = p.order_id
				WHERE p.state = 'requires_action' AND (o.state <> 'reserved' OR o.pay_by <= ?)
		) ORDER BY updated_at, id LIMIT ?`,
		fmtTime(staleBefore), fmtTime(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*payment.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
