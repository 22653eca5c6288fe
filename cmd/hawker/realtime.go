package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hawker"
	"hawker/realtime"
)

// websocketPath is where the realtime hub serves the centrifuge protocol.
const websocketPath = "/connection/websocket"

// realtimeKeyFile holds the generated token secret in the data dir.
const realtimeKeyFile = "realtime.key"

// Realtime write delay (--realtime-write-delay): how long each
// connection gathers frames before one write. The write(2) per frame is
// what fan-out costs (STACK.md); measured with `hawker bench fanout`
// (2,000 viewers, 20 chat messages/s, see the closing note), 25 ms
// cost a coalesced chat little p99 latency and kept an uncoalesced one's
// writes batched. Centrifuge's own default is 0.
const (
	defaultRealtimeWriteDelay = 25 * time.Millisecond
	// maxRealtimeWriteDelay: beyond it viewers would notice the delay,
	// and one connection's throughput (16 messages per write) would fall
	// under a busy show's.
	maxRealtimeWriteDelay = time.Second
)

// realtimeOptions are serve's tuning of the hub (flags beside the
// origins, Redis URL and secret).
type realtimeOptions struct {
	writeDelay time.Duration
}

// registerRealtimeFlags adds the realtime tuning flags; parse checks them
// once the flags are parsed.
func registerRealtimeFlags(fs *flag.FlagSet, getenv func(string) string) (o *realtimeOptions, parse func() error) {
	o = &realtimeOptions{}
	delay := fs.String("realtime-write-delay", envOr(getenv, "HAWKER_REALTIME_WRITE_DELAY", defaultRealtimeWriteDelay.String()),
		"how long each realtime connection gathers frames before writing them at once: fewer system calls per viewer for busy shows, at the cost of up to this much latency; 0 writes every frame at once; at most 1s (env HAWKER_REALTIME_WRITE_DELAY)")
	return o, func() error {
		d, err := time.ParseDuration(*delay)
		if err != nil || d < 0 || d > maxRealtimeWriteDelay {
			return fmt.Errorf("--realtime-write-delay must be a duration from 0 to %v (e.g. 25ms), not %q", maxRealtimeWriteDelay, *delay)
		}
		o.writeDelay = d
		return nil
	}
}

// apply sets the options on a hub's configuration.
func (o *realtimeOptions) apply(cfg *realtime.Config) {
	cfg.WriteDelay = o.writeDelay
}

// startRealtime builds the realtime hub over the store (which also keeps
// its moderation settings, mutes and audit log) and loads the markets'
// blocked words; tune, when given, adjusts the configuration (serve's
// realtimeOptions.apply). The secret is never logged.
func startRealtime(ctx context.Context, db hawker.Store, log *slog.Logger, dataDir, secret, origins, redisURL string, tune ...func(*realtime.Config)) (*realtime.Hub, error) {
	key, err := realtimeSecret(dataDir, secret)
	if err != nil {
		return nil, err
	}
	cfg := realtime.DefaultConfig(key)
	for _, fn := range tune {
		fn(&cfg)
	}
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, o)
		}
	}
	cfg.RedisURL = strings.TrimSpace(redisURL)
	cfg.Logger = log
	cfg.NodeName, _ = os.Hostname()
	words, err := db.FindMarketBlockedWords(ctx)
	if err != nil {
		return nil, fmt.Errorf("realtime: load market words: %w", err)
	}
	hub, err := realtime.New(cfg, db, db)
	if err != nil {
		if cfg.RedisURL != "" {
			// The error may not say which setting is at fault; the URL
			// itself may hold a password, so it is not repeated.
			return nil, fmt.Errorf("%w (check --redis-url)", err)
		}
		return nil, err
	}
	hub.LoadMarketWords(words)
	broker := "memory"
	if cfg.RedisURL != "" {
		broker = "redis"
	}
	log.Info("realtime ready", "path", websocketPath, "broker", broker, "allowed_origins", len(cfg.AllowedOrigins), "write_delay", cfg.WriteDelay)
	return hub, nil
}

// closeRealtime closes the hub (a second call does nothing).
func closeRealtime(ctx context.Context, hub *realtime.Hub, log *slog.Logger) {
	if err := hub.Close(ctx); err != nil {
		log.Warn("realtime shutdown incomplete", "err", err)
	}
}

// realtimeSecret returns the token secret: the configured one, or the one
// kept in the data dir, made on first start (0600). Every node of a
// cluster needs the same secret: set it there.
func realtimeSecret(dataDir, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < realtime.MinSecretLen {
			return nil, fmt.Errorf("--realtime-secret must be at least %d bytes", realtime.MinSecretLen)
		}
		return []byte(configured), nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dataDir, realtimeKeyFile)
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			key := strings.TrimSpace(string(b))
			if len(key) < realtime.MinSecretLen {
				return nil, fmt.Errorf("%s: the key is shorter than %d bytes; delete the file to make a new one", path, realtime.MinSecretLen)
			}
			return []byte(key), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("realtime key: %w", err)
		}
		raw := make([]byte, 32)
		rand.Read(raw)
		key := hex.EncodeToString(raw)
		// Written whole to a temporary file, then linked into place: a
		// process starting at the same moment reads a complete key, and
		// when another process linked its key first, both use that one.
		tmp, err := os.CreateTemp(dataDir, realtimeKeyFile+".*")
		if err != nil {
			return nil, fmt.Errorf("realtime key: %w", err)
		}
		_, werr := tmp.WriteString(key + "\n")
		err = errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close())
		if err == nil {
			err = os.Link(tmp.Name(), path)
		}
		os.Remove(tmp.Name())
		switch {
		case err == nil:
			return []byte(key), nil
		case errors.Is(err, fs.ErrExist):
			continue
		}
		return nil, fmt.Errorf("realtime key: %w", err)
	}
	return nil, fmt.Errorf("realtime key: %s keeps changing", path)
}
