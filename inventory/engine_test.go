package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
)

// Invariant 1: 500 buyers racing for 100 units get exactly 100.
func TestNoOversell(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(100, 0)
		var ok, soldOut atomic.Int64
		var wg sync.WaitGroup
		for i := range 500 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := h.reserve(request(newBuyer(), key(i), line(sku, 1)))
				switch {
				case err != nil:
					t.Errorf("reserve: %v", err)
				case d.Status == StatusCreated:
					ok.Add(1)
				case d.Code == hawker.ESOLDOUT:
					soldOut.Add(1)
				default:
					t.Errorf("unexpected decision %d %s", d.Status, d.Body)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 100 || soldOut.Load() != 400 {
			t.Errorf("%d orders, %d sold out; want 100, 400", ok.Load(), soldOut.Load())
		}
		if s := h.store.Stock(sku); s.Reserved != 100 || s.Available != 0 {
			t.Errorf("stored stock %+v", s)
		}
		if s := h.stock(sku); s.Reserved != 100 || s.Available != 0 {
			t.Errorf("engine stock %+v", s)
		}
		if n := len(h.store.Orders()); n != 100 {
			t.Errorf("%d orders stored", n)
		}
	})
}

// The group-commit engine really batches: far fewer commits than requests.
func TestGroupCommitBatches(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(10_000, 0)
	// Commits take a while, as durable ones do; requests queue meanwhile.
	h.store.SetCommitFault(func(*Batch) error { time.Sleep(200 * time.Microsecond); return nil })
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if _, err := h.reserve(request(newBuyer(), fmt.Sprintf("%d-%d", g, i), line(sku, 1))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	n, most := h.store.Commits()
	t.Logf("3200 requests in %d commits, largest batch %d rows", n, most)
	if n >= 3200 || most < 2 {
		t.Errorf("%d commits (largest %d rows) for 3200 requests: no batching", n, most)
	}
}

// Invariant 4: one buyer with a limit of 2 racing 50 requests gets 2.
func TestPerBuyerLimit(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
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
				case d.Status == StatusCreated:
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
		// Another buyer is not limited by the first.
		h.mustOrder(request(newBuyer(), "other", line(sku, 2)))
	})
}

// Invariant 3: the same key sent 100 times at once makes one order and 100
// identical replies.
func TestIdempotentConcurrent(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
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
				if d.Status != StatusCreated {
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
		if n := len(h.store.Orders()); n != 1 {
			t.Errorf("%d orders", n)
		}
		if s := h.stock(sku); s.Reserved != 3 {
			t.Errorf("stock %+v", s)
		}

		// Same key, different request: refused, not stored, nothing changes.
		_, err := h.reserve(request(buyer, "same-key", line(sku, 4)))
		if hawker.ErrorCode(err) != hawker.EKEYREUSED {
			t.Errorf("reused key: %v", err)
		}
		// The key is per buyer: another buyer may use it.
		h.mustOrder(request(newBuyer(), "same-key", line(sku, 4)))
	})
}

// A 409 is a decision too: replayed even after stock comes back.
func TestRefusalReplayed(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(1, 0)
		o := h.mustOrder(request(newBuyer(), "a", line(sku, 1)))
		buyer := newBuyer()
		d1, err := h.reserve(request(buyer, "b", line(sku, 1)))
		if err != nil || d1.Code != hawker.ESOLDOUT || d1.Status != StatusConflict {
			t.Fatalf("got %+v, %v", d1, err)
		}
		if _, err := h.eng.Cancel(context.Background(), o.ID); err != nil {
			t.Fatal(err)
		}
		d2, err := h.reserve(request(buyer, "b", line(sku, 1)))
		if err != nil || !d2.Replayed || !bytes.Equal(d1.Body, d2.Body) || d2.Status != StatusConflict {
			t.Errorf("replay after cancel: %+v, %v", d2, err)
		}
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		if err := json.Unmarshal(d1.Body, &body); err != nil || body.Error.Code != hawker.ESOLDOUT {
			t.Errorf("body %s", d1.Body)
		}
	})
}

