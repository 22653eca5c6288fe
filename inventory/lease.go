package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"hawker"
)

// Leaser is implemented by stores that several hawker processes share
// (PostgreSQL). With it and a [Config.Node], the group-commit engine has
// one process decide each SKU: an owner goroutine holds the SKU's lease in
// the store while it decides, and the engines of other processes answer
// reserve requests for the SKU with a [*NotOwnerError] naming the holder,
// whom the HTTP layer forwards them to. Leases are what makes one process
// decide a flash sale instead of two that keep invalidating each other; the
// version fence of [Store] is still what keeps stock right.
//
// Every time is the store's clock, never a process's: a lease is live while
// its expiry is after the store's now.
type Leaser interface {
	// AcquireLease takes the SKU's lease for node (advertising addr) for
	// ttl when nobody holds a live one or node holds it (then it is
	// renewed), in one statement. It returns the lease as it is after the
	// statement and whether node holds it. ENOTFOUND for an unknown SKU.
	AcquireLease(ctx context.Context, skuID, node, addr string, ttl time.Duration) (Lease, bool, error)
	// RenewLeases extends node's live leases among skuIDs to ttl from
	// now and returns the ids it extended; a lease that expired or that
	// another node holds is not renewed (it is lost).
	RenewLeases(ctx context.Context, node string, skuIDs []string, ttl time.Duration) ([]string, error)
	// ReleaseLeases gives up node's leases among skuIDs, so that another
	// node may take them at once.
	ReleaseLeases(ctx context.Context, node string, skuIDs []string) error
}

// Lease is who holds a SKU's lease. Expires and Now are the store's
// clock, Now when it answered.
type Lease struct {
	Owner   string // the holder's Config.Node
	Addr    string // the holder's Config.Addr
	Expires time.Time
	Now     time.Time
}

// NotOwnerError is the engine's answer to a reserve request for a SKU
// whose lease another live process holds: the request was neither queued
// nor decided, and Addr (the holder's Config.Addr) decides it. A
// multi-SKU order goes to the holder of its first SKU in id order. Its
// code is EBUSY (retry) for callers that do not forward.
type NotOwnerError struct {
	SKU  string
	Addr string
}

func (e *NotOwnerError) Error() string {
	return fmt.Sprintf("inventory: SKU %s is decided by the hawker node at %s", e.SKU, e.Addr)
}

// Unwrap gives the error its code: EBUSY.
func (e *NotOwnerError) Unwrap() error {
	return hawker.Errorf(hawker.EBUSY, "Another server decides this product; try again.")
}

// DefaultLeaseTTL is how long a lease lives without renewal; the engine
// renews every third of it.
const DefaultLeaseTTL = 10 * time.Second

// releaseTimeout bounds the release of the leases on Close.
const releaseTimeout = 5 * time.Second

// errLeaseLost ends a round whose commit failed because an owner of the
// round no longer holds its lease (and could not take it back).
var errLeaseLost = errors.New("inventory: lease lost")

// leases is the engine's view of the SKU leases of its node. Only owner
// goroutines acquire and release (each for its own SKU); the renewer
// extends what they hold.
type leases struct {
	store Leaser
	node  string
	addr  string
	ttl   time.Duration
	log   *slog.Logger

	mu sync.Mutex // guards the following
	// held maps a SKU whose lease this node holds to the local time until
	// which it surely does (the local time before the store was asked,
	// plus the ttl).
	held map[string]time.Time
	// foreign maps a SKU whose lease another node holds to that node's
	// address, until a local time within the lease's life.
	foreign map[string]foreignLease
}

type foreignLease struct {
	addr  string
	until time.Time
}

func newLeases(store Leaser, cfg *Config) *leases {
	return &leases{
		store: store, node: cfg.Node, addr: cfg.Addr, ttl: cfg.LeaseTTL, log: cfg.Logger,
		held: map[string]time.Time{}, foreign: map[string]foreignLease{},
	}
}

// margin is how long before its local deadline a lease is treated as lost
// (and taken again before the next decision).
func (l *leases) margin() time.Duration { return l.ttl / 4 }

// holds reports whether this node surely holds the SKU's lease.
func (l *leases) holds(sku string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.held[sku]
	return ok && time.Until(d) > l.margin()
}

// foreignOwner returns the address of the node known to hold the SKU's
// lease, if one is.
func (l *leases) foreignOwner(sku string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.foreign[sku]
	if !ok {
		return "", false
	}
	if !time.Now().Before(f.until) {
		delete(l.foreign, sku)
		return "", false
	}
	return f.addr, true
}

// acquire asks the store for the SKU's lease and records the answer.
func (l *leases) acquire(ctx context.Context, sku string) (bool, error) {
	start := time.Now()
	ls, held, err := l.store.AcquireLease(ctx, sku, l.node, l.addr, l.ttl)
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if held {
		delete(l.foreign, sku)
		l.held[sku] = start.Add(l.ttl)
		return true, nil
	}
	delete(l.held, sku)
	// Known for at most a quarter of the ttl, and never past the lease's
	// end: a holder that died is taken over soon after its lease ends.
	left := min(ls.Expires.Sub(ls.Now), l.ttl/4)
	if left > 0 {
		l.foreign[sku] = foreignLease{addr: ls.Addr, until: start.Add(left)}
	}
	return false, nil
}

// foreignAddr returns the holder's address as last seen ("" if unknown).
func (l *leases) foreignAddr(sku string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.foreign[sku].addr
}

