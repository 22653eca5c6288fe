// Package live tells a show's viewers what commerce does in it, as it
// happens: flash deals starting and ending on time (deal_started,
// deal_ended), the stock left of the bag's SKUs after orders (stock), and
// "someone just bought" when an order of the show is paid (purchase). The
// realtime hub ([hawker.ShowEvents]) publishes; this package decides what
// and when.
//
// One owner goroutine does everything. Its inputs — the inventory
// engine's hooks ([Events.OnStock], [Events.OnOrder],
// [Events.OnDealEnded]) and the API's ([Events.DealChanged]) — never
// block: they put the event in a bounded inbox and wake the owner. When
// the inbox is full, stock keeps only the latest figure per SKU (the hub
// coalesces to a few per second anyway) and other events are dropped and
// counted ([Events.Dropped]). Deals are announced by timers at their
// start and end, by the server's clock; on start the deals that run or
// will are loaded from the store, so a restart announces them again, and
// each start and end is announced once per process.
package live

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"hawker"
)

// Store is what Events reads. The sqlite and postgres stores implement it.
type Store interface {
	FindDeal(ctx context.Context, id string) (*hawker.Deal, error)
	FindDealsEndingAfter(ctx context.Context, t time.Time, limit int) ([]*hawker.Deal, error)
	FindSKUByID(ctx context.Context, id string) (*hawker.SKU, error)
	FindShows(ctx context.Context, f hawker.ShowFilter, p hawker.Page) ([]*hawker.Show, error)
	FindShowProducts(ctx context.Context, showID string) ([]string, error)
	FindUserByID(ctx context.Context, id string) (*hawker.User, error)
}

// Defaults of [Config].
const (
	// DefaultQueueSize bounds the inbox: SKUs with a pending stock figure,
	// and pending deal notices and purchases (each).
	DefaultQueueSize = 4096
	// DefaultShowsTTL is how long the map from products to the live and
	// rehearsing shows whose bag holds them is trusted: a show that just
	// went live, or a bag just changed, gets stock updates after at most
	// that long.
	DefaultShowsTTL = 2 * time.Second
	// DefaultCallTimeout bounds each store read and hub call.
	DefaultCallTimeout = 5 * time.Second
	// MaxLoadedDeals bounds the deals loaded at start.
	MaxLoadedDeals = 10_000
	// maxSKUCache bounds the SKU → product cache; it starts over when full.
	maxSKUCache = 100_000
	// DefaultPurchaseRate and DefaultPurchaseBurst bound the "just
	// bought" announcements per show: a flash sale confirms hundreds of
	// orders a second, and each announcement is a frame to every viewer.
	// They are social proof, not a ledger, so the excess is dropped.
	DefaultPurchaseRate  = 2 // per second
	DefaultPurchaseBurst = 4
	// maxLimiters bounds the per-show limiters; they start over when full.
	maxLimiters = 10_000
	// showsPage is the page size of the shows read for the product map.
	showsPage = hawker.MaxPageLimit
)

// Config sets up [Start]. Store and Events are required.
type Config struct {
	Store  Store
	Events hawker.ShowEvents
	// Clock is the server's time (hawker.Now when nil): deals start and
	// end by it, and every deal event carries it as now.
	Clock     hawker.Clock
	QueueSize int
	ShowsTTL  time.Duration
	// PurchaseRate (per second) and PurchaseBurst bound the purchase
	// announcements per show (DefaultPurchaseRate, DefaultPurchaseBurst).
	PurchaseRate  float64
	PurchaseBurst int
	CallTimeout   time.Duration
	Logger        *slog.Logger
}

// Events announces deals, stock and purchases of shows. Its methods are
// safe for concurrent use and never block.
type Events struct {
	cfg     Config
	wake    chan struct{} // holds a token when the inbox may hold something
	cancel  context.CancelFunc
	done    chan struct{}
	dropped atomic.Int64

	mu sync.Mutex // guards the inbox below
	// stock holds the latest available figure per SKU not yet forwarded.
	stock     map[string]int64
	deals     []*hawker.Deal // deal notices, in arrival order
	purchases []purchase
	closed    bool

	// Owned by the run goroutine.
	tracked      map[string]*tracked      // deals whose start or end is still to be announced
	skuProduct   map[string]string        // SKU → product ("" when unknown)
	productShows map[string][]string      // product → live and rehearsing shows with it in the bag
	showsAt      time.Time                // when productShows was read (real time); zero: read it again
	reported     int64                    // dropped events already logged
	limiters     map[string]*rate.Limiter // show → purchase announcements
	sampled      atomic.Int64             // purchases not announced by the rate bound
}