// A full queue answers EBUSY at once, and refusals are not stored.
func TestFullQueueBusy(t *testing.T) {
	h := newHarness(t, kinds[0], func(c *Config) { c.QueueSize = 4; c.MaxBatch = 1 })
	sku := h.sku(100, 0)
	g := gated(h, 1) // hold the first commit
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	send := func(i int) {
		defer wg.Done()
		d, err := h.reserve(request(newBuyer(), key(i), line(sku, 1)))
		if err == nil && d.Status != StatusCreated {
			err = fmt.Errorf("status %d", d.Status)
		}
		errs <- err
	}
	wg.Add(1)
	go send(0)
	<-g.entered // the owner is inside CommitBatch with request 0
	wg.Add(1)
	go send(1)
	waitFinds(t, g, 2) // request 1 is decided on top and waits for the commit
	for i := 2; i <= 5; i++ {
		wg.Add(1)
		go send(i)
	}
	e := h.eng.(*GroupCommit)
	e.mu.RLock()
	o := e.owners[sku]
	e.mu.RUnlock()
	waitFor(t, 5*time.Second, func() error {
		if n := o.q.len(); n != 4 {
			return fmt.Errorf("queue has %d", n)
		}
		return nil
	})
	start := time.Now()
	buyer := newBuyer()
	_, err := h.reserve(request(buyer, "busy", line(sku, 1)))
	if hawker.ErrorCode(err) != hawker.EBUSY {
		t.Fatalf("full queue: %v", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("EBUSY took %v", d)
	}
	g.release <- nil
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("queued request: %v", err)
		}
	}
	// The busy key was not stored: a retry gets a fresh decision.
	d, err := h.reserve(request(buyer, "busy", line(sku, 1)))
	if err != nil || d.Status != StatusCreated || d.Replayed {
		t.Errorf("retry after busy: %+v, %v", d, err)
	}
}

// A failing CommitBatch answers its whole batch with an internal error,
// loses nothing acknowledged, and leaves memory equal to the store.
func TestCommitFailure(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(100, 0)
		var calls atomic.Int64
		h.store.SetCommitFault(func(*Batch) error {
			if calls.Add(1)%2 == 1 { // the first commit fails, and every other one
				return errors.New("disk on fire")
			}
			return nil
		})
		type result struct {
			key string
			d   Decision
			err error
		}
		results := make(chan result, 300)
		var wg sync.WaitGroup
		for i := range 300 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := h.reserve(request("usr_01jbq5z7h8x9y0a1b2c3d4e5f6", key(i), line(sku, 1)))
				results <- result{key(i), d, err}
			}()
		}
		wg.Wait()
		close(results)
		acked := map[string]string{} // key → order id
		var failed []string
		for r := range results {
			switch {
			case r.err != nil && hawker.ErrorCode(r.err) == hawker.EINTERNAL:
				failed = append(failed, r.key)
			case r.err != nil:
				t.Errorf("unexpected error %v", r.err)
			case r.d.Status == StatusCreated:
				acked[r.key] = r.d.OrderID
			}
		}
		if len(failed) == 0 {
			t.Fatal("the fault never hit")
		}
		// Every acknowledged order is stored; nothing else is.
		stored := map[string]bool{}
		for _, o := range h.store.Orders() {
			stored[o.ID] = true
		}
		for k, id := range acked {
			if !stored[id] {
				t.Errorf("acknowledged order %s (%s) lost", id, k)
			}
		}
		if len(stored) != len(acked) {
			t.Errorf("%d orders stored, %d acknowledged", len(stored), len(acked))
		}
		if err := h.store.Audit(); err != nil {
			t.Fatal(err)
		}
		h.store.SetCommitFault(nil)
		// Memory agrees with the store.
		if got, want := h.stock(sku), h.store.Stock(sku); got != want {
			t.Errorf("engine %+v, store %+v", got, want)
		}
		// Failed keys were not decided: retries get fresh decisions, and
		// stock still runs out at exactly 100.
		for _, k := range failed {
			if _, err := h.reserve(request("usr_01jbq5z7h8x9y0a1b2c3d4e5f6", k, line(sku, 1))); err != nil {
				t.Errorf("retry %s: %v", k, err)
			}
		}
		if s := h.store.Stock(sku); s.Reserved != 100 {
			t.Errorf("after retries %+v", s)
		}
	})
}

