// Package inventory is hawker's stock engine: it decides order requests
// (reserve), payment confirmations and cancellations against SKU stock,
// per-buyer limits and flash deals, and makes each decision durable before
// it answers.
//
// Two engines implement [Engine]:
//
//   - [GroupCommit] ([New]), the engine of DESIGN.md "Inventory engine": one
//     owner goroutine per hot SKU holds the SKU's state in memory, takes
//     requests from a bounded queue, decides a whole batch in memory, writes
//     it with one [Store.CommitBatch] (one transaction, one fsync) and only
//     then answers every request of the batch.
//   - [RowLock] ([NewRowLock]), the obvious design kept as a baseline
//     (`--inventory=rowlock`): one database transaction with row locks per
//     request.
//
// Both decide with the same code (state.go), so they give the same answers;
// they differ only in how the state is held and written.
//
// # Several processes
//
// Every decision is fenced by the SKU's version in the store (see
// [Store]): a batch decided on a state the store no longer has fails with
// [ErrStale] as a whole, and the owner reloads and decides again. So two
// processes that both believe they own a SKU, or a seller editing stock
// behind the engine, can cost a retry but never an oversell.
//
// On a store that implements [Leaser], and with a [Config.Node], one
// process decides each SKU: an owner takes the SKU's lease in the store
// before it decides, the engine renews it while the owner lives and
// releases it when the owner retires, and each commit also checks it
// ([SKUChange.Leased]). Reserve requests for a SKU another live process
// holds are answered at once with a [*NotOwnerError] naming it (the HTTP
// layer forwards them); an owner that loses its lease answers what it has
// queued the same way. Confirmations, cancellations and stock reads are
// answered by any process, fenced by versions only. The lease is an
// optimisation (no reload storms when several processes sell one SKU);
// correctness still rests on the version fence.
//
// # Idempotency
//
// A request's (buyer, Idempotency-Key) maps to at most one decision: a 201
// with the order or a 409 (sold_out, limit_exceeded, deal_not_active). The
// decision is stored with the batch that makes it (as a [Record] with the
// exact JSON body) and replayed for the same key and request fingerprint —
// while the first request is in flight (duplicates wait for it), after it,
// and after a restart (from the store). The same key with another
// fingerprint is idempotency_key_reused. Refusals before a decision
// (invalid input, busy, internal errors) are not stored.
//
// Nearly every key in a flash sale is new, so the owner does not look new
// keys up: on a store that implements [KeyLister] the engine keeps a set
// of the hashes of every stored key (listed at start, added to by each
// commit) and asks the store only for keys in it. The set is a shortcut,
// not what keeps a key to one decision: that is the store's unique
// (buyer, key) index, on which a batch holding a key decided elsewhere
// fails (ErrStale) and is decided again with lookups.
//
// # Multi-SKU orders
//
// An order with lines of several SKUs is decided by a coordinator that
// parks the owners of its SKUs in ascending SKU id order (two-phase: each
// owner finishes its current batch, hands its state over and waits), decides
// against all of their states at once, commits one batch fencing every SKU,
// and releases them. The fixed order rules out deadlock between
// coordinators; owners never wait for each other. Expiry, payment and
// cancellation of multi-SKU orders take the same path. This path is slower
// (it stalls the parked owners for one commit) but flash-sale traffic is
// single-SKU; correctness does not depend on which path is taken.
//
// # Expiry
//
// Reservations expire exactly once: every round first expires the due
// reservations of its SKUs (so reads and decisions never see stock held by
// an order past pay_by), owners wake every [Config.SweepInterval] when they
// hold due reservations, and a janitor asks the store for SKUs with due
// reservations ([Store.DueSKUs]) so that retired owners and orders from
// before a restart expire too. The store's transition check (state =
// reserved) makes a second expiry of the same order impossible even across
// processes.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"hawker"
)

