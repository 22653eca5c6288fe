package live

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
)

// fakeStore is a Store in memory.
type fakeStore struct {
	mu        sync.Mutex
	deals     map[string]*hawker.Deal
	skus      map[string]*hawker.SKU
	shows     []*hawker.Show // ordered by id
	bags      map[string][]string
	users     map[string]*hawker.User
	showReads atomic.Int64
}

func newFakeStore() *fakeStore {
	return &fakeStore{deals: map[string]*hawker.Deal{}, skus: map[string]*hawker.SKU{}, bags: map[string][]string{}, users: map[string]*hawker.User{}}
}

func (s *fakeStore) FindDeal(_ context.Context, id string) (*hawker.Deal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deals[id]
	if d == nil {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no deal")
	}
	c := *d
	return &c, nil
}

func (s *fakeStore) FindDealsEndingAfter(_ context.Context, t time.Time, limit int) ([]*hawker.Deal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hawker.Deal
	for _, d := range s.deals {
		if d.State == hawker.DealScheduled && d.EndsAt.After(t) && d.ShowID != "" {
			c := *d
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *hawker.Deal) int { return a.StartsAt.Compare(b.StartsAt) })
	return out[:min(len(out), limit)], nil
}

func (s *fakeStore) FindSKUByID(_ context.Context, id string) (*hawker.SKU, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.skus[id]; k != nil {
		return k, nil
	}
	return nil, hawker.Errorf(hawker.ENOTFOUND, "no SKU")
}

func (s *fakeStore) FindShows(_ context.Context, f hawker.ShowFilter, p hawker.Page) ([]*hawker.Show, error) {
	s.showReads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*hawker.Show
	for _, sh := range s.shows {
		if sh.ID > p.After && slices.Contains(f.States, sh.State) && len(out) < p.Limit {
			out = append(out, sh)
		}
	}
	return out, nil
}

func (s *fakeStore) FindShowProducts(_ context.Context, id string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bags[id]), nil
}

func (s *fakeStore) FindUserByID(_ context.Context, id string) (*hawker.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[id]; u != nil {
		return u, nil
	}
	return nil, hawker.Errorf(hawker.ENOTFOUND, "no user")
}

// show stores a show in the state with the products in its bag.
func (s *fakeStore) show(state hawker.ShowState, products ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), State: state}
	s.shows = append(s.shows, sh)
	s.bags[sh.ID] = products
	return sh.ID
}

// product stores a product with one SKU and returns both ids.
func (s *fakeStore) product() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, k := hawker.NewID(hawker.PrefixProduct), hawker.NewID(hawker.PrefixSKU)
	s.skus[k] = &hawker.SKU{ID: k, ProductID: p}
	return p, k
}

func (s *fakeStore) putDeal(d *hawker.Deal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *d
	s.deals[d.ID] = &c
}

// event is one announcement as the hub got it.
type event struct {
	typ, show string
	deal      hawker.Deal
	now       time.Time
	sku       string
	available int64
	buyer     string
	product   string
}

// fakeHub records announcements; stockGate, when set, holds Stock calls
// until it is closed.
type fakeHub struct {
	hawker.NoShowEvents
	mu        sync.Mutex
	events    []event
	stockGate chan struct{}
}

func (h *fakeHub) add(ev event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *fakeHub) DealStarted(_ context.Context, show string, d *hawker.Deal, now time.Time) error {
	h.add(event{typ: "deal_started", show: show, deal: *d, now: now})
	return nil
}

func (h *fakeHub) DealEnded(_ context.Context, show string, d *hawker.Deal, now time.Time) error {
	h.add(event{typ: "deal_ended", show: show, deal: *d, now: now})
	return nil
}