// A change behind the engine's back (another process, a seller's stock
// edit without Invalidate) is caught by the version fence.
func TestVersionFence(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(10, 0)
		h.mustOrder(request(newBuyer(), "warm", line(sku, 1))) // the engine holds the SKU now
		if err := h.store.SetOnHand(sku, 3); err != nil {
			t.Fatal(err)
		}
		d, err := h.reserve(request(newBuyer(), "big", line(sku, 5)))
		if err != nil || d.Code != hawker.ESOLDOUT {
			t.Fatalf("after on_hand fell to 3: %+v %v", d, err)
		}
		h.mustOrder(request(newBuyer(), "fits", line(sku, 2)))
		if s := h.stock(sku); s.Available != 0 || s.OnHand != 3 {
			t.Errorf("stock %+v", s)
		}
	})
}

// Invariant 5: reservations past pay_by return their stock exactly once,
// checked on read and swept in the background, also across a restart.
func TestExpiry(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(10, 0)
		var orders []*hawker.Order
		for i := range 10 {
			orders = append(orders, h.mustOrder(request(newBuyer(), key(i), line(sku, 1))))
		}
		if want := h.clock.Now().Add(10 * time.Minute); !orders[0].PayBy.Equal(want) {
			t.Errorf("pay_by %v, want %v", orders[0].PayBy, want)
		}
		d, _ := h.reserve(request(newBuyer(), "late", line(sku, 1)))
		if d.Code != hawker.ESOLDOUT {
			t.Fatalf("%s", d.Body)
		}

		h.clock.Advance(10*time.Minute - time.Microsecond)
		if s := h.stock(sku); s.Available != 0 {
			t.Fatalf("expired early: %+v", s)
		}
		h.clock.Advance(time.Microsecond)
		// Checked on read.
		if s := h.stock(sku); s.Available != 10 || s.Reserved != 0 {
			t.Fatalf("on read: %+v", s)
		}
		for _, o := range h.store.Orders() {
			if o.State != hawker.OrderExpired {
				t.Errorf("order %s is %s", o.ID, o.State)
			}
		}
		// Paying an expired order fails and changes nothing.
		if _, err := h.eng.Confirm(context.Background(), orders[0].ID); hawker.ErrorCode(err) != hawker.ESTATE {
			t.Errorf("confirm expired: %v", err)
		}
		if _, err := h.eng.Cancel(context.Background(), orders[1].ID); hawker.ErrorCode(err) != hawker.ESTATE {
			t.Errorf("cancel expired: %v", err)
		}
		if s := h.store.Stock(sku); s.Reserved != 0 || s.Sold != 0 {
			t.Errorf("store %+v", s)
		}

		// Swept in the background, by a new engine, for orders made
		// before the restart.
		for i := range 4 {
			h.mustOrder(request(newBuyer(), "again"+key(i), line(sku, 2)))
		}
		h.restart()
		h.clock.Advance(11 * time.Minute)
		waitFor(t, 5*time.Second, func() error {
			if s := h.store.Stock(sku); s.Reserved != 0 {
				return fmt.Errorf("store still has %+v", s)
			}
			return nil
		})
		if s := h.stock(sku); s.Available != 10 {
			t.Errorf("after sweep %+v", s)
		}
	})
}