// Engine decides orders against stock. Methods are safe for concurrent use.
type Engine interface {
	// Reserve decides an order request: a new reserved order (201), a
	// decided refusal (409: sold_out, limit_exceeded, deal_not_active), or
	// the replay of the key's earlier decision. Errors are refusals before a
	// decision and are not stored: EINVALID (bad request, with field),
	// ENOTFOUND (unknown SKU), EKEYREUSED (the key was used for another
	// request), EBUSY (queue full, retry later), internal errors, and the
	// context's error.
	Reserve(ctx context.Context, req Request) (Decision, error)
	// Confirm marks a reserved order paid, turning its reserved units into
	// sold ones. Confirming a paid order returns it unchanged. ESTATE when
	// the order is expired (also when its pay_by passed just now: it
	// expires first), cancelled, refunded or fulfilled; ENOTFOUND when
	// unknown; EBUSY when the engine is over capacity.
	Confirm(ctx context.Context, orderID string) (*hawker.Order, error)
	// Cancel cancels a reserved order (cancelled) or refunds a paid one
	// (refunded, the caller refunds the money); both return the units.
	// Cancelling a cancelled order returns it unchanged. ESTATE for expired,
	// refunded and fulfilled orders; ENOTFOUND; EBUSY.
	Cancel(ctx context.Context, orderID string) (*hawker.Order, error)
	// Stock returns a SKU's stock after expiring its due reservations.
	Stock(ctx context.Context, skuID string) (hawker.Stock, error)
	// Invalidate makes the engine reload the SKU before its next decision.
	// Call it after changing the SKU outside the engine (price, stock,
	// deals); the version fence makes that correct without it, Invalidate
	// only saves a failed batch.
	Invalidate(skuID string)
	// Close stops the engine's goroutines and waits for them. Requests in
	// queues are answered EBUSY; later calls get EBUSY.
	Close() error
}

// Request is one order request.
type Request struct {
	Order hawker.OrderRequest
	// Fingerprint identifies the request body for idempotency; empty means
	// Order.Fingerprint().
	Fingerprint string
}

// Decision is the answer to an order request that is stored and replayed:
// Body is the exact JSON to send with Status. Order is set only on the
// fresh decision that made the order (nil on replays and refusals).
type Decision struct {
	Status   int    // StatusCreated or StatusConflict
	Code     string // "" on 201, else the error code
	OrderID  string
	Order    *hawker.Order
	Body     []byte
	Replayed bool // the decision was made for an earlier request with the key

	fingerprint string
}

// Defaults of [Config].
const (
	DefaultQueueSize     = 4096
	DefaultMaxBatch      = 4096
	DefaultIdleTimeout   = time.Minute
	DefaultSweepInterval = time.Second
	DefaultJanitor       = 10 * time.Second
	DefaultKeyCache      = 10_000
	// maxAttempts bounds how often one round is decided again after
	// ErrStale before it gives up with an internal error.
	maxAttempts = 4
	// dueBatch is how many SKUs one janitor pass wakes.
	dueBatch = 1000
)

// Config sets up an engine. Zero values take the defaults.
type Config struct {
	Markets hawker.Markets
	// Clock is the server's time (hawker.Now when nil). Deals, pay_by and
	// expiry follow it; timers that only decide when to look use real time.
	Clock hawker.Clock
	// Reservation is how long an unpaid order holds stock in a market
	// without ReservationMinutes (hawker.DefaultReservation when 0).
	Reservation time.Duration
	// QueueSize bounds each owner's queue; a full queue answers EBUSY.
	QueueSize int
	// MaxBatch caps the requests one commit decides. Big batches are what
	// makes the engine fast (a cap of 16 cost 10–35 % in the prototype).
	MaxBatch int
	// IdleTimeout retires an owner that had nothing to do for about that
	// long; its SKU is reloaded from the store when next needed.
	IdleTimeout time.Duration
	// SweepInterval is how often an owner checks its reservations for
	// expiry; Janitor how often the engine asks the store for due ones.
	SweepInterval time.Duration
	Janitor       time.Duration
	// KeyCache is how many decided idempotency keys stay in memory for
	// replays without a store read (about 1 KB each); older keys are
	// replayed from the store.
	KeyCache int
	// KnownKeys bounds the set of decided keys (a hash each, about 30
	// bytes) that a store implementing [KeyLister] lets the engine keep,
	// so that new keys need no store lookup ([DefaultKnownKeys] when 0;
	// negative: no set, every key is looked up).
	KnownKeys int
	// OnStock, when set, is called after each commit with the SKUs whose
	// stock changed. It runs on the owner goroutine and must not block
	// (the realtime hub coalesces and publishes).
	OnStock func(hawker.Stock)
	// OnOrder, when set, is called after each commit with every order the
	// batch made or moved, in decision order, with its new State (an
	// order paid and refunded by one batch comes twice). Orders the
	// engine expires on its own carry only ID, BuyerID, State, PayBy,
	// UpdatedAt and their lines' SKUID, Quantity and DealID; all others
	// are whole. It runs on the deciding goroutine, must not block and
	// must not change the order (the caller's answer shares it).
	OnOrder func(*hawker.Order)
	// OnDealEnded, when set, is called after the commit that ended a deal
	// because it sold out, with the deal (state ended) as the engine
	// knew it. The version fence makes that commit the only one that
	// ends the deal, so each process hears of each deal at most once; a
	// crash between the commit and the call loses the call. Same rules
	// as OnStock.
	OnDealEnded func(hawker.Deal)
	Logger      *slog.Logger
	// Node names this process among those sharing the store (random,
	// unique per process start) and Addr is its base URL for the others
	// (where they forward the orders it decides). With a Node, a store
	// that implements [Leaser] turns the SKU leases on; LeaseTTL is how
	// long a lease lives unrenewed ([DefaultLeaseTTL] when 0).
	Node     string
	Addr     string
	LeaseTTL time.Duration
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = hawker.Now
	}
	if c.Reservation <= 0 {
		c.Reservation = hawker.DefaultReservation
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = DefaultSweepInterval
	}
	if c.Janitor <= 0 {
		c.Janitor = DefaultJanitor
	}
	if c.KeyCache <= 0 {
		c.KeyCache = DefaultKeyCache
	}
	if c.KnownKeys == 0 {
		c.KnownKeys = DefaultKnownKeys
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
}

