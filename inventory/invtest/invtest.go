// Package invtest is the conformance suite of [inventory.Store] and
// [inventory.RowLockStore] on real databases. The sqlite and postgres tests
// run it: the store contract directly (versions and the triggers that move
// them, all-or-nothing batches, ErrStale), then the engine invariants of
// DESIGN.md through both engines (group commit and row lock) — no
// oversell under a race, per-buyer limits, one decision per idempotency
// key, expiry exactly once, replays after a restart — each followed by the
// store's own stock audit.
package invtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
	"hawker/inventory"
)

// Stores is one database seen through the interfaces the suite needs.
type Stores struct {
	Store   inventory.Store
	RowLock inventory.RowLockStore
	// Catalog is the same database as a hawker.Store: the suite creates
	// shops and products through it and changes stock behind the engine.
	Catalog hawker.Store
	// Audit is the store's stock audit (no violations: all is well).
	Audit func(ctx context.Context) ([]inventory.Violation, error)
	// PutDeal stores a new deal; nil skips the deal tests.
	PutDeal func(ctx context.Context, d *hawker.Deal) error
	// Purge deletes idempotency records created before a time; nil skips
	// its test.
	Purge func(ctx context.Context, before time.Time) (int64, error)
	// Reopen opens the same database again, as a restarted process would;
	// nil makes restarts reuse these stores.
	Reopen func(t testing.TB) Stores
}

// Run runs the suite; open returns stores on a fresh, empty database that
// the test's cleanups close.
func Run(t *testing.T, open func(t testing.TB) Stores) {
	t.Run("Contract", func(t *testing.T) {
		t.Run("VersionFence", func(t *testing.T) { testVersionFence(t, open(t)) })
		t.Run("AllOrNothing", func(t *testing.T) { testAllOrNothing(t, open(t)) })
		t.Run("RowLockView", func(t *testing.T) { testRowLockView(t, open(t)) })
		t.Run("LoadSKU", func(t *testing.T) { testLoadSKU(t, open(t)) })
		t.Run("Purge", func(t *testing.T) { testPurge(t, open(t)) })
		t.Run("DecisionKeys", func(t *testing.T) { testDecisionKeys(t, open(t)) })
	})
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			run := func(name string, fn func(t *testing.T, h *harness)) {
				t.Run(name, func(t *testing.T) { fn(t, newHarness(t, k, open(t))) })
			}
			run("NoOversell", testNoOversell)
			run("PerBuyerLimit", testPerBuyerLimit)
			run("IdempotentConcurrent", testIdempotentConcurrent)
			run("FenceBehindEngine", testFenceBehindEngine)
			run("Expiry", testExpiry)
			run("RestartReplays", testRestartReplays)
			run("Deal", testDeal)
			run("MultiSKU", testMultiSKU)
		})
	}
}

// Markets of the suite: US (sales tax on top) and DE (VAT included), both
// with 10-minute holds.
type testMarkets map[string]*hawker.Market

func (m testMarkets) Market(code string) (*hawker.Market, bool) { x, ok := m[code]; return x, ok }
func (m testMarkets) All() []*hawker.Market                     { return nil }

var markets = testMarkets{
	"US": {Code: "US", Currency: "USD", MinorUnits: 2, TaxMode: hawker.TaxExclusive, ReservationMinutes: 10},
	"DE": {Code: "DE", Currency: "EUR", MinorUnits: 2, TaxMode: hawker.TaxInclusive, TaxRateBps: 1900, ReservationMinutes: 10},
}

// clock is a settable clock that starts at the real time (deals are
// loaded by the database's idea of recent).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type kind struct {
	name string
	open func(s Stores, cfg inventory.Config) inventory.Engine
}

var kinds = []kind{
	{"GroupCommit", func(s Stores, cfg inventory.Config) inventory.Engine { return inventory.New(s.Store, cfg) }},
	{"RowLock", func(s Stores, cfg inventory.Config) inventory.Engine { return inventory.NewRowLock(s.RowLock, cfg) }},
}

// harness is an engine of one kind over the stores, with a test clock.
type harness struct {
	t     *testing.T
	k     kind
	s     Stores
	clock *clock
	cfg   inventory.Config
	eng   inventory.Engine
	shop  string
	gen   int // of the cleanup that closes and audits
}

func newHarness(t *testing.T, k kind, s Stores) *harness {
	t.Helper()
	h := &harness{t: t, k: k, s: s, clock: &clock{t: hawker.Now()}}
	h.cfg = inventory.Config{
		Markets:       markets,
		Clock:         h.clock.Now,
		SweepInterval: 5 * time.Millisecond,
		Janitor:       10 * time.Millisecond,
	}
	h.shop = newShop(t, s.Catalog)
	h.eng = k.open(s, h.cfg)
	h.cleanup()
	return h
}

// cleanup closes the engine and audits the store when the test ends. It
// runs before the stores close: after a restart the reopened stores close
// first, so restart registers it again and the earlier one does nothing.
func (h *harness) cleanup() {
	h.gen++
	gen := h.gen
	h.t.Cleanup(func() {
		if gen != h.gen {
			return
		}
		h.eng.Close()
		h.audit()
	})
}

// restart closes the engine and starts a new one of the same kind on the
// same database (reopened when the stores can), as after a crash.
func (h *harness) restart() {
	h.eng.Close()
	if h.s.Reopen != nil {
		h.s = h.s.Reopen(h.t)
	}
	h.eng = h.k.open(h.s, h.cfg)
	h.cleanup()
}

