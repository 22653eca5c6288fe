package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// CreateUser stores u. Returns EEXISTS when the email is taken in any case.
func (db *DB) CreateUser(ctx context.Context, u *hawker.User) (err error) {
	defer db.done("CreateUser", time.Now(), &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO users
		(id, email, email_norm, name, market, roles, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Email, hawker.NormalizeEmail(u.Email), u.Name, u.Market, rolesText(u.Roles), u.PasswordHash, u.CreatedAt)
	return mapErr(err, "a user with this email already exists", "")
}

const userColumns = `id, email, name, market, roles, password_hash, created_at`

func scanUser(row pgx.Row) (*hawker.User, error) {
	var u hawker.User
	var roles []string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Roles = make([]hawker.Role, len(roles))
	for i, r := range roles {
		u.Roles[i] = hawker.Role(r)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func rolesText(roles []hawker.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// FindUserByID returns ENOTFOUND when there is no such user.
func (db *DB) FindUserByID(ctx context.Context, id string) (_ *hawker.User, err error) {
	defer db.done("FindUserByID", time.Now(), &err)
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user")
	}
	return u, err
}

// FindUserByEmail matches without regard to case; ENOTFOUND when nobody has
// the address.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (_ *hawker.User, err error) {
	defer db.done("FindUserByEmail", time.Now(), &err)
	u, err := scanUser(db.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE email_norm = $1`, hawker.NormalizeEmail(email)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user")
	}
	return u, err
}

// FindUsers lists users ordered by id.
func (db *DB) FindUsers(ctx context.Context, p hawker.Page) (_ []*hawker.User, err error) {
	defer db.done("FindUsers", time.Now(), &err)
	rows, err := db.pool.Query(ctx,
		`SELECT `+userColumns+` FROM users WHERE id > $1 ORDER BY id LIMIT $2`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
}

// SetUserRoles replaces the user's global roles; ENOTFOUND for an unknown
// user.
func (db *DB) SetUserRoles(ctx context.Context, userID string, roles []hawker.Role) (err error) {
	defer db.done("SetUserRoles", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `UPDATE users SET roles = $1 WHERE id = $2`, rolesText(roles), userID)
	return checkAffected(tag, err, "user")
}

// collect scans every row with scan and closes rows; the result is never
// nil.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