func (c *Config) now() time.Time { return c.Clock().UTC().Truncate(time.Microsecond) }

func busyErr() error {
	return hawker.Errorf(hawker.EBUSY, "Too many requests for this product; try again.")
}

// validate checks a request and returns its fingerprint.
func validate(ctx context.Context, req *Request, markets hawker.Markets) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := req.Order.Validate(markets); err != nil {
		return "", err
	}
	if req.Fingerprint != "" {
		return req.Fingerprint, nil
	}
	return req.Order.Fingerprint(), nil
}

// GroupCommit is the owner-per-SKU, group-commit engine.
type GroupCommit struct {
	cfg   Config
	store Store
	keys  *registry
	// known is nil unless the store is a KeyLister (see knownKeys).
	known  *knownKeys
	ctx    context.Context // cancelled by Close; owners and the janitor run under it
	cancel context.CancelFunc
	wg     sync.WaitGroup // owners, the janitor, the renewer and multi-SKU expiries
	// ls holds this node's SKU leases; nil when leases are off.
	ls *leases

	mu sync.RWMutex // guards the following; senders hold it for reading while they enqueue
	// owners maps a SKU id to its live owner. An owner leaves the map
	// (under mu held for writing) only with an empty queue, so nothing is
	// ever sent to a retired owner.
	owners map[string]*owner
	closed bool
}

var _ Engine = (*GroupCommit)(nil)

// New starts a group-commit engine on the store. Close stops it.
func New(store Store, cfg Config) *GroupCommit {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &GroupCommit{
		cfg:    cfg,
		store:  store,
		keys:   newRegistry(cfg.KeyCache),
		ctx:    ctx,
		cancel: cancel,
		owners: map[string]*owner{},
	}
	if l, ok := store.(KeyLister); ok && cfg.KnownKeys > 0 {
		e.known = newKnownKeys(cfg.KnownKeys)
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if err := e.known.load(e.ctx, l, cfg.now()); err != nil && e.ctx.Err() == nil {
				// Every key is looked up in the store, as without a set.
				cfg.Logger.Error("inventory: listing decided keys", "err", err)
			}
		}()
	}
	if l, ok := store.(Leaser); ok && cfg.Node != "" {
		e.ls = newLeases(l, &e.cfg)
		e.wg.Add(1)
		go e.renewer()
	}
	e.wg.Add(1)
	go e.janitor()
	return e
}

// Close implements [Engine].
func (e *GroupCommit) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	if e.ls != nil {
		e.ls.releaseAll()
	}
	return nil
}

// Owners returns how many owners are running (for tests and metrics).
func (e *GroupCommit) Owners() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.owners)
}

// send enqueues m for the SKU's owner, starting it when needed. A full
// queue is EBUSY at once.
func (e *GroupCommit) send(skuID string, m msg) error {
	e.mu.RLock()
	if e.closed {
		e.mu.RUnlock()
		return busyErr()
	}
	o := e.owners[skuID]
	if o != nil {
		// Close waits for this read lock, so m is queued before the owner
		// drains its mailbox.
		err := o.offer(m)
		e.mu.RUnlock()
		return err
	}
	e.mu.RUnlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return busyErr()
	}
	if o = e.owners[skuID]; o == nil {
		o = &owner{e: e, id: skuID, q: newMailbox(e.cfg.QueueSize)}
		e.owners[skuID] = o
		e.wg.Add(1)
		go o.run()
	}
	return o.offer(m)
}

// retire removes the owner when its queue is empty.
func (e *GroupCommit) retire(o *owner) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o.q.len() > 0 {
		return false
	}
	delete(e.owners, o.id)
	return true
}