// audit fails the test on any violation the store's audit finds.
func (h *harness) audit() {
	h.t.Helper()
	audit(h.t, h.s)
}

func audit(t testing.TB, s Stores) {
	t.Helper()
	vs, err := s.Audit(context.Background())
	if err != nil {
		t.Errorf("audit: %v", err)
	}
	for _, v := range vs {
		t.Errorf("audit: %s", v)
	}
}

func newShop(t testing.TB, c hawker.Store) string {
	t.Helper()
	sh := &hawker.Shop{
		ID: hawker.NewID(hawker.PrefixShop), Slug: fmt.Sprintf("inv-%d", time.Now().UnixNano()), Name: "Inventory",
		HomeMarket: "US", Markets: []string{"US", "DE"}, CreatedAt: hawker.Now(),
	}
	if err := c.CreateShop(context.Background(), sh, nil); err != nil {
		t.Fatalf("create shop: %v", err)
	}
	return sh.ID
}

// newSKU creates a product with one SKU of the shop and returns the
// product.
func newSKU(t testing.TB, c hawker.Store, shop string, onHand, maxPerBuyer int64) *hawker.Product {
	t.Helper()
	now := hawker.Now()
	s := &hawker.SKU{
		ID: hawker.NewID(hawker.PrefixSKU), Code: "C" + hawker.NewID("c"), Options: map[string]string{},
		Prices: map[string]int64{"US": 1000, "DE": 1190}, OnHand: onHand,
	}
	if maxPerBuyer > 0 {
		s.MaxPerBuyer = &maxPerBuyer
	}
	p := &hawker.Product{
		ID: hawker.NewID(hawker.PrefixProduct), ShopID: shop, Title: "Drop", Description: "",
		Images: []string{}, Translations: map[string]hawker.Translation{}, SKUs: []*hawker.SKU{s},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := c.CreateProduct(context.Background(), p); err != nil {
		t.Fatalf("create product: %v", err)
	}
	return p
}

func (h *harness) sku(onHand, maxPerBuyer int64) string {
	return newSKU(h.t, h.s.Catalog, h.shop, onHand, maxPerBuyer).SKUs[0].ID
}

func newBuyer() string { return hawker.NewID(hawker.PrefixUser) }

func key(i int) string { return fmt.Sprintf("key-%d", i) }

func request(buyer, key string, lines ...hawker.OrderRequestLine) inventory.Request {
	return inventory.Request{Order: hawker.OrderRequest{BuyerID: buyer, IdempotencyKey: key, Market: "US", Lines: lines}}
}

func line(sku string, q int64) hawker.OrderRequestLine {
	return hawker.OrderRequestLine{SKUID: sku, Quantity: q}
}

func (h *harness) reserve(req inventory.Request) (inventory.Decision, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // the row-lock engine queues them all
	defer cancel()
	return h.eng.Reserve(ctx, req)
}

func (h *harness) mustOrder(req inventory.Request) *hawker.Order {
	h.t.Helper()
	d, err := h.reserve(req)
	if err != nil || d.Status != inventory.StatusCreated {
		h.t.Fatalf("reserve: %+v, %v (%s)", d, err, d.Body)
	}
	return d.Order
}

// stored returns the SKU's stock as the database has it.
func (h *harness) stored(sku string) hawker.Stock {
	h.t.Helper()
	st, err := h.s.Store.LoadSKU(context.Background(), sku)
	if err != nil {
		h.t.Fatalf("load SKU: %v", err)
	}
	return hawker.Stock{SKUID: sku, OnHand: st.OnHand, Reserved: st.Reserved, Sold: st.Sold, Available: st.OnHand - st.Reserved - st.Sold}
}

func (h *harness) engineStock(sku string) hawker.Stock {
	h.t.Helper()
	s, err := h.eng.Stock(context.Background(), sku)
	if err != nil {
		h.t.Fatalf("stock: %v", err)
	}
	return s
}

// waitFor polls try until it returns nil or the deadline passes.
func waitFor(t testing.TB, max time.Duration, try func() error) {
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

// Invariant 1: 500 buyers racing for 100 units get exactly 100.
func testNoOversell(t *testing.T, h *harness) {
	sku := h.sku(100, 0)
	var ok, soldOut atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := h.reserve(request(newBuyer(), key(i), line(sku, 1)))
			switch {
			case err != nil:
				t.Errorf("reserve: %v", err)
			case d.Status == inventory.StatusCreated:
				ok.Add(1)
			case d.Code == hawker.ESOLDOUT:
				soldOut.Add(1)
			default:
				t.Errorf("unexpected decision %d %s", d.Status, d.Body)
			}
		}()
	}
	wg.Wait()
	t.Logf("500 requests decided in %v", time.Since(start))
	if ok.Load() != 100 || soldOut.Load() != 400 {
		t.Errorf("%d orders, %d sold out; want 100, 400", ok.Load(), soldOut.Load())
	}
	if s := h.stored(sku); s.Reserved != 100 || s.Available != 0 {
		t.Errorf("stored stock %+v", s)
	}
	if s, err := h.s.Catalog.FindStock(context.Background(), sku); err != nil || s.Reserved != 100 || s.Available != 0 {
		t.Errorf("catalog stock %+v %v", s, err)
	}
	if s := h.engineStock(sku); s.Reserved != 100 || s.Available != 0 {
		t.Errorf("engine stock %+v", s)
	}
	h.audit()
}

