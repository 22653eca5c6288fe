package inventory

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
)

// BenchmarkReserve compares the engines on a MemStore whose commits take
// fsyncDelay (a stand-in for a durable commit), with 64 and 256 clients
// ordering one unit of one hot SKU. The real figures come from `hawker
// bench flashsale` over HTTP on SQLite and PostgreSQL; this shows the shape.
//
//	go test -run - -bench Reserve ./inventory/
func BenchmarkReserve(b *testing.B) {
	const fsyncDelay = 500 * time.Microsecond
	for _, k := range kinds {
		for _, clients := range []int{64, 256} {
			b.Run(fmt.Sprintf("%s/clients=%d", k.name, clients), func(b *testing.B) {
				store := NewMemStore()
				sku := hawker.NewID(hawker.PrefixSKU)
				store.PutSKU(&hawker.SKU{ID: sku, ShopID: shopID, Prices: map[string]int64{"US": 1000}, OnHand: hawker.MaxOnHand})
				cfg := Config{Markets: markets, QueueSize: 1 << 16}
				var eng Engine
				if k.name == "groupcommit" {
					// The commit sleeps outside the MemStore's lock: a
					// database reads while a commit syncs, and the engine
					// decides the next batch meanwhile.
					eng = New(slowStore{store, fsyncDelay}, cfg)
				} else {
					store.SetCommitFault(func(*Batch) error { time.Sleep(fsyncDelay); return nil })
					eng = k.open(store, cfg)
				}
				defer eng.Close()
				buyer := hawker.NewID(hawker.PrefixUser)
				var n atomic.Int64
				b.SetParallelism(clients / max(1, testingProcs()))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						d, err := eng.Reserve(context.Background(), request(buyer, fmt.Sprint(i), line(sku, 1)))
						if err != nil || d.Status != StatusCreated {
							b.Errorf("reserve: %v %s", err, d.Body)
							return
						}
					}
				})
				b.StopTimer()
				commits, most := store.Commits()
				b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "orders/s")
				b.ReportMetric(float64(n.Load())/float64(max(1, commits)), "orders/commit")
				b.ReportMetric(float64(most), "max-rows/commit")
			})
		}
	}
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }

// slowStore is a MemStore whose commits take delay, without holding the
// MemStore's lock meanwhile.
type slowStore struct {
	*MemStore
	delay time.Duration
}

func (s slowStore) CommitBatch(ctx context.Context, b *Batch) error {
	time.Sleep(s.delay)
	return s.MemStore.CommitBatch(ctx, b)
}
