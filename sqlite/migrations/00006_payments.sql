-- Payments (package payment): one row per payment attempt, made under a
-- buyer's Idempotency-Key, with the decision answered for the key (replayed
-- for the same request, also after a restart); and the webhook events
-- already processed, so that a provider's retry of an event is a no-op.
-- Keep in step with postgres/migrations/00006_payments.sql.

-- +goose Up
CREATE TABLE payments (
	id              TEXT PRIMARY KEY,
	order_id        TEXT NOT NULL REFERENCES orders (id),
	buyer_id        TEXT NOT NULL,
	provider        TEXT NOT NULL,
	provider_ref    TEXT, -- the gateway's id (PaymentIntent); NULL until it answered
	amount          INTEGER NOT NULL CHECK (amount >= 0), -- the order's total, minor units
	currency        TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('pending', 'requires_action', 'authorized', 'succeeded', 'failed', 'canceled', 'refunded')),
	failure_code    TEXT NOT NULL DEFAULT '',
	next_action     TEXT NOT NULL DEFAULT '', -- while requires_action
	client_secret   TEXT NOT NULL DEFAULT '', -- Stripe.js secret, while requires_action
	idempotency_key TEXT NOT NULL,
	fingerprint     TEXT NOT NULL, -- of the request the key was first used with
	response_status INTEGER NOT NULL DEFAULT 0, -- 0 until decided
	response        BLOB, -- the decision's exact JSON
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	UNIQUE (buyer_id, idempotency_key),
	UNIQUE (provider, provider_ref)
) STRICT;
CREATE INDEX payments_order_id ON payments (order_id);
-- The reconcile loop (payment.Store.FindWork): authorized and
-- requires_action payments by state, oldest update first.
CREATE INDEX payments_state_updated_at ON payments (state, updated_at);

CREATE TABLE payment_events (
	provider    TEXT NOT NULL,
	event_id    TEXT NOT NULL,
	received_at TEXT NOT NULL,
	PRIMARY KEY (provider, event_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE payment_events;
DROP TABLE payments;
