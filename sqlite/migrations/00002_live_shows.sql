-- Live shows: state times, the shopping bag, the pinned product, chat
-- moderation settings, muted users, the moderation audit log and the
-- blocked words of each market. New tables only, so the shows table and
-- the code that scans it stay as they are. Keep in step with
-- postgres/migrations/00003_live_shows.sql.

-- +goose Up
CREATE TABLE show_live (
	show_id           TEXT PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
	pinned_product_id TEXT REFERENCES products (id) ON DELETE SET NULL,
	moderation        TEXT, -- JSON of hawker.Moderation; NULL: the defaults
	started_at        TEXT,
	ended_at          TEXT,
	updated_at        TEXT NOT NULL
) STRICT;

CREATE TABLE show_products (
	show_id    TEXT NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL CHECK (position >= 0),
	product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	PRIMARY KEY (show_id, position),
	UNIQUE (show_id, product_id)
) STRICT;

CREATE TABLE show_mutes (
	show_id  TEXT NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	muted_at TEXT NOT NULL,
	PRIMARY KEY (show_id, user_id)
) STRICT;

-- show_id is a show id, or a market code for market-wide actions: no
-- foreign key, and entries outlive their show.
CREATE TABLE moderation_log (
	id         TEXT PRIMARY KEY,
	show_id    TEXT NOT NULL,
	actor_id   TEXT NOT NULL,
	action     TEXT NOT NULL,
	user_id    TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL
) STRICT;
CREATE INDEX moderation_log_show_id ON moderation_log (show_id, id);

CREATE TABLE market_blocked_words (
	market     TEXT PRIMARY KEY,
	words      TEXT NOT NULL DEFAULT '[]',
	updated_at TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE market_blocked_words;
DROP TABLE moderation_log;
DROP TABLE show_mutes;
DROP TABLE show_products;
DROP TABLE show_live;
