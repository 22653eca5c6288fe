package sqlite

import (
	"context"
	"database/sql"
	"time"

	"hawker"
)

// hawker.ShowTeamStore (migration 00008).

var _ hawker.ShowTeamStore = (*DB)(nil)

// PutShowTeamMember adds the user to the show's team or changes its role.
// ENOTFOUND for an unknown show or user; EINVALID for a bad role or a full
// team.
func (db *DB) PutShowTeamMember(ctx context.Context, m hawker.ShowTeamMember) (err error) {
	defer db.done("PutShowTeamMember", time.Now(), &err)
	if !hawker.ValidShowRole(m.Role) {
		return hawker.FieldError("role", "role must be cohost or moderator")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := showShop(ctx, tx, m.ShowID); err != nil {
			return err
		}
		var n int
		var already bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(user_id = ?), 0) FROM show_team WHERE show_id = ?`,
			m.UserID, m.ShowID).Scan(&n, &already); err != nil {
			return err
		}
		if !already && n >= hawker.MaxShowTeam {
			return hawker.FieldError("user_id", "a show's team has at most %d members", hawker.MaxShowTeam)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO show_team (show_id, user_id, role, added_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (show_id, user_id) DO UPDATE SET role = excluded.role`,
			m.ShowID, m.UserID, string(m.Role), fmtTime(m.AddedAt))
		return mapErr(err, "", "user not found")
	})
}

// DeleteShowTeamMember takes the user off the show's team; ENOTFOUND when
// the user was not on it.
func (db *DB) DeleteShowTeamMember(ctx context.Context, showID, userID string) (err error) {
	defer db.done("DeleteShowTeamMember", time.Now(), &err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM show_team WHERE show_id = ? AND user_id = ?`, showID, userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound("show team member")
	}
	return nil
}

// FindShowTeam returns the show's team ordered by user id.
func (db *DB) FindShowTeam(ctx context.Context, showID string) (_ []hawker.ShowTeamMember, err error) {
	defer db.done("FindShowTeam", time.Now(), &err)
	rows, err := db.readRows(ctx, `SELECT user_id, role, added_at FROM show_team WHERE show_id = ? ORDER BY user_id`, showID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	team := []hawker.ShowTeamMember{}
	for rows.Next() {
		m := hawker.ShowTeamMember{ShowID: showID}
		var added string
		if err := rows.Scan(&m.UserID, &m.Role, &added); err != nil {
			return nil, err
		}
		if m.AddedAt, err = parseTime(added); err != nil {
			return nil, err
		}
		team = append(team, m)
	}
	return team, rows.Err()
}
