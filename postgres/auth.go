package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// CreateSession stores s. ENOTFOUND when the user does not exist; EEXISTS
// when the token hash is taken.
func (db *DB) CreateSession(ctx context.Context, s *hawker.Session) (err error) {
	defer db.done("CreateSession", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO sessions
		(id, user_id, token_hash, cookie, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.UserID, s.TokenHash, s.Cookie, s.CSRFToken, s.CreatedAt, s.ExpiresAt)
	return mapErr(err, "session already exists", "user not found")
}

// FindSessionByTokenHash returns ENOTFOUND for unknown sessions and for
// sessions expired as of now.
func (db *DB) FindSessionByTokenHash(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, err error) {
	defer db.done("FindSessionByTokenHash", time.Now(), &err)
	var s hawker.Session
	err = db.pool.QueryRow(ctx, `SELECT id, user_id, token_hash, cookie, csrf_token, created_at, expires_at
		FROM sessions WHERE token_hash = $1 AND expires_at > $2`, hash, now).
		Scan(&s.ID, &s.UserID, &s.TokenHash, &s.Cookie, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("session")
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// DeleteSession removes the session; ENOTFOUND when there is none.
func (db *DB) DeleteSession(ctx context.Context, id string) (err error) {
	defer db.done("DeleteSession", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return checkAffected(tag, err, "session")
}

// CreateAPIKey stores k; EEXISTS when its id or hash is taken.
func (db *DB) CreateAPIKey(ctx context.Context, k *hawker.APIKey) (err error) {
	defer db.done("CreateAPIKey", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO api_keys
		(id, name, role, key_hash, prefix, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.Name, string(k.Role), k.KeyHash, k.Prefix, k.CreatedAt, k.RevokedAt)
	return mapErr(err, "API key already exists", "")
}

const apiKeyColumns = `id, name, role, key_hash, prefix, created_at, revoked_at`

func scanAPIKey(row pgx.Row) (*hawker.APIKey, error) {
	var k hawker.APIKey
	var role string
	if err := row.Scan(&k.ID, &k.Name, &role, &k.KeyHash, &k.Prefix, &k.CreatedAt, &k.RevokedAt); err != nil {
		return nil, err
	}
	k.Role = hawker.Role(role)
	k.CreatedAt, k.RevokedAt = k.CreatedAt.UTC(), utcPtr(k.RevokedAt)
	return &k, nil
}

// FindAPIKeyByHash returns ENOTFOUND for unknown or revoked keys.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash string) (_ *hawker.APIKey, err error) {
	defer db.done("FindAPIKeyByHash", time.Now(), &err)
	k, err := scanAPIKey(db.pool.QueryRow(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("API key")
	}
	return k, err
}

// FindAPIKeys lists keys, revoked ones included, ordered by id.
func (db *DB) FindAPIKeys(ctx context.Context, p hawker.Page) (_ []*hawker.APIKey, err error) {
	defer db.done("FindAPIKeys", time.Now(), &err)
	rows, err := db.pool.Query(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAPIKey)
}

// RevokeAPIKey marks the key revoked at the time; a key revoked before keeps
// its first revocation time. ENOTFOUND for an unknown key.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) (err error) {
	defer db.done("RevokeAPIKey", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, at, id)
	return checkAffected(tag, err, "API key")
}
