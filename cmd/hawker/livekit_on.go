//go:build livekit

package main

import (
	"context"
	"fmt"
	"log/slog"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/livekit"
)

// startLiveKit returns the LiveKit adapter, or nil when --livekit-url is
// not set. It does not contact LiveKit: rooms are made when shows go on
// air. The secret is never logged.
func startLiveKit(o liveKitOptions, shows showFinder, log *slog.Logger) (mediaTier, error) {
	if o.url == "" {
		if o.apiKey != "" || o.apiSecret != "" {
			return nil, fmt.Errorf("--livekit-api-key and --livekit-api-secret need --livekit-url")
		}
		return nil, nil
	}
	lk, err := livekit.New(livekit.Config{URL: o.url, APIKey: o.apiKey, APISecret: o.apiSecret, Logger: log}, shows)
	if err != nil {
		return nil, fmt.Errorf("%w (check --livekit-url, --livekit-api-key, --livekit-api-secret)", err)
	}
	log.Info("media on LiveKit: rooms per show, tokens instead of the embedded SFU", "url", lk.URL())
	return liveKitMedia{lk: lk}, nil
}

// liveKitMedia answers for a show on LiveKit: the server's URL, a viewer
// token for everyone and a publisher token for who may run the show.
type liveKitMedia struct{ lk *livekit.Adapter }

var _ mediaTier = liveKitMedia{}

var _ hawkerhttp.MediaInfo = liveKitMedia{}

func (m liveKitMedia) ShowMedia(_ context.Context, req hawkerhttp.MediaRequest) (*hawkerhttp.ShowMedia, error) {
	view, err := m.lk.ViewerToken(req.Show.ID, req.UserID)
	if err != nil {
		return nil, err
	}
	out := &hawkerhttp.ShowMedia{Mode: hawkerhttp.MediaLiveKit, URL: m.lk.URL(), Token: view.JWT, ExpiresAt: &view.ExpiresAt}
	if req.Publish {
		pub, err := m.lk.PublisherToken(req.Show, req.UserID)
		if err != nil {
			return nil, err
		}
		out.PublishToken = pub.JWT
	}
	return out, nil
}

// ShowState queues the show's room change.
func (m liveKitMedia) ShowState(showID string, state hawker.ShowState) { m.lk.ShowState(showID, state) }

// Close stops the adapter.
func (m liveKitMedia) Close() { m.lk.Close() }
