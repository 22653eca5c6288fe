-- Never charge twice (issue 4): of the payments of one order, at most one
-- ever claims its capture (payment.Store.ClaimCapture). A payment claims
-- while authorized, after the order was confirmed and before the money is
-- taken, and keeps the claim when succeeded or refunded; the partial
-- unique index refuses a second claim of the same order, whichever process
-- asks (two claims racing under READ COMMITTED: the second waits for the
-- first and fails with 23505). Keep in step with
-- sqlite/migrations/00009_payment_capture_once.sql.

-- +goose Up
ALTER TABLE payments ADD COLUMN capture_claimed boolean NOT NULL DEFAULT false;

-- Payments captured before this migration hold the claim: the first
-- captured one of each order (an order charged twice before keeps its
-- second capture unclaimed, for `hawker audit` to report).
UPDATE payments p SET capture_claimed = true
WHERE p.state IN ('succeeded', 'refunded') AND p.id = (
	SELECT q.id FROM payments q
	WHERE q.order_id = p.order_id AND q.state IN ('succeeded', 'refunded')
	ORDER BY q.created_at, q.id LIMIT 1);

CREATE UNIQUE INDEX payments_capture_once ON payments (order_id) WHERE capture_claimed;

-- +goose Down
DROP INDEX payments_capture_once;
ALTER TABLE payments DROP COLUMN capture_claimed;