// Reserve implements [Engine].
func (e *GroupCommit) Reserve(ctx context.Context, req Request) (Decision, error) {
	fp, err := validate(ctx, &req, e.cfg.Markets)
	if err != nil {
		return Decision{}, err
	}
	if e.ls != nil {
		// Decided elsewhere: answered at once, never queued.
		first := req.Order.SKUIDs()[0]
		if _, ok := e.ls.foreignOwner(first); ok {
			return Decision{}, e.notOwner(first)
		}
	}
	k := Key{BuyerID: req.Order.BuyerID, Key: req.Order.IdempotencyKey}
	for {
		f, leader := e.keys.join(k, &req.Order, fp)
		if leader {
			e.dispatch(ctx, f)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return Decision{}, ctx.Err()
		}
		if f.err != nil {
			if leader {
				return Decision{}, f.err
			}
			// The first request got no decision; this one asks afresh.
			if err := ctx.Err(); err != nil {
				return Decision{}, err
			}
			continue
		}
		d := *f.dec
		if leader {
			d.Order, f.order = f.order, nil // only the leader touches f.order
		} else {
			if d.fingerprint != fp {
				return Decision{}, reusedErr()
			}
			d.Replayed = true
		}
		return d, nil
	}
}

func (e *GroupCommit) dispatch(ctx context.Context, f *flight) {
	skus := f.req.SKUIDs()
	if len(skus) == 1 {
		if err := e.send(skus[0], msg{fl: f}); err != nil {
			e.keys.finish(f, nil, err)
		}
		return
	}
	var out outcome
	err := e.coordinate(ctx, skus, true, func(w *work) error {
		recs, err := e.store.FindDecisions(ctx, []Key{f.key})
		if err != nil {
			return err
		}
		var rec *Record
		if len(recs) > 0 {
			rec = recs[0]
		}
		out = w.reserve(f.req, f.fp, rec, e.cfg.Markets, e.cfg.Reservation)
		return nil
	})
	if err != nil {
		out = outcome{err: err}
	}
	e.keys.finish(f, out.dec, out.err)
}

// Confirm implements [Engine].
func (e *GroupCommit) Confirm(ctx context.Context, orderID string) (*hawker.Order, error) {
	return e.transition(ctx, orderID, opConfirm)
}

// Cancel implements [Engine].
func (e *GroupCommit) Cancel(ctx context.Context, orderID string) (*hawker.Order, error) {
	return e.transition(ctx, orderID, opCancel)
}

func (e *GroupCommit) transition(ctx context.Context, orderID string, o op) (*hawker.Order, error) {
	if !hawker.ValidID(hawker.PrefixOrder, orderID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	}
	ord, err := e.store.FindOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	skus := ord.SKUIDs()
	if len(skus) == 1 {
		t := &trReq{orderID: orderID, op: o, reply: make(chan trResult, 1)}
		if err := e.send(skus[0], msg{tr: t}); err != nil {
			return nil, err
		}
		select {
		case r := <-t.reply:
			return r.order, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var res *hawker.Order
	var terr error
	err = e.coordinate(ctx, skus, false, func(w *work) error {
		res, terr = w.transition(orderID, o, func() (*hawker.Order, error) { return e.store.FindOrder(ctx, orderID) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, terr
}

// Stock implements [Engine].
func (e *GroupCommit) Stock(ctx context.Context, skuID string) (hawker.Stock, error) {
	if !hawker.ValidID(hawker.PrefixSKU, skuID) {
		return hawker.Stock{}, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	reply := make(chan trResult, 1)
	if err := e.send(skuID, msg{stock: reply}); err != nil {
		return hawker.Stock{}, err
	}
	select {
	case r := <-reply:
		return r.stock, r.err
	case <-ctx.Done():
		return hawker.Stock{}, ctx.Err()
	}
}

// Invalidate implements [Engine]. It is best effort: with a full queue the
// version fence does the job.
func (e *GroupCommit) Invalidate(skuID string) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if o := e.owners[skuID]; o != nil && !e.closed {
		_ = o.offer(msg{reload: true})
	}
}

// janitor wakes the owners of SKUs with due reservations.
func (e *GroupCommit) janitor() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.Janitor)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		}
		e.known.prune(e.cfg.now())
		ids, err := e.store.DueSKUs(e.ctx, e.cfg.now(), dueBatch)
		if err != nil {
			if e.ctx.Err() == nil {
				e.cfg.Logger.Error("inventory: due SKUs", "err", err)
			}
			continue
		}
		for _, id := range ids {
			if e.ls != nil {
				if _, ok := e.ls.foreignOwner(id); ok {
					continue // its holder sweeps
				}
			}
			_ = e.send(id, msg{}) // a poke; a full queue means the owner is busy and will sweep anyway
		}
	}
}

// expireMulti expires a multi-SKU reservation on its own goroutine (an
// owner cannot park itself).
func (e *GroupCommit) expireMulti(r Reservation) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		_, err := e.transition(e.ctx, r.OrderID, opExpire)
		if err != nil && hawker.ErrorCode(err) == hawker.EINTERNAL && e.ctx.Err() == nil {
			e.cfg.Logger.Error("inventory: expire multi-SKU order", "order", r.OrderID, "err", err)
		}
	}()
}

