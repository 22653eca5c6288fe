-- Stream keys: one per show, stored as the hash of the key (the key itself
-- is shown once). Setting a new key replaces the old one (rotation). Keep in
-- step with postgres/migrations/00004_stream_keys.sql.

-- +goose Up
CREATE TABLE stream_keys (
	show_id    TEXT PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;

-- +goose Down
DROP TABLE stream_keys;
