package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"hawker/market"
)

// crashTestCycles is how often the crash test kills the server per store:
// the issue asks for at least 20.
const crashTestCycles = 20

// TestCrash runs `hawker bench crash`: a flash sale against a child
// `hawker serve` (this test binary, re-executed) killed with SIGKILL at
// random moments and restarted on the same store, checking after each
// restart that every acknowledged order exists as answered, nothing is
// oversold or over a buyer's limit, and each key replays its first answer
// byte for byte. On SQLite always, on PostgreSQL with
// HAWKER_TEST_POSTGRES_URL.
func TestCrash(t *testing.T) {
	stores := [][]string{{"--engine", "sqlite"}}
	if pg := os.Getenv("HAWKER_TEST_POSTGRES_URL"); pg != "" {
		stores = append(stores, []string{"--engine", "postgres", "--database-url", pg})
	} else if os.Getenv("HAWKER_TEST_REQUIRE_DB") != "" {
		t.Fatal("HAWKER_TEST_REQUIRE_DB is set but HAWKER_TEST_POSTGRES_URL is not")
	} else {
		t.Log("HAWKER_TEST_POSTGRES_URL not set: the crash test runs on SQLite only")
	}
	for _, store := range stores {
		t.Run(store[1], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			args := append([]string{"hawker", "bench", "crash", "--cycles", "20", "--clients", "8", "--max-run", "250ms"}, store...)
			var stdout, stderr bytes.Buffer
			start := time.Now()
			err := run(ctx, args, func(string) string { return "" }, &stdout, &stderr)
			t.Logf("%s (%.1fs):\n%s", strings.Join(args[1:], " "), time.Since(start).Seconds(), stdout.String())
			if err != nil {
				t.Fatalf("crash bench: %v\nstderr:\n%s", err, stderr.String())
			}
			wantFigures(t, stdout.String(), "20 kills", "every one checked byte for byte")
		})
	}
}

// TestCrashCheckFinds shows that the checks after a restart can fail: a
// key claimed acknowledged that the server never decided (its replay
// makes a new order, and the claimed order does not exist), and a SKU
// counter corrupted behind the store's back.
func TestCrashCheckFinds(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir()}
	db, err := openStore(ctx, &storeFlags{dataDir: env["HAWKER_DATA_DIR"]}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tgt, err := seedFlashTarget(ctx, db, market.Default(), 2)
	if err != nil {
		t.Fatal(err)
	}
	st := &crashState{tgt: tgt}
	if err := st.addSKU(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, env, "--auth-rate", "0")
	hc := newBenchClient(4)
	defer hc.CloseIdleConnections()
	auditor := db.(stockAuditor)
	finder := db.(orderReader)

	// An honest key: decided, checked clean.
	var buf bytes.Buffer
	k := &crashKey{buyer: 0, key: "honest"}
	status, err := postOrder(ctx, hc, s.url+"/api/v1/orders", tgt.buyers[0].token, k.key, st.body(0), &buf)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("order: %d %v %s", status, err, buf.Bytes())
	}
	st.keys, st.fresh = []*crashKey{k}, []*crashKey{k}
	st.record(k, status, buf.Bytes())
	if fails := st.check(ctx, hc, s.url, finder, auditor, db, false); len(fails) > 0 {
		t.Fatalf("a clean state fails its check: %v", fails)
	}

	// A forged acknowledgement and a corrupted counter.
	forged := &crashKey{buyer: 1, key: "forged", status: http.StatusCreated,
		body: []byte(`{"order":{"id":"ord_01jbz3n8q4m2x7c5v6w9t0r1ys","state":"reserved"}}` + "\n")}
	st.keys = append(st.keys, forged)
	st.fresh = []*crashKey{forged}
	corruptStore(t, env, `UPDATE skus SET reserved = reserved + 1 WHERE id = ?`, st.skus[0].id)
	fails := strings.Join(st.check(ctx, hc, s.url, finder, auditor, db, false), "\n")
	for _, want := range []string{
		"key forged: replay answered 201",
		"LOST: order ord_01jbz3n8q4m2x7c5v6w9t0r1ys",
		"store audit: SKU " + st.skus[0].id,
		"SKU " + st.skus[0].id + " holds 3 units, the acknowledged orders 2",
	} {
		if !strings.Contains(fails, want) {
			t.Errorf("the check does not report %q; it says:\n%s", want, fails)
		}
	}
}