// round decides with fn against the states of the owners (loading those
// that have none), expiring due reservations first, and commits the batch.
// After ErrStale it reloads and decides again. On any failure the states
// are dropped so that the next round reloads them: nothing half-applied
// stays in memory. The caller owns the owners' states (it is their
// goroutine, or it has parked them).
func (e *GroupCommit) round(ctx context.Context, os []*owner, fn func(w *work) error) (*work, error) {
	drop := func() {
		for _, o := range os {
			o.st = nil
		}
	}
	for attempt := 1; ; attempt++ {
		sts := make([]*skuState, len(os))
		for i, o := range os {
			if o.st == nil {
				s, err := e.store.LoadSKU(ctx, o.id)
				if err != nil {
					return nil, err
				}
				o.st = newSKUState(s)
			}
			sts[i] = o.st
		}
		w := newWork(e.cfg.now(), sts...)
		w.expireDue()
		err := fn(w)
		if err == nil && w.stale {
			err = ErrStale
		}
		if err == nil {
			b := w.batch()
			if b == nil {
				return w, nil
			}
			e.fence(b, os)
			if err = e.store.CommitBatch(ctx, b); err == nil {
				e.known.add(b.Records)
				w.committed()
				e.cfg.notify(w)
				return w, nil
			}
		}
		drop()
		if !errors.Is(err, ErrStale) {
			return nil, err
		}
		if err := e.recheck(ctx, os); err != nil {
			return nil, err
		}
		if attempt == maxAttempts {
			return nil, fmt.Errorf("inventory: %d attempts failed: %w", attempt, err)
		}
	}
}

// notify calls the hooks after w's batch committed.
func (c *Config) notify(w *work) {
	if c.OnStock != nil {
		for id, ch := range w.skus {
			if ch.Reserved != 0 || ch.Sold != 0 {
				c.OnStock(w.stockOf(id))
			}
		}
	}
	if c.OnOrder != nil {
		for _, o := range w.changed {
			c.OnOrder(o)
		}
	}
	if c.OnDealEnded != nil {
		for _, d := range w.ended {
			c.OnDealEnded(d)
		}
	}
}

// coordinate parks the owners of skus in ascending id order, runs a round
// over all of their states, and releases them. With leaseFirst (a
// reserve request) the first SKU's lease must be this node's: otherwise
// the answer is NotOwnerError.
func (e *GroupCommit) coordinate(ctx context.Context, skus []string, leaseFirst bool, fn func(w *work) error) error {
	skus = slices.Sorted(slices.Values(skus))
	var parked []*owner
	for _, id := range skus {
		p := &parkReq{ready: make(chan parkReply, 1), release: make(chan struct{})}
		// Released on every return, also when never granted: an owner that
		// serves the park later then goes on at once.
		defer close(p.release)
		if err := e.send(id, msg{park: p}); err != nil {
			return err
		}
		select {
		case r := <-p.ready:
			if r.err != nil {
				return r.err
			}
			parked = append(parked, r.o)
		case <-ctx.Done():
			return ctx.Err()
		case <-e.ctx.Done():
			return busyErr()
		}
	}
	if leaseFirst && e.ls != nil && !parked[0].leased {
		return e.notOwner(parked[0].id)
	}
	w, err := e.round(ctx, parked, fn)
	if errors.Is(err, errLeaseLost) {
		// The owners that lost their lease now decide without it.
		w, err = e.round(ctx, parked, fn)
	}
	if errors.Is(err, errLeaseLost) {
		return busyErr()
	}
	if err != nil {
		return err
	}
	for _, r := range w.multiDue {
		e.expireMulti(r)
	}
	return nil
}

// msg is one message to an owner: exactly one of fl (reserve), tr
// (transition), stock, park is set; none is a poke (sweep now); reload
// drops the state first.
type msg struct {
	fl     *flight
	tr     *trReq
	stock  chan trResult
	park   *parkReq
	reload bool
}

type trReq struct {
	orderID string
	op      op
	reply   chan trResult
}

type trResult struct {
	order *hawker.Order
	stock hawker.Stock
	err   error
}

type parkReq struct {
	ready   chan parkReply
	release chan struct{}
}

type parkReply struct {
	o   *owner
	err error
}

// owner is the goroutine that owns one SKU's state.
type owner struct {
	e  *GroupCommit
	id string
	q  *mailbox

	// The fields below are owned by run (st also by the coordinator that
	// parked the owner).

	// st is the SKU's state; nil means "load from the store before
	// deciding".
	st *skuState
	// unknown is set when the store does not know the SKU: the owner
	// retires as soon as its queue is empty.
	unknown bool
	// leased is set while the owner decides with the SKU's lease (always
	// false when leases are off); see lease.
	leased bool
}

