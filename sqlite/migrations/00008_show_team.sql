-- Show teams and cover images: the co-hosts and moderators of each show
-- (users who need not be on the shop's team), and the shop image shown as
-- a show's cover. Keep in step with postgres/migrations/00008_show_team.sql.

-- +goose Up
CREATE TABLE show_team (
	show_id  TEXT NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role     TEXT NOT NULL CHECK (role IN ('cohost', 'moderator')),
	added_at TEXT NOT NULL,
	PRIMARY KEY (show_id, user_id)
) STRICT;
CREATE INDEX show_team_user_id ON show_team (user_id);

-- NULL: no cover. SQLite adds a column with a foreign key only with a
-- NULL default, which is what it needs.
ALTER TABLE shows ADD COLUMN cover_image_id TEXT REFERENCES images (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE shows DROP COLUMN cover_image_id;
DROP TABLE show_team;
