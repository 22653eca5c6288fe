-- Payments (package payment): one row per payment attempt, made under a
-- buyer's Idempotency-Key, with the decision answered for the key (replayed
-- for the same request, also after a restart); and the webhook events
-- already processed, so that a provider's retry of an event is a no-op.
-- Keep in step with sqlite/migrations/00006_payments.sql.

-- +goose Up
CREATE TABLE payments (
	id              text COLLATE "C" PRIMARY KEY,
	order_id        text COLLATE "C" NOT NULL REFERENCES orders (id),
	buyer_id        text COLLATE "C" NOT NULL,
	provider        text COLLATE "C" NOT NULL,
	provider_ref    text COLLATE "C", -- the gateway's id (PaymentIntent); NULL until it answered
	amount          bigint NOT NULL CHECK (amount >= 0), -- the order's total, minor units
	currency        text NOT NULL,
	state           text NOT NULL CHECK (state IN ('pending', 'requires_action', 'authorized', 'succeeded', 'failed', 'canceled', 'refunded')),
	failure_code    text NOT NULL DEFAULT '',
	next_action     text NOT NULL DEFAULT '', -- while requires_action
	client_secret   text NOT NULL DEFAULT '', -- Stripe.js secret, while requires_action
	idempotency_key text COLLATE "C" NOT NULL,
	fingerprint     text NOT NULL, -- of the request the key was first used with
	response_status integer NOT NULL DEFAULT 0, -- 0 until decided
	response        bytea, -- the decision's exact JSON
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	UNIQUE (buyer_id, idempotency_key),
	UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_order_id ON payments (order_id);
-- The reconcile loop (payment.Store.FindWork): authorized and
-- requires_action payments by state, oldest update first.
CREATE INDEX payments_state_updated_at ON payments (state, updated_at);

CREATE TABLE payment_events (
	provider    text COLLATE "C" NOT NULL,
	event_id    text COLLATE "C" NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (provider, event_id)
);

-- +goose Down
DROP TABLE payment_events;
DROP TABLE payments;