func (h *fakeHub) Stock(ctx context.Context, show, sku string, n int64) error {
	if h.stockGate != nil {
		select {
		case <-h.stockGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h.add(event{typ: "stock", show: show, sku: sku, available: n})
	return nil
}

func (h *fakeHub) Purchase(_ context.Context, show, buyer, product string) error {
	h.add(event{typ: "purchase", show: show, buyer: buyer, product: product})
	return nil
}

// of returns the events of the type (all with "").
func (h *fakeHub) of(typ string) []event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []event
	for _, ev := range h.events {
		if typ == "" || ev.typ == typ {
			out = append(out, ev)
		}
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // poll interval, not synchronisation
	}
}

func start(t *testing.T, s *fakeStore, h *fakeHub, tweak func(*Config)) *Events {
	t.Helper()
	cfg := Config{Store: s, Events: h}
	if tweak != nil {
		tweak(&cfg)
	}
	e, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// barrier makes sure the owner handled everything sent before it: it
// sends a stock figure of a product only a marker show sells and waits
// for it.
type barrier struct {
	s         *fakeStore
	h         *fakeHub
	e         *Events
	sku, show string
	n         int64
}

func newBarrier(s *fakeStore, h *fakeHub) *barrier {
	p, k := s.product()
	return &barrier{s: s, h: h, sku: k, show: s.show(hawker.ShowLive, p)}
}

func (b *barrier) wait(t *testing.T) {
	t.Helper()
	b.n++
	n := b.n
	b.e.OnStock(hawker.Stock{SKUID: b.sku, Available: n})
	waitFor(t, "the barrier", func() bool {
		for _, ev := range b.h.of("stock") {
			if ev.sku == b.sku && ev.available == n {
				return true
			}
		}
		return false
	})
}

func newDeal(show string, from, to time.Duration) *hawker.Deal {
	now := hawker.Now()
	return &hawker.Deal{ID: hawker.NewID(hawker.PrefixDeal), ShowID: show, SKUID: hawker.NewID(hawker.PrefixSKU),
		Prices: map[string]int64{"US": 500}, Quantity: 5, Remaining: 5,
		StartsAt: now.Add(from), EndsAt: now.Add(to), State: hawker.DealScheduled, CreatedAt: now}
}

func types(evs []event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.typ + ":" + ev.deal.ID
	}
	return out
}

// A deal made through the API is announced when it starts and when it
// ends, by the server's clock, once each, with the server's now and the
// state at that instant.
func TestDealAnnouncedOnTime(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, nil)
	b.e = e
	show := s.show(hawker.ShowLive)
	d := newDeal(show, 150*time.Millisecond, 400*time.Millisecond)
	s.putDeal(d)
	e.DealChanged(d)
	b.wait(t)
	if evs := h.of("deal_started"); len(evs) != 0 {
		t.Fatalf("announced before its start: %+v", evs)
	}
	waitFor(t, "deal_ended", func() bool { return len(h.of("deal_ended")) == 1 })
	b.wait(t)
	started, ended := h.of("deal_started"), h.of("deal_ended")
	if len(started) != 1 || len(ended) != 1 {
		t.Fatalf("started %d, ended %d times", len(started), len(ended))
	}
	st, en := started[0], ended[0]
	if st.show != show || st.deal.ID != d.ID || st.deal.State != hawker.DealActive || st.now.Before(d.StartsAt) || !st.now.Before(d.EndsAt) {
		t.Errorf("deal_started = %+v (deal %v..%v)", st, d.StartsAt, d.EndsAt)
	}
	if en.deal.State != hawker.DealEnded || en.now.Before(d.EndsAt) {
		t.Errorf("deal_ended = %+v", en)
	}
}

// On start the deals that run or will are loaded: a running one is
// announced at once, a later one at its start; a restart (a new Events on
// the same store) announces the running one again, once.
func TestRestartLoadsDeals(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	show := s.show(hawker.ShowLive)
	running := newDeal(show, -time.Second, time.Minute)
	later := newDeal(show, 200*time.Millisecond, time.Hour)
	over := newDeal(show, -2*time.Minute, -time.Minute)
	cancelled := newDeal(show, -time.Second, time.Minute)
	cancelled.State = hawker.DealCancelled
	for _, d := range []*hawker.Deal{running, later, over, cancelled} {
		s.putDeal(d)
	}
	e := start(t, s, h, nil)
	b.e = e
	waitFor(t, "both starts", func() bool { return len(h.of("deal_started")) == 2 })
	b.wait(t)
	if got := types(h.of("")); !slices.Equal(got[:2], []string{"deal_started:" + running.ID, "deal_started:" + later.ID}) {
		t.Errorf("events %v", got)
	}
	e.Close()

	h2 := &fakeHub{}
	e2 := start(t, s, h2, nil)
	waitFor(t, "the starts after the restart", func() bool { return len(h2.of("deal_started")) == 2 })
	b2 := &barrier{s: s, h: h2, e: e2, sku: b.sku, show: b.show}
	b2.wait(t)
	if n := len(h2.of("deal_started")); n != 2 {
		t.Errorf("%d starts after the restart, want each running deal once", n)
	}
}

