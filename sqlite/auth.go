package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"hawker"
)

// CreateSession stores s. ENOTFOUND when the user does not exist; EEXISTS
// when the token hash is taken.
func (db *DB) CreateSession(ctx context.Context, s *hawker.Session) (err error) {
	defer db.done("CreateSession", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `INSERT INTO sessions
		(id, user_id, token_hash, cookie, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.TokenHash, s.Cookie, s.CSRFToken, fmtTime(s.CreatedAt), fmtTime(s.ExpiresAt))
	return mapErr(err, "session already exists", "user not found")
}

// FindSessionByTokenHash returns ENOTFOUND for unknown sessions and for
// sessions expired as of now.
func (db *DB) FindSessionByTokenHash(ctx context.Context, hash string, now time.Time) (_ *hawker.Session, err error) {
	defer db.done("FindSessionByTokenHash", time.Now(), &err)
	var s hawker.Session
	var created, expires string
	err = db.readRow(ctx, `SELECT id, user_id, token_hash, cookie, csrf_token, created_at, expires_at
		FROM sessions WHERE token_hash = ? AND expires_at > ?`, hash, fmtTime(now)).
		Scan(&s.ID, &s.UserID, &s.TokenHash, &s.Cookie, &s.CSRFToken, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session")
	}
	if err != nil {
		return nil, err
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSession removes the session; ENOTFOUND when there is none.
func (db *DB) DeleteSession(ctx context.Context, id string) (err error) {
	defer db.done("DeleteSession", time.Now(), &err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return checkAffected(res, err, "session")
}

// CreateAPIKey stores k; EEXISTS when its id or hash is taken.
func (db *DB) CreateAPIKey(ctx context.Context, k *hawker.APIKey) (err error) {
	defer db.done("CreateAPIKey", time.Now(), &err)
	_, err = db.write.ExecContext(ctx, `INSERT INTO api_keys
		(id, name, role, key_hash, prefix, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, string(k.Role), k.KeyHash, k.Prefix, fmtTime(k.CreatedAt), fmtTimePtr(k.RevokedAt))
	return mapErr(err, "API key already exists", "")
}

const apiKeyColumns = `id, name, role, key_hash, prefix, created_at, revoked_at`

func scanAPIKey(row interface{ Scan(...any) error }) (*hawker.APIKey, error) {
	var k hawker.APIKey
	var created string
	var revoked sql.NullString
	if err := row.Scan(&k.ID, &k.Name, &k.Role, &k.KeyHash, &k.Prefix, &created, &revoked); err != nil {
		return nil, err
	}
	var err error
	if k.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	k.RevokedAt, err = parseTimePtr(revoked)
	return &k, err
}

// FindAPIKeyByHash returns ENOTFOUND for unknown or revoked keys.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash string) (_ *hawker.APIKey, err error) {
	defer db.done("FindAPIKeyByHash", time.Now(), &err)
	k, err := scanAPIKey(db.readRow(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("API key")
	}
	return k, err
}

// FindAPIKeys lists keys, revoked ones included, ordered by id.
func (db *DB) FindAPIKeys(ctx context.Context, p hawker.Page) (_ []*hawker.APIKey, err error) {
	defer db.done("FindAPIKeys", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []*hawker.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeAPIKey marks the key revoked at the time; a key revoked before keeps
// its first revocation time. ENOTFOUND for an unknown key.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) (err error) {
	defer db.done("RevokeAPIKey", time.Now(), &err)
	res, err := db.write.ExecContext(ctx,
		`UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, fmtTime(at), id)
	return checkAffected(res, err, "API key")
}
