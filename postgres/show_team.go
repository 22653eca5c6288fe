package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// hawker.ShowTeamStore (migration 00008).

var _ hawker.ShowTeamStore = (*DB)(nil)

// PutShowTeamMember adds the user to the show's team or changes its role.
// ENOTFOUND for an unknown show or user; EINVALID for a bad role or a full
// team. The show's row is locked, so concurrent additions count right.
func (db *DB) PutShowTeamMember(ctx context.Context, m hawker.ShowTeamMember) (err error) {
	defer db.done("PutShowTeamMember", time.Now(), &err)
	if !hawker.ValidShowRole(m.Role) {
		return hawker.FieldError("role", "role must be cohost or moderator")
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, _, err := lockShow(ctx, tx, m.ShowID); err != nil {
			return err
		}
		var n int
		var already bool
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(bool_or(user_id = $1), false) FROM show_team WHERE show_id = $2`,
			m.UserID, m.ShowID).Scan(&n, &already); err != nil {
			return err
		}
		if !already && n >= hawker.MaxShowTeam {
			return hawker.FieldError("user_id", "a show's team has at most %d members", hawker.MaxShowTeam)
		}
		_, err := tx.Exec(ctx, `INSERT INTO show_team (show_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (show_id, user_id) DO UPDATE SET role = excluded.role`,
			m.ShowID, m.UserID, string(m.Role), m.AddedAt)
		return mapErr(err, "", "user not found")
	})
}

// DeleteShowTeamMember takes the user off the show's team; ENOTFOUND when
// the user was not on it.
func (db *DB) DeleteShowTeamMember(ctx context.Context, showID, userID string) (err error) {
	defer db.done("DeleteShowTeamMember", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM show_team WHERE show_id = $1 AND user_id = $2`, showID, userID)
	return checkAffected(tag, err, "show team member")
}

// FindShowTeam returns the show's team ordered by user id.
func (db *DB) FindShowTeam(ctx context.Context, showID string) (_ []hawker.ShowTeamMember, err error) {
	defer db.done("FindShowTeam", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT user_id, role, added_at FROM show_team WHERE show_id = $1 ORDER BY user_id`, showID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row pgx.Row) (hawker.ShowTeamMember, error) {
		m := hawker.ShowTeamMember{ShowID: showID}
		var role string
		err := row.Scan(&m.UserID, &role, &m.AddedAt)
		m.Role, m.AddedAt = hawker.ShowRole(role), m.AddedAt.UTC()
		return m, err
	})
}
