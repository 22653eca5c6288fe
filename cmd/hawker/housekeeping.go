package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"hawker"
	"hawker/inventory"
)

// HousekeepingInterval is how often serve purges expired idempotency
// records. Records are kept inventory.RecordRetention (24 h) at least, so
// an hourly pass keeps them at most 25 h.
const HousekeepingInterval = time.Hour

// recordPurger is a store that can delete old idempotency records (the
// sqlite and postgres stores).
type recordPurger interface {
	PurgeRecords(ctx context.Context, before time.Time) (int64, error)
}

// startHousekeeping purges the store's idempotency records older than
// inventory.RecordRetention now and every HousekeepingInterval, until ctx
// ends or the returned stop is called; stop waits for a pass in progress.
// A store without PurgeRecords gets no loop.
func startHousekeeping(ctx context.Context, db any, log *slog.Logger) (stop func()) {
	return startHousekeepingEvery(ctx, db, log, HousekeepingInterval, hawker.Now)
}

func startHousekeepingEvery(ctx context.Context, db any, log *slog.Logger, every time.Duration, now hawker.Clock) (stop func()) {
	p, ok := db.(recordPurger)
	if !ok {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			purgeRecords(ctx, p, log, now())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// purgeRecords runs one pass. Failures are logged and retried on the next
// pass: old records cost space, never correctness.
func purgeRecords(ctx context.Context, p recordPurger, log *slog.Logger, now time.Time) {
	n, err := p.PurgeRecords(ctx, now.Add(-inventory.RecordRetention))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("housekeeping: purge idempotency records", "err", err)
	case n > 0:
		log.Info("housekeeping: purged idempotency records", "count", n)
	}
}