// An expiry racing payment confirmations: each order ends either paid (and
// its confirmation succeeded) or expired (and it failed), never both, and
// the counters add up.
func TestExpiryRacesConfirm(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(200, 0)
		var orders []*hawker.Order
		for i := range 200 {
			orders = append(orders, h.mustOrder(request(newBuyer(), key(i), line(sku, 1))))
		}
		h.clock.Advance(10*time.Minute - time.Millisecond)
		paid := make([]bool, len(orders))
		var wg sync.WaitGroup
		for i, o := range orders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 100 {
					h.clock.Advance(time.Millisecond) // pay_by passes mid-flight
				}
				_, err := h.eng.Confirm(context.Background(), o.ID)
				switch hawker.ErrorCode(err) {
				case "":
					paid[i] = true
				case hawker.ESTATE:
				default:
					t.Errorf("confirm: %v", err)
				}
			}()
		}
		wg.Wait()
		waitFor(t, 5*time.Second, func() error {
			if s := h.store.Stock(sku); s.Reserved != 0 {
				return fmt.Errorf("still reserved: %+v", s)
			}
			return nil
		})
		var nPaid int64
		for _, o := range h.store.Orders() {
			for j, x := range orders {
				if x.ID != o.ID {
					continue
				}
				if paid[j] != (o.State == hawker.OrderPaid) || (!paid[j] && o.State != hawker.OrderExpired) {
					t.Errorf("order %s is %s, confirm succeeded: %v", o.ID, o.State, paid[j])
				}
			}
			if o.State == hawker.OrderPaid {
				nPaid++
			}
		}
		if s := h.store.Stock(sku); s.Sold != nPaid || s.Available != 200-nPaid {
			t.Errorf("stock %+v with %d paid", s, nPaid)
		}
		// Confirming twice is idempotent; cancelling a paid order refunds.
		for i, o := range orders {
			if !paid[i] {
				continue
			}
			if got, err := h.eng.Confirm(context.Background(), o.ID); err != nil || got.State != hawker.OrderPaid {
				t.Errorf("second confirm: %v %v", got, err)
			}
			if got, err := h.eng.Cancel(context.Background(), o.ID); err != nil || got.State != hawker.OrderRefunded {
				t.Errorf("refund: %v %v", got, err)
			}
			break
		}
	})
}

// Deal price only while the deal runs by the engine's clock, and only
// within its quantity and per-buyer limit.
func TestDeal(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(100, 0)
		one := int64(1)
		now := h.clock.Now()
		deal := &hawker.Deal{
			ID: hawker.NewID(hawker.PrefixDeal), ShowID: hawker.NewID(hawker.PrefixShow), ShopID: shopID, SKUID: sku,
			Prices: map[string]int64{"US": 500}, Quantity: 3, MaxPerBuyer: &one,
			StartsAt: now.Add(time.Minute), EndsAt: now.Add(2 * time.Minute), State: hawker.DealScheduled,
		}
		if err := h.store.PutDeal(deal); err != nil {
			t.Fatal(err)
		}
		dealReq := func(buyer, key string) Request {
			r := request(buyer, key, line(sku, 1))
			r.Order.DealID = deal.ID
			return r
		}
		code := func(r Request) string {
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
		if o.Lines[0].UnitPrice.Amount != 500 || o.Total.Amount != 500 || o.Lines[0].DealID != deal.ID {
			t.Errorf("deal order %+v", o)
		}
		if c := code(dealReq(a, "a2")); c != hawker.ELIMIT {
			t.Errorf("second deal unit for one buyer: %q", c)
		}
		// Outside the deal the same buyer pays the regular price.
		if o := h.mustOrder(request(a, "a3", line(sku, 1))); o.Lines[0].UnitPrice.Amount != 1000 {
			t.Errorf("regular price %+v", o.Lines[0])
		}
		h.mustOrder(dealReq(newBuyer(), "b"))
		last := h.mustOrder(dealReq(newBuyer(), "c"))
		if c := code(dealReq(newBuyer(), "d")); c != hawker.EDEALNOTACTIVE && c != hawker.ESOLDOUT {
			t.Errorf("past the deal's quantity: %q", c)
		}
		// Sold out ends the deal for good: a returned unit does not reopen it.
		if _, err := h.eng.Cancel(context.Background(), last.ID); err != nil {
			t.Fatal(err)
		}
		if c := code(dealReq(newBuyer(), "e")); c != hawker.EDEALNOTACTIVE {
			t.Errorf("after sold out and a cancel: %q", c)
		}
		h.clock.Advance(time.Minute)
		if c := code(dealReq(newBuyer(), "late")); c != hawker.EDEALNOTACTIVE {
			t.Errorf("after the end: %q", c)
		}
	})
}