// Ended early by the host: deal_ended at once, once, whatever other
// notices follow (the engine's sold-out end, a repeat).
func TestDealEndedEarly(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, nil)
	b.e = e
	show := s.show(hawker.ShowLive)
	d := newDeal(show, 0, time.Hour)
	s.putDeal(d)
	e.DealChanged(d)
	waitFor(t, "deal_started", func() bool { return len(h.of("deal_started")) == 1 })
	ended := *d
	ended.State, ended.EndsAt = hawker.DealEnded, hawker.Now()
	s.putDeal(&ended)
	e.DealChanged(&ended)
	e.OnDealEnded(ended)
	e.DealChanged(&ended)
	b.wait(t)
	got := h.of("deal_ended")
	if len(got) != 1 || got[0].deal.State != hawker.DealEnded || !got[0].deal.EndsAt.Equal(ended.EndsAt) {
		t.Errorf("deal_ended = %+v, want one with the early end", got)
	}
}

// A deal that sells out in the moment it starts — before its start was
// announced — is still seen to start, then end: exactly once each.
func TestSoldOutAtOnce(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, nil)
	b.e = e
	show := s.show(hawker.ShowLive)
	for range 20 {
		d := newDeal(show, 0, time.Hour)
		s.putDeal(d)
		e.DealChanged(d)
		sold := *d
		sold.State, sold.Remaining = hawker.DealEnded, 0
		s.putDeal(&sold)
		e.OnDealEnded(sold)
		b.wait(t)
		if got := types(h.of("")); !slices.Equal(got[len(got)-3:len(got)-1], []string{"deal_started:" + d.ID, "deal_ended:" + d.ID}) {
			t.Fatalf("events %v, want the deal started then ended", got)
		}
		if ev := h.of("deal_ended"); ev[len(ev)-1].deal.Remaining != 0 {
			t.Errorf("deal_ended carries remaining %d, want the store's 0", ev[len(ev)-1].deal.Remaining)
		}
	}
}

// A deal cancelled before its start is never announced; nor is one the
// store says was cancelled by someone else when its start comes.
func TestCancelledDealsStayQuiet(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, nil)
	b.e = e
	show := s.show(hawker.ShowLive)
	d := newDeal(show, 100*time.Millisecond, time.Hour)
	s.putDeal(d)
	e.DealChanged(d)
	c := *d
	c.State = hawker.DealCancelled
	e.DealChanged(&c)

	elsewhere := newDeal(show, 100*time.Millisecond, time.Hour)
	e.DealChanged(elsewhere)
	gone := *elsewhere
	gone.State = hawker.DealCancelled
	s.putDeal(&gone)

	waitFor(t, "both starts to pass", func() bool { return hawker.Now().After(d.StartsAt.Add(50 * time.Millisecond)) })
	b.wait(t)
	if evs := h.of("deal_started"); len(evs) != 0 {
		t.Errorf("cancelled deals announced: %+v", evs)
	}
}

// Stock goes to every live and rehearsing show whose bag holds the SKU's
// product, the latest figure last; the map of shows is read once per TTL,
// not once per update.
func TestStockForwarding(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	p, sku := s.product()
	live, rehearsal := s.show(hawker.ShowLive, p), s.show(hawker.ShowRehearsal, p)
	s.show(hawker.ShowScheduled, p)
	s.show(hawker.ShowEnded, p)
	s.show(hawker.ShowLive) // another product
	e := start(t, s, h, func(c *Config) { c.ShowsTTL = time.Hour })
	for n := int64(1000); n >= 0; n-- {
		e.OnStock(hawker.Stock{SKUID: sku, Available: n})
	}
	e.OnStock(hawker.Stock{SKUID: hawker.NewID(hawker.PrefixSKU), Available: 3}) // unknown SKU
	last := func(show string) int64 {
		v := int64(-1)
		for _, ev := range h.of("stock") {
			if ev.show == show && ev.sku == sku {
				v = ev.available
			}
		}
		return v
	}
	waitFor(t, "the last figure in both shows", func() bool { return last(live) == 0 && last(rehearsal) == 0 })
	shows := map[string]bool{}
	for _, ev := range h.of("stock") {
		shows[ev.show] = true
	}
	if len(shows) != 2 || !shows[live] || !shows[rehearsal] {
		t.Errorf("stock went to %v, want the live and the rehearsing show", shows)
	}
	if n := len(h.of("stock")); n > 2*1001 {
		t.Errorf("%d stock events for 1001 figures", n)
	}
	if n := s.showReads.Load(); n != 1 {
		t.Errorf("the shows were read %d times, want once within the TTL", n)
	}
	if e.Dropped() != 0 {
		t.Errorf("dropped %d", e.Dropped())
	}
}

