package inventory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"hawker"
)

// hookLog records what the engine's hooks report, from any goroutine.
type hookLog struct {
	mu     sync.Mutex
	orders []hawker.Order // copies, in call order
	ended  []hawker.Deal
	stock  map[string]hawker.Stock // the last figure per SKU
}

func (l *hookLog) install(c *Config) {
	l.stock = map[string]hawker.Stock{}
	c.OnOrder = func(o *hawker.Order) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.orders = append(l.orders, *o)
	}
	c.OnDealEnded = func(d hawker.Deal) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.ended = append(l.ended, d)
	}
	c.OnStock = func(s hawker.Stock) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stock[s.SKUID] = s
	}
}

// states returns the states reported for the order, in order.
func (l *hookLog) states(orderID string) []hawker.OrderState {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []hawker.OrderState
	for _, o := range l.orders {
		if o.ID == orderID {
			out = append(out, o.State)
		}
	}
	return out
}

func (l *hookLog) last(orderID string) (hawker.Order, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.orders) - 1; i >= 0; i-- {
		if l.orders[i].ID == orderID {
			return l.orders[i], true
		}
	}
	return hawker.Order{}, false
}

func (l *hookLog) endedDeals() []hawker.Deal {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]hawker.Deal(nil), l.ended...)
}

func (l *hookLog) lastStock(sku string) hawker.Stock {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stock[sku]
}

// forEachHooked runs the test against both engines with the hooks logged.
func forEachHooked(t *testing.T, fn func(t *testing.T, h *harness, l *hookLog)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			l := &hookLog{}
			h := newHarness(t, k, l.install)
			fn(t, h, l)
		})
	}
}