// A deal's window is the engine's clock, not the caller's: the deal that
// has not sold out ends at EndsAt.
func TestDealEndsByClock(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(100, 0)
		now := h.clock.Now()
		deal := &hawker.Deal{
			ID: hawker.NewID(hawker.PrefixDeal), SKUID: sku, ShopID: shopID,
			Prices: map[string]int64{"US": 700}, Quantity: 50,
			StartsAt: now, EndsAt: now.Add(30 * time.Second), State: hawker.DealScheduled,
		}
		if err := h.store.PutDeal(deal); err != nil {
			t.Fatal(err)
		}
		r := request(newBuyer(), "in", line(sku, 2))
		r.Order.DealID = deal.ID
		if o := h.mustOrder(r); o.Subtotal.Amount != 1400 {
			t.Errorf("subtotal %d", o.Subtotal.Amount)
		}
		h.clock.Advance(30 * time.Second)
		r = request(newBuyer(), "out", line(sku, 1))
		r.Order.DealID = deal.ID
		if d, _ := h.reserve(r); d.Code != hawker.EDEALNOTACTIVE {
			t.Errorf("at EndsAt: %s", d.Body)
		}
	})
}

// After a restart (a new engine on the same store) replayed keys get
// byte-identical decisions, 201s and 409s alike.
func TestRestartReplays(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(5, 2)
		type sent struct {
			req Request
			d   Decision
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
		if n := h.store.Records(); n != 12 {
			t.Errorf("%d records", n)
		}
	})
}

// Orders of several SKUs are all or nothing and race correctly with
// single-SKU orders for the same stock.
func TestMultiSKU(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		a, b := h.sku(50, 0), h.sku(30, 0)
		var multi, single atomic.Int64
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r Request
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
				if d.Status == StatusCreated {
					if len(r.Order.Lines) == 2 {
						multi.Add(1)
					} else {
						single.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		sa, sb := h.stock(a), h.stock(b)
		if sb.Reserved != 30 {
			t.Errorf("b: %+v", sb)
		}
		if sa.Reserved+sb.Reserved != 2*multi.Load()+single.Load() {
			t.Errorf("a %+v b %+v, %d multi %d single", sa, sb, multi.Load(), single.Load())
		}
		// A multi-SKU order pays, refunds and expires across both SKUs.
		c, d := h.sku(5, 0), h.sku(5, 0)
		o1 := h.mustOrder(request(newBuyer(), "m1", line(c, 2), line(d, 3)))
		o2 := h.mustOrder(request(newBuyer(), "m2", line(c, 3), line(d, 2)))
		if _, err := h.eng.Confirm(context.Background(), o1.ID); err != nil {
			t.Fatal(err)
		}
		if s := h.store.Stock(c); s.Sold != 2 || s.Reserved != 3 {
			t.Errorf("c %+v", s)
		}
		h.clock.Advance(10 * time.Minute)
		waitFor(t, 5*time.Second, func() error {
			o, err := h.store.FindOrder(context.Background(), o2.ID)
			if err != nil || o.State != hawker.OrderExpired {
				return fmt.Errorf("o2 %v %v", o.State, err)
			}
			return nil
		})
		if got, err := h.eng.Cancel(context.Background(), o1.ID); err != nil || got.State != hawker.OrderRefunded {
			t.Fatalf("refund %v %v", got, err)
		}
		if sc, sd := h.stock(c), h.stock(d); sc.Available != 5 || sd.Available != 5 {
			t.Errorf("c %+v d %+v", sc, sd)
		}
	})
}

// Refusals before a decision: bad input, unknown SKUs and markets the SKU
// is not sold in are errors, not stored.
func TestRefusals(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(5, 0)
		buyer := newBuyer()
		for _, tc := range []struct {
			name string
			req  Request
			code string
		}{
			{"no key", request(buyer, "", line(sku, 1)), hawker.EINVALID},
			{"control char in key", request(buyer, "a\nb", line(sku, 1)), hawker.EINVALID},
			{"zero quantity", request(buyer, "k", line(sku, 0)), hawker.EINVALID},
			{"bad sku id", request(buyer, "k", line("sku_x", 1)), hawker.EINVALID},
			{"unknown sku", request(buyer, "k", line(hawker.NewID(hawker.PrefixSKU), 1)), hawker.ENOTFOUND},
			{"not sold in market", func() Request {
				r := request(buyer, "k", line(sku, 1))
				r.Order.Market = "DE"
				h.store.PutSKU(&hawker.SKU{ID: sku, ShopID: shopID, Prices: map[string]int64{"US": 1000}, OnHand: 5})
				h.eng.Invalidate(sku)
				return r
			}(), hawker.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := h.reserve(tc.req)
				if got := hawker.ErrorCode(err); got != tc.code {
					t.Errorf("got %v, want %s", err, tc.code)
				}
			})
		}
		if n := h.store.Records(); n != 0 {
			t.Errorf("%d records stored for refusals", n)
		}
		// The key "k" is still free.
		h.mustOrder(request(buyer, "k", line(sku, 1)))
	})
}