// Invariant 4: one buyer with a limit of 2 racing 50 requests gets 2.
func testPerBuyerLimit(t *testing.T, h *harness) {
	sku := h.sku(100, 2)
	buyer := newBuyer()
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := h.reserve(request(buyer, key(i), line(sku, 1)))
			switch {
			case err != nil:
				t.Errorf("reserve: %v", err)
			case d.Status == inventory.StatusCreated:
				ok.Add(1)
			case d.Code == hawker.ELIMIT:
				limited.Add(1)
			default:
				t.Errorf("unexpected decision %s", d.Body)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 || limited.Load() != 48 {
		t.Errorf("%d orders, %d limited; want 2, 48", ok.Load(), limited.Load())
	}
	h.mustOrder(request(newBuyer(), "other", line(sku, 2)))
	if s := h.stored(sku); s.Reserved != 4 {
		t.Errorf("stored %+v", s)
	}
	h.audit()
}

// Invariant 3: the same key sent 100 times at once makes one order and
// 100 identical replies.
func testIdempotentConcurrent(t *testing.T, h *harness) {
	sku := h.sku(1000, 0)
	buyer := newBuyer()
	var mu sync.Mutex
	var bodies [][]byte
	var fresh int
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := h.reserve(request(buyer, "same-key", line(sku, 3)))
			if err != nil {
				t.Errorf("reserve: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if d.Status != inventory.StatusCreated {
				t.Errorf("status %d", d.Status)
			}
			bodies = append(bodies, d.Body)
			if !d.Replayed {
				fresh++
			}
		}()
	}
	wg.Wait()
	if len(bodies) != 100 {
		t.Fatalf("%d replies", len(bodies))
	}
	for _, b := range bodies {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatalf("replies differ:\n%s\n%s", b, bodies[0])
		}
	}
	if fresh != 1 {
		t.Errorf("%d fresh decisions, want 1", fresh)
	}
	// One order of 3: the audit ties reserved to the orders' lines.
	if s := h.stored(sku); s.Reserved != 3 {
		t.Errorf("stored %+v", s)
	}
	recs, err := h.s.Store.FindDecisions(context.Background(), []inventory.Key{{BuyerID: buyer, Key: "same-key"}})
	if err != nil || len(recs) != 1 || !bytes.Equal(recs[0].Body, bodies[0]) {
		t.Fatalf("stored record %+v %v", recs, err)
	}
	o, err := h.s.Store.FindOrder(context.Background(), recs[0].OrderID)
	if err != nil || o.BuyerID != buyer || o.IdempotencyKey != "same-key" || o.Units(sku) != 3 {
		t.Errorf("stored order %+v %v", o, err)
	}
	h.audit()

	if _, err := h.reserve(request(buyer, "same-key", line(sku, 4))); hawker.ErrorCode(err) != hawker.EKEYREUSED {
		t.Errorf("reused key: %v", err)
	}
	h.mustOrder(request(newBuyer(), "same-key", line(sku, 4)))
}

// A seller's stock change through hawker.Store.SetOnHand, made behind the
// engine's back, fences the engine (the trigger moved the version).
func testFenceBehindEngine(t *testing.T, h *harness) {
	sku := h.sku(10, 0)
	h.mustOrder(request(newBuyer(), "warm", line(sku, 1))) // the engine holds the SKU now
	if _, err := h.s.Catalog.SetOnHand(context.Background(), sku, 3); err != nil {
		t.Fatal(err)
	}
	d, err := h.reserve(request(newBuyer(), "big", line(sku, 5)))
	if err != nil || d.Code != hawker.ESOLDOUT {
		t.Fatalf("after on_hand fell to 3: %+v %v (%s)", d, err, d.Body)
	}
	h.mustOrder(request(newBuyer(), "fits", line(sku, 2)))
	if s := h.engineStock(sku); s.Available != 0 || s.OnHand != 3 {
		t.Errorf("stock %+v", s)
	}
	// Raising it again is seen too.
	if _, err := h.s.Catalog.SetOnHand(context.Background(), sku, 5); err != nil {
		t.Fatal(err)
	}
	h.mustOrder(request(newBuyer(), "more", line(sku, 2)))
	if s := h.stored(sku); s.Reserved != 5 || s.OnHand != 5 {
		t.Errorf("stored %+v", s)
	}
}

