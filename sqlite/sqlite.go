// Package sqlite implements hawker.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go).
//
// One file holds everything. Writes go through one connection, so they queue
// in Go instead of failing with SQLITE_BUSY; reads use a pool of read-only
// connections that WAL lets run beside the writer. Other processes (such as
// `hawker admin create-key` while `hawker serve` runs) may open the same file:
// busy_timeout makes them wait for each other's write transactions.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"hawker"
)

// Pool sizes and timeouts.
const (
	// ReadConns is the size of the read pool.
	ReadConns = 6
	// BusyTimeout is how long a connection waits for another connection's
	// (or process's) write lock before SQLITE_BUSY. Migrations of a fresh
	// file by another process hold the lock longest.
	BusyTimeout = 10 * time.Second
)

// MemoryPath opens a private in-memory database (for tests): gone on Close,
// and reads share the one writer connection.
const MemoryPath = ":memory:"

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

// DB is a hawker.Store on one SQLite file. It is safe for concurrent use.
type DB struct {
	write   *sql.DB // exactly one connection; every write transaction runs here
	read    *sql.DB // query_only connections
	observe func(op string, d time.Duration)
	goose   *goose.Provider

	// ckpt is one connection that checkpoints the WAL in the background
	// (see checkpointLoop); nil for MemoryPath.
	ckpt       *sql.DB
	commits    atomic.Int64 // write transactions committed, for checkpointLoop
	stopCkpt   context.CancelFunc
	ckptDone   chan struct{}
	ckptLogged atomic.Bool

	// stmts holds the hot reads prepared on the read pool, by query text
	// (string → *sql.Stmt). database/sql prepares a Stmt once per pooled
	// connection and reuses it, so SQLite parses and plans each query once
	// per connection instead of once per call.
	stmts sync.Map
}

var (
	_ hawker.Store    = (*DB)(nil)
	_ hawker.Migrator = (*DB)(nil)
)

// Open opens (creating when missing) the database file at path, or a
// private in-memory database for [MemoryPath], and, unless opts.NoMigrate,
// applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (_ *DB, err error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		// The DSN's query string is ours; a path carrying its own would
		// silently change pragmas.
		return nil, fmt.Errorf("sqlite: path %q must be a plain file name", path)
	}
	db := &DB{observe: opts.Observe}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	writeDSN := dsn(path, false)
	if path != MemoryPath {
		// checkpointLoop copies the WAL back into the file off the
		// commit path; the writer checkpoints itself only if the loop
		// falls far behind.
		writeDSN += "&_pragma=" + url.QueryEscape(fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
	}
	if db.write, err = sql.Open("sqlite", writeDSN); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.write.SetConnMaxLifetime(0)
	// Connect the writer first: it switches the file to WAL, which the read
	// connections then find already done.
	if err := pingBusy(ctx, db.write); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if path == MemoryPath {
		// Every connection to :memory: is a database of its own, so the
		// one connection serves reads too.
		db.read = db.write
	} else {
		if db.read, err = sql.Open("sqlite", dsn(path, true)); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		db.read.SetMaxOpenConns(ReadConns)
		db.read.SetMaxIdleConns(ReadConns)
		db.read.SetConnMaxIdleTime(5 * time.Minute)
		if db.ckpt, err = sql.Open("sqlite", dsn(path, false)); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		db.ckpt.SetMaxOpenConns(1)
		db.ckpt.SetMaxIdleConns(1)
		db.ckpt.SetConnMaxIdleTime(0)
	}

	migrations, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	db.goose, err = goose.NewProvider(goose.DialectCustom, db.write, migrations,
		goose.WithStore(versionStore{}), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	if !opts.NoMigrate {
		if err := db.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	if db.ckpt != nil {
		var loopCtx context.Context
		loopCtx, db.stopCkpt = context.WithCancel(context.Background())
		db.ckptDone = make(chan struct{})
		go db.checkpointLoop(loopCtx)
	}
	return db, nil
}

// Checkpointing: SQLite's writer copies the WAL back into the database
// file by itself every 1000 pages (wal_autocheckpoint), inside the commit
// that crosses the mark, which made every few group commits slower by the
// whole copy and its fsyncs. Instead a connection of its own runs a
// PASSIVE checkpoint (it never blocks the writer or readers) every
// checkpointEvery while anything was committed; the writer's own
// checkpoint stays as a backstop at writerCheckpointPages.
const (
	checkpointEvery       = 100 * time.Millisecond
	writerCheckpointPages = 16000 // ~64 MB of WAL
)

func (db *DB) checkpointLoop(ctx context.Context) {
	defer close(db.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var seen int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := db.commits.Load()
		if n == seen {
			continue
		}
		seen = n
		if _, err := db.ckpt.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil && !db.ckptLogged.Swap(true) {
			// Not fatal: the writer's backstop checkpoints. Said once.
			slog.Warn("sqlite: background WAL checkpoint failed; the writer checkpoints instead", "err", err)
		}
	}
}

// pingBusy connects, retrying while the file is busy. Switching a fresh
// file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
// without calling the busy handler, when another process opening the same
// file holds a lock it would deadlock on; that process finishes in
// milliseconds, so waiting for it (up to BusyTimeout) is the fix.
func pingBusy(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(BusyTimeout)
	wait := time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || sqliteCode(err)&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// dsn builds the connection string. busy_timeout comes first so that the
// pragmas after it (journal_mode needs a lock) wait instead of failing.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: an acknowledged order must survive a power cut (DESIGN.md
	// invariant 2); NORMAL would trade that away in WAL mode.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// Temporary files (statement journals, sorts) in memory: a spilled
	// statement journal was a write syscall per page on the commit path.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Take the write lock at BEGIN, where busy_timeout applies; a
		// deferred transaction that upgrades later can fail at once with
		// SQLITE_BUSY_SNAPSHOT.
		q.Set("_txlock", "immediate")
		// 32 MB of page cache (default 2 MB) for the writer: a flash sale
		// touches random leaves of the buyer and idempotency indexes, and
		// every miss is a read syscall inside the commit.
		q.Add("_pragma", "cache_size(-32768)")
	}
	if path == MemoryPath {
		return path + "?" + q.Encode()
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Close closes the pools.
func (db *DB) Close() error {
	var errs []error
	if db.stopCkpt != nil {
		db.stopCkpt()
		<-db.ckptDone
	}
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.Close())
	}
	db.stmts.Range(func(q, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		db.stmts.Delete(q)
		return true
	})
	if db.goose != nil {
		// The provider does not own the *sql.DB; Close only releases its
		// own state.
		errs = append(errs, db.goose.Close())
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer db.done("Ping", time.Now(), &err)
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	return db.write.PingContext(ctx)
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
			*errp = fmt.Errorf("sqlite: %s: %w", op, *errp)
		}
	}
}

