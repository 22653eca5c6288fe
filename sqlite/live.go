package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"hawker"
)

// hawker.LiveShowStore: show state changes, the shopping bag, the pinned
// product, chat moderation and its audit log (migration 00002). Live data
// lives in tables of its own beside shows.

var _ hawker.LiveShowStore = (*DB)(nil)

// showShop returns the shop of the show inside tx; ENOTFOUND when there is
// no such show.
func showShop(ctx context.Context, tx *sql.Tx, showID string) (string, error) {
	var shop string
	err := tx.QueryRowContext(ctx, `SELECT shop_id FROM shows WHERE id = ?`, showID).Scan(&shop)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("show")
	}
	return shop, err
}

// UpdateShowState moves the show from one of the states in from to to.
// ESTATE when the show is in another state; ENOTFOUND when it is unknown.
func (db *DB) UpdateShowState(ctx context.Context, id string, from []hawker.ShowState, to hawker.ShowState, at time.Time) (_ *hawker.Show, err error) {
	defer db.done("UpdateShowState", time.Now(), &err)
	var s *hawker.Show
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM shows WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("show")
		} else if err != nil {
			return err
		}
		if !slices.Contains(from, hawker.ShowState(state)) {
			return hawker.Errorf(hawker.ESTATE, "The show is %s; it cannot become %s.", state, to)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shows SET state = ? WHERE id = ?`, string(to), id); err != nil {
			return mapErr(err, "", "")
		}
		var started, ended any
		switch to {
		case hawker.ShowLive:
			started = fmtTime(at)
		case hawker.ShowEnded:
			ended = fmtTime(at)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO show_live (show_id, started_at, ended_at, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (show_id) DO UPDATE SET
				started_at = coalesce(excluded.started_at, show_live.started_at),
				ended_at = coalesce(excluded.ended_at, show_live.ended_at),
				updated_at = excluded.updated_at`,
			id, started, ended, fmtTime(at)); err != nil {
			return err
		}
		s, err = scanShow(tx.QueryRowContext(ctx, `SELECT `+showColumns+` FROM shows WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateShow replaces the show's title, description, markets, schedule
// and cover image. ENOTFOUND when there is no such show or image.
func (db *DB) UpdateShow(ctx context.Context, s *hawker.Show) (err error) {
	defer db.done("UpdateShow", time.Now(), &err)
	markets, err := json.Marshal(liveNonNil(s.Markets))
	if err != nil {
		return err
	}
	var cover any
	if s.CoverImageID != "" {
		cover = s.CoverImageID
	}
	res, err := db.write.ExecContext(ctx, `UPDATE shows SET title = ?, description = ?, markets = ?, scheduled_at = ?, cover_image_id = ? WHERE id = ?`,
		s.Title, s.Description, string(markets), fmtTimePtr(s.ScheduledAt), cover, s.ID)
	if err != nil {
		return mapErr(err, "", "cover image not found")
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("show")
	}
	return nil
}

// FindShowLive returns the live data of the shows that have any.
func (db *DB) FindShowLive(ctx context.Context, showIDs []string) (_ map[string]hawker.LiveShow, err error) {
	defer db.done("FindShowLive", time.Now(), &err)
	out := make(map[string]hawker.LiveShow, len(showIDs))
	if len(showIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(showIDs)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT show_id, pinned_product_id, started_at, ended_at
		FROM show_live WHERE show_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l hawker.LiveShow
		var pinned, started, ended sql.NullString
		if err := rows.Scan(&l.ShowID, &pinned, &started, &ended); err != nil {
			return nil, err
		}
		l.PinnedProductID = pinned.String
		if l.StartedAt, err = parseTimePtr(started); err != nil {
			return nil, err
		}
		if l.EndedAt, err = parseTimePtr(ended); err != nil {
			return nil, err
		}
		out[l.ShowID] = l
	}
	return out, rows.Err()
}

// SetShowProducts replaces the show's bag; see hawker.LiveShowStore.
func (db *DB) SetShowProducts(ctx context.Context, showID string, productIDs []string) (err error) {
	defer db.done("SetShowProducts", time.Now(), &err)
	if err := hawker.ValidateShowProducts(productIDs); err != nil {
		return err
	}
	now := fmtTime(hawker.Now())
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		shop, err := showShop(ctx, tx, showID)
		if err != nil {
			return err
		}
		for i, id := range productIDs {
			var pshop string
			var deleted sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT shop_id, deleted_at FROM products WHERE id = ?`, id).Scan(&pshop, &deleted)
			if errors.Is(err, sql.ErrNoRows) || err == nil && (deleted.Valid || pshop != shop) {
				return hawker.FieldError(fmt.Sprintf("product_ids[%d]", i), "no such product in the show's shop")
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM show_products WHERE show_id = ?`, showID); err != nil {
			return err
		}
		for i, id := range productIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO show_products (show_id, position, product_id) VALUES (?, ?, ?)`, showID, i, id); err != nil {
				return mapErr(err, "", "product not found")
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE show_live SET pinned_product_id = NULL, updated_at = ?
			WHERE show_id = ? AND pinned_product_id IS NOT NULL
			AND pinned_product_id NOT IN (SELECT product_id FROM show_products WHERE show_id = ?)`, now, showID, showID)
		return err
	})
}

// FindShowProducts returns the bag's live products in order.
func (db *DB) FindShowProducts(ctx context.Context, showID string) (_ []string, err error) {
	defer db.done("FindShowProducts", time.Now(), &err)
	var one int
	err = db.read.QueryRowContext(ctx, `SELECT 1 FROM shows WHERE id = ?`, showID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("show")
	} else if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT sp.product_id FROM show_products sp
		JOIN products p ON p.id = sp.product_id
		WHERE sp.show_id = ? AND p.deleted_at IS NULL ORDER BY sp.position`, showID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetPinnedProduct pins a product of the bag, or unpins with "".
func (db *DB) SetPinnedProduct(ctx context.Context, showID, productID string) (err error) {
	defer db.done("SetPinnedProduct", time.Now(), &err)
	now := fmtTime(hawker.Now())
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := showShop(ctx, tx, showID); err != nil {
			return err
		}
		var pinned any
		if productID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM show_products sp JOIN products p ON p.id = sp.product_id
				WHERE sp.show_id = ? AND sp.product_id = ? AND p.deleted_at IS NULL`, showID, productID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return hawker.FieldError("product_id", "the product is not in the show's bag")
			} else if err != nil {
				return err
			}
			pinned = productID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO show_live (show_id, pinned_product_id, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (show_id) DO UPDATE SET pinned_product_id = excluded.pinned_product_id, updated_at = excluded.updated_at`,
			showID, pinned, now)
		return err
	})
}

