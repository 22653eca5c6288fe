package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"hawker"
)

// TestChaos runs load through cycles of failing commits and engine
// restarts (Close while requests are in flight), then checks that every
// decision ever answered for a key is byte-identical to every other answer
// for it, that a new engine replays each of them, that every acknowledged
// order exists, and that the counters add up.
func TestChaos(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			store := NewMemStore()
			clock := newClock()
			cfg := Config{Markets: markets, Clock: clock.Now, SweepInterval: 5 * time.Millisecond, Janitor: 10 * time.Millisecond, QueueSize: 64}
			sku := hawker.NewID(hawker.PrefixSKU)
			three := int64(3)
			store.PutSKU(&hawker.SKU{ID: sku, ShopID: shopID, Prices: map[string]int64{"US": 1000}, OnHand: 150, MaxPerBuyer: &three})
			buyers := make([]string, 40)
			for i := range buyers {
				buyers[i] = newBuyer()
			}
			// The body of a key is fixed by the key, so every request with
			// it is a retry.
			reqFor := func(b, n int) Request {
				return request(buyers[b], fmt.Sprintf("k%d", n), line(sku, int64(1+n%2)))
			}

			var mu sync.Mutex
			seen := map[Key][]byte{} // first answer per key
			check := func(r Request, d Decision) {
				mu.Lock()
				defer mu.Unlock()
				key := Key{BuyerID: r.Order.BuyerID, Key: r.Order.IdempotencyKey}
				if first, ok := seen[key]; ok && !bytes.Equal(first, d.Body) {
					t.Errorf("key %v answered twice differently:\n%s\n%s", key, first, d.Body)
				}
				seen[key] = d.Body
			}

			store.SetCommitFault(func(*Batch) error {
				if rand.IntN(100) < 15 {
					return errors.New("injected commit failure")
				}
				return nil
			})
			for cycle := range 8 {
				eng := k.open(store, cfg)
				var wg sync.WaitGroup
				for g := range 24 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range 15 {
							r := reqFor((g+i*7+cycle)%len(buyers), (g*3+i)%12)
							d, err := eng.Reserve(context.Background(), r)
							switch hawker.ErrorCode(err) {
							case "":
								check(r, d)
							case hawker.EBUSY, hawker.EINTERNAL:
							default:
								t.Errorf("reserve: %v", err)
							}
						}
					}()
				}
				if cycle%2 == 1 {
					clock.Advance(6 * time.Minute) // some reservations expire along the way
				}
				if cycle%3 == 0 {
					eng.Close() // a restart with requests in flight
					wg.Wait()
				} else {
					wg.Wait()
					eng.Close()
				}
				if err := store.Audit(); err != nil {
					t.Fatalf("cycle %d: %v", cycle, err)
				}
			}

			store.SetCommitFault(nil)
			eng := k.open(store, cfg)
			defer eng.Close()
			mu.Lock()
			defer mu.Unlock()
			orders := map[string]bool{}
			for _, o := range store.Orders() {
				orders[o.ID] = true
			}
			var made int
			for b := range buyers {
				for n := range 12 {
					r := reqFor(b, n)
					first, ok := seen[Key{BuyerID: r.Order.BuyerID, Key: r.Order.IdempotencyKey}]
					if !ok {
						continue
					}
					d, err := eng.Reserve(context.Background(), r)
					if err != nil || !d.Replayed || !bytes.Equal(d.Body, first) {
						t.Errorf("replay: %v %v\n%s\n%s", err, d.Replayed, d.Body, first)
					}
					if d.Status == StatusCreated {
						made++
						if !orders[d.OrderID] {
							t.Errorf("acknowledged order %s lost", d.OrderID)
						}
					}
				}
			}
			if made != len(orders) {
				t.Errorf("%d orders acknowledged, %d stored", made, len(orders))
			}
			if made == 0 || len(seen) == made {
				t.Errorf("a dull run: %d answers, %d orders", len(seen), made)
			}
			if err := store.Audit(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
