package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"hawker"
)

// sessionActorQuery reads a session, its user and the user's memberships
// in one statement: every authenticated request runs it, and three reads
// meant three waits for a connection of the read pool under load. The
// memberships come back as one JSON array of [shop_id, role] pairs.
const sessionActorQuery = `SELECT
	s.id, s.user_id, s.token_hash, s.cookie, s.csrf_token, s.created_at, s.expires_at,
	u.id, u.email, u.name, u.market, u.roles, u.password_hash, u.created_at,
	(SELECT json_group_array(json_array(m.shop_id, m.role))
		FROM (SELECT shop_id, role FROM shop_members WHERE user_id = u.id ORDER BY shop_id) AS m)
	FROM sessions AS s JOIN users AS u ON u.id = s.user_id
	WHERE s.token_hash = ? AND s.expires_at > ?`

// FindSessionActor returns the session with the token hash and the actor
// of its user; ENOTFOUND for unknown sessions, sessions expired as of now
// and sessions whose user is gone.
func (db *DB) FindSessionActor(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, _ *hawker.Actor, err error) {
	defer db.done("FindSessionActor", time.Now(), &err)
	var s hawker.Session
	var u hawker.User
	var sCreated, sExpires, roles, uCreated, members string
	err = db.readRow(ctx, sessionActorQuery, hash, fmtTime(now)).Scan(
		&s.ID, &s.UserID, &s.TokenHash, &s.Cookie, &s.CSRFToken, &sCreated, &sExpires,
		&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &uCreated, &members)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("session")
	}
	if err != nil {
		return nil, nil, err
	}
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
	var pairs [][2]string
	if err := json.Unmarshal([]byte(members), &pairs); err != nil {
		return nil, nil, err
	}
	shops := make(map[string]hawker.Role, len(pairs))
	for _, p := range pairs {
		shops[p[0]] = hawker.Role(p[1])
	}
	return &s, &hawker.Actor{User: &u, Shops: shops}, nil
}
