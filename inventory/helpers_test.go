package inventory

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hawker"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testMarkets has US (sales tax on top, 10-minute holds) and DE (19 % VAT
// included).
type testMarkets map[string]*hawker.Market

func (m testMarkets) Market(code string) (*hawker.Market, bool) { x, ok := m[code]; return x, ok }
func (m testMarkets) All() []*hawker.Market                     { return nil }

var markets = testMarkets{
	"US": {Code: "US", Currency: "USD", MinorUnits: 2, TaxMode: hawker.TaxExclusive, TaxRateBps: 0, ReservationMinutes: 10},
	"DE": {Code: "DE", Currency: "EUR", MinorUnits: 2, TaxMode: hawker.TaxInclusive, TaxRateBps: 1900, ReservationMinutes: 10},
}

const shopID = "shp_01jbq5z7h8x9y0a1b2c3d4e5f6"

// harness is an engine of one kind over a MemStore, with a test clock.
type harness struct {
	t     *testing.T
	kind  string
	store *MemStore
	clock *testClock
	cfg   Config
	eng   Engine
}

type engineKind struct {
	name string
	open func(s *MemStore, cfg Config) Engine
}

var kinds = []engineKind{
	{"groupcommit", func(s *MemStore, cfg Config) Engine { return New(s, cfg) }},
	{"rowlock", func(s *MemStore, cfg Config) Engine { return NewRowLock(s, cfg) }},
}

// forEach runs the test against both engines.
func forEach(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			fn(t, newHarness(t, k, nil))
		})
	}
}

func newHarness(t *testing.T, k engineKind, tweak func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, kind: k.name, store: NewMemStore(), clock: newClock()}
	h.cfg = Config{
		Markets:       markets,
		Clock:         h.clock.Now,
		SweepInterval: 5 * time.Millisecond,
		Janitor:       10 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&h.cfg)
	}
	h.eng = k.open(h.store, h.cfg)
	t.Cleanup(func() {
		h.eng.Close()
		if err := h.store.Audit(); err != nil {
			t.Errorf("audit after the test: %v", err)
		}
	})
	return h
}

// restart closes the engine and opens a new one of the same kind on the
// same store, as after a process restart.
func (h *harness) restart() {
	h.eng.Close()
	for _, k := range kinds {
		if k.name == h.kind {
			h.eng = k.open(h.store, h.cfg)
		}
	}
}

func (h *harness) sku(onHand int64, maxPerBuyer int64) string {
	id := hawker.NewID(hawker.PrefixSKU)
	s := &hawker.SKU{ID: id, ShopID: shopID, Prices: map[string]int64{"US": 1000, "DE": 1190}, OnHand: onHand}
	if maxPerBuyer > 0 {
		s.MaxPerBuyer = &maxPerBuyer
	}
	h.store.PutSKU(s)
	return id
}

func newBuyer() string { return hawker.NewID(hawker.PrefixUser) }

func request(buyer, key string, lines ...hawker.OrderRequestLine) Request {
	return Request{Order: hawker.OrderRequest{BuyerID: buyer, IdempotencyKey: key, Market: "US", Lines: lines}}
}

func line(sku string, q int64) hawker.OrderRequestLine {
	return hawker.OrderRequestLine{SKUID: sku, Quantity: q}
}

func (h *harness) reserve(req Request) (Decision, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.eng.Reserve(ctx, req)
}

// mustOrder reserves and fails the test unless an order was made.
func (h *harness) mustOrder(req Request) *hawker.Order {
	h.t.Helper()
	d, err := h.reserve(req)
	if err != nil || d.Status != StatusCreated {
		h.t.Fatalf("reserve: %+v, %v (%s)", d, err, d.Body)
	}
	return d.Order
}

func (h *harness) stock(sku string) hawker.Stock {
	h.t.Helper()
	s, err := h.eng.Stock(context.Background(), sku)
	if err != nil {
		h.t.Fatalf("stock: %v", err)
	}
	return s
}

// waitFor polls try until it returns nil or the deadline passes.
func waitFor(t *testing.T, max time.Duration, try func() error) {
	t.Helper()
	deadline := time.Now().Add(max)
	for {
		err := try()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", max, err)
		}
		time.Sleep(2 * time.Millisecond) // poll interval, not synchronisation
	}
}

func key(i int) string { return fmt.Sprintf("key-%d", i) }
