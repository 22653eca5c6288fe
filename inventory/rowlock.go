package inventory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"hawker"
)

// RowLock is the reference engine: every request is one database
// transaction that locks the SKU rows, decides (with the same code as
// [GroupCommit]) and writes. It is correct and simple, and bounded by one
// commit per request on the hottest row — the baseline the group-commit
// engine is measured against (`hawker serve --inventory=rowlock`).
type RowLock struct {
	cfg    Config
	store  RowLockStore
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the janitor
}

var _ Engine = (*RowLock)(nil)

// NewRowLock starts a row-lock engine on the store. Of cfg it uses
// Markets, Clock, Reservation, Janitor, Logger and the hooks (OnStock,
// OnOrder, OnDealEnded), which run on the requesting goroutine after each
// commit. Close stops it.
func NewRowLock(store RowLockStore, cfg Config) *RowLock {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &RowLock{cfg: cfg, store: store, ctx: ctx, cancel: cancel}
	e.wg.Add(1)
	go e.janitor()
	return e
}

// Close implements [Engine].
func (e *RowLock) Close() error {
	e.cancel()
	e.wg.Wait()
	return nil
}

// Invalidate implements [Engine]; the row-lock engine keeps no state.
func (e *RowLock) Invalidate(string) {}

// tx runs one row-lock transaction, again after ErrStale.
func (e *RowLock) tx(ctx context.Context, q RowLockQuery, fn func(w *work, v *RowLockView) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		q.Now = e.cfg.now()
		var done *work // the decided round, once its batch is handed over
		err = e.store.ReserveRowLock(ctx, q, func(v *RowLockView) (*Batch, error) {
			sts := make([]*skuState, len(v.SKUs))
			for i, s := range v.SKUs {
				sts[i] = newSKUState(s)
			}
			w := newWork(q.Now, sts...)
			w.expireDue()
			if err := fn(w, v); err != nil {
				return nil, err
			}
			if w.stale {
				return nil, ErrStale
			}
			done = w
			return w.batch(), nil
		})
		if err == nil && done != nil {
			e.cfg.notify(done)
		}
		if !errors.Is(err, ErrStale) {
			return err
		}
	}
	return fmt.Errorf("inventory: %d attempts failed: %w", maxAttempts, err)
}

// Reserve implements [Engine].
func (e *RowLock) Reserve(ctx context.Context, req Request) (Decision, error) {
	fp, err := validate(ctx, &req, e.cfg.Markets)
	if err != nil {
		return Decision{}, err
	}
	q := RowLockQuery{SKUIDs: req.Order.SKUIDs(), BuyerID: req.Order.BuyerID, Key: req.Order.IdempotencyKey, DealID: req.Order.DealID}
	var out outcome
	err = e.tx(ctx, q, func(w *work, v *RowLockView) error {
		out = w.reserve(&req.Order, fp, v.Existing, e.cfg.Markets, e.cfg.Reservation)
		if out.err != nil && hawker.ErrorCode(out.err) == hawker.EINTERNAL {
			return out.err
		}
		return nil
	})
	if err != nil {
		return Decision{}, err
	}
	if out.err != nil {
		return Decision{}, out.err
	}
	return *out.dec, nil
}

// Confirm implements [Engine].
func (e *RowLock) Confirm(ctx context.Context, orderID string) (*hawker.Order, error) {
	return e.transition(ctx, orderID, opConfirm)
}

// Cancel implements [Engine].
func (e *RowLock) Cancel(ctx context.Context, orderID string) (*hawker.Order, error) {
	return e.transition(ctx, orderID, opCancel)
}

func (e *RowLock) transition(ctx context.Context, orderID string, o op) (*hawker.Order, error) {
	if !hawker.ValidID(hawker.PrefixOrder, orderID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	}
	var res *hawker.Order
	var terr error
	err := e.tx(ctx, RowLockQuery{OrderID: orderID}, func(w *work, v *RowLockView) error {
		cur := *v.Order
		res, terr = w.transition(orderID, o, func() (*hawker.Order, error) { return &cur, nil })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, terr
}

// Stock implements [Engine]: it expires the SKU's due reservations in the
// same transaction.
func (e *RowLock) Stock(ctx context.Context, skuID string) (hawker.Stock, error) {
	if !hawker.ValidID(hawker.PrefixSKU, skuID) {
		return hawker.Stock{}, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	var s hawker.Stock
	err := e.tx(ctx, RowLockQuery{SKUIDs: []string{skuID}}, func(w *work, v *RowLockView) error {
		s = w.sts[skuID].stock()
		return nil
	})
	return s, err
}

func (e *RowLock) janitor() {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.Janitor)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		}
		if err := e.sweep(e.ctx); err != nil && e.ctx.Err() == nil {
			e.cfg.Logger.Error("inventory: row-lock sweep", "err", err)
		}
	}
}

// sweep expires the due reservations of every SKU the store reports.
func (e *RowLock) sweep(ctx context.Context) error {
	ids, err := e.store.DueSKUs(ctx, e.cfg.now(), dueBatch)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var multi []Reservation
		if err := e.tx(ctx, RowLockQuery{SKUIDs: []string{id}}, func(w *work, v *RowLockView) error {
			multi = w.multiDue
			return nil
		}); err != nil {
			return err
		}
		for _, r := range multi {
			if _, err := e.transition(ctx, r.OrderID, opExpire); err != nil && hawker.ErrorCode(err) == hawker.EINTERNAL {
				return err
			}
		}
	}
	return nil
}