// Idle owners retire and come back with the state from the store.
func TestOwnerRetires(t *testing.T) {
	h := newHarness(t, kinds[0], func(c *Config) { c.IdleTimeout = 5 * time.Millisecond })
	sku := h.sku(5, 0)
	h.mustOrder(request(newBuyer(), "1", line(sku, 2)))
	e := h.eng.(*GroupCommit)
	waitFor(t, 5*time.Second, func() error {
		if n := e.Owners(); n != 0 {
			return fmt.Errorf("%d owners", n)
		}
		return nil
	})
	if s := h.stock(sku); s.Available != 3 {
		t.Errorf("after retirement %+v", s)
	}
}

// Cancelled contexts return at once; the decision, if made, is kept.
func TestContextCancelled(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(5, 0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := h.eng.Reserve(ctx, request(newBuyer(), "k", line(sku, 1)))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
	})
}

// Many coordinators and owners at once: random multi-SKU orders, payments
// and cancellations over overlapping SKUs must neither deadlock nor break
// the counters.
func TestMultiSKUStress(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		var skus []string
		for range 5 {
			skus = append(skus, h.sku(40, 0))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buyer := newBuyer()
				for i := range 25 {
					n := 1 + (g+i)%3
					var lines []hawker.OrderRequestLine
					for j := range n {
						lines = append(lines, line(skus[(g*7+i*3+j)%len(skus)], 1))
					}
					r := request(buyer, key(i), lines...)
					d, err := h.eng.Reserve(ctx, r)
					for hawker.ErrorCode(err) == hawker.EBUSY {
						d, err = h.eng.Reserve(ctx, r)
					}
					if err != nil {
						t.Errorf("reserve: %v", err)
						return
					}
					if d.Status != StatusCreated {
						continue
					}
					var terr error
					switch i % 3 {
					case 0:
						_, terr = h.eng.Confirm(ctx, d.OrderID)
					case 1:
						_, terr = h.eng.Cancel(ctx, d.OrderID)
					}
					if terr != nil && hawker.ErrorCode(terr) != hawker.EBUSY {
						t.Errorf("transition: %v", terr)
					}
				}
			}()
		}
		wg.Wait()
		if ctx.Err() != nil {
			t.Fatal("deadlocked")
		}
		if err := h.store.Audit(); err != nil {
			t.Fatal(err)
		}
		for _, s := range skus {
			if got, want := h.stock(s), h.store.Stock(s); got != want {
				t.Errorf("engine %+v, store %+v", got, want)
			}
		}
	})
}

// Decided keys evicted from the in-memory cache replay from the store.
func TestKeyCacheEviction(t *testing.T) {
	h := newHarness(t, kinds[0], func(c *Config) { c.KeyCache = 2 })
	sku := h.sku(10, 0)
	buyer := newBuyer()
	var first []Decision
	for i := range 5 {
		d, err := h.reserve(request(buyer, key(i), line(sku, 1)))
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, d)
	}
	e := h.eng.(*GroupCommit)
	e.keys.mu.Lock()
	n := len(e.keys.flights)
	e.keys.mu.Unlock()
	if n != 2 {
		t.Errorf("%d keys cached, want 2", n)
	}
	for i := range 5 {
		d, err := h.reserve(request(buyer, key(i), line(sku, 1)))
		if err != nil || !d.Replayed || !bytes.Equal(d.Body, first[i].Body) {
			t.Errorf("replay %d: %+v %v", i, d, err)
		}
	}
	if s := h.stock(sku); s.Reserved != 5 {
		t.Errorf("stock %+v", s)
	}
}

