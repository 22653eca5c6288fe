-- Checkout: SKU versions (the inventory engine's fence), flash deals,
-- orders with their lines, and stored idempotency decisions. The SQLite
-- migration of the same number is the same logical schema.
--
-- skus.version is what the inventory engine fences every batch on (see
-- inventory.Store): the engine's own writes set it explicitly (version =
-- version + 1 WHERE version = $n); every other write that changes what the
-- engine decides on bumps it through the triggers below, so code that knows
-- nothing of versions (SetOnHand, UpdateProduct, DeleteProduct) still fences
-- the engine. The skus trigger bumps only when the statement left version
-- alone (NEW.version = OLD.version), so the engine's update, and the bumps
-- the other triggers make, are never bumped twice.

-- +goose Up
ALTER TABLE skus ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION hawker_skus_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.version = OLD.version AND (
		NEW.on_hand IS DISTINCT FROM OLD.on_hand OR NEW.max_per_buyer IS DISTINCT FROM OLD.max_per_buyer OR
		NEW.deleted_at IS DISTINCT FROM OLD.deleted_at OR NEW.reserved IS DISTINCT FROM OLD.reserved OR
		NEW.sold IS DISTINCT FROM OLD.sold OR NEW.shop_id IS DISTINCT FROM OLD.shop_id) THEN
		NEW.version := OLD.version + 1;
	END IF;
	RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER skus_version BEFORE UPDATE ON skus
	FOR EACH ROW EXECUTE FUNCTION hawker_skus_version();

-- +goose StatementBegin
CREATE FUNCTION hawker_sku_prices_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE skus SET version = version + 1 WHERE id = OLD.sku_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		UPDATE skus SET version = version + 1 WHERE id = NEW.sku_id;
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER sku_prices_version AFTER INSERT OR UPDATE OR DELETE ON sku_prices
	FOR EACH ROW EXECUTE FUNCTION hawker_sku_prices_version();

-- +goose StatementBegin
CREATE FUNCTION hawker_products_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE skus SET version = version + 1 WHERE product_id = NEW.id;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER products_version AFTER UPDATE OF deleted_at ON products
	FOR EACH ROW WHEN (NEW.deleted_at IS DISTINCT FROM OLD.deleted_at)
	EXECUTE FUNCTION hawker_products_version();

CREATE TABLE deals (
	id            text COLLATE "C" PRIMARY KEY,
	show_id       text COLLATE "C" NOT NULL, -- '' when the deal runs outside a show
	shop_id       text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	sku_id        text COLLATE "C" NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
	prices        jsonb NOT NULL DEFAULT '{}', -- {"US": 500}: market → minor units
	quantity      bigint NOT NULL CHECK (quantity > 0),
	max_per_buyer bigint CHECK (max_per_buyer IS NULL OR max_per_buyer > 0),
	taken         bigint NOT NULL DEFAULT 0,
	starts_at     timestamptz NOT NULL,
	ends_at       timestamptz NOT NULL,
	state         text NOT NULL CHECK (state IN ('scheduled', 'ended', 'cancelled')),
	created_at    timestamptz NOT NULL,
	CHECK (taken >= 0 AND taken <= quantity)
);
CREATE INDEX deals_sku_id ON deals (sku_id, ends_at);
CREATE INDEX deals_show_id ON deals (show_id, id);

