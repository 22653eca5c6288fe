package main

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/inventory"
	"hawker/market"
)

// corruptStore runs one SQL statement on the store of env behind the
// store's back (the corruptions an audit must find).
func corruptStore(t *testing.T, env map[string]string, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if u := env["HAWKER_DATABASE_URL"]; u != "" {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, strings.ReplaceAll(query, "?", "$1"), args...); err != nil {
			t.Fatalf("corrupt: %v", err)
		}
		return
	}
	db, err := sql.Open("sqlite", filepath.Join(env["HAWKER_DATA_DIR"], "hawker.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("corrupt: %v", err)
	}
}

// TestAuditCommand audits a store with orders placed by the engine (clean,
// exit 0), then with rows corrupted by SQL (violations printed, non-zero
// exit). An oversell itself cannot be written: the schema's CHECK
// (reserved + sold <= on_hand) refuses it, so the corruptions are counters
// and order lines that disagree.
func TestAuditCommand(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			getenv := func(k string) string { return env[k] }
			db, err := openStore(ctx, &storeFlags{dataDir: env["HAWKER_DATA_DIR"], databaseURL: env["HAWKER_DATABASE_URL"]}, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := seedFlashTarget(ctx, db, market.Default(), 1)
			if err != nil {
				t.Fatal(err)
			}
			st := &crashState{tgt: tgt}
			if err := st.addSKU(ctx, db, 5); err != nil {
				t.Fatal(err)
			}
			sku := st.skus[0].id
			eng := inventory.New(db.(inventory.Store), inventory.Config{Markets: market.Default()})
			d, err := eng.Reserve(ctx, inventory.Request{Order: hawker.OrderRequest{BuyerID: tgt.buyers[0].id, IdempotencyKey: "k",
				Market: "US", Lines: []hawker.OrderRequestLine{{SKUID: sku, Quantity: 2}}}})
			eng.Close()
			db.Close()
			if err != nil || d.Status != inventory.StatusCreated {
				t.Fatalf("reserve: %v %s", err, d.Body)
			}

			audit := func() (string, error) {
				var out syncBuffer
				err := run(ctx, []string{"hawker", "audit"}, getenv, &out, &out)
				return out.String(), err
			}
			out, err := audit()
			if err != nil || !strings.Contains(out, "audit OK") || strings.Contains(out, "VIOLATION") {
				t.Fatalf("a consistent store: %v\n%s", err, out)
			}

			// An order line holding more than the SKU's counter says.
			corruptStore(t, env, `UPDATE order_lines SET quantity = 3 WHERE order_id = ?`, d.OrderID)
			out, err = audit()
			if !errors.Is(err, errAuditViolation) {
				t.Fatalf("audit of a corrupted store: err %v, want a violation\n%s", err, out)
			}
			if want := "VIOLATION SKU " + sku + ": reserved 2, but reserved orders hold 3"; !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
			// And units sold that no paid order explains (within on_hand).
			corruptStore(t, env, `UPDATE skus SET sold = 1 WHERE id = ?`, sku)
			out, err = audit()
			if !errors.Is(err, errAuditViolation) || !strings.Contains(out, "sold 1, but paid and fulfilled orders hold 0") ||
				!strings.Contains(out, "audit FAILED: 2 violations") {
				t.Errorf("second corruption: err %v\n%s", err, out)
			}
		})
	}
}
