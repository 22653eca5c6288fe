package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// sessionActorQuery reads a session, its user and the user's memberships
// in one statement: every authenticated request runs it, and three reads
// meant three round trips. The memberships come back as two arrays in
// step (shop ids and roles), ordered by shop id.
const sessionActorQuery = `SELECT
	s.id, s.user_id, s.token_hash, s.cookie, s.csrf_token, s.created_at, s.expires_at,
	u.id, u.email, u.name, u.market, u.roles, u.password_hash, u.created_at,
	m.shop_ids, m.roles
	FROM sessions AS s
	JOIN users AS u ON u.id = s.user_id
	CROSS JOIN LATERAL (
		SELECT coalesce(array_agg(sm.shop_id ORDER BY sm.shop_id), '{}') AS shop_ids,
			coalesce(array_agg(sm.role ORDER BY sm.shop_id), '{}') AS roles
		FROM shop_members AS sm WHERE sm.user_id = u.id
	) AS m
	WHERE s.token_hash = $1 AND s.expires_at > $2`

// FindSessionActor returns the session with the token hash and the actor
// of its user; ENOTFOUND for unknown sessions, sessions expired as of now
// and sessions whose user is gone.
func (db *DB) FindSessionActor(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, _ *hawker.Actor, err error) {
	defer db.done("FindSessionActor", time.Now(), &err)
	var s hawker.Session
	var u hawker.User
	var roles, shopIDs, shopRoles []string
	err = db.pool.QueryRow(ctx, sessionActorQuery, hash, now).Scan(
		&s.ID, &s.UserID, &s.TokenHash, &s.Cookie, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt,
		&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &u.CreatedAt,
		&shopIDs, &shopRoles)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, notFound("session")
	}
	if err != nil {
		return nil, nil, err
	}
	if len(shopIDs) != len(shopRoles) {
		return nil, nil, errors.New("postgres: session actor: shop ids and roles differ in length")
	}
	s.CreatedAt, s.ExpiresAt, u.CreatedAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), u.CreatedAt.UTC()
	u.Roles = make([]hawker.Role, len(roles))
	for i, r := range roles {
		u.Roles[i] = hawker.Role(r)
	}
	shops := make(map[string]hawker.Role, len(shopIDs))
	for i, id := range shopIDs {
		shops[id] = hawker.Role(shopRoles[i])
	}
	return &s, &hawker.Actor{User: &u, Shops: shops}, nil
}
