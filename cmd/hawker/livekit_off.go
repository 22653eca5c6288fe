//go:build !livekit

package main

import (
	"errors"
	"log/slog"
)

// startLiveKit refuses the LiveKit flags in a binary built without the
// tier (the default: see mediaTier), and returns nil when they are unset.
func startLiveKit(o liveKitOptions, _ showFinder, _ *slog.Logger) (mediaTier, error) {
	if o.url == "" && o.apiKey == "" && o.apiSecret == "" {
		return nil, nil
	}
	return nil, errors.New("this hawker was built without LiveKit support: build it with `make build TAGS=livekit` (go build -tags livekit) to use --livekit-url")
}