func (o *owner) offer(m msg) error { return o.q.offer(m) }

func (o *owner) run() {
	defer o.e.wg.Done()
	ctx := o.e.ctx
	sweep := time.NewTicker(o.e.cfg.SweepInterval)
	defer sweep.Stop()
	idle := time.NewTicker(o.e.cfg.IdleTimeout)
	defer idle.Stop()
	busy := true
	for {
		select {
		case <-ctx.Done():
			o.drain()
			return
		case <-o.q.ready:
			busy = true
			// pend is the batch whose commit is in flight, next the one
			// decided meanwhile (see step).
			var pend, next *pending
			for ctx.Err() == nil {
				room := o.e.cfg.MaxBatch
				if next != nil {
					room -= len(next.msgs)
				}
				var batch []msg
				if room > 0 {
					batch = o.q.take(nil, room)
				}
				if len(batch) == 0 {
					if pend == nil {
						break
					}
					more := o.q.ready
					if room <= 0 {
						more = nil
					}
					select {
					case <-pend.done:
						pend, next = o.advance(ctx, pend, next)
					case <-more:
					case <-ctx.Done():
					}
					continue
				}
				pend, next = o.step(ctx, pend, next, batch)
			}
			o.finish(ctx, pend, next)
			if o.unknown {
				o.releaseLease()
				if o.e.retire(o) {
					return
				}
			}
		case <-sweep.C:
			if o.st != nil {
				if next, ok := o.st.nextWake(); ok && !next.After(o.e.cfg.now()) {
					o.handle(ctx, nil)
				}
			}
		case <-idle.C:
			if !busy {
				// Released first, so no other owner of the SKU in
				// this engine can hold it meanwhile; if the owner stays
				// (a message came), it takes the lease again first.
				o.releaseLease()
				if o.e.retire(o) {
					return
				}
			}
			busy = false
		}
	}
}

// drain answers what is queued when the engine closes.
func (o *owner) drain() {
	for _, m := range o.q.take(nil, o.q.len()+1) {
		o.answer(m, outcome{err: busyErr()}, nil)
		if m.park != nil {
			m.park.ready <- parkReply{err: busyErr()}
		}
	}
}

// handle decides a batch of messages in one round and answers them after
// the commit. Without the SKU's lease it answers reserve requests with
// NotOwnerError and decides the rest without keeping the state.
func (o *owner) handle(ctx context.Context, msgs []msg) {
	o.handleLeased(ctx, msgs, true)
}

func (o *owner) handleLeased(ctx context.Context, msgs []msg, again bool) {
	e := o.e
	if e.ls != nil {
		ok, err := o.lease(ctx)
		if err != nil {
			o.unknown = hawker.ErrorCode(err) == hawker.ENOTFOUND
			if hawker.ErrorCode(err) == hawker.EINTERNAL && ctx.Err() == nil {
				e.cfg.Logger.Error("inventory: lease", "sku", o.id, "err", err)
			}
			for _, m := range msgs {
				o.answer(m, outcome{err: err}, nil)
			}
			return
		}
		if !ok {
			if msgs = o.refuse(msgs); !needsRound(msgs) {
				return
			}
			defer func() { o.st = nil }()
		}
	}
	for _, m := range msgs {
		if m.reload {
			o.st = nil
		}
	}
	out := make([]outcome, len(msgs))
	orders := make([]*hawker.Order, len(msgs))
	w, err := e.round(ctx, []*owner{o}, func(w *work) error {
		clear(out)
		clear(orders)
		var keys []Key
		for _, m := range msgs {
			if m.fl != nil {
				keys = append(keys, m.fl.key)
			}
		}
		recs := map[Key]*Record{}
		if len(keys) > 0 {
			rs, err := e.store.FindDecisions(ctx, keys)
			if err != nil {
				return err
			}
			for _, r := range rs {
				recs[Key{BuyerID: r.BuyerID, Key: r.Key}] = r
			}
		}
		for i, m := range msgs {
			switch {
			case m.fl != nil:
				out[i] = w.reserve(m.fl.req, m.fl.fp, recs[m.fl.key], e.cfg.Markets, e.cfg.Reservation)
			case m.tr != nil:
				id := m.tr.orderID
				orders[i], out[i].err = w.transition(id, m.tr.op, func() (*hawker.Order, error) { return e.store.FindOrder(ctx, id) })
				if w.stale {
					return nil
				}
			}
		}
		return nil
	})
	if errors.Is(err, errLeaseLost) {
		if again {
			o.handleLeased(ctx, msgs, false)
			return
		}
		err = busyErr()
	}
	if err != nil {
		o.unknown = hawker.ErrorCode(err) == hawker.ENOTFOUND && o.st == nil
		if hawker.ErrorCode(err) == hawker.EINTERNAL {
			e.cfg.Logger.Error("inventory: round failed", "sku", o.id, "requests", len(msgs), "err", err)
		}
		for _, m := range msgs {
			o.answer(m, outcome{err: err}, nil)
		}
		return
	}
	for _, r := range w.multiDue {
		e.expireMulti(r)
	}
	for i, m := range msgs {
		o.answer(m, out[i], orders[i])
	}
}

