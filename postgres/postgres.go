// Package postgres implements hawker.Store on PostgreSQL with pgx.
//
// The tables live in the first schema of the connection's search_path, so
// several stores (tests, tenants of a shared server) can share one database.
// Several hawker processes may open the same schema at once: migrations take
// a session advisory lock per schema.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"hawker"
)

// MigrationLockTimeout bounds how long Open waits for another process's
// migration of the same schema (retried every second).
const MigrationLockTimeout = 5 * time.Minute

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune Open.
type Options struct {
	// NoMigrate skips applying pending migrations on Open (for `hawker
	// migrate status`, which reports them instead).
	NoMigrate bool
	// Observe, when not nil, is called once per Store method with a stable
	// op name (the method name) and its duration.
	Observe func(op string, d time.Duration)
}

// DB is a hawker.Store on one PostgreSQL schema. It is safe for concurrent
// use.
type DB struct {
	pool    *pgxpool.Pool
	observe func(op string, d time.Duration)
	goose   *goose.Provider
	closeDB func() error // closes goose's database/sql view of pool
}

var (
	_ hawker.Store    = (*DB)(nil)
	_ hawker.Migrator = (*DB)(nil)
)

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN; pgx pool settings such as pool_max_conns apply) and, unless
// opts.NoMigrate, applies pending migrations.
func Open(ctx context.Context, url string, opts Options) (_ *DB, err error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the password.
		return nil, errors.New("postgres: cannot parse the database URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db := &DB{pool: pool, observe: opts.Observe}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	var schema *string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if schema == nil {
		return nil, errors.New("postgres: no schema of search_path exists")
	}
	// Advisory locks are per database; keying the lock by schema lets
	// stores in different schemas migrate side by side.
	h := fnv.New64a()
	h.Write([]byte("hawker migrate " + *schema))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()>>1)),
		lock.WithLockTimeout(1, uint64(MigrationLockTimeout/time.Second)),
	)
	if err != nil {
		return nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	db.closeDB = sqlDB.Close
	migrations, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	db.goose, err = goose.NewProvider(goose.DialectPostgres, sqlDB, migrations,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	if !opts.NoMigrate {
		if err := db.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	var errs []error
	if db.goose != nil {
		errs = append(errs, db.goose.Close())
	}
	if db.closeDB != nil {
		errs = append(errs, db.closeDB())
	}
	db.pool.Close()
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer db.done("Ping", time.Now(), &err)
	return db.pool.Ping(ctx)
}

// Migrate applies pending migrations, holding the schema's migration lock.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.goose.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// MigrationStatus lists every migration known to this binary, ordered by
// version, with when it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]hawker.Migration, error) {
	st, err := db.goose.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	out := make([]hawker.Migration, 0, len(st))
	for _, s := range st {
		m := hawker.Migration{Version: s.Source.Version, Name: baseName(s.Source.Path)}
		if s.State == goose.StateApplied {
			at := s.AppliedAt.UTC()
			m.AppliedAt = &at
		}
		out = append(out, m)
	}
	return out, nil
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// done reports the duration of op to Options.Observe and gives errors
// without a code the op's name (codes pass through unchanged so callers can
// still branch on them).
func (db *DB) done(op string, start time.Time, errp *error) {
	if db.observe != nil {
		db.observe(op, time.Since(start))
	}
	if *errp != nil {
		var e *hawker.Error
		if !errors.As(*errp, &e) {
			*errp = fmt.Errorf("postgres: %s: %w", op, *errp)
		}
	}
}

// inTx runs fn in one transaction and commits when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// readTx runs fn in one read-only repeatable-read transaction, so that a
// method reading several tables with several statements sees one snapshot.
// (One statement sees one snapshot without it, in one round trip.)
func (db *DB) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	return fn(tx)
}

// SQLSTATEs mapped to codes (never by message text).
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	checkViolation      = "23514"
)

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// mapErr turns constraint violations into coded errors.
func mapErr(err error, exists, notFound string) error {
	if err == nil {
		return nil
	}
	switch pgCode(err) {
	case uniqueViolation:
		if exists != "" {
			return hawker.Errorf(hawker.EEXISTS, "%s", exists)
		}
	case foreignKeyViolation:
		if notFound != "" {
			return hawker.Errorf(hawker.ENOTFOUND, "%s", notFound)
		}
	case checkViolation:
		return hawker.Errorf(hawker.EINVALID, "a value is out of range")
	}
	return err
}

func notFound(what string) error { return hawker.Errorf(hawker.ENOTFOUND, "%s not found", what) }

// checkAffected turns an UPDATE or DELETE that matched no row into
// ENOTFOUND.
func checkAffected(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(what)
	}
	return nil
}

func limit(p hawker.Page) int {
	switch {
	case p.Limit <= 0:
		return hawker.DefaultPageLimit
	case p.Limit > hawker.MaxPageLimit+1:
		// The API reads a page and one more row to learn whether a next
		// page exists; a cap of MaxPageLimit hid the last cursor.
		return hawker.MaxPageLimit + 1
	}
	return p.Limit
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