// FindShowModeration returns the saved settings (or the defaults) and the
// muted users.
func (db *DB) FindShowModeration(ctx context.Context, showID string) (_ hawker.Moderation, _ []string, err error) {
	defer db.done("FindShowModeration", time.Now(), &err)
	m := hawker.DefaultModeration()
	var saved sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT l.moderation FROM shows s LEFT JOIN show_live l ON l.show_id = s.id WHERE s.id = ?`, showID).Scan(&saved)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil, notFound("show")
	} else if err != nil {
		return m, nil, err
	}
	if saved.Valid {
		if err := json.Unmarshal([]byte(saved.String), &m); err != nil {
			return m, nil, fmt.Errorf("bad moderation of show %s: %w", showID, err)
		}
	}
	m.BlockedWords = liveNonNil(m.BlockedWords)
	rows, err := db.read.QueryContext(ctx, `SELECT user_id FROM show_mutes WHERE show_id = ? ORDER BY user_id`, showID)
	if err != nil {
		return m, nil, err
	}
	defer rows.Close()
	muted := []string{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return m, nil, err
		}
		muted = append(muted, u)
	}
	return m, muted, rows.Err()
}

// SetShowModeration saves the show's chat settings.
func (db *DB) SetShowModeration(ctx context.Context, showID string, m hawker.Moderation) (err error) {
	defer db.done("SetShowModeration", time.Now(), &err)
	m.BlockedWords = liveNonNil(m.BlockedWords)
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO show_live (show_id, moderation, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (show_id) DO UPDATE SET moderation = excluded.moderation, updated_at = excluded.updated_at`,
		showID, string(b), fmtTime(hawker.Now()))
	return mapErr(err, "", "show not found")
}

