package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"strings"
	"syscall"

	"hawker"
)

const usage = `usage: hawker <command> [flags]

commands:
  serve                 run the platform (API, realtime, media, web UI)
  migrate up|status     apply or list database migrations
  admin create-key      create an API key (--role admin --name NAME)
  audit                 check the stock invariants of every SKU and deal
  bench media|fanout|flashsale|crash
                        self-checking load programs (loopback)
  version               print the version

Run "hawker <command> -h" for a command's flags.
`

// run is the whole program; main only calls it, so tests can run the binary
// in-process with their own arguments, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	err := dispatch(ctx, args[1], args[2:], getenv, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, cmd string, rest []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, getenv, stdout, stderr)
	case "bench-server": // hidden: the server side of a bench, started by it
		return runBenchServer(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "hawker %s\n", hawker.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// storeFlags are the flags of every command that touches the store.
type storeFlags struct {
	dataDir     string
	databaseURL string
	logFormat   string
}

func (sf *storeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&sf.dataDir, "data", envOr(getenv, "HAWKER_DATA_DIR", "./data"), "data directory: SQLite file, uploads, recordings (env HAWKER_DATA_DIR)")
	fs.StringVar(&sf.databaseURL, "database-url", getenv("HAWKER_DATABASE_URL"), "postgres://… to use PostgreSQL; empty for SQLite in the data dir (env HAWKER_DATABASE_URL)")
	fs.StringVar(&sf.logFormat, "log-format", envOr(getenv, "HAWKER_LOG_FORMAT", "text"), "log format: text or json (env HAWKER_LOG_FORMAT)")
}

func (sf *storeFlags) logger(stderr io.Writer) (*slog.Logger, error) {
	switch sf.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, nil)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(stderr, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", sf.logFormat)
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// errHelp ends a command after -h printed its flags; run reports success.
var errHelp = errors.New("help shown")

// parseFlags parses args, printing usage errors to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 && !strings.HasPrefix(fs.Name(), "migrate") {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}
