package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"hawker"
)

// CreateUser stores u. Returns EEXISTS when the email is taken in any case.
func (db *DB) CreateUser(ctx context.Context, u *hawker.User) (err error) {
	defer db.done("CreateUser", time.Now(), &err)
	roles, err := json.Marshal(nonNilRoles(u.Roles))
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO users
		(id, email, email_norm, name, market, roles, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, hawker.NormalizeEmail(u.Email), u.Name, u.Market, string(roles), u.PasswordHash, fmtTime(u.CreatedAt))
	return mapErr(err, "a user with this email already exists", "")
}

const userColumns = `id, email, name, market, roles, password_hash, created_at`

func scanUser(row interface{ Scan(...any) error }) (*hawker.User, error) {
	var u hawker.User
	var roles, created string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Market, &roles, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(roles), &u.Roles); err != nil {
		return nil, err
	}
	u.Roles = nonNilRoles(u.Roles)
	var err error
	u.CreatedAt, err = parseTime(created)
	return &u, err
}

// FindUserByID returns ENOTFOUND when there is no such user.
func (db *DB) FindUserByID(ctx context.Context, id string) (_ *hawker.User, err error) {
	defer db.done("FindUserByID", time.Now(), &err)
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	return u, err
}

// FindUserByEmail matches without regard to case; ENOTFOUND when nobody has
// the address.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (_ *hawker.User, err error) {
	defer db.done("FindUserByEmail", time.Now(), &err)
	u, err := scanUser(db.read.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE email_norm = ?`, hawker.NormalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	return u, err
}

// FindUsers lists users ordered by id.
func (db *DB) FindUsers(ctx context.Context, p hawker.Page) (_ []*hawker.User, err error) {
	defer db.done("FindUsers", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE id > ? ORDER BY id LIMIT ?`, p.After, limit(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := []*hawker.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// SetUserRoles replaces the user's global roles; ENOTFOUND for an unknown
// user.
func (db *DB) SetUserRoles(ctx context.Context, userID string, roles []hawker.Role) (err error) {
	defer db.done("SetUserRoles", time.Now(), &err)
	b, err := json.Marshal(nonNilRoles(roles))
	if err != nil {
		return err
	}
	res, err := db.write.ExecContext(ctx, `UPDATE users SET roles = ? WHERE id = ?`, string(b), userID)
	return checkAffected(res, err, "user")
}

func nonNilRoles(r []hawker.Role) []hawker.Role {
	if r == nil {
		return []hawker.Role{}
	}
	return r
}

// checkAffected turns an UPDATE or DELETE that matched no row into
// ENOTFOUND.
func checkAffected(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