// Invariant 5: reservations past pay_by return their stock exactly once,
// checked on read and swept in the background, also across a restart.
func testExpiry(t *testing.T, h *harness) {
	sku := h.sku(10, 0)
	var orders []*hawker.Order
	for i := range 10 {
		orders = append(orders, h.mustOrder(request(newBuyer(), key(i), line(sku, 1))))
	}
	if d, _ := h.reserve(request(newBuyer(), "late", line(sku, 1))); d.Code != hawker.ESOLDOUT {
		t.Fatalf("%s", d.Body)
	}
	h.clock.Advance(10*time.Minute - time.Microsecond)
	if s := h.engineStock(sku); s.Available != 0 {
		t.Fatalf("expired early: %+v", s)
	}
	h.clock.Advance(time.Microsecond)
	if s := h.engineStock(sku); s.Available != 10 || s.Reserved != 0 {
		t.Fatalf("on read: %+v", s)
	}
	for _, o := range orders {
		got, err := h.s.Store.FindOrder(context.Background(), o.ID)
		if err != nil || got.State != hawker.OrderExpired {
			t.Errorf("order %s: %+v %v", o.ID, got, err)
		}
	}
	if _, err := h.eng.Confirm(context.Background(), orders[0].ID); hawker.ErrorCode(err) != hawker.ESTATE {
		t.Errorf("confirm expired: %v", err)
	}
	if _, err := h.eng.Cancel(context.Background(), orders[1].ID); hawker.ErrorCode(err) != hawker.ESTATE {
		t.Errorf("cancel expired: %v", err)
	}
	if s := h.stored(sku); s.Reserved != 0 || s.Sold != 0 {
		t.Errorf("store %+v", s)
	}
	h.audit()

	// Swept in the background by a new engine, for orders made before the
	// restart.
	var again []*hawker.Order
	for i := range 4 {
		again = append(again, h.mustOrder(request(newBuyer(), "again"+key(i), line(sku, 2))))
	}
	h.restart()
	if due, err := h.s.Store.DueSKUs(context.Background(), h.clock.Now(), 10); err != nil || len(due) != 0 {
		t.Errorf("due before pay_by: %v %v", due, err)
	}
	h.clock.Advance(11 * time.Minute)
	waitFor(t, 10*time.Second, func() error {
		if s := h.stored(sku); s.Reserved != 0 {
			return fmt.Errorf("store still has %+v", s)
		}
		return nil
	})
	for _, o := range again {
		if got, err := h.s.Store.FindOrder(context.Background(), o.ID); err != nil || got.State != hawker.OrderExpired {
			t.Errorf("order %s: %+v %v", o.ID, got, err)
		}
	}
	if due, err := h.s.Store.DueSKUs(context.Background(), h.clock.Now(), 10); err != nil || len(due) != 0 {
		t.Errorf("due after the sweep: %v %v", due, err)
	}
	if s := h.engineStock(sku); s.Available != 10 {
		t.Errorf("after sweep %+v", s)
	}
}

// After a restart replayed keys get byte-identical decisions, 201s and
// 409s alike, read from the store.
func testRestartReplays(t *testing.T, h *harness) {
	sku := h.sku(5, 2)
	type sent struct {
		req inventory.Request
		d   inventory.Decision
	}
	var all []sent
	buyers := []string{newBuyer(), newBuyer(), newBuyer(), newBuyer()}
	for i := range 12 {
		r := request(buyers[i%4], key(i), line(sku, 1))
		d, err := h.reserve(r)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sent{r, d})
	}
	h.restart()
	for _, s := range all {
		d, err := h.reserve(s.req)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Replayed || d.Status != s.d.Status || !bytes.Equal(d.Body, s.d.Body) {
			t.Errorf("replay of %s: %d %s, first %d %s", s.req.Order.IdempotencyKey, d.Status, d.Body, s.d.Status, s.d.Body)
		}
	}
	changed := all[0].req
	changed.Order.Lines = []hawker.OrderRequestLine{line(sku, 2)}
	if _, err := h.reserve(changed); hawker.ErrorCode(err) != hawker.EKEYREUSED {
		t.Errorf("changed body after restart: %v", err)
	}
	if s := h.stored(sku); s.Reserved != 5 {
		t.Errorf("stored %+v", s)
	}
}

// Deal price only while the deal runs, within its quantity and per-buyer
// limit; a sold-out deal is ended in the store.
func testDeal(t *testing.T, h *harness) {
	if h.s.PutDeal == nil {
		t.Skip("the store cannot create deals")
	}
	sku := h.sku(100, 0)
	one := int64(1)
	now := h.clock.Now()
	deal := &hawker.Deal{
		ID: hawker.NewID(hawker.PrefixDeal), ShowID: hawker.NewID(hawker.PrefixShow), ShopID: h.shop, SKUID: sku,
		Prices: map[string]int64{"US": 500}, Quantity: 3, MaxPerBuyer: &one,
		StartsAt: now.Add(time.Minute), EndsAt: now.Add(2 * time.Minute), State: hawker.DealScheduled, CreatedAt: now,
	}
	if err := h.s.PutDeal(context.Background(), deal); err != nil {
		t.Fatal(err)
	}
	dealReq := func(buyer, key string) inventory.Request {
		r := request(buyer, key, line(sku, 1))
		r.Order.DealID = deal.ID
		return r
	}
	code := func(r inventory.Request) string {
		t.Helper()
		d, err := h.reserve(r)
		if err != nil {
			t.Fatalf("reserve: %v", err)
		}
		return d.Code
	}
	if c := code(dealReq(newBuyer(), "early")); c != hawker.EDEALNOTACTIVE {
		t.Errorf("before start: %q", c)
	}
	h.clock.Advance(time.Minute)
	a := newBuyer()
	o := h.mustOrder(dealReq(a, "a1"))
	if o.Lines[0].UnitPrice.Amount != 500 || o.Lines[0].DealID != deal.ID || o.ShowID != deal.ShowID {
		t.Errorf("deal order %+v", o)
	}
	if c := code(dealReq(a, "a2")); c != hawker.ELIMIT {
		t.Errorf("second deal unit for one buyer: %q", c)
	}
	if o := h.mustOrder(request(a, "a3", line(sku, 1))); o.Lines[0].UnitPrice.Amount != 1000 {
		t.Errorf("regular price %+v", o.Lines[0])
	}
	h.mustOrder(dealReq(newBuyer(), "b"))
	last := h.mustOrder(dealReq(newBuyer(), "c"))
	st, err := h.s.Store.LoadSKU(context.Background(), sku)
	if err != nil || len(st.Deals) != 1 || st.Deals[0].Taken != 3 || st.Deals[0].Deal.State != hawker.DealEnded ||
		st.Deals[0].BuyerUnits[a] != 1 || !reflect.DeepEqual(st.Deals[0].Deal.Prices, deal.Prices) {
		t.Errorf("stored deal after selling out: %+v %v", st, err)
	}
	if _, err := h.eng.Cancel(context.Background(), last.ID); err != nil {
		t.Fatal(err)
	}
	if c := code(dealReq(newBuyer(), "e")); c != hawker.EDEALNOTACTIVE {
		t.Errorf("after sold out and a cancel: %q", c)
	}
	h.audit()
}

