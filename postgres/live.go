package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// hawker.LiveShowStore: show state changes, the shopping bag, the pinned
// product, chat moderation and its audit log (migration 00002). Live data
// lives in tables of its own beside shows.

var _ hawker.LiveShowStore = (*DB)(nil)

// lockShow locks the show's row for the rest of tx and returns its shop and
// state; ENOTFOUND when there is no such show.
func lockShow(ctx context.Context, tx pgx.Tx, showID string) (shop, state string, err error) {
	err = tx.QueryRow(ctx, `SELECT shop_id, state FROM shows WHERE id = $1 FOR UPDATE`, showID).Scan(&shop, &state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", notFound("show")
	}
	return shop, state, err
}

// UpdateShowState moves the show from one of the states in from to to.
// ESTATE when the show is in another state; ENOTFOUND when it is unknown.
func (db *DB) UpdateShowState(ctx context.Context, id string, from []hawker.ShowState, to hawker.ShowState, at time.Time) (_ *hawker.Show, err error) {
	defer db.done("UpdateShowState", time.Now(), &err)
	var s *hawker.Show
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		_, state, err := lockShow(ctx, tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, hawker.ShowState(state)) {
			return hawker.Errorf(hawker.ESTATE, "The show is %s; it cannot become %s.", state, to)
		}
		if _, err := tx.Exec(ctx, `UPDATE shows SET state = $1 WHERE id = $2`, string(to), id); err != nil {
			return mapErr(err, "", "")
		}
		var started, ended *time.Time
		switch to {
		case hawker.ShowLive:
			started = &at
		case hawker.ShowEnded:
			ended = &at
		}
		if _, err := tx.Exec(ctx, `INSERT INTO show_live (show_id, started_at, ended_at, updated_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (show_id) DO UPDATE SET
				started_at = coalesce(excluded.started_at, show_live.started_at),
				ended_at = coalesce(excluded.ended_at, show_live.ended_at),
				updated_at = excluded.updated_at`,
			id, started, ended, at); err != nil {
			return err
		}
		s, err = scanShow(tx.QueryRow(ctx, `SELECT `+showColumns+` FROM shows WHERE id = $1`, id))
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
	var cover *string
	if s.CoverImageID != "" {
		cover = &s.CoverImageID
	}
	tag, err := db.pool.Exec(ctx, `UPDATE shows SET title = $1, description = $2, markets = $3, scheduled_at = $4, cover_image_id = $5 WHERE id = $6`,
		s.Title, s.Description, nonNilStrings(s.Markets), s.ScheduledAt, cover, s.ID)
	return checkAffected(tag, mapErr(err, "", "cover image not found"), "show")
}

// FindShowLive returns the live data of the shows that have any.
func (db *DB) FindShowLive(ctx context.Context, showIDs []string) (_ map[string]hawker.LiveShow, err error) {
	defer db.done("FindShowLive", time.Now(), &err)
	out := make(map[string]hawker.LiveShow, len(showIDs))
	if len(showIDs) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT show_id, pinned_product_id, started_at, ended_at
		FROM show_live WHERE show_id = ANY($1)`, showIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l hawker.LiveShow
		var pinned *string
		if err := rows.Scan(&l.ShowID, &pinned, &l.StartedAt, &l.EndedAt); err != nil {
			return nil, err
		}
		if pinned != nil {
			l.PinnedProductID = *pinned
		}
		l.StartedAt, l.EndedAt = utcPtr(l.StartedAt), utcPtr(l.EndedAt)
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
	now := hawker.Now()
	return db.inTx(ctx, func(tx pgx.Tx) error {
		shop, _, err := lockShow(ctx, tx, showID)
		if err != nil {
			return err
		}
		for i, id := range productIDs {
			var pshop string
			var deleted *time.Time
			// FOR SHARE: the product cannot be deleted or moved before
			// the bag commits.
			err := tx.QueryRow(ctx, `SELECT shop_id, deleted_at FROM products WHERE id = $1 FOR SHARE`, id).Scan(&pshop, &deleted)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && (deleted != nil || pshop != shop) {
				return hawker.FieldError(fmt.Sprintf("product_ids[%d]", i), "no such product in the show's shop")
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM show_products WHERE show_id = $1`, showID); err != nil {
			return err
		}
		if len(productIDs) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO show_products (show_id, position, product_id)
				SELECT $1, ord - 1, id FROM unnest($2::text[]) WITH ORDINALITY AS t(id, ord)`, showID, productIDs); err != nil {
				return mapErr(err, "", "product not found")
			}
		}
		_, err = tx.Exec(ctx, `UPDATE show_live SET pinned_product_id = NULL, updated_at = $1
			WHERE show_id = $2 AND pinned_product_id IS NOT NULL
			AND pinned_product_id NOT IN (SELECT product_id FROM show_products WHERE show_id = $2)`, now, showID)
		return err
	})
}

// FindShowProducts returns the bag's live products in order.
func (db *DB) FindShowProducts(ctx context.Context, showID string) (_ []string, err error) {
	defer db.done("FindShowProducts", time.Now(), &err)
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1)`, showID).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound("show")
	}
	rows, err := db.pool.Query(ctx, `SELECT sp.product_id FROM show_products sp
		JOIN products p ON p.id = sp.product_id
		WHERE sp.show_id = $1 AND p.deleted_at IS NULL ORDER BY sp.position`, showID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r pgx.Row) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	})
}

