package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// CreateImage stores the image's metadata. EEXISTS when the id is taken;
// ENOTFOUND when the shop does not exist.
func (db *DB) CreateImage(ctx context.Context, img *hawker.Image) (err error) {
	defer db.done("CreateImage", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO images (id, shop_id, content_type, width, height, bytes, key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		img.ID, img.ShopID, img.ContentType, img.Width, img.Height, img.Bytes, img.Key, img.CreatedAt)
	return mapErr(err, "image already exists", "shop not found")
}

// FindImageByID returns ENOTFOUND when there is no such image.
func (db *DB) FindImageByID(ctx context.Context, id string) (_ *hawker.Image, err error) {
	defer db.done("FindImageByID", time.Now(), &err)
	var img hawker.Image
	err = db.pool.QueryRow(ctx, `SELECT id, shop_id, content_type, width, height, bytes, key, created_at
		FROM images WHERE id = $1`, id).
		Scan(&img.ID, &img.ShopID, &img.ContentType, &img.Width, &img.Height, &img.Bytes, &img.Key, &img.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("image")
	}
	if err != nil {
		return nil, err
	}
	img.CreatedAt = img.CreatedAt.UTC()
	return &img, nil
}

// CreateShow stores s. EEXISTS when the id is taken; ENOTFOUND when the shop
// or the host does not exist; EINVALID for an unknown state.
func (db *DB) CreateShow(ctx context.Context, s *hawker.Show) (err error) {
	defer db.done("CreateShow", time.Now(), &err)
	var host, cover *string
	if s.HostID != "" {
		host = &s.HostID
	}
	if s.CoverImageID != "" {
		cover = &s.CoverImageID
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO shows
		(id, shop_id, host_id, title, description, markets, scheduled_at, state, created_at, cover_image_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.ShopID, host, s.Title, s.Description, nonNilStrings(s.Markets), s.ScheduledAt, string(s.State), s.CreatedAt, cover)
	return mapErr(err, "show already exists", "shop, host or cover image not found")
}

const showColumns = `id, shop_id, host_id, title, description, markets, scheduled_at, state, created_at, cover_image_id`

func scanShow(row pgx.Row) (*hawker.Show, error) {
	var s hawker.Show
	var host, cover *string
	var state string
	if err := row.Scan(&s.ID, &s.ShopID, &host, &s.Title, &s.Description, &s.Markets, &s.ScheduledAt, &state, &s.CreatedAt, &cover); err != nil {
		return nil, err
	}
	if host != nil {
		s.HostID = *host
	}
	if cover != nil {
		s.CoverImageID = *cover
	}
	s.State = hawker.ShowState(state)
	s.Markets = nonNilStrings(s.Markets)
	s.ScheduledAt, s.CreatedAt = utcPtr(s.ScheduledAt), s.CreatedAt.UTC()
	return &s, nil
}

// FindShowByID returns the show with its team; ENOTFOUND when there is
// no such show.
func (db *DB) FindShowByID(ctx context.Context, id string) (_ *hawker.Show, err error) {
	defer db.done("FindShowByID", time.Now(), &err)
	s, err := scanShow(db.pool.QueryRow(ctx, `SELECT `+showColumns+` FROM shows WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	args := []any{p.After}
	where := []string{"id > $1"}
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ShopID != "" {
		arg("shop_id = $%d", f.ShopID)
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		arg("state = ANY($%d)", states)
	}
	if f.Market != "" {
		arg("markets @> ARRAY[$%d::text]", f.Market)
	}
	args = append(args, limit(p))
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`SELECT `+showColumns+` FROM shows WHERE %s ORDER BY id LIMIT $%d`,
		strings.Join(where, " AND "), len(args)), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanShow)
}