// Orders of several SKUs are all or nothing and race correctly with
// single-SKU orders for the same stock.
func testMultiSKU(t *testing.T, h *harness) {
	a, b := h.sku(50, 0), h.sku(30, 0)
	var wg sync.WaitGroup
	for i := range 150 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r inventory.Request
			switch i % 3 {
			case 0:
				r = request(newBuyer(), key(i), line(a, 1), line(b, 1))
			case 1:
				r = request(newBuyer(), key(i), line(b, 1))
			default:
				r = request(newBuyer(), key(i), line(a, 1))
			}
			d, err := h.reserve(r)
			for hawker.ErrorCode(err) == hawker.EBUSY {
				d, err = h.reserve(r)
			}
			if err != nil {
				t.Errorf("reserve: %v", err)
				return
			}
			if d.Status == inventory.StatusCreated && i%4 == 0 {
				if _, err := h.eng.Cancel(context.Background(), d.OrderID); err != nil {
					t.Errorf("cancel: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	sa, sb := h.stored(a), h.stored(b)
	if sa.Reserved > 50 || sb.Reserved > 30 {
		t.Errorf("oversold: %+v %+v", sa, sb)
	}
	h.audit()
}

// ---- the store contract, without an engine ----

// fixture is a shop with one SKU, loaded.
type fixture struct {
	s    Stores
	shop string
	prod *hawker.Product
	sku  string
}

func newFixture(t *testing.T, s Stores, onHand int64) *fixture {
	shop := newShop(t, s.Catalog)
	p := newSKU(t, s.Catalog, shop, onHand, 0)
	return &fixture{s: s, shop: shop, prod: p, sku: p.SKUs[0].ID}
}

func (f *fixture) load(t *testing.T) *inventory.SKUState {
	t.Helper()
	st, err := f.s.Store.LoadSKU(context.Background(), f.sku)
	if err != nil {
		t.Fatalf("load SKU: %v", err)
	}
	return st
}

// order builds a reserved order of q units of the SKU.
func (f *fixture) order(buyer, key string, q int64, at time.Time) *hawker.Order {
	usd := func(n int64) hawker.Money { return hawker.Money{Amount: n, Currency: "USD"} }
	return &hawker.Order{
		ID: hawker.NewID(hawker.PrefixOrder), BuyerID: buyer, ShopID: f.shop, Market: "US",
		Lines:    []hawker.OrderLine{{SKUID: f.sku, Quantity: q, UnitPrice: usd(1000), Total: usd(1000 * q), Tax: usd(0)}},
		Subtotal: usd(1000 * q), Tax: usd(0), Shipping: usd(0), Total: usd(1000 * q),
		State: hawker.OrderReserved, PayBy: at.Add(10 * time.Minute), CreatedAt: at, UpdatedAt: at, IdempotencyKey: key,
	}
}

func record(o *hawker.Order, at time.Time) *inventory.Record {
	body, _ := json.Marshal(map[string]any{"order": o})
	return &inventory.Record{BuyerID: o.BuyerID, Key: o.IdempotencyKey, Fingerprint: "fp-" + o.IdempotencyKey,
		Status: inventory.StatusCreated, OrderID: o.ID, Body: body, CreatedAt: at}
}

// Versions move on every change outside the engine (through the
// triggers) and by exactly one per engine commit.
func testVersionFence(t *testing.T, s Stores) {
	ctx := context.Background()
	f := newFixture(t, s, 10)
	commit := func(v int64) error {
		return s.Store.CommitBatch(ctx, &inventory.Batch{At: hawker.Now(), SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v}}})
	}
	v := f.load(t).Version
	if err := commit(v); err != nil {
		t.Fatalf("pure fence: %v", err)
	}
	if got := f.load(t).Version; got != v+1 {
		t.Fatalf("after one commit: version %d, want %d (bumped twice?)", got, v+1)
	}
	if err := commit(v); !errors.Is(err, inventory.ErrStale) {
		t.Fatalf("commit on an old version: %v", err)
	}
	moved := func(what string, change func() error) {
		t.Helper()
		before := f.load(t).Version
		if err := change(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if after := f.load(t).Version; after <= before {
			t.Errorf("%s left the version at %d", what, after)
		}
		if err := commit(before); !errors.Is(err, inventory.ErrStale) {
			t.Errorf("commit after %s: %v, want ErrStale", what, err)
		}
	}
	moved("SetOnHand", func() error { _, err := s.Catalog.SetOnHand(ctx, f.sku, 7); return err })
	moved("a price change", func() error {
		p := *f.prod
		sku := *p.SKUs[0]
		sku.Prices = map[string]int64{"US": 900, "DE": 1190}
		p.SKUs = []*hawker.SKU{&sku}
		p.UpdatedAt = hawker.Now()
		return s.Catalog.UpdateProduct(ctx, &p)
	})
	if st := f.load(t); st.Prices["US"] != 900 || st.OnHand != 7 {
		t.Errorf("loaded %+v", st)
	}
	moved("a max_per_buyer change", func() error {
		p := *f.prod
		sku := *p.SKUs[0]
		two := int64(2)
		sku.MaxPerBuyer = &two
		p.SKUs = []*hawker.SKU{&sku}
		p.UpdatedAt = hawker.Now()
		return s.Catalog.UpdateProduct(ctx, &p)
	})
	if st := f.load(t); st.MaxPerBuyer == nil || *st.MaxPerBuyer != 2 {
		t.Errorf("max_per_buyer %v", st.MaxPerBuyer)
	}
	if s.PutDeal != nil {
		moved("a new deal", func() error {
			now := hawker.Now()
			return s.PutDeal(ctx, &hawker.Deal{ID: hawker.NewID(hawker.PrefixDeal), ShopID: f.shop, SKUID: f.sku,
				Prices: map[string]int64{"US": 500}, Quantity: 2, StartsAt: now, EndsAt: now.Add(time.Minute),
				State: hawker.DealScheduled, CreatedAt: now})
		})
	}
	moved("DeleteProduct", func() error { return s.Catalog.DeleteProduct(ctx, f.prod.ID, hawker.Now()) })
	if st := f.load(t); !st.Deleted {
		t.Errorf("a deleted product's SKU loads as %+v", st)
	}
	if _, err := s.Store.LoadSKU(ctx, hawker.NewID(hawker.PrefixSKU)); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("unknown SKU: %v", err)
	}
}

// A batch is applied as a whole or not at all.
func testAllOrNothing(t *testing.T, s Stores) {
	ctx := context.Background()
	f := newFixture(t, s, 3)
	at := hawker.Now()
	o1 := f.order(newBuyer(), "k1", 2, at)
	r1 := record(o1, at)
	v := f.load(t).Version
	b := &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: 2}},
		Orders: []*hawker.Order{o1}, Records: []*inventory.Record{r1}}
	if err := s.Store.CommitBatch(ctx, b); err != nil {
		t.Fatalf("commit: %v", err)
	}
	got, err := s.Store.FindOrder(ctx, o1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(got), mustJSON(o1); g != w || got.IdempotencyKey != o1.IdempotencyKey {
		t.Errorf("FindOrder:\n got %s\nwant %s", g, w)
	}
	recs, err := s.Store.FindDecisions(ctx, []inventory.Key{{BuyerID: o1.BuyerID, Key: "k1"}, {BuyerID: o1.BuyerID, Key: "none"}})
	if err != nil || len(recs) != 1 || !reflect.DeepEqual(recs[0], r1) {
		t.Errorf("FindDecisions: %+v %v, want %+v", recs, err, r1)
	}
	v++
	unchanged := func(what string) {
		t.Helper()
		st := f.load(t)
		if st.Version != v || st.Reserved != 2 || len(st.Reservations) != 1 {
			t.Errorf("after %s: %+v", what, st)
		}
		audit(t, s)
	}

	// A taken key fails the batch: the order and the stock change with it
	// are not applied.
	o2 := f.order(newBuyer(), "k2", 1, at)
	r2 := record(o2, at)
	r2.BuyerID, r2.Key = r1.BuyerID, r1.Key
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: 1}},
		Orders: []*hawker.Order{o2}, Records: []*inventory.Record{r2}})
	if !errors.Is(err, inventory.ErrStale) {
		t.Errorf("taken key: %v", err)
	}
	if _, err := s.Store.FindOrder(ctx, o2.ID); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("order of a failed batch: %v", err)
	}
	unchanged("a taken key")

	// A taken order id.
	o3 := f.order(newBuyer(), "k3", 1, at)
	o3.ID = o1.ID
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: 1}},
		Orders: []*hawker.Order{o3}, Records: []*inventory.Record{record(o3, at)}})
	if !errors.Is(err, inventory.ErrStale) {
		t.Errorf("taken order id: %v", err)
	}
	unchanged("a taken order id")

	// A transition from a state the order is not in.
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: -2, Sold: 2}},
		Transitions: []inventory.Transition{{OrderID: o1.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded}}})
	if !errors.Is(err, inventory.ErrStale) {
		t.Errorf("wrong from-state: %v", err)
	}
	unchanged("a wrong transition")

	// Oversell is refused by the database, and is not ErrStale (a bug).
	o4 := f.order(newBuyer(), "k4", 2, at)
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: 2}},
		Orders: []*hawker.Order{o4}, Records: []*inventory.Record{record(o4, at)}})
	if err == nil || errors.Is(err, inventory.ErrStale) {
		t.Errorf("oversell: %v", err)
	}
	unchanged("an oversell")

	// A good transition, and DueSKUs.
	if due, err := s.Store.DueSKUs(ctx, o1.PayBy, 10); err != nil || len(due) != 1 || due[0] != f.sku {
		t.Errorf("DueSKUs at pay_by: %v %v", due, err)
	}
	if due, err := s.Store.DueSKUs(ctx, o1.PayBy.Add(-time.Microsecond), 10); err != nil || len(due) != 0 {
		t.Errorf("DueSKUs before pay_by: %v %v", due, err)
	}
	later := at.Add(time.Second)
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: later, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v, Reserved: -2, Sold: 2}},
		Transitions: []inventory.Transition{{OrderID: o1.ID, From: hawker.OrderReserved, To: hawker.OrderPaid}}})
	if err != nil {
		t.Fatalf("pay: %v", err)
	}
	if got, err := s.Store.FindOrder(ctx, o1.ID); err != nil || got.State != hawker.OrderPaid || !got.UpdatedAt.Equal(later) {
		t.Errorf("paid order %+v %v", got, err)
	}
	if due, err := s.Store.DueSKUs(ctx, o1.PayBy, 10); err != nil || len(due) != 0 {
		t.Errorf("DueSKUs after payment: %v %v", due, err)
	}
	st := f.load(t)
	if st.Reserved != 0 || st.Sold != 2 || len(st.Reservations) != 0 || st.BuyerUnits[o1.BuyerID] != 2 {
		t.Errorf("after payment %+v", st)
	}
	audit(t, s)

	// Transitions of one order in one batch apply in order: the engine
	// batches a confirmation and a cancellation (refund) of the same order
	// decided in one round as reserved → paid, paid → refunded.
	o5 := f.order(newBuyer(), "k5", 1, at)
	if err := s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: 1}},
		Orders: []*hawker.Order{o5}, Records: []*inventory.Record{record(o5, at)}}); err != nil {
		t.Fatal(err)
	}
	st = f.load(t)
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: later, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: -1}},
		Transitions: []inventory.Transition{
			{OrderID: o5.ID, From: hawker.OrderReserved, To: hawker.OrderPaid},
			{OrderID: o5.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded},
		}})
	if err != nil {
		t.Fatalf("chained transitions: %v", err)
	}
	if got, err := s.Store.FindOrder(ctx, o5.ID); err != nil || got.State != hawker.OrderRefunded {
		t.Errorf("after chained transitions %+v %v", got, err)
	}
	// Transitions of one order that do not chain are stale.
	st = f.load(t)
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: later, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Sold: -2}},
		Transitions: []inventory.Transition{
			{OrderID: o1.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded},
			{OrderID: o1.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded},
		}})
	if !errors.Is(err, inventory.ErrStale) {
		t.Errorf("the same transition twice: %v", err)
	}
	if after := f.load(t); after.Version != st.Version || after.Sold != 2 {
		t.Errorf("after a failed double transition %+v", after)
	}
	audit(t, s)
}

