-- Live shows: state times, the shopping bag, the pinned product, chat
-- moderation settings, muted users, the moderation audit log and the
-- blocked words of each market. New tables only, so the shows table and
-- the code that scans it stay as they are. Keep in step with
-- sqlite/migrations/00003_live_shows.sql.

-- +goose Up
CREATE TABLE show_live (
	show_id           text COLLATE "C" PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
	pinned_product_id text COLLATE "C" REFERENCES products (id) ON DELETE SET NULL,
	moderation        jsonb, -- hawker.Moderation; NULL: the defaults
	started_at        timestamptz,
	ended_at          timestamptz,
	updated_at        timestamptz NOT NULL
);

CREATE TABLE show_products (
	show_id    text COLLATE "C" NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
	position   integer NOT NULL CHECK (position >= 0),
	product_id text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	PRIMARY KEY (show_id, position),
	UNIQUE (show_id, product_id)
);

CREATE TABLE show_mutes (
	show_id  text COLLATE "C" NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
	user_id  text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	muted_at timestamptz NOT NULL,
	PRIMARY KEY (show_id, user_id)
);

-- show_id is a show id, or a market code for market-wide actions: no
-- foreign key, and entries outlive their show.
CREATE TABLE moderation_log (
	id         text COLLATE "C" PRIMARY KEY,
	show_id    text COLLATE "C" NOT NULL,
	actor_id   text NOT NULL,
	action     text NOT NULL,
	user_id    text NOT NULL DEFAULT '',
	message_id text NOT NULL DEFAULT '',
	detail     text NOT NULL DEFAULT '',
	at         timestamptz NOT NULL
);
CREATE INDEX moderation_log_show_id ON moderation_log (show_id, id);

CREATE TABLE market_blocked_words (
	market     text PRIMARY KEY,
	words      text[] NOT NULL DEFAULT '{}',
	updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE market_blocked_words;
DROP TABLE moderation_log;
DROP TABLE show_mutes;
DROP TABLE show_products;
DROP TABLE show_live;
