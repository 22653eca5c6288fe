-- Checkout: SKU versions (the inventory engine's fence), flash deals,
-- orders with their lines, and stored idempotency decisions. The PostgreSQL
-- migration of the same number is the same logical schema.
--
-- skus.version is what the inventory engine fences every batch on (see
-- inventory.Store): the engine's own writes set it explicitly (version =
-- version + 1 WHERE version = ?); every other write that changes what the
-- engine decides on bumps it through the triggers below, so code that knows
-- nothing of versions (SetOnHand, UpdateProduct, DeleteProduct) still fences
-- the engine. A trigger fires only when the statement left version alone
-- (NEW.version = OLD.version), so the engine's update is never bumped twice.

-- +goose Up
ALTER TABLE skus ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE TRIGGER skus_version AFTER UPDATE OF on_hand, max_per_buyer, deleted_at, reserved, sold, shop_id ON skus
FOR EACH ROW WHEN NEW.version = OLD.version AND (
	NEW.on_hand IS NOT OLD.on_hand OR NEW.max_per_buyer IS NOT OLD.max_per_buyer OR
	NEW.deleted_at IS NOT OLD.deleted_at OR NEW.reserved IS NOT OLD.reserved OR
	NEW.sold IS NOT OLD.sold OR NEW.shop_id IS NOT OLD.shop_id)
BEGIN
	UPDATE skus SET version = version + 1 WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sku_prices_version_insert AFTER INSERT ON sku_prices
BEGIN
	UPDATE skus SET version = version + 1 WHERE id = NEW.sku_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sku_prices_version_update AFTER UPDATE ON sku_prices
BEGIN
	UPDATE skus SET version = version + 1 WHERE id IN (OLD.sku_id, NEW.sku_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sku_prices_version_delete AFTER DELETE ON sku_prices
BEGIN
	UPDATE skus SET version = version + 1 WHERE id = OLD.sku_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER products_version AFTER UPDATE OF deleted_at ON products
FOR EACH ROW WHEN NEW.deleted_at IS NOT OLD.deleted_at
BEGIN
	UPDATE skus SET version = version + 1 WHERE product_id = NEW.id;
END;
-- +goose StatementEnd

CREATE TABLE deals (
	id            TEXT PRIMARY KEY,
	show_id       TEXT NOT NULL, -- '' when the deal runs outside a show
	shop_id       TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	sku_id        TEXT NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
	prices        TEXT NOT NULL DEFAULT '{}', -- {"US": 500}: market → minor units
	quantity      INTEGER NOT NULL CHECK (quantity > 0),
	max_per_buyer INTEGER CHECK (max_per_buyer IS NULL OR max_per_buyer > 0),
	taken         INTEGER NOT NULL DEFAULT 0,
	starts_at     TEXT NOT NULL,
	ends_at       TEXT NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('scheduled', 'ended', 'cancelled')),
	created_at    TEXT NOT NULL,
	CHECK (taken >= 0 AND taken <= quantity)
) STRICT;
CREATE INDEX deals_sku_id ON deals (sku_id, ends_at);
CREATE INDEX deals_show_id ON deals (show_id, id);

-- Creating, deleting or redefining a deal changes what the engine decides
-- on. The engine itself only moves taken (and, with it, state to ended when
-- the deal sells out); a state change that comes without a change of taken
-- is someone else's (a host ending or cancelling the deal).
-- +goose StatementBegin
CREATE TRIGGER deals_version_insert AFTER INSERT ON deals
BEGIN
	UPDATE skus SET version = version + 1 WHERE id = NEW.sku_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER deals_version_delete AFTER DELETE ON deals
BEGIN
	UPDATE skus SET version = version + 1 WHERE id = OLD.sku_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER deals_version_update AFTER UPDATE ON deals
FOR EACH ROW WHEN
	NEW.sku_id IS NOT OLD.sku_id OR NEW.show_id IS NOT OLD.show_id OR NEW.prices IS NOT OLD.prices OR
	NEW.quantity IS NOT OLD.quantity OR NEW.max_per_buyer IS NOT OLD.max_per_buyer OR
	NEW.starts_at IS NOT OLD.starts_at OR NEW.ends_at IS NOT OLD.ends_at OR
	(NEW.state IS NOT OLD.state AND (NEW.state <> 'ended' OR NEW.taken = OLD.taken))
BEGIN
	UPDATE skus SET version = version + 1 WHERE id IN (OLD.sku_id, NEW.sku_id);
END;
-- +goose StatementEnd

-- buyer_id, show_id and deal_id carry no foreign key: buyers may be guests,
-- and an order must never fail to insert (failing the whole group commit)
-- over an attribution the engine does not check.
CREATE TABLE orders (
	id              TEXT PRIMARY KEY,
	buyer_id        TEXT NOT NULL,
	shop_id         TEXT NOT NULL REFERENCES shops (id),
	market          TEXT NOT NULL,
	show_id         TEXT NOT NULL, -- '' when none
	deal_id         TEXT NOT NULL, -- '' when none
	currency        TEXT NOT NULL,
	subtotal        INTEGER NOT NULL,
	tax             INTEGER NOT NULL,
	shipping        INTEGER NOT NULL,
	total           INTEGER NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('reserved', 'paid', 'fulfilled', 'cancelled', 'expired', 'refunded')),
	pay_by          TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	idempotency_key TEXT NOT NULL
) STRICT;
-- Due reservations (inventory.Store.DueSKUs, the expiry sweep).
CREATE INDEX orders_state_pay_by ON orders (state, pay_by);
CREATE INDEX orders_buyer_id ON orders (buyer_id, id);
CREATE INDEX orders_shop_id ON orders (shop_id, id);

CREATE TABLE order_lines (
	order_id   TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	sku_id     TEXT NOT NULL REFERENCES skus (id),
	quantity   INTEGER NOT NULL CHECK (quantity > 0),
	unit_price INTEGER NOT NULL,
	total      INTEGER NOT NULL,
	tax        INTEGER NOT NULL,
	deal_id    TEXT NOT NULL, -- '' when the line got no deal price
	PRIMARY KEY (order_id, position)
) STRICT, WITHOUT ROWID;
-- A SKU's orders (inventory.Store.LoadSKU, the stock audit).
CREATE INDEX order_lines_sku_id ON order_lines (sku_id, order_id);

-- Stored decisions of POST /api/v1/orders (API.md, Idempotency), kept at
-- least 24 h (inventory.RecordRetention).
CREATE TABLE idempotency_records (
	buyer_id    TEXT NOT NULL,
	key         TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	status      INTEGER NOT NULL,
	code        TEXT NOT NULL,
	order_id    TEXT NOT NULL, -- '' unless the decision made an order
	body        BLOB NOT NULL,
	created_at  TEXT NOT NULL,
	UNIQUE (buyer_id, key)
) STRICT;
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);

-- +goose Down
DROP TABLE idempotency_records;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TRIGGER deals_version_update;
DROP TRIGGER deals_version_delete;
DROP TRIGGER deals_version_insert;
DROP TABLE deals;
DROP TRIGGER products_version;
DROP TRIGGER sku_prices_version_delete;
DROP TRIGGER sku_prices_version_update;
DROP TRIGGER sku_prices_version_insert;
DROP TRIGGER skus_version;
ALTER TABLE skus DROP COLUMN version;
