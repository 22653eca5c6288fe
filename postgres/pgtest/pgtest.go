// Package pgtest gives tests a PostgreSQL store of their own: a fresh schema
// in the database named by HAWKER_TEST_POSTGRES_URL, dropped when the test
// ends, so tests and parallel runs never see each other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker/postgres"
)

// Environment variables read by URL.
const (
	EnvURL       = "HAWKER_TEST_POSTGRES_URL"
	EnvRequireDB = "HAWKER_TEST_REQUIRE_DB" // "1": a missing database fails instead of skipping
)

// URL returns the test database's URL. Without one it skips the test (with
// a message naming the variable), or fails it when HAWKER_TEST_REQUIRE_DB=1.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv(EnvRequireDB) == "1" {
			t.Fatal(EnvURL + " not set but " + EnvRequireDB + "=1: PostgreSQL tests must run")
		}
		t.Skip(EnvURL + " not set: skipping PostgreSQL conformance tests")
	}
	return u
}

// Schema creates a schema with a random name, drops it (CASCADE) when the
// test ends, and returns dbURL with search_path set to it. Register it
// before anything that must close first: cleanups run last-in first-out.
func Schema(t testing.TB, dbURL string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	name := "hawker_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is done by now.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(dbURL, name)
}

// withSearchPath sets the search_path run-time parameter, which pgx sends
// when each connection starts, in a URL or a key=value DSN.
func withSearchPath(dbURL, schema string) string {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		u, err := url.Parse(dbURL)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dbURL + " search_path=" + schema
}

// Open returns a migrated store in a fresh schema of the test database,
// closed and dropped when the test ends. It skips like URL.
func Open(t testing.TB, opts postgres.Options) *postgres.DB {
	t.Helper()
	return OpenURL(t, Schema(t, URL(t)), opts)
}

// OpenURL opens the store at dbURL (such as one from Schema) and closes it
// when the test ends.
func OpenURL(t testing.TB, dbURL string, opts postgres.Options) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dbURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}