// purchase is what an announcement of a paid order needs, copied from
// the order (the engine's caller keeps using it).
type purchase struct {
	showID, buyerID, city string
	skus                  []string
}

// tracked is a deal whose start or end is due.
type tracked struct {
	deal    *hawker.Deal
	started bool // deal_started was announced
}

// Start loads the deals that run or will (from the store, by the server's
// clock) and starts the owner goroutine. Close stops it.
func Start(ctx context.Context, cfg Config) (*Events, error) {
	if cfg.Clock == nil {
		cfg.Clock = hawker.Now
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.ShowsTTL <= 0 {
		cfg.ShowsTTL = DefaultShowsTTL
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.PurchaseRate <= 0 {
		cfg.PurchaseRate = DefaultPurchaseRate
	}
	if cfg.PurchaseBurst <= 0 {
		cfg.PurchaseBurst = DefaultPurchaseBurst
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Events{
		cfg:          cfg,
		wake:         make(chan struct{}, 1),
		done:         make(chan struct{}),
		stock:        map[string]int64{},
		tracked:      map[string]*tracked{},
		skuProduct:   map[string]string{},
		productShows: map[string][]string{},
	}
	lctx, cancel := context.WithTimeout(ctx, cfg.CallTimeout)
	deals, err := cfg.Store.FindDealsEndingAfter(lctx, cfg.Clock(), MaxLoadedDeals)
	cancel()
	if err != nil {
		return nil, err
	}
	for _, d := range deals {
		e.tracked[d.ID] = &tracked{deal: d}
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	go e.run(rctx)
	return e, nil
}

// Close stops the owner goroutine and waits for it; what is still in the
// inbox is dropped. Later calls of the inputs do nothing.
func (e *Events) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	<-e.done
}

// Dropped returns how many events a full inbox dropped so far.
func (e *Events) Dropped() int64 { return e.dropped.Load() }

func (e *Events) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// OnStock takes the stock of a SKU after a commit (the inventory engine's
// Config.OnStock). Viewers of every live or rehearsing show whose bag
// holds the SKU's product get its available units.
func (e *Events) OnStock(s hawker.Stock) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	if _, ok := e.stock[s.SKUID]; !ok && len(e.stock) >= e.cfg.QueueSize {
		e.mu.Unlock()
		e.dropped.Add(1)
		return
	}
	e.stock[s.SKUID] = s.Available
	e.mu.Unlock()
	e.signal()
}

// OnOrder takes an order the engine made or moved (its Config.OnOrder):
// an order of a show that became paid is announced there as a purchase,
// under the buyer's display name (never an email).
func (e *Events) OnOrder(o *hawker.Order) {
	if o.State != hawker.OrderPaid || o.ShowID == "" {
		return
	}
	p := purchase{showID: o.ShowID, buyerID: o.BuyerID, skus: make([]string, 0, len(o.Lines))}
	if o.ShippingAddress != nil {
		p.city = o.ShippingAddress.City
	}
	for _, l := range o.Lines {
		p.skus = append(p.skus, l.SKUID)
	}
	e.mu.Lock()
	if e.closed || len(e.purchases) >= e.cfg.QueueSize {
		closed := e.closed
		e.mu.Unlock()
		if !closed {
			e.dropped.Add(1)
		}
		return
	}
	e.purchases = append(e.purchases, p)
	e.mu.Unlock()
	e.signal()
}

// OnDealEnded takes a deal the engine ended because it sold out (its
// Config.OnDealEnded): viewers get deal_ended now.
func (e *Events) OnDealEnded(d hawker.Deal) { e.DealChanged(&d) }

// DealChanged takes a deal the API made (announced at its start) or ended
// early (announced now). It implements the API's DealWatcher.
func (e *Events) DealChanged(d *hawker.Deal) {
	c := *d
	c.Prices = maps.Clone(d.Prices)
	e.mu.Lock()
	if e.closed || len(e.deals) >= e.cfg.QueueSize {
		closed := e.closed
		e.mu.Unlock()
		if !closed {
			e.dropped.Add(1)
		}
		return
	}
	e.deals = append(e.deals, &c)
	e.mu.Unlock()
	e.signal()
}

func (e *Events) run(ctx context.Context) {
	defer close(e.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.step(ctx)
		if next, ok := e.nextDue(); ok {
			// Timers run on real time; the server's clock decides what is
			// due when they fire.
			timer.Reset(max(next.Sub(e.cfg.Clock()), 0))
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

// step handles the inbox and announces the deals that are due.
func (e *Events) step(ctx context.Context) {
	e.mu.Lock()
	var stock map[string]int64
	if len(e.stock) > 0 {
		stock, e.stock = e.stock, map[string]int64{}
	}
	deals, purchases := e.deals, e.purchases
	e.deals, e.purchases = nil, nil
	e.mu.Unlock()

	if n := e.dropped.Load(); n != e.reported {
		e.cfg.Logger.Warn("live: inbox full, events dropped", "dropped", n-e.reported)
		e.reported = n
	}
	for _, d := range deals {
		e.dealNotice(ctx, d)
	}
	e.announceDue(ctx)
	for _, p := range purchases {
		e.purchase(ctx, p)
	}
	for _, sku := range slices.Sorted(maps.Keys(stock)) {
		e.forwardStock(ctx, sku, stock[sku])
	}
}

// dealNotice tracks a new deal, or announces the early end of a tracked
// one. A deal that ended after it ran, before its start was announced
// (sold out within moments), is announced started and then ended, so
// viewers see it go.
func (e *Events) dealNotice(ctx context.Context, d *hawker.Deal) {
	t := e.tracked[d.ID]
	if d.State == hawker.DealScheduled {
		if t == nil {
			e.tracked[d.ID] = &tracked{deal: d}
			// Its show may be new to the product map.
			e.showsAt = time.Time{}
		} else {
			t.deal = d
		}
		return
	}
	if t == nil {
		return // announced already, or never known here
	}
	if !t.started && d.State == hawker.DealEnded {
		e.announce(ctx, "deal_started", t.deal, e.cfg.Events.DealStarted)
		t.started = true
	}
	if t.started {
		e.announce(ctx, "deal_ended", e.fresh(ctx, d), e.cfg.Events.DealEnded)
	}
	delete(e.tracked, d.ID)
}

// due is a start or an end to announce.
type due struct {
	at    time.Time
	end   bool
	track *tracked
}

// announceDue announces the starts and ends that are due by the server's
// clock, in time order (an end before a start at the same instant: back
// to back deals of a show never look like two at once).
func (e *Events) announceDue(ctx context.Context) {
	now := e.cfg.Clock()
	var list []due
	for _, t := range e.tracked {
		switch {
		case !t.started && !now.Before(t.deal.StartsAt):
			list = append(list, due{at: t.deal.StartsAt, track: t})
		case t.started && !now.Before(t.deal.EndsAt):
			list = append(list, due{at: t.deal.EndsAt, end: true, track: t})
		}
	}
	slices.SortFunc(list, func(a, b due) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		switch {
		case a.end && !b.end:
			return -1
		case b.end && !a.end:
			return 1
		}
		return 0
	})
	for _, x := range list {
		t := x.track
		if x.end {
			e.announce(ctx, "deal_ended", e.fresh(ctx, t.deal), e.cfg.Events.DealEnded)
			delete(e.tracked, t.deal.ID)
			continue
		}
		if !now.Before(t.deal.EndsAt) {
			delete(e.tracked, t.deal.ID) // over before it could be announced (the process was down)
			continue
		}
		// Read it again: it may have been cancelled (nothing to tell), or
		// have run and ended already (sold out in a moment, or ended on
		// another node): then viewers see it start and end.
		d := e.fresh(ctx, t.deal)
		switch d.State {
		case hawker.DealCancelled:
			delete(e.tracked, t.deal.ID)
			continue
		case hawker.DealEnded:
			e.announce(ctx, "deal_started", t.deal, e.cfg.Events.DealStarted)
			e.announce(ctx, "deal_ended", d, e.cfg.Events.DealEnded)
			delete(e.tracked, t.deal.ID)
			continue
		}
		t.deal = d
		e.announce(ctx, "deal_started", d, e.cfg.Events.DealStarted)
		t.started = true
		if !now.Before(d.EndsAt) {
			e.announce(ctx, "deal_ended", d, e.cfg.Events.DealEnded)
			delete(e.tracked, d.ID)
		}
	}
}

// nextDue returns when the next start or end is due.
func (e *Events) nextDue() (time.Time, bool) {
	var next time.Time
	found := false
	for _, t := range e.tracked {
		at := t.deal.StartsAt
		if t.started {
			at = t.deal.EndsAt
		}
		if !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}

// fresh reads the deal again for its current state and remaining units;
// on failure it keeps d.
func (e *Events) fresh(ctx context.Context, d *hawker.Deal) *hawker.Deal {
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	defer cancel()
	got, err := e.cfg.Store.FindDeal(cctx, d.ID)
	if err != nil {
		if ctx.Err() == nil {
			e.cfg.Logger.Warn("live: read deal", "deal", d.ID, "err", err)
		}
		return d
	}
	return got
}

// announce publishes a deal event with the server's now; the deal is
// shown in its state at now.
func (e *Events) announce(ctx context.Context, what string, d *hawker.Deal, fn func(context.Context, string, *hawker.Deal, time.Time) error) {
	now := e.cfg.Clock()
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	defer cancel()
	if err := fn(cctx, d.ShowID, d.At(now), now); err != nil && ctx.Err() == nil {
		e.cfg.Logger.Warn("live: announce", "event", what, "show", d.ShowID, "deal", d.ID, "err", err)
	}
}

// purchase announces a paid order, once per product it holds, within the
// show's purchase rate.
func (e *Events) purchase(ctx context.Context, p purchase) {
	// Before any store read: in a flash sale most purchases stay quiet.
	if !e.purchaseAllowed(p.showID) {
		e.sampled.Add(1)
		return
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	defer cancel()
	name := hawker.BuyerDisplayName("", p.city)
	if u, err := e.cfg.Store.FindUserByID(cctx, p.buyerID); err == nil {
		name = hawker.BuyerDisplayName(u.Name, p.city)
	} else if hawker.ErrorCode(err) != hawker.ENOTFOUND {
		e.cfg.Logger.Warn("live: read buyer", "user", p.buyerID, "err", err)
	}
	seen := map[string]bool{}
	for _, sku := range p.skus {
		product := e.productOf(cctx, sku)
		if product == "" || seen[product] {
			continue
		}
		seen[product] = true
		if err := e.cfg.Events.Purchase(cctx, p.showID, name, product); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("live: announce", "event", "purchase", "show", p.showID, "err", err)
		}
	}
}

// purchaseAllowed takes a token of the show's purchase announcements.
func (e *Events) purchaseAllowed(showID string) bool {
	l := e.limiters[showID]
	if l == nil {
		if e.limiters == nil || len(e.limiters) >= maxLimiters {
			e.limiters = map[string]*rate.Limiter{}
		}
		l = rate.NewLimiter(rate.Limit(e.cfg.PurchaseRate), e.cfg.PurchaseBurst)
		e.limiters[showID] = l
	}
	return l.Allow()
}

// Sampled returns how many purchase announcements the rate bound left out.
func (e *Events) Sampled() int64 { return e.sampled.Load() }

// forwardStock publishes a SKU's available units to the shows that sell
// its product now.
func (e *Events) forwardStock(ctx context.Context, sku string, available int64) {
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	defer cancel()
	product := e.productOf(cctx, sku)
	if product == "" {
		return
	}
	for _, show := range e.showsSelling(cctx, product) {
		if err := e.cfg.Events.Stock(cctx, show, sku, available); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Warn("live: announce", "event", "stock", "show", show, "sku", sku, "err", err)
		}
	}
}

// productOf returns the SKU's product ("" when the SKU is unknown or its
// product deleted). A SKU never changes product, so the answer is kept.
func (e *Events) productOf(ctx context.Context, sku string) string {
	if p, ok := e.skuProduct[sku]; ok {
		return p
	}
	s, err := e.cfg.Store.FindSKUByID(ctx, sku)
	switch {
	case err == nil:
	case hawker.ErrorCode(err) == hawker.ENOTFOUND:
		s = &hawker.SKU{}
	default:
		e.cfg.Logger.Warn("live: read SKU", "sku", sku, "err", err)
		return ""
	}
	if len(e.skuProduct) >= maxSKUCache {
		clear(e.skuProduct)
	}
	e.skuProduct[sku] = s.ProductID
	return s.ProductID
}

// showsSelling returns the live and rehearsing shows whose bag holds the
// product, from a map read again every ShowsTTL.
func (e *Events) showsSelling(ctx context.Context, product string) []string {
	if e.showsAt.IsZero() || time.Since(e.showsAt) >= e.cfg.ShowsTTL {
		m, err := e.readShows(ctx)
		if err != nil {
			e.cfg.Logger.Warn("live: read live shows", "err", err)
		} else {
			e.productShows, e.showsAt = m, time.Now()
		}
	}
	return e.productShows[product]
}

func (e *Events) readShows(ctx context.Context) (map[string][]string, error) {
	m := map[string][]string{}
	p := hawker.Page{Limit: showsPage}
	for {
		shows, err := e.cfg.Store.FindShows(ctx, hawker.ShowFilter{States: []hawker.ShowState{hawker.ShowLive, hawker.ShowRehearsal}}, p)
		if err != nil {
			return nil, err
		}
		for _, sh := range shows {
			bag, err := e.cfg.Store.FindShowProducts(ctx, sh.ID)
			if hawker.ErrorCode(err) == hawker.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			for _, product := range bag {
				m[product] = append(m[product], sh.ID)
			}
		}
		if len(shows) < p.Limit {
			return m, nil
		}
		p.After = shows[len(shows)-1].ID
	}
}
