package main

import (
	"context"
	"fmt"
	"log/slog"

	"hawker"
	"hawker/inventory"
	"hawker/live"
)

// startLive starts the announcer of deals, stock and purchases on the
// realtime hub: it loads the deals that run or will from the store and
// takes the inventory engine's hooks (liveHooks) and the API's deal
// notices (hawkerhttp.Config.Deals).
func startLive(ctx context.Context, db hawker.Store, events hawker.ShowEvents, log *slog.Logger) (*live.Events, error) {
	lv, err := live.Start(ctx, live.Config{Store: db, Events: events, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("live events: %w", err)
	}
	return lv, nil
}

// liveHooks makes the engine of cfg report its commits to lv (none when
// lv is nil).
func liveHooks(cfg *inventory.Config, lv *live.Events) {
	if lv == nil {
		return
	}
	cfg.OnStock, cfg.OnOrder, cfg.OnDealEnded = lv.OnStock, lv.OnOrder, lv.OnDealEnded
}