// LoadSKU reads reservations with all of their lines, and units per buyer
// of live orders only.
func testLoadSKU(t *testing.T, s Stores) {
	ctx := context.Background()
	f := newFixture(t, s, 100)
	other := newSKU(t, s.Catalog, f.shop, 100, 0).SKUs[0].ID
	at := hawker.Now()
	buyer := newBuyer()
	multi := f.order(buyer, "m", 2, at)
	usd := hawker.Money{Amount: 1000, Currency: "USD"}
	multi.Lines = append(multi.Lines, hawker.OrderLine{SKUID: other, Quantity: 1, UnitPrice: usd, Total: usd, Tax: hawker.Money{Currency: "USD"}})
	single := f.order(buyer, "s", 3, at)
	gone := f.order(newBuyer(), "g", 1, at)
	st := f.load(t)
	ot, err := s.Store.LoadSKU(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	b := &inventory.Batch{At: at,
		SKUs:    []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: 6}, {SKUID: other, Version: ot.Version, Reserved: 1}},
		Orders:  []*hawker.Order{multi, single, gone},
		Records: []*inventory.Record{record(multi, at), record(single, at), record(gone, at)},
	}
	if f.sku > other {
		b.SKUs[0], b.SKUs[1] = b.SKUs[1], b.SKUs[0]
	}
	if err := s.Store.CommitBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	st = f.load(t)
	err = s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: -1}},
		Transitions: []inventory.Transition{{OrderID: gone.ID, From: hawker.OrderReserved, To: hawker.OrderCancelled}}})
	if err != nil {
		t.Fatal(err)
	}
	st = f.load(t)
	if st.Reserved != 5 || len(st.BuyerUnits) != 1 || st.BuyerUnits[buyer] != 5 || len(st.Reservations) != 2 {
		t.Fatalf("loaded %+v", st)
	}
	for _, r := range st.Reservations {
		want := 1
		if r.OrderID == multi.ID {
			want = 2
		}
		if len(r.Lines) != want || r.BuyerID != buyer || !r.PayBy.Equal(at.Add(10*time.Minute)) {
			t.Errorf("reservation %+v", r)
		}
	}
	if st.ShopID != f.shop || st.Prices["US"] != 1000 || st.Deleted || st.MaxPerBuyer != nil {
		t.Errorf("loaded %+v", st)
	}
	audit(t, s)
}

