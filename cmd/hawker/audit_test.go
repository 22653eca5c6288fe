package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/inventory"
	"hawker/market"
	"hawker/payment"
	"hawker/payment/testpay"
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

// TestAuditCommandPayments audits a store with an order paid through the
// real flow (authorise, confirm, capture: clean, exit 0), then with its
// payment corrupted by SQL: a captured amount that is not the order's
// total, then a second capture of the same order. Each is printed and
// exits non-zero, while the stock stays clean.
func TestAuditCommandPayments(t *testing.T) {
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
			eng := inventory.New(db.(inventory.Store), inventory.Config{Markets: market.Default()})
			d, err := eng.Reserve(ctx, inventory.Request{Order: hawker.OrderRequest{BuyerID: tgt.buyers[0].id, IdempotencyKey: "k",
				Market: "US", Lines: []hawker.OrderRequestLine{{SKUID: st.skus[0].id, Quantity: 2}}}})
			if err != nil || d.Status != inventory.StatusCreated {
				eng.Close()
				db.Close()
				t.Fatalf("reserve: %v %s", err, d.Body)
			}
			svc, err := payment.New(payment.Config{Store: db.(payment.Store), Orders: db.(payment.Orders), Checkout: eng,
				Providers: []payment.Provider{testpay.New()}})
			if err != nil {
				t.Fatal(err)
			}
			r, err := svc.Pay(ctx, payment.PayRequest{BuyerID: tgt.buyers[0].id, OrderID: d.OrderID, IdempotencyKey: "pay",
				Provider: "testpay", Method: payment.Method{CardNumber: testpay.CardSuccess},
				ShippingAddress: &hawker.Address{Name: "Bea Buyer", Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}})
			eng.Close()
			db.Close()
			if err != nil || r.Status != 201 || r.Payment.State != payment.StateSucceeded {
				t.Fatalf("pay: %v %d %s", err, r.Status, r.Body)
			}
			p := r.Payment

			audit := func() (string, error) {
				var out syncBuffer
				err := run(ctx, []string{"hawker", "audit"}, getenv, &out, &out)
				return out.String(), err
			}
			out, err := audit()
			if err != nil || !strings.Contains(out, "audit OK: no stock or payment violations") || strings.Contains(out, "VIOLATION") {
				t.Fatalf("a store with a paid order: %v\n%s", err, out)
			}

			// Captured one minor unit more than the order's total.
			corruptStore(t, env, `UPDATE payments SET amount = amount + 1 WHERE id = ?`, p.ID)
			out, err = audit()
			if !errors.Is(err, errAuditViolation) {
				t.Fatalf("audit of a corrupted payment: err %v, want a violation\n%s", err, out)
			}
			want := fmt.Sprintf("VIOLATION payment %s of order %s: succeeded payment of %d USD, but the order's total is %d USD [amount_mismatch]",
				p.ID, d.OrderID, p.Amount.Amount+1, p.Amount.Amount)
			if !strings.Contains(out, want) || !strings.Contains(out, "audit FAILED: 1 violations: 0 of stock, 1 of payments") {
				t.Errorf("output lacks %q:\n%s", want, out)
			}

			// The order charged a second time.
			corruptStore(t, env, `INSERT INTO payments (id, order_id, buyer_id, provider, amount, currency, state, idempotency_key,
				fingerprint, created_at, updated_at)
				SELECT id || 'x', order_id, buyer_id, provider, amount, currency, 'succeeded', 'second', fingerprint, created_at, updated_at
				FROM payments WHERE id = ?`, p.ID)
			out, err = audit()
			if want := "VIOLATION order " + d.OrderID + ": charged 2 times: "; !errors.Is(err, errAuditViolation) ||
				!strings.Contains(out, want) || !strings.Contains(out, "[double_capture]") ||
				!strings.Contains(out, "audit FAILED: 3 violations: 0 of stock, 3 of payments") {
				t.Errorf("second capture: err %v, want %q\n%s", err, want, out)
			}
		})
	}
}
