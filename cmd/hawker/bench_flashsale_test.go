package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestBenchFlashsaleSmoke runs a small flash sale with both engines and an
// overload run whose queue is tiny, so that 429s happen and are retried:
// the program works and its checks (exactly the units sold, every order
// found as answered, replays equal, store audit clean) pass.
func TestBenchFlashsaleSmoke(t *testing.T) {
	out := runBenchSmoke(t, "flashsale", "--units", "100", "--buyers", "5", "--clients", "2,8",
		"--compare", "--overload", "--queue", "1", "--backoff", "50ms")
	wantFigures(t, out, "orders/s", "latency accepted (201): p50", "latency rejected (409 sold_out, 8)",
		"busy (429)", "CPU: server", "engine/trivial", "load average",
		"audit: OK: 100 accepted, reserved 100 + sold 0 of on_hand 100; 100 of 100 orders found as answered",
		"groupcommit/rowlock at 8 clients", "overload (80 clients, queue 1)")
	i := strings.Index(out, "(overload)")
	if i < 0 {
		t.Fatal("no overload run")
	}
	if over := out[i:]; strings.Contains(over, "busy (429): 0 of") {
		t.Errorf("the overload run got no 429 with a queue of 1:\n%s", over)
	}
}

func TestBenchFlashsalePostgres(t *testing.T) {
	pg := os.Getenv("HAWKER_TEST_POSTGRES_URL")
	if pg == "" {
		if os.Getenv("HAWKER_TEST_REQUIRE_DB") != "" {
			t.Fatal("HAWKER_TEST_REQUIRE_DB is set but HAWKER_TEST_POSTGRES_URL is not")
		}
		t.Skip("HAWKER_TEST_POSTGRES_URL not set: skipping the flash sale on PostgreSQL")
	}
	out := runBenchSmoke(t, "flashsale", "--engine", "postgres", "--database-url", pg,
		"--units", "100", "--buyers", "5", "--clients", "8", "--compare")
	wantFigures(t, out, "audit: OK: 100 accepted", "groupcommit/rowlock at 8 clients")
}

func TestBenchFlashsaleRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"flashsale", "--engine", "mysql"},
		{"flashsale", "--engine", "postgres"},
		{"flashsale", "--inventory", "magic"},
		{"flashsale", "--units", "0"},
		{"flashsale", "--clients", "0"},
		{"flashsale", "--url", "http://127.0.0.1:1"},
		{"flashsale", "--url", "http://127.0.0.1:1", "--admin-key", "hk_x", "--compare"},
		{"crash", "--cycles", "0"},
		{"crash", "--engine", "postgres"},
		{"crash", "--max-run", "2m"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"hawker", "bench"}, args...), func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}

func TestServeInventoryQueueFlag(t *testing.T) {
	for _, bad := range []string{"x", "-1"} {
		err := run(context.Background(), []string{"hawker", "serve", "--data", t.TempDir(), "--inventory-queue", bad},
			func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--inventory-queue") {
			t.Errorf("--inventory-queue %s: err = %v, want one naming the flag", bad, err)
		}
	}
}

// TestBenchFlashsaleURL targets a running `hawker serve` (--url): the
// buyers sign up through the API, the admin key makes the SKU and reads
// the audit, and the trivial handler, which a plain server lacks, is
// skipped.
func TestBenchFlashsaleURL(t *testing.T) {
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir()}
	s := startServe(t, env, "--auth-rate", "0")
	var keyOut syncBuffer
	if err := run(context.Background(), []string{"hawker", "admin", "create-key", "--role", "admin", "--name", "bench"},
		func(k string) string { return env[k] }, &keyOut, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
	out := runBenchSmoke(t, "flashsale", "--url", s.url, "--admin-key", lines[len(lines)-1],
		"--units", "50", "--buyers", "3", "--clients", "4")
	wantFigures(t, out, "server n/a (--url)", "trivial handler: n/a",
		"audit: OK: 50 accepted, reserved 50 + sold 0 of on_hand 50; 50 of 50 orders found as answered")
}