func equalStates(a, b []hawker.OrderState) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// OnOrder hears of every order made or moved, once per move, with its
// new state and, where the engine has it, the whole order; OnStock hears
// of the stock each commit leaves, for both engines.
func TestOnOrder(t *testing.T) {
	forEachHooked(t, func(t *testing.T, h *harness, l *hookLog) {
		ctx := context.Background()
		sku := h.sku(10, 0)
		show := hawker.NewID(hawker.PrefixShow)
		buyer := newBuyer()
		r := request(buyer, "paid", line(sku, 2))
		r.Order.ShowID = show
		paid := h.mustOrder(r)
		if got := l.states(paid.ID); !equalStates(got, []hawker.OrderState{hawker.OrderReserved}) {
			t.Fatalf("after reserve: %v, want [reserved] (the hook runs before the answer)", got)
		}
		if o, _ := l.last(paid.ID); o.ShowID != show || o.BuyerID != buyer || len(o.Lines) != 1 || o.Total.Amount != paid.Total.Amount {
			t.Errorf("reported new order = %+v", o)
		}
		if _, err := h.eng.Confirm(ctx, paid.ID); err != nil {
			t.Fatal(err)
		}
		if o, _ := l.last(paid.ID); o.State != hawker.OrderPaid || o.ShowID != show || o.BuyerID != buyer || o.Lines[0].SKUID != sku {
			t.Errorf("reported confirmation = %+v, want the whole order, paid", o)
		}
		// Confirming again changes nothing and reports nothing.
		if _, err := h.eng.Confirm(ctx, paid.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.eng.Cancel(ctx, paid.ID); err != nil {
			t.Fatal(err)
		}
		want := []hawker.OrderState{hawker.OrderReserved, hawker.OrderPaid, hawker.OrderRefunded}
		if got := l.states(paid.ID); !equalStates(got, want) {
			t.Errorf("reported states %v, want %v", got, want)
		}
		if s := l.lastStock(sku); s != h.store.Stock(sku) {
			t.Errorf("last stock report %+v, store %+v", s, h.store.Stock(sku))
		}

		cancelled := h.mustOrder(request(buyer, "cancelled", line(sku, 1)))
		if _, err := h.eng.Cancel(ctx, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		if got := l.states(cancelled.ID); !equalStates(got, []hawker.OrderState{hawker.OrderReserved, hawker.OrderCancelled}) {
			t.Errorf("cancelled order: %v", got)
		}

		// Expiry by the engine's own sweep: a sketch of the order.
		expired := h.mustOrder(request(buyer, "expired", line(sku, 3)))
		h.clock.Advance(11 * time.Minute)
		waitFor(t, 5*time.Second, func() error {
			if h.kind == "rowlock" {
				h.stock(sku) // the row-lock engine expires on read
			}
			if got := l.states(expired.ID); !equalStates(got, []hawker.OrderState{hawker.OrderReserved, hawker.OrderExpired}) {
				return fmt.Errorf("expired order: %v", got)
			}
			return nil
		})
		o, _ := l.last(expired.ID)
		if o.BuyerID != buyer || len(o.Lines) != 1 || o.Lines[0].SKUID != sku || o.Lines[0].Quantity != 3 || !o.PayBy.Equal(expired.PayBy) {
			t.Errorf("expiry sketch = %+v", o)
		}
		if s := l.lastStock(sku); s.Available != 10 || s != h.store.Stock(sku) {
			t.Errorf("stock after the expiry: reported %+v, store %+v", s, h.store.Stock(sku))
		}
		// A refusal is decided and stored, but no order moves.
		if d, err := h.reserve(request(buyer, "too many", line(sku, 11))); err != nil || d.Code != hawker.ESOLDOUT {
			t.Fatalf("oversized order: %v %s", err, d.Body)
		}
		l.mu.Lock()
		n := len(l.orders)
		l.mu.Unlock()
		if n != 7 {
			t.Errorf("%d order reports, want 7 (3 + 2 + 2)", n)
		}
	})
}

// Hooks tell only what is durable: a batch that fails to commit reports
// nothing, and its retry reports once.
func TestHooksOnlyAfterCommit(t *testing.T) {
	forEachHooked(t, func(t *testing.T, h *harness, l *hookLog) {
		sku := h.sku(5, 0)
		h.store.SetCommitFault(func(*Batch) error { return errors.New("disk full") })
		if _, err := h.reserve(request(newBuyer(), "k", line(sku, 1))); err == nil {
			t.Fatal("reserve succeeded with a failing store")
		}
		l.mu.Lock()
		n, st := len(l.orders), len(l.stock)
		l.mu.Unlock()
		if n != 0 || st != 0 {
			t.Fatalf("a failed commit reported %d orders and %d stock figures", n, st)
		}
		h.store.SetCommitFault(nil)
		o := h.mustOrder(request(newBuyer(), "k", line(sku, 1)))
		if got := l.states(o.ID); len(got) != 1 {
			t.Errorf("after the retry: %v", got)
		}
	})
}

// A deal that sells out under a crowd ends exactly once: OnDealEnded is
// called once, with the deal ended, and never more units than its
// quantity are sold at its price.
func TestOnDealEndedOnce(t *testing.T) {
	forEachHooked(t, func(t *testing.T, h *harness, l *hookLog) {
		sku := h.sku(100, 0)
		now := h.clock.Now()
		deal := &hawker.Deal{
			ID: hawker.NewID(hawker.PrefixDeal), ShowID: hawker.NewID(hawker.PrefixShow), ShopID: shopID, SKUID: sku,
			Prices: map[string]int64{"US": 500}, Quantity: 7,
			StartsAt: now, EndsAt: now.Add(time.Minute), State: hawker.DealScheduled,
		}
		if err := h.store.PutDeal(deal); err != nil {
			t.Fatal(err)
		}
		const crowd = 60
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range crowd {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := request(newBuyer(), key(i), line(sku, 1))
				r.Order.DealID = deal.ID
				d, err := h.reserve(r)
				if err != nil {
					t.Errorf("reserve: %v", err)
					return
				}
				switch d.Code {
				case "":
					mu.Lock()
					won++
					mu.Unlock()
				case hawker.ESOLDOUT, hawker.EDEALNOTACTIVE:
				default:
					t.Errorf("deal order: %s", d.Body)
				}
			}()
		}
		wg.Wait()
		if won != 7 {
			t.Errorf("%d deal orders, want 7", won)
		}
		ended := l.endedDeals()
		if len(ended) != 1 || ended[0].ID != deal.ID || ended[0].State != hawker.DealEnded || ended[0].ShowID != deal.ShowID {
			t.Fatalf("OnDealEnded calls: %+v, want one for %s, ended", ended, deal.ID)
		}
		// Later requests for the ended deal do not end it again.
		r := request(newBuyer(), "late", line(sku, 1))
		r.Order.DealID = deal.ID
		if d, _ := h.reserve(r); d.Code != hawker.EDEALNOTACTIVE {
			t.Errorf("after sold out: %s", d.Body)
		}
		if n := len(l.endedDeals()); n != 1 {
			t.Errorf("%d OnDealEnded calls", n)
		}
		if s := l.lastStock(sku); s.Reserved != 7 {
			t.Errorf("last stock report %+v", s)
		}
	})
}