// SetPinnedProduct pins a product of the bag, or unpins with "".
func (db *DB) SetPinnedProduct(ctx context.Context, showID, productID string) (err error) {
	defer db.done("SetPinnedProduct", time.Now(), &err)
	now := hawker.Now()
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, _, err := lockShow(ctx, tx, showID); err != nil {
			return err
		}
		var pinned *string
		if productID != "" {
			var in bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM show_products sp JOIN products p ON p.id = sp.product_id
				WHERE sp.show_id = $1 AND sp.product_id = $2 AND p.deleted_at IS NULL)`, showID, productID).Scan(&in); err != nil {
				return err
			}
			if !in {
				return hawker.FieldError("product_id", "the product is not in the show's bag")
			}
			pinned = &productID
		}
		_, err := tx.Exec(ctx, `INSERT INTO show_live (show_id, pinned_product_id, updated_at) VALUES ($1, $2, $3)
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
	var saved []byte
	err = db.pool.QueryRow(ctx, `SELECT l.moderation FROM shows s LEFT JOIN show_live l ON l.show_id = s.id WHERE s.id = $1`, showID).Scan(&saved)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, nil, notFound("show")
	} else if err != nil {
		return m, nil, err
	}
	if saved != nil {
		if err := json.Unmarshal(saved, &m); err != nil {
			return m, nil, fmt.Errorf("bad moderation of show %s: %w", showID, err)
		}
	}
	m.BlockedWords = nonNilStrings(m.BlockedWords)
	rows, err := db.pool.Query(ctx, `SELECT user_id FROM show_mutes WHERE show_id = $1 ORDER BY user_id`, showID)
	if err != nil {
		return m, nil, err
	}
	muted, err := collect(rows, func(r pgx.Row) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	})
	return m, muted, err
}

// SetShowModeration saves the show's chat settings.
func (db *DB) SetShowModeration(ctx context.Context, showID string, m hawker.Moderation) (err error) {
	defer db.done("SetShowModeration", time.Now(), &err)
	m.BlockedWords = nonNilStrings(m.BlockedWords)
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO show_live (show_id, moderation, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (show_id) DO UPDATE SET moderation = excluded.moderation, updated_at = excluded.updated_at`,
		showID, string(b), hawker.Now())
	return mapErr(err, "", "show not found")
}

// SetShowMute mutes or unmutes the user in the show.
func (db *DB) SetShowMute(ctx context.Context, showID, userID string, muted bool, at time.Time) (err error) {
	defer db.done("SetShowMute", time.Now(), &err)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		// The show's row lock serialises mutes of one show, so the count
		// below holds until commit.
		if _, _, err := lockShow(ctx, tx, showID); err != nil {
			return err
		}
		if !muted {
			_, err := tx.Exec(ctx, `DELETE FROM show_mutes WHERE show_id = $1 AND user_id = $2`, showID, userID)
			return err
		}
		var n int
		var already bool
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(bool_or(user_id = $1), false) FROM show_mutes WHERE show_id = $2`,
			userID, showID).Scan(&n, &already); err != nil {
			return err
		}
		if already {
			return nil
		}
		if n >= hawker.MaxMutedPerShow {
			return hawker.FieldError("user_id", "at most %d muted users per show", hawker.MaxMutedPerShow)
		}
		_, err := tx.Exec(ctx, `INSERT INTO show_mutes (show_id, user_id, muted_at) VALUES ($1, $2, $3)`, showID, userID, at)
		return mapErr(err, "", "user not found")
	})
}

// SetMarketBlockedWords replaces a market's blocked words.
func (db *DB) SetMarketBlockedWords(ctx context.Context, market string, words []string) (err error) {
	defer db.done("SetMarketBlockedWords", time.Now(), &err)
	if len(words) == 0 {
		_, err = db.pool.Exec(ctx, `DELETE FROM market_blocked_words WHERE market = $1`, market)
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO market_blocked_words (market, words, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (market) DO UPDATE SET words = excluded.words, updated_at = excluded.updated_at`,
		market, words, hawker.Now())
	return err
}

// FindMarketBlockedWords returns every market's blocked words.
func (db *DB) FindMarketBlockedWords(ctx context.Context) (_ map[string][]string, err error) {
	defer db.done("FindMarketBlockedWords", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT market, words FROM market_blocked_words ORDER BY market`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var market string
		var words []string
		if err := rows.Scan(&market, &words); err != nil {
			return nil, err
		}
		out[market] = nonNilStrings(words)
	}
	return out, rows.Err()
}

// AppendModeration records one moderation action. EEXISTS when the id is
// taken.
func (db *DB) AppendModeration(ctx context.Context, e hawker.ModerationEntry) (err error) {
	defer db.done("AppendModeration", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO moderation_log (id, show_id, actor_id, action, user_id, message_id, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.ID, e.ShowID, e.ActorID, string(e.Action), e.UserID, e.MessageID, e.Detail, e.At)
	return mapErr(err, "moderation entry already exists", "")
}

// FindModeration lists a show's (or a market's) entries after p.After,
// oldest first.
func (db *DB) FindModeration(ctx context.Context, showID string, p hawker.Page) (_ []hawker.ModerationEntry, err error) {
	defer db.done("FindModeration", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT id, show_id, actor_id, action, user_id, message_id, detail, at
		FROM moderation_log WHERE show_id = $1 AND id > $2 ORDER BY id LIMIT $3`, showID, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r pgx.Row) (hawker.ModerationEntry, error) {
		var e hawker.ModerationEntry
		var action string
		err := r.Scan(&e.ID, &e.ShowID, &e.ActorID, &action, &e.UserID, &e.MessageID, &e.Detail, &e.At)
		e.Action, e.At = hawker.ModerationAction(action), e.At.UTC()
		return e, err
	})
}
