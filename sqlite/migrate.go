package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3/database"
)

const versionTable = "goose_db_version"

// versionStore is goose's record of applied migrations, as goose's own
// sqlite3 dialect keeps it but with two changes that make concurrent
// migrations by two processes safe (see [DB.Migrate]):
//   - version_id is UNIQUE, so a migration that another process committed
//     first fails as a whole (its statements and its version row are one
//     transaction) instead of running twice;
//   - the zero version is inserted only when missing, so two processes that
//     both create the table on a fresh file both succeed.
//
// It also keeps the apply time with full precision for MigrationStatus.
type versionStore struct{}

var _ database.StoreExtender = versionStore{}

func (versionStore) Tablename() string { return versionTable }

func (versionStore) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+versionTable+` (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		version_id INTEGER NOT NULL UNIQUE,
		is_applied INTEGER NOT NULL,
		tstamp     TEXT NOT NULL
	)`)
	return err
}

func (versionStore) Insert(ctx context.Context, db database.DBTxConn, req database.InsertRequest) error {
	q := `INSERT INTO ` + versionTable + ` (version_id, is_applied, tstamp) VALUES (?, 1, ?)`
	if req.Version == 0 {
		q += ` ON CONFLICT (version_id) DO NOTHING`
	}
	if _, err := db.ExecContext(ctx, q, req.Version, fmtTime(time.Now())); err != nil {
		return fmt.Errorf("insert version %d: %w", req.Version, err)
	}
	return nil
}

func (versionStore) Delete(ctx context.Context, db database.DBTxConn, version int64) error {
	_, err := db.ExecContext(ctx, `DELETE FROM `+versionTable+` WHERE version_id = ?`, version)
	return err
}

func (versionStore) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	var ts string
	var applied bool
	err := db.QueryRowContext(ctx, `SELECT tstamp, is_applied FROM `+versionTable+` WHERE version_id = ?`, version).Scan(&ts, &applied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", database.ErrVersionNotFound, version)
	}
	if err != nil {
		return nil, err
	}
	t, err := parseTime(ts)
	if err != nil {
		return nil, err
	}
	return &database.GetMigrationResult{Timestamp: t, IsApplied: applied}, nil
}

func (versionStore) GetLatestVersion(ctx context.Context, db database.DBTxConn) (int64, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version_id) FROM `+versionTable).Scan(&v); err != nil {
		return -1, err
	}
	if !v.Valid {
		return -1, fmt.Errorf("latest %w", database.ErrVersionNotFound)
	}
	return v.Int64, nil
}

func (versionStore) ListMigrations(ctx context.Context, db database.DBTxConn) ([]*database.ListMigrationsResult, error) {
	rows, err := db.QueryContext(ctx, `SELECT version_id, is_applied FROM `+versionTable+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*database.ListMigrationsResult
	for rows.Next() {
		var r database.ListMigrationsResult
		if err := rows.Scan(&r.Version, &r.IsApplied); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

func (versionStore) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, versionTable).Scan(&n)
	return n > 0, err
}