// SetShowMute mutes or unmutes the user in the show.
func (db *DB) SetShowMute(ctx context.Context, showID, userID string, muted bool, at time.Time) (err error) {
	defer db.done("SetShowMute", time.Now(), &err)
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := showShop(ctx, tx, showID); err != nil {
			return err
		}
		if !muted {
			_, err := tx.ExecContext(ctx, `DELETE FROM show_mutes WHERE show_id = ? AND user_id = ?`, showID, userID)
			return err
		}
		var n int
		var already bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(user_id = ?), 0) FROM show_mutes WHERE show_id = ?`,
			userID, showID).Scan(&n, &already); err != nil {
			return err
		}
		if already {
			return nil
		}
		if n >= hawker.MaxMutedPerShow {
			return hawker.FieldError("user_id", "at most %d muted users per show", hawker.MaxMutedPerShow)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO show_mutes (show_id, user_id, muted_at) VALUES (?, ?, ?)`, showID, userID, fmtTime(at))
		return mapErr(err, "", "user not found")
	})
}

// SetMarketBlockedWords replaces a market's blocked words.
func (db *DB) SetMarketBlockedWords(ctx context.Context, market string, words []string) (err error) {
	defer db.done("SetMarketBlockedWords", time.Now(), &err)
	if len(words) == 0 {
		_, err = db.write.ExecContext(ctx, `DELETE FROM market_blocked_words WHERE market = ?`, market)
		return err
	}
	b, err := json.Marshal(words)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO market_blocked_words (market, words, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (market) DO UPDATE SET words = excluded.words, updated_at = excluded.updated_at`,
		market, string(b), fmtTime(hawker.Now()))
	return err
}

// FindMarketBlockedWords returns every market's blocked words.
func (db *DB) FindMarketBlockedWords(ctx context.Context) (_ map[string][]string, err error) {
	defer db.done("FindMarketBlockedWords", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT market, words FROM market_blocked_words ORDER BY market`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var market, words string
		if err := rows.Scan(&market, &words); err != nil {
			return nil, err
		}
		var ws []string
		if err := json.Unmarshal([]byte(words), &ws); err != nil {
			return nil, fmt.Errorf("bad blocked words of market %s: %w", market, err)
		}
		out[market] = liveNonNil(ws)
	}
	return out, rows.Err()
}

// AppendModeration records one moderation action. EEXISTS when the id is
// taken.
func (db *DB) AppendModeration(ctx context.Context, e hawker.ModerationEntry) (err error) {
	defer db.done("AppendModeration", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `INSERT INTO moderation_log (id, show_id, actor_id, action, user_id, message_id, detail, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ShowID, e.ActorID, string(e.Action), e.UserID, e.MessageID, e.Detail, fmtTime(e.At))
	return mapErr(err, "moderation entry already exists", "")
}

// FindModeration lists a show's (or a market's) entries after p.After,
// oldest first.
func (db *DB) FindModeration(ctx context.Context, showID string, p hawker.Page) (_ []hawker.ModerationEntry, err error) {
	defer db.done("FindModeration", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT id, show_id, actor_id, action, user_id, message_id, detail, at
		FROM moderation_log WHERE show_id = ? AND id > ? ORDER BY id LIMIT ?`, showID, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []hawker.ModerationEntry{}
	for rows.Next() {
		var e hawker.ModerationEntry
		var at string
		if err := rows.Scan(&e.ID, &e.ShowID, &e.ActorID, &e.Action, &e.UserID, &e.MessageID, &e.Detail, &at); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func liveNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