// pending is a batch of reserve requests decided in memory whose commit
// runs on its own goroutine while the owner decides the next batch.
type pending struct {
	msgs []msg
	out  []outcome
	w    *work
	b    *Batch // nil: nothing to write

	done chan struct{} // closed when the commit returned, err set
	err  error
}

// step decides msgs and returns the batch in flight and the one being
// decided.
//
// Commit latency, not CPU, bounds the engine: without overlap, the
// clients answered by one commit refill the queue while the next commits
// and each batch holds about half of them. So while pend commits, reserve
// requests are decided as they come into next, against the state as pend
// leaves it (the memory already holds pend's decisions, and its version is
// the one pend's commit makes); next commits right after pend. If pend
// fails, that state never existed: next's decisions are dropped unanswered
// and its requests decided again after pend's. Anything else (transitions,
// stock reads, reloads, parks) waits for both and goes the plain way.
func (o *owner) step(ctx context.Context, pend, next *pending, msgs []msg) (*pending, *pending) {
	if pend != nil && o.e.ls != nil && !o.e.ls.holds(o.id) {
		// The lease needs taking again: not while a commit is in flight.
		o.finish(ctx, pend, next)
		pend, next = nil, nil
	}
	if !reservesOnly(msgs) {
		o.finish(ctx, pend, next)
		if last := msgs[len(msgs)-1]; last.park != nil {
			o.handle(ctx, msgs[:len(msgs)-1])
			o.park(ctx, last.park)
		} else {
			o.handle(ctx, msgs)
		}
		return nil, nil
	}
	if pend == nil {
		if ok, err := o.lease(ctx); !ok || err != nil {
			o.handle(ctx, msgs) // refuses them (or answers the error)
			return nil, nil
		}
		p, err := o.open(ctx)
		if err == nil {
			err = o.add(ctx, p, msgs)
		}
		if err != nil {
			o.st = nil // it may hold part of the batch
			o.handle(ctx, msgs)
			return nil, nil
		}
		return o.launch(ctx, p), nil
	}
	var err error
	if next == nil {
		next, err = o.open(ctx)
	}
	if err == nil {
		err = o.add(ctx, next, msgs)
	}
	if err != nil {
		o.st = nil
		<-pend.done
		o.settle(ctx, pend)
		if next != nil {
			o.handle(ctx, next.msgs)
		}
		o.handle(ctx, msgs)
		return nil, nil
	}
	return pend, next
}

// advance settles pend, whose commit returned, and starts next.
func (o *owner) advance(ctx context.Context, pend, next *pending) (*pending, *pending) {
	o.settle(ctx, pend)
	if next == nil {
		return nil, nil
	}
	if pend.err != nil {
		// settle dropped the state next was decided on.
		o.handle(ctx, next.msgs)
		return nil, nil
	}
	return o.launch(ctx, next), nil
}

// finish waits for the batch in flight and the one decided after it.
func (o *owner) finish(ctx context.Context, pend, next *pending) {
	for pend != nil {
		<-pend.done
		pend, next = o.advance(ctx, pend, next)
	}
}

func reservesOnly(msgs []msg) bool {
	for _, m := range msgs {
		if m.fl == nil || m.reload {
			return false
		}
	}
	return true
}

// open starts a batch of reserve requests on the owner's state, expiring
// due reservations first.
func (o *owner) open(ctx context.Context) (*pending, error) {
	if o.st == nil {
		s, err := o.e.store.LoadSKU(ctx, o.id)
		if err != nil {
			return nil, err
		}
		o.st = newSKUState(s)
	}
	w := newWork(o.e.cfg.now(), o.st)
	w.expireDue()
	return &pending{w: w, done: make(chan struct{})}, nil
}

// add decides reserve requests into p. On an error the state may hold
// part of them and must be dropped.
func (o *owner) add(ctx context.Context, p *pending, msgs []msg) error {
	e := o.e
	keys := make([]Key, len(msgs))
	for i, m := range msgs {
		keys[i] = m.fl.key
	}
	// A new key decided here without a lookup although another process
	// stored it meanwhile fails the commit (ErrStale); settle then decides
	// the batch again through handle, which looks every key up.
	var rs []*Record
	if keys = e.known.unknown(keys); len(keys) > 0 {
		var err error
		if rs, err = e.store.FindDecisions(ctx, keys); err != nil {
			return err
		}
	}
	recs := make(map[Key]*Record, len(rs))
	for _, r := range rs {
		recs[Key{BuyerID: r.BuyerID, Key: r.Key}] = r
	}
	for _, m := range msgs {
		p.out = append(p.out, p.w.reserve(m.fl.req, m.fl.fp, recs[m.fl.key], e.cfg.Markets, e.cfg.Reservation))
	}
	if p.w.stale {
		p.out = p.out[:len(p.msgs)]
		return ErrStale
	}
	p.msgs = append(p.msgs, msgs...)
	return nil
}