-- Creating, deleting or redefining a deal changes what the engine decides
-- on. The engine itself only moves taken (and, with it, state to ended when
-- the deal sells out); a state change that comes without a change of taken
-- is someone else's (a host ending or cancelling the deal).
-- +goose StatementBegin
CREATE FUNCTION hawker_deals_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE skus SET version = version + 1 WHERE id = NEW.sku_id;
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE skus SET version = version + 1 WHERE id = OLD.sku_id;
	ELSIF NEW.sku_id IS DISTINCT FROM OLD.sku_id OR NEW.show_id IS DISTINCT FROM OLD.show_id OR
		NEW.prices IS DISTINCT FROM OLD.prices OR NEW.quantity IS DISTINCT FROM OLD.quantity OR
		NEW.max_per_buyer IS DISTINCT FROM OLD.max_per_buyer OR NEW.starts_at IS DISTINCT FROM OLD.starts_at OR
		NEW.ends_at IS DISTINCT FROM OLD.ends_at OR
		(NEW.state IS DISTINCT FROM OLD.state AND (NEW.state <> 'ended' OR NEW.taken = OLD.taken)) THEN
		UPDATE skus SET version = version + 1 WHERE id IN (OLD.sku_id, NEW.sku_id);
	END IF;
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER deals_version AFTER INSERT OR UPDATE OR DELETE ON deals
	FOR EACH ROW EXECUTE FUNCTION hawker_deals_version();

-- buyer_id, show_id and deal_id carry no foreign key: buyers may be guests,
-- and an order must never fail to insert (failing the whole group commit)
-- over an attribution the engine does not check.
CREATE TABLE orders (
	id              text COLLATE "C" PRIMARY KEY,
	buyer_id        text COLLATE "C" NOT NULL,
	shop_id         text COLLATE "C" NOT NULL REFERENCES shops (id),
	market          text NOT NULL,
	show_id         text COLLATE "C" NOT NULL, -- '' when none
	deal_id         text COLLATE "C" NOT NULL, -- '' when none
	currency        text NOT NULL,
	subtotal        bigint NOT NULL,
	tax             bigint NOT NULL,
	shipping        bigint NOT NULL,
	total           bigint NOT NULL,
	state           text NOT NULL CHECK (state IN ('reserved', 'paid', 'fulfilled', 'cancelled', 'expired', 'refunded')),
	pay_by          timestamptz NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	idempotency_key text NOT NULL
);
-- Due reservations (inventory.Store.DueSKUs, the expiry sweep).
CREATE INDEX orders_state_pay_by ON orders (state, pay_by);
CREATE INDEX orders_buyer_id ON orders (buyer_id, id);
CREATE INDEX orders_shop_id ON orders (shop_id, id);

CREATE TABLE order_lines (
	order_id   text COLLATE "C" NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	position   integer NOT NULL,
	sku_id     text COLLATE "C" NOT NULL REFERENCES skus (id),
	quantity   bigint NOT NULL CHECK (quantity > 0),
	unit_price bigint NOT NULL,
	total      bigint NOT NULL,
	tax        bigint NOT NULL,
	deal_id    text COLLATE "C" NOT NULL, -- '' when the line got no deal price
	PRIMARY KEY (order_id, position)
);
-- A SKU's orders (inventory.Store.LoadSKU, the stock audit).
CREATE INDEX order_lines_sku_id ON order_lines (sku_id, order_id);

-- Stored decisions of POST /api/v1/orders (API.md, Idempotency), kept at
-- least 24 h (inventory.RecordRetention).
CREATE TABLE idempotency_records (
	buyer_id    text COLLATE "C" NOT NULL,
	key         text COLLATE "C" NOT NULL,
	fingerprint text NOT NULL,
	status      integer NOT NULL,
	code        text NOT NULL,
	order_id    text COLLATE "C" NOT NULL, -- '' unless the decision made an order
	body        bytea NOT NULL,
	created_at  timestamptz NOT NULL,
	UNIQUE (buyer_id, key)
);
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);

-- +goose Down
DROP TABLE idempotency_records;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE deals;
DROP FUNCTION hawker_deals_version();
DROP TRIGGER products_version ON products;
DROP FUNCTION hawker_products_version();
DROP TRIGGER sku_prices_version ON sku_prices;
DROP FUNCTION hawker_sku_prices_version();
DROP TRIGGER skus_version ON skus;
DROP FUNCTION hawker_skus_version();
ALTER TABLE skus DROP COLUMN version;
