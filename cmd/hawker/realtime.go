package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"hawker"
	"hawker/realtime"
)

// websocketPath is where the realtime hub serves the centrifuge protocol.
const websocketPath = "/connection/websocket"

// realtimeKeyFile holds the generated token secret in the data dir.
const realtimeKeyFile = "realtime.key"

// startRealtime builds the realtime hub over the store (which also keeps
// its moderation settings, mutes and audit log) and loads the markets'
// blocked words. The secret is never logged.
func startRealtime(ctx context.Context, db hawker.Store, log *slog.Logger, dataDir, secret, origins, redisURL string) (*realtime.Hub, error) {
	key, err := realtimeSecret(dataDir, secret)
	if err != nil {
		return nil, err
	}
	cfg := realtime.DefaultConfig(key)
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
	log.Info("realtime ready", "path", websocketPath, "broker", broker, "allowed_origins", len(cfg.AllowedOrigins))
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
