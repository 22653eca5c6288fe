-- The schema of hawker on SQLite. The PostgreSQL schema (postgres/migrations)
-- is the same logical schema; keep the two in step.
--
-- Times are TEXT in UTC with nine fraction digits (see sqlite.go timeFormat),
-- so they sort as text and round-trip exactly. Lists and maps are JSON text.
-- Money and stock are INTEGER minor units / units.

-- +goose Up
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL,
	email_norm    TEXT NOT NULL UNIQUE, -- hawker.NormalizeEmail(email): uniqueness ignores case
	name          TEXT NOT NULL,
	market        TEXT NOT NULL,
	roles         TEXT NOT NULL DEFAULT '[]',
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	cookie     INTEGER NOT NULL CHECK (cookie IN (0, 1)),
	csrf_token TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	key_hash   TEXT NOT NULL UNIQUE,
	prefix     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;

CREATE TABLE shops (
	id          TEXT PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	home_market TEXT NOT NULL,
	markets     TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE shop_members (
	shop_id TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    TEXT NOT NULL,
	PRIMARY KEY (shop_id, user_id)
) STRICT;
CREATE INDEX shop_members_user_id ON shop_members (user_id, shop_id);

CREATE TABLE products (
	id           TEXT PRIMARY KEY,
	shop_id      TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	description  TEXT NOT NULL,
	images       TEXT NOT NULL DEFAULT '[]',
	translations TEXT NOT NULL DEFAULT '{}',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	deleted_at   TEXT
) STRICT;
CREATE INDEX products_shop_id ON products (shop_id, id);

CREATE TABLE skus (
	id            TEXT PRIMARY KEY,
	product_id    TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	shop_id       TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	code          TEXT NOT NULL,
	options       TEXT NOT NULL DEFAULT '{}',
	max_per_buyer INTEGER CHECK (max_per_buyer IS NULL OR max_per_buyer > 0),
	on_hand       INTEGER NOT NULL CHECK (on_hand >= 0),
	reserved      INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	sold          INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
	deleted_at    TEXT,
	-- Invariant 1 of DESIGN.md (never oversell), enforced by the database too.
	CHECK (reserved + sold <= on_hand)
) STRICT;
CREATE INDEX skus_product_id ON skus (product_id, id);
-- A code is unique among the shop's live SKUs only: deleting a product frees
-- its codes so the seller can create it again. Orders refer to SKU ids, never
-- to codes, so a reused code cannot be confused with the old SKU.
CREATE UNIQUE INDEX skus_shop_code ON skus (shop_id, code) WHERE deleted_at IS NULL;

CREATE TABLE sku_prices (
	sku_id TEXT NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
	market TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	PRIMARY KEY (sku_id, market)
) STRICT;

CREATE TABLE images (
	id           TEXT PRIMARY KEY,
	shop_id      TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	bytes        INTEGER NOT NULL,
	key          TEXT NOT NULL,
	created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX images_shop_id ON images (shop_id);

CREATE TABLE shows (
	id           TEXT PRIMARY KEY,
	shop_id      TEXT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	host_id      TEXT REFERENCES users (id) ON DELETE SET NULL, -- NULL: no host yet
	title        TEXT NOT NULL,
	description  TEXT NOT NULL,
	markets      TEXT NOT NULL DEFAULT '[]',
	scheduled_at TEXT,
	state        TEXT NOT NULL CHECK (state IN ('scheduled', 'rehearsal', 'live', 'ended')),
	created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX shows_shop_id ON shows (shop_id, id);
CREATE INDEX shows_state ON shows (state, id);

-- +goose Down
DROP TABLE shows;
DROP TABLE images;
DROP TABLE sku_prices;
DROP TABLE skus;
DROP TABLE products;
DROP TABLE shop_members;
DROP TABLE shops;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
