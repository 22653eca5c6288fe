-- Stream keys: one per show, stored as the hash of the key (the key itself
-- is shown once). Setting a new key replaces the old one (rotation). Keep in
-- step with sqlite/migrations/00004_stream_keys.sql.

-- +goose Up
CREATE TABLE stream_keys (
	show_id    text COLLATE "C" PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
	key_hash   text COLLATE "C" NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

-- +goose Down
DROP TABLE stream_keys;
