package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"hawker"
)

// CreateImage stores the image's metadata. EEXISTS when the id is taken;
// ENOTFOUND when the shop does not exist.
func (db *DB) CreateImage(ctx context.Context, img *hawker.Image) (err error) {
	defer db.done("CreateImage", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `INSERT INTO images (id, shop_id, content_type, width, height, bytes, key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		img.ID, img.ShopID, img.ContentType, img.Width, img.Height, img.Bytes, img.Key, fmtTime(img.CreatedAt))
	return mapErr(err, "image already exists", "shop not found")
}

// FindImageByID returns ENOTFOUND when there is no such image.
func (db *DB) FindImageByID(ctx context.Context, id string) (_ *hawker.Image, err error) {
	defer db.done("FindImageByID", time.Now(), &err)
	var img hawker.Image
	var created string
	err = db.readRow(ctx, `SELECT id, shop_id, content_type, width, height, bytes, key, created_at
		FROM images WHERE id = ?`, id).
		Scan(&img.ID, &img.ShopID, &img.ContentType, &img.Width, &img.Height, &img.Bytes, &img.Key, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("image")
	}
	if err != nil {
		return nil, err
	}
	img.CreatedAt, err = parseTime(created)
	return &img, err
}

// CreateShow stores s. EEXISTS when the id is taken; ENOTFOUND when the shop
// or the host does not exist; EINVALID for an unknown state.
func (db *DB) CreateShow(ctx context.Context, s *hawker.Show) (err error) {
	defer db.done("CreateShow", time.Now(), &err)
	markets, err := jsonText(nonNilStrings(s.Markets))
	if err != nil {
		return err
	}
	var host, cover any
	if s.HostID != "" {
		host = s.HostID
	}
	if s.CoverImageID != "" {
		cover = s.CoverImageID
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO shows
		(id, shop_id, host_id, title, description, markets, scheduled_at, state, created_at, cover_image_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.ShopID, host, s.Title, s.Description, markets, fmtTimePtr(s.ScheduledAt), string(s.State), fmtTime(s.CreatedAt), cover)
	return mapErr(err, "show already exists", "shop, host or cover image not found")
}

const showColumns = `id, shop_id, host_id, title, description, markets, scheduled_at, state, created_at, cover_image_id`

func scanShow(row interface{ Scan(...any) error }) (*hawker.Show, error) {
	var s hawker.Show
	var host, scheduled, cover sql.NullString
	var markets, created string
	if err := row.Scan(&s.ID, &s.ShopID, &host, &s.Title, &s.Description, &markets, &scheduled, &s.State, &created, &cover); err != nil {
		return nil, err
	}
	s.HostID, s.CoverImageID = host.String, cover.String
	if err := json.Unmarshal([]byte(markets), &s.Markets); err != nil {
		return nil, err
	}
	s.Markets = nonNilStrings(s.Markets)
	var err error
	if s.ScheduledAt, err = parseTimePtr(scheduled); err != nil {
		return nil, err
	}
	s.CreatedAt, err = parseTime(created)
	return &s, err
}

// FindShowByID returns the show with its team; ENOTFOUND when there is
// no such show.
func (db *DB) FindShowByID(ctx context.Context, id string) (_ *hawker.Show, err error) {
	defer db.done("FindShowByID", time.Now(), &err)
	s, err := scanShow(db.readRow(ctx, `SELECT `+showColumns+` FROM shows WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("show")
	}
	if err != nil {
		return nil, err
	}
	// Every permission check of a show needs its team (show_team.go).
	s.Team, err = db.FindShowTeam(ctx, id)
	return s, err
}

// FindShows lists shows ordered by id, narrowed by each filter field that is
// set: the shop, any of the states, a market the show is in.
func (db *DB) FindShows(ctx context.Context, f hawker.ShowFilter, p hawker.Page) (_ []*hawker.Show, err error) {
	defer db.done("FindShows", time.Now(), &err)
	where := []string{"id > ?"}
	args := []any{p.After}
	if f.ShopID != "" {
		where = append(where, "shop_id = ?")
		args = append(args, f.ShopID)
	}
	if len(f.States) > 0 {
		states, err := jsonText(f.States)
		if err != nil {
			return nil, err
		}
		where = append(where, "state IN (SELECT value FROM json_each(?))")
		args = append(args, states)
	}
	if f.Market != "" {
		where = append(where, "EXISTS (SELECT 1 FROM json_each(shows.markets) WHERE value = ?)")
		args = append(args, f.Market)
	}
	args = append(args, limit(p))
	// At most eight query texts (each filter used or not): few enough to
	// keep prepared.
	rows, err := db.readRows(ctx, `SELECT `+showColumns+` FROM shows WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shows := []*hawker.Show{}
	for rows.Next() {
		s, err := scanShow(rows)
		if err != nil {
			return nil, err
		}
		shows = append(shows, s)
	}
	return shows, rows.Err()
}