// A row-lock transaction sees the buyer's units, the key's record, the
// due reservations and the order it is about; decide's error and a nil
// batch commit nothing.
func testRowLockView(t *testing.T, s Stores) {
	ctx := context.Background()
	f := newFixture(t, s, 10)
	at := hawker.Now()
	buyer := newBuyer()
	o1 := f.order(buyer, "k1", 2, at)
	o2 := f.order(newBuyer(), "k2", 1, at.Add(time.Minute))
	st := f.load(t)
	if err := s.Store.CommitBatch(ctx, &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: 3}},
		Orders: []*hawker.Order{o1, o2}, Records: []*inventory.Record{record(o1, at), record(o2, at)}}); err != nil {
		t.Fatal(err)
	}
	q := inventory.RowLockQuery{Now: o1.PayBy, SKUIDs: []string{f.sku}, BuyerID: buyer, Key: "k1"}
	var seen *inventory.RowLockView
	errDecide := errors.New("decided no")
	err := s.RowLock.ReserveRowLock(ctx, q, func(v *inventory.RowLockView) (*inventory.Batch, error) {
		seen = v
		return nil, errDecide
	})
	if !errors.Is(err, errDecide) {
		t.Fatalf("decide's error: %v", err)
	}
	if len(seen.SKUs) != 1 || seen.Existing == nil || seen.Existing.OrderID != o1.ID || seen.Order != nil {
		t.Fatalf("view %+v", seen)
	}
	v := seen.SKUs[0]
	if v.Reserved != 3 || len(v.BuyerUnits) != 1 || v.BuyerUnits[buyer] != 2 || len(v.Reservations) != 1 || v.Reservations[0].OrderID != o1.ID {
		t.Errorf("SKU view %+v", v)
	}
	// About one order: its state, its buyer, its SKUs.
	err = s.RowLock.ReserveRowLock(ctx, inventory.RowLockQuery{Now: at, OrderID: o2.ID}, func(v *inventory.RowLockView) (*inventory.Batch, error) {
		seen = v
		return nil, nil
	})
	if err != nil || seen.Order == nil || seen.Order.ID != o2.ID || len(seen.SKUs) != 1 ||
		len(seen.SKUs[0].Reservations) != 1 || seen.SKUs[0].Reservations[0].OrderID != o2.ID || seen.SKUs[0].BuyerUnits[o2.BuyerID] != 1 {
		t.Errorf("order view %+v %v", seen, err)
	}
	err = s.RowLock.ReserveRowLock(ctx, inventory.RowLockQuery{Now: at, OrderID: hawker.NewID(hawker.PrefixOrder)},
		func(*inventory.RowLockView) (*inventory.Batch, error) { return nil, nil })
	if hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("unknown order: %v", err)
	}
	// A batch from decide is applied in the same transaction; a taken key
	// is ErrStale.
	st = f.load(t)
	o3 := f.order(buyer, "k1", 1, at)
	err = s.RowLock.ReserveRowLock(ctx, q, func(v *inventory.RowLockView) (*inventory.Batch, error) {
		return &inventory.Batch{At: at, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: v.SKUs[0].Version, Reserved: 1}},
			Orders: []*hawker.Order{o3}, Records: []*inventory.Record{record(o3, at)}}, nil
	})
	if !errors.Is(err, inventory.ErrStale) {
		t.Errorf("taken key in a row-lock batch: %v", err)
	}
	if after := f.load(t); after.Version != st.Version || after.Reserved != 3 {
		t.Errorf("after a failed row-lock batch %+v", after)
	}
	audit(t, s)
}

