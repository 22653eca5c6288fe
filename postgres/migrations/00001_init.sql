-- The schema of hawker on PostgreSQL: the same logical schema as
-- sqlite/migrations; keep the two in step. Tables are created unqualified, in
-- the first schema of search_path.
--
-- Ids are COLLATE "C" so that ORDER BY id and "id > after" follow byte
-- order (ULIDs sort by creation time) whatever the database's locale.
-- Times are timestamptz (microseconds, which hawker.Now truncates to). Lists
-- of strings are text[]; maps are jsonb. Money and stock are bigint.

-- +goose Up
CREATE TABLE users (
	id            text COLLATE "C" PRIMARY KEY,
	email         text NOT NULL,
	email_norm    text NOT NULL UNIQUE, -- hawker.NormalizeEmail(email): uniqueness ignores case
	name          text NOT NULL,
	market        text NOT NULL,
	roles         text[] NOT NULL DEFAULT '{}',
	password_hash text NOT NULL,
	created_at    timestamptz NOT NULL
);

CREATE TABLE sessions (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash text NOT NULL UNIQUE,
	cookie     boolean NOT NULL,
	csrf_token text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE api_keys (
	id         text COLLATE "C" PRIMARY KEY,
	name       text NOT NULL,
	role       text NOT NULL,
	key_hash   text NOT NULL UNIQUE,
	prefix     text NOT NULL,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

CREATE TABLE shops (
	id          text COLLATE "C" PRIMARY KEY,
	slug        text NOT NULL UNIQUE,
	name        text NOT NULL,
	home_market text NOT NULL,
	markets     text[] NOT NULL DEFAULT '{}',
	created_at  timestamptz NOT NULL
);

CREATE TABLE shop_members (
	shop_id text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    text NOT NULL,
	PRIMARY KEY (shop_id, user_id)
);
CREATE INDEX shop_members_user_id ON shop_members (user_id, shop_id);

CREATE TABLE products (
	id           text COLLATE "C" PRIMARY KEY,
	shop_id      text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	title        text NOT NULL,
	description  text NOT NULL,
	images       text[] NOT NULL DEFAULT '{}',
	translations jsonb NOT NULL DEFAULT '{}',
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	deleted_at   timestamptz
);
CREATE INDEX products_shop_id ON products (shop_id, id);

CREATE TABLE skus (
	id            text COLLATE "C" PRIMARY KEY,
	product_id    text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	shop_id       text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	code          text NOT NULL,
	options       jsonb NOT NULL DEFAULT '{}',
	max_per_buyer bigint CHECK (max_per_buyer IS NULL OR max_per_buyer > 0),
	on_hand       bigint NOT NULL CHECK (on_hand >= 0),
	reserved      bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	sold          bigint NOT NULL DEFAULT 0 CHECK (sold >= 0),
	deleted_at    timestamptz,
	-- Invariant 1 of DESIGN.md (never oversell), enforced by the database too.
	CHECK (reserved + sold <= on_hand)
);
CREATE INDEX skus_product_id ON skus (product_id, id);
-- A code is unique among the shop's live SKUs only: deleting a product frees
-- its codes so the seller can create it again. Orders refer to SKU ids, never
-- to codes, so a reused code cannot be confused with the old SKU.
CREATE UNIQUE INDEX skus_shop_code ON skus (shop_id, code) WHERE deleted_at IS NULL;

CREATE TABLE sku_prices (
	sku_id text COLLATE "C" NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
	market text NOT NULL,
	amount bigint NOT NULL CHECK (amount > 0),
	PRIMARY KEY (sku_id, market)
);

CREATE TABLE images (
	id           text COLLATE "C" PRIMARY KEY,
	shop_id      text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	content_type text NOT NULL,
	width        integer NOT NULL,
	height       integer NOT NULL,
	bytes        bigint NOT NULL,
	key          text NOT NULL,
	created_at   timestamptz NOT NULL
);
CREATE INDEX images_shop_id ON images (shop_id);

CREATE TABLE shows (
	id           text COLLATE "C" PRIMARY KEY,
	shop_id      text COLLATE "C" NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	host_id      text COLLATE "C" REFERENCES users (id) ON DELETE SET NULL, -- NULL: no host yet
	title        text NOT NULL,
	description  text NOT NULL,
	markets      text[] NOT NULL DEFAULT '{}',
	scheduled_at timestamptz,
	state        text NOT NULL CHECK (state IN ('scheduled', 'rehearsal', 'live', 'ended')),
	created_at   timestamptz NOT NULL
);
CREATE INDEX shows_shop_id ON shows (shop_id, id);
CREATE INDEX shows_state ON shows (state, id);
CREATE INDEX shows_markets ON shows USING gin (markets); -- FindShows: markets @> ARRAY[market]

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