// launch seals p and starts its commit; with nothing to write it answers
// p at once and returns nil.
func (o *owner) launch(ctx context.Context, p *pending) *pending {
	w := p.w
	if p.b = w.batch(); p.b == nil {
		close(p.done)
		o.settle(ctx, p)
		return nil
	}
	w.seal()
	o.e.fence(p.b, []*owner{o})
	// The next batch is fenced with the version this one leaves; if this
	// one fails the state is dropped anyway.
	w.committed()
	go func() {
		if p.err = o.e.store.CommitBatch(ctx, p.b); p.err == nil {
			o.e.known.add(p.b.Records)
		}
		close(p.done)
	}()
	return p
}

// settle answers a batch whose commit returned. A failed batch drops the
// state (and so whatever was decided on top of it); after ErrStale its
// requests are decided again from a reload, as round does.
func (o *owner) settle(ctx context.Context, p *pending) {
	e := o.e
	if p.err != nil {
		o.st = nil
		if errors.Is(p.err, ErrStale) {
			o.handle(ctx, p.msgs)
			return
		}
		if hawker.ErrorCode(p.err) == hawker.EINTERNAL {
			e.cfg.Logger.Error("inventory: commit failed", "sku", o.id, "requests", len(p.msgs), "err", p.err)
		}
		for _, m := range p.msgs {
			o.answer(m, outcome{err: p.err}, nil)
		}
		return
	}
	if p.b != nil {
		e.cfg.notify(p.w)
	}
	for _, r := range p.w.multiDue {
		e.expireMulti(r)
	}
	for i, m := range p.msgs {
		o.answer(m, p.out[i], nil)
	}
}

func (o *owner) answer(m msg, out outcome, order *hawker.Order) {
	switch {
	case m.fl != nil:
		o.e.keys.finish(m.fl, out.dec, out.err)
	case m.tr != nil:
		m.tr.reply <- trResult{order: order, err: out.err}
	case m.stock != nil:
		r := trResult{err: out.err}
		if out.err == nil && o.st != nil {
			r.stock = o.st.stock()
		}
		m.stock <- r
	}
}

// park hands the owner's state to a coordinator and waits until it is
// released. The state is loaded (and due reservations expired) first.
func (o *owner) park(ctx context.Context, p *parkReq) {
	if o.e.ls != nil {
		// With or without the lease: the coordinator's commit is fenced
		// by versions, and by the lease where the owner holds it.
		if _, err := o.lease(ctx); err != nil {
			p.ready <- parkReply{err: err}
			return
		}
		if !o.leased {
			defer func() { o.st = nil }()
		}
	}
	if o.st == nil {
		s, err := o.e.store.LoadSKU(ctx, o.id)
		if err != nil {
			p.ready <- parkReply{err: err}
			return
		}
		o.st = newSKUState(s)
	}
	p.ready <- parkReply{o: o}
	select {
	case <-p.release:
	case <-ctx.Done():
	}
}

// mailbox is an owner's bounded queue. Unlike a buffered channel it holds
// no memory while empty, and the owner takes a whole batch under one lock.
type mailbox struct {
	max   int
	ready chan struct{} // holds a token when messages may be waiting

	mu    sync.Mutex // guards items
	items []msg
}

func newMailbox(max int) *mailbox {
	return &mailbox{max: max, ready: make(chan struct{}, 1)}
}

// offer queues m, or returns EBUSY at once when the mailbox is full.
func (q *mailbox) offer(m msg) error {
	q.mu.Lock()
	if len(q.items) >= q.max {
		q.mu.Unlock()
		return busyErr()
	}
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return nil
}

// take appends up to n queued messages to dst, in order, stopping after a
// park (which must be served alone, after the messages before it).
func (q *mailbox) take(dst []msg, n int) []msg {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := 0
	for i < len(q.items) && i < n {
		m := q.items[i]
		dst = append(dst, m)
		i++
		if m.park != nil {
			break
		}
	}
	rest := copy(q.items, q.items[i:])
	clear(q.items[rest:])
	q.items = q.items[:rest]
	if rest == 0 && cap(q.items) > 1024 {
		q.items = nil // give a burst's memory back
	}
	return dst
}

func (q *mailbox) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