// Records older than the cut are purged, newer ones kept.
func testPurge(t *testing.T, s Stores) {
	if s.Purge == nil {
		t.Skip("the store cannot purge")
	}
	ctx := context.Background()
	f := newFixture(t, s, 10)
	old, recent := hawker.Now().Add(-25*time.Hour), hawker.Now()
	o1, o2 := f.order(newBuyer(), "old", 1, old), f.order(newBuyer(), "new", 1, recent)
	st := f.load(t)
	if err := s.Store.CommitBatch(ctx, &inventory.Batch{At: recent, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: 2}},
		Orders: []*hawker.Order{o1, o2}, Records: []*inventory.Record{record(o1, old), record(o2, recent)}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Purge(ctx, recent.Add(-inventory.RecordRetention))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	recs, err := s.Store.FindDecisions(ctx, []inventory.Key{{BuyerID: o1.BuyerID, Key: "old"}, {BuyerID: o2.BuyerID, Key: "new"}})
	if err != nil || len(recs) != 1 || recs[0].Key != "new" {
		t.Errorf("after purge %+v %v", recs, err)
	}
}

// DecisionKeys lists the keys of records created at or after the cut,
// oldest first, and stops at the callback's error.
func testDecisionKeys(t *testing.T, s Stores) {
	l, ok := s.Store.(inventory.KeyLister)
	if !ok {
		t.Skip("the store does not list its keys")
	}
	ctx := context.Background()
	f := newFixture(t, s, 10)
	now := hawker.Now().UTC().Truncate(time.Microsecond)
	buyer := newBuyer()
	at := []time.Time{now.Add(-2 * time.Hour), now.Add(-time.Hour), now.Add(-3 * time.Hour), now.Add(-30 * time.Hour)}
	var orders []*hawker.Order
	var recs []*inventory.Record
	for i, ts := range at {
		o := f.order(buyer, key(i), 1, ts)
		orders, recs = append(orders, o), append(recs, record(o, ts))
	}
	st := f.load(t)
	if err := s.Store.CommitBatch(ctx, &inventory.Batch{At: now, SKUs: []inventory.SKUChange{{SKUID: f.sku, Version: st.Version, Reserved: int64(len(orders))}},
		Orders: orders, Records: recs}); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := l.DecisionKeys(ctx, now.Add(-25*time.Hour), func(k inventory.Key, created time.Time) error {
		if k.BuyerID != buyer {
			return fmt.Errorf("buyer %q", k.BuyerID)
		}
		got = append(got, fmt.Sprintf("%s@%s", k.Key, created.UTC().Format(time.RFC3339Nano)))
		return nil
	})
	f3 := func(i int) string { return fmt.Sprintf("%s@%s", key(i), at[i].UTC().Format(time.RFC3339Nano)) }
	if want := []string{f3(2), f3(0), f3(1)}; err != nil || !slices.Equal(got, want) {
		t.Errorf("listed %v (%v), want %v", got, err, want)
	}
	stop := errors.New("enough")
	n := 0
	if err := l.DecisionKeys(ctx, now.Add(-25*time.Hour), func(inventory.Key, time.Time) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("stopping: %v after %d keys", err, n)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