// release gives up the SKU's lease (best effort: it expires anyway).
func (l *leases) release(ctx context.Context, sku string) {
	l.mu.Lock()
	_, ok := l.held[sku]
	delete(l.held, sku)
	l.mu.Unlock()
	if !ok {
		return
	}
	if err := l.store.ReleaseLeases(ctx, l.node, []string{sku}); err != nil && ctx.Err() == nil {
		l.log.Warn("inventory: release lease", "sku", sku, "err", err)
	}
}

// releaseAll gives up every lease (on Close).
func (l *leases) releaseAll() {
	l.mu.Lock()
	ids := make([]string, 0, len(l.held))
	for id := range l.held {
		ids = append(ids, id)
	}
	clear(l.held)
	l.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if err := l.store.ReleaseLeases(ctx, l.node, ids); err != nil {
		l.log.Warn("inventory: release leases", "count", len(ids), "err", err)
	}
}

// renew extends every held lease in one call. A lease the store did not
// extend is lost: its owner takes it again (or steps down) before its
// next decision.
func (l *leases) renew(ctx context.Context) {
	l.mu.Lock()
	snap := make(map[string]time.Time, len(l.held))
	ids := make([]string, 0, len(l.held))
	for id, d := range l.held {
		snap[id] = d
		ids = append(ids, id)
	}
	l.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	start := time.Now()
	renewed, err := l.store.RenewLeases(ctx, l.node, ids, l.ttl)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn("inventory: renew leases", "count", len(ids), "err", err)
		}
		return
	}
	ok := make(map[string]bool, len(renewed))
	for _, id := range renewed {
		ok[id] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, d := range snap {
		// An owner that released or took the lease again meanwhile
		// changed the entry: its answer is newer than this one.
		if cur, still := l.held[id]; !still || !cur.Equal(d) {
			continue
		}
		if ok[id] {
			l.held[id] = start.Add(l.ttl)
		} else {
			delete(l.held, id)
		}
	}
}

// renewer renews the held leases every third of the ttl.
func (e *GroupCommit) renewer() {
	defer e.wg.Done()
	t := time.NewTicker(e.ls.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		}
		e.ls.renew(e.ctx)
	}
}

// notOwner is the answer to a reserve request for a SKU another node
// decides.
func (e *GroupCommit) notOwner(sku string) error {
	return &NotOwnerError{SKU: sku, Addr: e.ls.foreignAddr(sku)}
}

// lease makes sure the owner may decide its SKU: it holds the lease, or
// takes it. It returns false when another node holds it; then the owner
// keeps no state (what it decides without the lease is fenced by versions
// only, and the holder's commits move them). An error is the store's.
func (o *owner) lease(ctx context.Context) (bool, error) {
	ls := o.e.ls
	if ls == nil {
		return true, nil
	}
	if ls.holds(o.id) {
		o.leased = true
		return true, nil
	}
	held := false
	if _, foreign := ls.foreignOwner(o.id); !foreign {
		var err error
		if held, err = ls.acquire(ctx, o.id); err != nil {
			o.leased, o.st = false, nil
			return false, err
		}
	}
	if !held {
		o.leased, o.st = false, nil
		return false, nil
	}
	if !o.leased {
		// (Re)gained: another node may have decided meanwhile.
		o.st = nil
	}
	o.leased = true
	return true, nil
}

// releaseLease gives up the owner's lease before it retires.
func (o *owner) releaseLease() {
	if o.e.ls == nil || !o.leased {
		return
	}
	o.leased = false
	o.e.ls.release(o.e.ctx, o.id)
}

// refuse answers the reserve requests among msgs with NotOwnerError and
// returns the others.
func (o *owner) refuse(msgs []msg) []msg {
	rest := msgs[:0:0]
	for _, m := range msgs {
		if m.fl != nil {
			o.e.keys.finish(m.fl, nil, o.e.notOwner(o.id))
			continue
		}
		rest = append(rest, m)
	}
	return rest
}

// needsRound reports whether an owner without the lease must still run a
// round for msgs: transitions and stock reads are answered by any node
// (fenced by versions); pokes and reloads are the holder's business.
func needsRound(msgs []msg) bool {
	for _, m := range msgs {
		if m.tr != nil || m.stock != nil {
			return true
		}
	}
	return false
}

// fence marks the SKUs of b whose owners hold their lease, so that the
// commit also checks the lease (see [SKUChange.Leased]).
func (e *GroupCommit) fence(b *Batch, os []*owner) {
	if e.ls == nil || b == nil {
		return
	}
	b.Node = e.ls.node
	for i := range b.SKUs {
		for _, o := range os {
			if o.id == b.SKUs[i].SKUID {
				b.SKUs[i].Leased = o.leased
				break
			}
		}
	}
}

// recheck runs after ErrStale: each owner of the round that decided with
// its lease asks the store again (taking the lease back if it lapsed
// unclaimed). errLeaseLost when one of them lost it to another node.
func (e *GroupCommit) recheck(ctx context.Context, os []*owner) error {
	if e.ls == nil {
		return nil
	}
	lost := false
	for _, o := range os {
		if !o.leased {
			continue
		}
		held, err := e.ls.acquire(ctx, o.id)
		if err != nil {
			return err
		}
		if !held {
			o.leased = false
			lost = true
		}
	}
	if lost {
		return errLeaseLost
	}
	return nil
}
