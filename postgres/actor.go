package postgres

import (
	"context"
	"time"

	"hawker"
)

// sessionActorQuery reads a session, its user and the user's memberships
// in one statement: every authenticated request runs it, and three reads
// meant three round trips. It answers one row per membership (one row
// with NULLs without any); a plain join measured faster than aggregating
// the memberships into arrays.
const sessionActorQuery = `SELECT
	s.id, s.user_id, s.token_hash, s.cookie, s.csrf_token, s.created_at, s.expires_at,
	u.id, u.email, u.name, u.market, u.roles, u.password_hash, u.created_at,
	m.shop_id, m.role
	FROM sessions AS s
	JOIN users AS u ON u.id = s.user_id
	LEFT JOIN shop_members AS m ON m.user_id = u.id
	WHERE s.token_hash = $1 AND s.expires_at > $2`

// FindSessionActor returns the session with the token hash and the actor
// of its user; ENOTFOUND for unknown sessions, sessions expired as of now
// and sessions whose user is gone.
func (db *DB) FindSessionActor(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, _ *hawker.Actor, err error) {
	defer db.done("FindSessionActor", time.Now(), &err)
	rows, err := db.pool.Query(ctx, sessionActorQuery, hash, now)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var s *hawker.Session
	var u hawker.User
	var roles []string
	shops := map[string]hawker.Role{}
	for rows.Next() {
		var row hawker.Session
		var shopID, role *string
		if err := rows.Scan(
			&row.ID, &row.UserID, &row.TokenHash, &row.Cookie, &row.CSRFToken, &row.CreatedAt, &row.ExpiresAt,
			&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &u.CreatedAt,
			&shopID, &role); err != nil {
			return nil, nil, err
		}
		if shopID != nil && role != nil {
			shops[*shopID] = hawker.Role(*role)
		}
		if s == nil {
			s = &row
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if s == nil {
		return nil, nil, notFound("session")
	}
	s.CreatedAt, s.ExpiresAt, u.CreatedAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), u.CreatedAt.UTC()
	u.Roles = make([]hawker.Role, len(roles))
	for i, r := range roles {
		u.Roles[i] = hawker.Role(r)
	}
	return s, &hawker.Actor{User: &u, Shops: shops}, nil
}