// A show that goes live gets stock once the TTL passed.
func TestStockMapExpires(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	p, sku := s.product()
	e := start(t, s, h, func(c *Config) { c.ShowsTTL = 50 * time.Millisecond })
	e.OnStock(hawker.Stock{SKUID: sku, Available: 5})
	waitFor(t, "the shows to be read", func() bool { return s.showReads.Load() >= 1 })
	show := s.show(hawker.ShowLive, p)
	waitFor(t, "stock in the new show", func() bool {
		e.OnStock(hawker.Stock{SKUID: sku, Available: 4})
		for _, ev := range h.of("stock") {
			if ev.show == show {
				return true
			}
		}
		return false
	})
}

// The engine's hooks never wait: with the hub stalled and a tiny inbox,
// thousands of calls return at once; one SKU's figures replace each other
// (nothing dropped), new SKUs beyond the bound are dropped and counted.
func TestInputsNeverBlock(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{stockGate: make(chan struct{})}
	p, sku := s.product()
	s.show(hawker.ShowLive, p)
	e := start(t, s, h, func(c *Config) { c.QueueSize = 4 })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n := range int64(10_000) {
			e.OnStock(hawker.Stock{SKUID: sku, Available: n})
		}
		for range 100 {
			e.OnStock(hawker.Stock{SKUID: hawker.NewID(hawker.PrefixSKU), Available: 1})
			e.OnOrder(&hawker.Order{State: hawker.OrderPaid, ShowID: "shw_x", Lines: []hawker.OrderLine{{SKUID: sku}}})
			e.DealChanged(newDeal("shw_x", time.Hour, 2*time.Hour))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the inputs blocked on a stalled hub")
	}
	if e.Dropped() == 0 {
		t.Errorf("nothing dropped with an inbox of 4")
	}
	close(h.stockGate)
	waitFor(t, "the latest figure", func() bool {
		evs := h.of("stock")
		return len(evs) > 0 && evs[len(evs)-1].sku == sku && evs[len(evs)-1].available == 9999
	})
}

// A paid order of a show is announced there as a purchase by the buyer's
// display name (never an email), once per product; other orders are not.
func TestPurchase(t *testing.T) {
	s, h := newFakeStore(), &fakeHub{}
	b := newBarrier(s, h)
	e := start(t, s, h, nil)
	b.e = e
	p, sku := s.product()
	p2, sku2 := s.product()
	show := s.show(hawker.ShowLive, p, p2)
	anna := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: "Anna Maria Schmidt", Email: "anna@example.com"}
	mail := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: "bob@example.com", Email: "bob@example.com"}
	s.users[anna.ID], s.users[mail.ID] = anna, mail
	order := func(buyer string, state hawker.OrderState, show string, skus ...string) *hawker.Order {
		o := &hawker.Order{ID: hawker.NewID(hawker.PrefixOrder), BuyerID: buyer, ShowID: show, State: state}
		for _, k := range skus {
			o.Lines = append(o.Lines, hawker.OrderLine{SKUID: k, Quantity: 1})
		}
		return o
	}
	withCity := order(anna.ID, hawker.OrderPaid, show, sku, sku2)
	withCity.ShippingAddress = &hawker.Address{City: "Berlin"}
	e.OnOrder(withCity)
	e.OnOrder(order(anna.ID, hawker.OrderReserved, show, sku))
	e.OnOrder(order(anna.ID, hawker.OrderRefunded, show, sku))
	e.OnOrder(order(anna.ID, hawker.OrderPaid, "", sku))
	e.OnOrder(order(mail.ID, hawker.OrderPaid, show, sku))
	e.OnOrder(order(hawker.NewID(hawker.PrefixUser), hawker.OrderPaid, show, sku, sku))
	b.wait(t)
	got := h.of("purchase")
	want := []event{
		{typ: "purchase", show: show, buyer: "Anna S., Berlin", product: p},
		{typ: "purchase", show: show, buyer: "Anna S., Berlin", product: p2},
		{typ: "purchase", show: show, buyer: "Someone", product: p},
		{typ: "purchase", show: show, buyer: "Someone", product: p},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("purchases:\n got %+v\nwant %+v", got, want)
	}
	for _, ev := range got {
		if ev.buyer == anna.Email || ev.buyer == mail.Email {
			t.Errorf("an email reached viewers: %+v", ev)
		}
	}
}
