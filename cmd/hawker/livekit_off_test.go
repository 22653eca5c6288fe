//go:build !livekit

package main

import (
	"log/slog"
	"strings"
	"testing"
)

// Without -tags livekit the flags are refused with the way to get the
// tier, never ignored (a show would silently stay on the embedded SFU).
func TestLiveKitNotBuiltIn(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if lk, err := startLiveKit(liveKitOptions{}, nil, log); lk != nil || err != nil {
		t.Fatalf("off: %v, %v", lk, err)
	}
	_, err := startLiveKit(liveKitOptions{url: "wss://lk.example.net", apiKey: "k", apiSecret: "s"}, nil, log)
	if err == nil || !strings.Contains(err.Error(), "-tags livekit") {
		t.Fatalf("error %v, want one naming -tags livekit", err)
	}
}