// Migrate applies pending migrations.
//
// Another process may migrate the same file at the same moment. goose lists
// the applied versions before it takes the write lock, so the slower process
// then tries to apply a migration the faster one has just committed: its DDL
// fails, or the unique version_id of versionStore rolls the whole migration
// back, so nothing is ever applied twice. When that happens the other
// process has made progress, and Migrate starts over from the new version;
// it returns the error only when no version was added meanwhile.
func (db *DB) Migrate(ctx context.Context) error {
	for {
		before := db.version(ctx)
		_, err := db.goose.Up(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || db.version(ctx) <= before {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
}

// version returns the highest applied migration, -1 when none or unknown.
func (db *DB) version(ctx context.Context) int64 {
	var v sql.NullInt64
	err := db.write.QueryRowContext(ctx, `SELECT max(version_id) FROM `+versionTable).Scan(&v)
	if err != nil || !v.Valid {
		return -1
	}
	return v.Int64
}

// MigrationStatus lists every migration known to this binary, ordered by
// version, with when it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]hawker.Migration, error) {
	st, err := db.goose.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
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

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits when fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.commits.Add(1)
	return nil
}

// readTx runs fn in one read transaction, so that a method reading several
// tables with several statements sees one snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// prepared returns query prepared on the read pool, preparing it on first
// use. Only constant query texts (or a small fixed set of them) may come
// here: every distinct text stays prepared until Close.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	// Prepared lazily rather than in Open: with Options.NoMigrate the
	// tables may not exist yet.
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// readRow runs a prepared single-row read on the read pool. One statement
// reads one snapshot, so a query that joins or nests several tables needs
// no transaction around it.
func (db *DB) readRow(ctx context.Context, query string, args ...any) preparedRow {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return preparedRow{err: err}
	}
	return preparedRow{row: st.QueryRowContext(ctx, args...)}
}

// readRows runs a prepared read on the read pool.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// preparedRow is a *sql.Row, or the error that kept the statement from
// being prepared.
type preparedRow struct {
	row *sql.Row
	err error
}

func (r preparedRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// Error mapping, by SQLite's extended result codes (never by message text).

func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func isCheck(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_CHECK
}

// mapErr turns constraint violations into coded errors; what names the
// thing for the message ("email", "slug").
func mapErr(err error, exists, notFound string) error {
	switch {
	case err == nil:
		return nil
	case isUnique(err) && exists != "":
		return hawker.Errorf(hawker.EEXISTS, "%s", exists)
	case isForeignKey(err) && notFound != "":
		return hawker.Errorf(hawker.ENOTFOUND, "%s", notFound)
	case isCheck(err):
		return hawker.Errorf(hawker.EINVALID, "a value is out of range")
	}
	return err
}

func notFound(what string) error { return hawker.Errorf(hawker.ENOTFOUND, "%s not found", what) }

// Times are stored as UTC text with nine fraction digits: fixed width, so
// text order is time order, and exact for any time.Time.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q in database: %w", s, err)
	}
	return t.UTC(), nil
}

func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// limit returns the page size to use for p.
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
