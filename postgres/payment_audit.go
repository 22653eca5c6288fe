package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/payment"
)

// Payment audit queries: one per invariant of package payment (see
// payment/audit.go). "Captured" is succeeded or refunded.
const (
	auditDoubleCaptureSQL = `SELECT p.order_id, p.id, p.state, p.amount, p.currency
		FROM payments p
		WHERE p.state IN ('succeeded', 'refunded') AND p.order_id IN (
			SELECT order_id FROM payments WHERE state IN ('succeeded', 'refunded')
			GROUP BY order_id HAVING count(*) > 1)
		ORDER BY p.order_id, p.id`
	auditPaidWithoutCaptureSQL = `SELECT o.id, o.state
		FROM orders o
		WHERE o.state IN ('paid', 'fulfilled') AND NOT EXISTS (
			SELECT 1 FROM payments p
			WHERE p.order_id = o.id AND p.state IN ('authorized', 'succeeded', 'refunded'))
		ORDER BY o.id`
	auditCapturedUnpaidSQL = `SELECT p.id, p.order_id, p.amount, p.currency, o.state
		FROM payments p JOIN orders o ON o.id = p.order_id
		WHERE p.state = 'succeeded' AND o.state IN ('reserved', 'expired', 'cancelled')
		ORDER BY p.order_id, p.id`
	auditRefundExceedsSQL = `SELECT o.id, sum(p.amount)::bigint, o.total, o.currency
		FROM orders o JOIN payments p ON p.order_id = o.id
		WHERE p.state = 'refunded'
		GROUP BY o.id, o.total, o.currency
		HAVING sum(p.amount) > o.total
		ORDER BY o.id`
	auditAmountMismatchSQL = `SELECT p.id, p.order_id, p.state, p.amount, p.currency, o.total, o.currency
		FROM payments p JOIN orders o ON o.id = p.order_id
		WHERE p.amount <> o.total OR p.currency <> o.currency
		ORDER BY p.order_id, p.id`
)

// AuditPayments checks the payment invariants in one snapshot: no order
// charged twice, every paid or fulfilled order captured (or being
// captured), no money kept for a reserved, expired or cancelled order, no
// order refunded more than its total, and every payment of its order's
// total. It returns the violations, none when all is well.
func (db *DB) AuditPayments(ctx context.Context) (_ []payment.Violation, err error) {
	defer db.done("AuditPayments", time.Now(), &err)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var out []payment.Violation

	var captured []payment.Captured
	err = auditRows(ctx, tx, auditDoubleCaptureSQL, func(rows pgx.Rows) error {
		var c payment.Captured
		var state string
		if err := rows.Scan(&c.OrderID, &c.PaymentID, &state, &c.Amount.Amount, &c.Amount.Currency); err != nil {
			return err
		}
		c.State = payment.State(state)
		captured = append(captured, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out = append(out, payment.DoubleCaptures(captured)...)

	err = auditRows(ctx, tx, auditPaidWithoutCaptureSQL, func(rows pgx.Rows) error {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			return err
		}
		out = append(out, payment.PaidWithoutCapture(id, hawker.OrderState(state)))
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = auditRows(ctx, tx, auditCapturedUnpaidSQL, func(rows pgx.Rows) error {
		var id, orderID, state string
		var amount hawker.Money
		if err := rows.Scan(&id, &orderID, &amount.Amount, &amount.Currency, &state); err != nil {
			return err
		}
		out = append(out, payment.CapturedUnpaid(id, orderID, amount, hawker.OrderState(state)))
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = auditRows(ctx, tx, auditRefundExceedsSQL, func(rows pgx.Rows) error {
		var id string
		var refunded, total hawker.Money
		if err := rows.Scan(&id, &refunded.Amount, &total.Amount, &total.Currency); err != nil {
			return err
		}
		refunded.Currency = total.Currency
		out = append(out, payment.RefundExceeds(id, refunded, total))
		return nil
	})
	if err != nil {
		return nil, err
	}

	err = auditRows(ctx, tx, auditAmountMismatchSQL, func(rows pgx.Rows) error {
		var id, orderID, state string
		var amount, total hawker.Money
		if err := rows.Scan(&id, &orderID, &state, &amount.Amount, &amount.Currency, &total.Amount, &total.Currency); err != nil {
			return err
		}
		out = append(out, payment.AmountMismatch(id, orderID, payment.State(state), amount, total))
		return nil
	})
	if err != nil {
		return nil, err
	}
	payment.SortViolations(out)
	return out, nil
}

// auditRows runs one audit query and calls scan for each row.
func auditRows(ctx context.Context, tx pgx.Tx, query string, scan func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