// OnStock reports stock after each commit that moved it.
func TestOnStock(t *testing.T) {
	var mu sync.Mutex
	last := map[string]hawker.Stock{}
	h := newHarness(t, kinds[0], func(c *Config) {
		c.OnStock = func(s hawker.Stock) {
			mu.Lock()
			defer mu.Unlock()
			last[s.SKUID] = s
		}
	})
	sku := h.sku(10, 0)
	var wg sync.WaitGroup
	for i := range 7 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d, err := h.reserve(request(newBuyer(), key(i), line(sku, 1))); err != nil || d.Status != StatusCreated {
				t.Errorf("reserve: %v %s", err, d.Body)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if got := last[sku]; got != h.store.Stock(sku) || got.Available != 3 {
		t.Errorf("last report %+v, store %+v", got, h.store.Stock(sku))
	}
}

// Owners of SKUs the store does not know retire at once.
func TestUnknownSKUOwnerRetires(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	e := h.eng.(*GroupCommit)
	for i := range 20 {
		_, err := h.reserve(request(newBuyer(), key(i), line(hawker.NewID(hawker.PrefixSKU), 1)))
		if hawker.ErrorCode(err) != hawker.ENOTFOUND {
			t.Fatalf("unknown SKU: %v", err)
		}
	}
	waitFor(t, 5*time.Second, func() error {
		if n := e.Owners(); n != 0 {
			return fmt.Errorf("%d owners", n)
		}
		return nil
	})
}

// Deleting a SKU's product stops new orders, not the life of held ones.
func TestDeletedSKU(t *testing.T) {
	forEach(t, func(t *testing.T, h *harness) {
		sku := h.sku(5, 0)
		o1 := h.mustOrder(request(newBuyer(), "1", line(sku, 1)))
		o2 := h.mustOrder(request(newBuyer(), "2", line(sku, 1)))
		h.store.DeleteSKU(sku)
		if _, err := h.reserve(request(newBuyer(), "3", line(sku, 1))); hawker.ErrorCode(err) != hawker.ENOTFOUND {
			t.Errorf("order of a deleted SKU: %v", err)
		}
		if o, err := h.eng.Confirm(context.Background(), o1.ID); err != nil || o.State != hawker.OrderPaid {
			t.Errorf("confirm: %v %v", o, err)
		}
		if o, err := h.eng.Cancel(context.Background(), o2.ID); err != nil || o.State != hawker.OrderCancelled {
			t.Errorf("cancel: %v %v", o, err)
		}
		if s := h.store.Stock(sku); s.Sold != 1 || s.Reserved != 0 {
			t.Errorf("stock %+v", s)
		}
	})
}

// The engine may batch a confirmation and a refund of one order decided in
// one round; the store must apply them in sequence, as the SQL stores do.
func TestMemStoreChainedTransitions(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(5, 0)
	o := h.mustOrder(request(newBuyer(), "k1", line(sku, 1)))
	st, err := h.store.LoadSKU(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	h.eng.Close()
	err = h.store.CommitBatch(context.Background(), &Batch{At: o.CreatedAt, SKUs: []SKUChange{{SKUID: sku, Version: st.Version, Reserved: -1}},
		Transitions: []Transition{
			{OrderID: o.ID, From: hawker.OrderReserved, To: hawker.OrderPaid},
			{OrderID: o.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded},
		}})
	if err != nil {
		t.Fatalf("chained transitions: %v", err)
	}
	got, err := h.store.FindOrder(context.Background(), o.ID)
	if err != nil || got.State != hawker.OrderRefunded {
		t.Fatalf("order after chained transitions: %+v %v", got, err)
	}
	st, _ = h.store.LoadSKU(context.Background(), sku)
	err = h.store.CommitBatch(context.Background(), &Batch{At: o.CreatedAt, SKUs: []SKUChange{{SKUID: sku, Version: st.Version}},
		Transitions: []Transition{
			{OrderID: o.ID, From: hawker.OrderRefunded, To: hawker.OrderCancelled},
			{OrderID: o.ID, From: hawker.OrderRefunded, To: hawker.OrderCancelled},
		}})
	if !errors.Is(err, ErrStale) {
		t.Fatalf("a transition that does not chain: %v, want ErrStale", err)
	}
}
