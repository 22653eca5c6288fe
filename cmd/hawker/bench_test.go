package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// init runs the server side of a bench when the benches re-execute this
// test binary as their child (`bench-server …`).
func init() {
	if os.Getenv(benchChildEnv) == "" || len(os.Args) < 2 || os.Args[1] != "bench-server" {
		return
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench-server: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runBenchSmoke runs a small bench through run and returns its output.
func runBenchSmoke(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(ctx, append([]string{"hawker", "bench"}, args...), func(string) string { return "" }, &stdout, &stderr)
	t.Logf("hawker bench %s (%.1fs):\n%s", strings.Join(args, " "), time.Since(start).Seconds(), stdout.String())
	if err != nil {
		t.Fatalf("bench failed: %v\nstderr:\n%s", err, stderr.String())
	}
	return stdout.String()
}

func wantFigures(t *testing.T, out string, figures ...string) {
	t.Helper()
	for _, f := range figures {
		if !strings.Contains(out, f) {
			t.Errorf("output lacks %q", f)
		}
	}
	if !strings.Contains(out, "\nPASS\n") {
		t.Error("output lacks PASS")
	}
}

// The limits are loose: the smoke runs check that the programs work and
// their checks pass, on a machine shared with other tests, under -race.
func TestBenchMediaSmoke(t *testing.T) {
	out := runBenchSmoke(t, "media", "--viewers", "3", "--duration", "2s", "--max-p99", "2s", "--max-loss", "5")
	wantFigures(t, out, "fwd pkt/s", "loss %", "p99 ms", "SFU %/viewer", "gen cores", "SFU MiB", "load average")
}

func TestBenchFanoutSmoke(t *testing.T) {
	out := runBenchSmoke(t, "fanout", "--viewers", "60", "--chat-rate", "10", "--duration", "2s",
		"--coalesce", "100ms", "--real-clients", "5", "--max-p99", "3s")
	wantFigures(t, out, "connections held: 60 of 60", "frames/s", "messages/s", "p99",
		"per connection", "generator", "lost: 0 messages (0 viewers short;", "duplicated: 0")
}

func TestBenchRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"nope"},
		{"media", "--bitrate", "fast"},
		{"media", "--sweep", "10,x"},
		{"fanout", "--viewers", "0"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"hawker", "bench"}, args...), func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("bench %v: no error", args)
		}
	}
}

func TestScanBenchMessages(t *testing.T) {
	frame := []byte(`{"push":{"channel":"chat:x","pub":{"data":{"type":"messages","items":[{"id":"a","text":"bench 3 1700000000000000001"},{"text":"bench 4 1700000000000000002"},{"text":"hello"}]},"offset":2}}}` + "\n{}")
	var got []string
	scanBenchMessages(frame, func(seq, ns int64) { got = append(got, fmt.Sprint(seq, " ", ns)) })
	if want := "3 1700000000000000001,4 1700000000000000002"; strings.Join(got, ",") != want {
		t.Errorf("got %q, want %q", strings.Join(got, ","), want)
	}
}
