package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
	"hawker/market"
)

// BenchmarkEngineReserve runs the group-commit engine on a database file
// (as `hawker serve` does) with 64 clients ordering one unit each of one
// hot SKU, 1,000 buyers. Besides wall time it reports the process's CPU
// time per order (user + system), which another busy process on the
// machine disturbs far less than wall time.
//
//	go test -run - -bench EngineReserve -benchtime 20000x ./sqlite/
func BenchmarkEngineReserve(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := hawker.Now()
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "bench", Name: "Bench", HomeMarket: "US", Markets: []string{"US"}, CreatedAt: now}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		b.Fatal(err)
	}
	sku := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "B1", Options: map[string]string{}, Prices: map[string]int64{"US": 1000}, OnHand: hawker.MaxOnHand}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop.ID, Title: "Drop", Images: []string{},
		Translations: map[string]hawker.Translation{}, SKUs: []*hawker.SKU{sku}, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateProduct(ctx, p); err != nil {
		b.Fatal(err)
	}
	eng := inventory.New(db, inventory.Config{Markets: market.Default(), QueueSize: 1 << 16})
	defer eng.Close()
	buyers := make([]string, 1000)
	for i := range buyers {
		buyers[i] = hawker.NewID(hawker.PrefixUser)
	}
	var n atomic.Int64
	b.SetParallelism(32) // 64 clients on GOMAXPROCS 2
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := inventory.Request{Order: hawker.OrderRequest{BuyerID: buyers[i%int64(len(buyers))], IdempotencyKey: fmt.Sprint("k", i), Market: "US",
				Lines: []hawker.OrderRequestLine{{SKUID: sku.ID, Quantity: 1}}}}
			d, err := eng.Reserve(ctx, req)
			if err != nil || d.Status != inventory.StatusCreated {
				b.Errorf("reserve: %v %s", err, d.Body)
				return
			}
		}
	})
	b.StopTimer()
	orders := float64(n.Load())
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Microsecond)/orders, "cpu-µs/order")
	b.ReportMetric(orders/b.Elapsed().Seconds(), "orders/s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
