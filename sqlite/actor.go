package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"hawker"
)

// sessionActorQuery reads a session, its user and the user's memberships
// in one statement: every authenticated request runs it, and three reads
// meant three waits for a connection of the read pool under load. It
// answers one row per membership (one row with NULLs without any); a plain
// join measured faster than json_group_array of the memberships.
const sessionActorQuery = `SELECT
	s.id, s.user_id, s.token_hash, s.cookie, s.csrf_token, s.created_at, s.expires_at,
	u.id, u.email, u.name, u.market, u.roles, u.password_hash, u.created_at,
	m.shop_id, m.role
	FROM sessions AS s
	JOIN users AS u ON u.id = s.user_id
	LEFT JOIN shop_members AS m ON m.user_id = u.id
	WHERE s.token_hash = ? AND s.expires_at > ?`

// FindSessionActor returns the session with the token hash and the actor
// of its user; ENOTFOUND for unknown sessions, sessions expired as of now
// and sessions whose user is gone.
func (db *DB) FindSessionActor(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, _ *hawker.Actor, err error) {
	defer db.done("FindSessionActor", time.Now(), &err)
	rows, err := db.readRows(ctx, sessionActorQuery, hash, fmtTime(now))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var s *hawker.Session
	var u hawker.User
	shops := map[string]hawker.Role{}
	for rows.Next() {
		var row hawker.Session
		var sCreated, sExpires, roles, uCreated string
		var shopID, role sql.NullString
		if err := rows.Scan(
			&row.ID, &row.UserID, &row.TokenHash, &row.Cookie, &row.CSRFToken, &sCreated, &sExpires,
			&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &uCreated,
			&shopID, &role); err != nil {
			return nil, nil, err
		}
		if shopID.Valid {
			shops[shopID.String] = hawker.Role(role.String)
		}
		if s != nil {
			continue
		}
		s = &row
		if s.CreatedAt, err = parseTime(sCreated); err != nil {
			return nil, nil, err
		}
		if s.ExpiresAt, err = parseTime(sExpires); err != nil {
			return nil, nil, err
		}
		if u.CreatedAt, err = parseTime(uCreated); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
			return nil, nil, err
		}
		u.Roles = nonNilRoles(u.Roles)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if s == nil {
		return nil, nil, notFound("session")
	}
	return s, &hawker.Actor{User: &u, Shops: shops}, nil
}
