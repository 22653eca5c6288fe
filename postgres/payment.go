package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hawker"
	"hawker/payment"
)

// payment.Store (migrations 00006 and 00009). Conditional updates are one
// statement each (UPDATE … WHERE state IN …), so concurrent processes never
// both win a transition. The claim of an order's capture is guarded by the
// partial unique index payments_capture_once: under READ COMMITTED two
// claims of one order can both pass the NOT EXISTS check, but the second
// to write its index entry waits for the first and fails with 23505.

var _ payment.Store = (*DB)(nil)

// paymentCols are the columns scanPayment reads, in its order.
var paymentCols = []string{"id", "order_id", "buyer_id", "provider", "provider_ref", "amount", "currency", "state",
	"failure_code", "next_action", "client_secret", "idempotency_key", "fingerprint", "response_status", "response",
	"created_at", "updated_at", "capture_claimed"}

var (
	paymentColumns  = strings.Join(paymentCols, ", ")
	paymentColumnsP = "p." + strings.Join(paymentCols, ", p.")
)

func scanPayment(row pgx.Row) (*payment.Payment, error) {
	var p payment.Payment
	var ref *string
	var state string
	if err := row.Scan(&p.ID, &p.OrderID, &p.BuyerID, &p.Provider, &ref, &p.Amount.Amount, &p.Amount.Currency, &state,
		&p.FailureCode, &p.NextAction, &p.ClientSecret, &p.IdempotencyKey, &p.Fingerprint, &p.ResponseStatus, &p.Response,
		&p.CreatedAt, &p.UpdatedAt, &p.CaptureClaimed); err != nil {
		return nil, err
	}
	if ref != nil {
		p.ProviderRef = *ref
	}
	p.State = payment.State(state)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

func findPayment(row pgx.Row) (*payment.Payment, error) {
	p, err := scanPayment(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("payment")
	}
	return p, err
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreatePayment implements payment.Store.
func (db *DB) CreatePayment(ctx context.Context, p *payment.Payment) (err error) {
	defer db.done("CreatePayment", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO payments (`+paymentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		p.ID, p.OrderID, p.BuyerID, p.Provider, nullString(p.ProviderRef), p.Amount.Amount, p.Amount.Currency, string(p.State),
		p.FailureCode, p.NextAction, p.ClientSecret, p.IdempotencyKey, p.Fingerprint, p.ResponseStatus, p.Response,
		p.CreatedAt, p.UpdatedAt, p.CaptureClaimed)
	return mapErr(err, "payment already exists", "order not found")
}

// FindPayment implements payment.Store.
func (db *DB) FindPayment(ctx context.Context, id string) (_ *payment.Payment, err error) {
	defer db.done("FindPayment", time.Now(), &err)
	return findPayment(db.pool.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id))
}

// FindPaymentByKey implements payment.Store.
func (db *DB) FindPaymentByKey(ctx context.Context, buyerID, key string) (_ *payment.Payment, err error) {
	defer db.done("FindPaymentByKey", time.Now(), &err)
	return findPayment(db.pool.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE buyer_id = $1 AND idempotency_key = $2`, buyerID, key))
}

// FindPaymentByRef implements payment.Store.
func (db *DB) FindPaymentByRef(ctx context.Context, provider, ref string) (_ *payment.Payment, err error) {
	defer db.done("FindPaymentByRef", time.Now(), &err)
	return findPayment(db.pool.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE provider = $1 AND provider_ref = $2`, provider, ref))
}

// UpdatePayment implements payment.Store.
func (db *DB) UpdatePayment(ctx context.Context, id string, from []payment.State, upd payment.Update) (p *payment.Payment, err error) {
	defer db.done("UpdatePayment", time.Now(), &err)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		ok, err := updatePayment(ctx, tx, id, from, upd)
		if err != nil {
			return err
		}
		if p, err = findPayment(tx.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id)); err != nil {
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
func updatePayment(ctx context.Context, tx pgx.Tx, id string, from []payment.State, upd payment.Update) (bool, error) {
	q := `UPDATE payments SET state = $1, updated_at = $2,
		provider_ref = COALESCE($3, provider_ref), failure_code = COALESCE($4, failure_code),
		next_action = COALESCE($5, next_action), client_secret = COALESCE($6, client_secret)
		WHERE id = $7`
	args := []any{string(upd.State), upd.At, refArg(upd.Ref), upd.FailureCode, upd.NextAction, upd.ClientSecret, id}
	if len(from) > 0 {
		states := make([]string, len(from))
		for i, s := range from {
			states[i] = string(s)
		}
		q += fmt.Sprintf(` AND state = ANY($%d)`, len(args)+1)
		args = append(args, states)
	}
	if upd.Unclaimed {
		q += ` AND NOT capture_claimed`
	}
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return false, mapErr(err, "provider ref belongs to another payment", "")
	}
	return tag.RowsAffected() > 0, nil
}

// captureOnceIndex is the partial unique index of migration 00009: one
// payment per order holds the claim of its capture.
const captureOnceIndex = "payments_capture_once"

// ClaimCapture implements payment.Store: one conditional UPDATE; the
// partial unique index decides between concurrent claims of one order.
func (db *DB) ClaimCapture(ctx context.Context, id string, at time.Time) (p *payment.Payment, err error) {
	defer db.done("ClaimCapture", time.Now(), &err)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE payments SET capture_claimed = true, updated_at = $1
			WHERE id = $2 AND state = 'authorized' AND NOT capture_claimed AND NOT EXISTS (
				SELECT 1 FROM payments o
				WHERE o.order_id = payments.order_id AND o.id <> payments.id
					AND (o.capture_claimed OR o.state IN ('succeeded', 'refunded')))`,
			at, id)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == uniqueViolation && pe.ConstraintName == captureOnceIndex {
			return alreadyPaid()
		} else if err != nil {
			return err
		}
		if p, err = findPayment(tx.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id)); err != nil {
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
func refArg(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// DeletePending implements payment.Store.
func (db *DB) DeletePending(ctx context.Context, id string) (err error) {
	defer db.done("DeletePending", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `DELETE FROM payments WHERE id = $1 AND state = 'pending' AND response_status = 0`, id)
	return err
}

// SaveResponse implements payment.Store.
func (db *DB) SaveResponse(ctx context.Context, id string, status int, body []byte) (p *payment.Payment, err error) {
	defer db.done("SaveResponse", time.Now(), &err)
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE payments SET response_status = $1, response = $2 WHERE id = $3 AND response_status = 0`,
			status, body, id); err != nil {
			return err
		}
		p, err = findPayment(tx.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, id))
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
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO payment_events (provider, event_id, received_at) VALUES ($1, $2, $3)
			ON CONFLICT (provider, event_id) DO NOTHING`, provider, eventID, at)
		if err != nil || tag.RowsAffected() == 0 {
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
		p, err = findPayment(tx.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = $1`, paymentID))
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
	rows, err := db.pool.Query(ctx, `SELECT * FROM (
			SELECT `+cols+` FROM orders o JOIN payments p ON p.order_id = o.id
				WHERE o.state = 'refunded' AND p.state = 'succeeded'
			UNION ALL
			SELECT `+cols+` FROM payments p
				WHERE p.state = 'authorized' AND p.updated_at <= $1
			UNION ALL
			SELECT `+cols+` FROM payments p JOIN orders o ON o.id = p.order_id
				WHERE p.state = 'requires_action' AND (o.state <> 'reserved' OR o.pay_by <= $2)
		) w ORDER BY updated_at, id LIMIT $3`,
		staleBefore, now, limit)
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
