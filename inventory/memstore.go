package inventory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"hawker"
)

// MemStore is an in-memory [Store] and [RowLockStore] for tests and the
// benchmark's no-database mode. It is a real implementation of the
// contract (versions, all-or-nothing batches, ErrStale), with one mutex
// standing in for transactions and row locks, and with fault injection
// ([MemStore.SetCommitFault]). Nothing is durable: do not use it to serve.
type MemStore struct {
	mu      sync.Mutex // guards all below; held for a whole batch or row-lock transaction
	skus    map[string]*memSKU
	deals   map[string]*memDeal
	orders  map[string]*hawker.Order
	records map[Key]*Record
	fault   func(*Batch) error
	commits int
	maxRows int
	lookups int // keys asked for by FindDecisions
}

type memSKU struct {
	sku      hawker.SKU
	reserved int64
	sold     int64
	version  int64
	deleted  bool
}

type memDeal struct {
	deal  hawker.Deal
	taken int64
}

var (
	_ Store        = (*MemStore)(nil)
	_ RowLockStore = (*MemStore)(nil)
	_ KeyLister    = (*MemStore)(nil)
)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		skus:    map[string]*memSKU{},
		deals:   map[string]*memDeal{},
		orders:  map[string]*hawker.Order{},
		records: map[Key]*Record{},
	}
}

// PutSKU adds or replaces a SKU (its id, shop, prices, max_per_buyer and
// on_hand), keeping its counters and bumping its version.
func (s *MemStore) PutSKU(sku *hawker.SKU) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *sku
	c.Prices = maps.Clone(sku.Prices)
	if m := s.skus[sku.ID]; m != nil {
		m.sku = c
		m.version++
		return
	}
	s.skus[sku.ID] = &memSKU{sku: c, version: 1}
}

// SetOnHand sets a SKU's on_hand and bumps its version; ESTATE below
// reserved + sold, ENOTFOUND for an unknown SKU.
func (s *MemStore) SetOnHand(skuID string, onHand int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.skus[skuID]
	if m == nil {
		return hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	if onHand < m.reserved+m.sold {
		return hawker.Errorf(hawker.ESTATE, "on_hand cannot fall below %d", m.reserved+m.sold)
	}
	m.sku.OnHand = onHand
	m.version++
	return nil
}

// DeleteSKU marks a SKU deleted (as deleting its product does) and bumps
// its version.
func (s *MemStore) DeleteSKU(skuID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.skus[skuID]; m != nil {
		m.deleted = true
		m.version++
	}
}

// PutDeal adds or replaces a deal and bumps its SKU's version.
func (s *MemStore) PutDeal(d *hawker.Deal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.skus[d.SKUID]
	if m == nil {
		return hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	c := *d
	c.Prices = maps.Clone(d.Prices)
	if old := s.deals[d.ID]; old != nil {
		old.deal = c
	} else {
		s.deals[d.ID] = &memDeal{deal: c}
	}
	m.version++
	return nil
}

// SetCommitFault makes every following CommitBatch (and row-lock
// transaction) call fn first; a non-nil error fails it with nothing
// applied. nil removes the fault.
func (s *MemStore) SetCommitFault(fn func(*Batch) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = fn
}

// Commits returns how many batches were committed and the most orders
// plus records one of them held.
func (s *MemStore) Commits() (n, maxRows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits, s.maxRows
}

// Stock returns a SKU's counters as stored.
func (s *MemStore) Stock(skuID string) hawker.Stock {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.skus[skuID]
	if m == nil {
		return hawker.Stock{SKUID: skuID}
	}
	return hawker.Stock{SKUID: skuID, OnHand: m.sku.OnHand, Reserved: m.reserved, Sold: m.sold, Available: m.sku.OnHand - m.reserved - m.sold}
}

// Orders returns copies of all orders, by id.
func (s *MemStore) Orders() []*hawker.Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*hawker.Order, 0, len(s.orders))
	for _, id := range slices.Sorted(maps.Keys(s.orders)) {
		out = append(out, copyOrder(s.orders[id]))
	}
	return out
}

// Lookups returns how many keys FindDecisions was asked for.
func (s *MemStore) Lookups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookups
}

// Records returns how many idempotency records are stored.
func (s *MemStore) Records() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// Audit checks the invariants: for every SKU reserved and sold equal the
// units of reserved and of paid or fulfilled orders, and reserved + sold
// <= on_hand; for every deal taken equals the units of its live orders and
// stays within its quantity; every order has a record.
func (s *MemStore) Audit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, sold, taken := map[string]int64{}, map[string]int64{}, map[string]int64{}
	withRecord := map[string]bool{}
	for _, r := range s.records {
		withRecord[r.OrderID] = true
	}
	for _, o := range s.orders {
		if !withRecord[o.ID] {
			return fmt.Errorf("order %s has no idempotency record", o.ID)
		}
		for _, l := range o.Lines {
			switch o.State {
			case hawker.OrderReserved:
				res[l.SKUID] += l.Quantity
			case hawker.OrderPaid, hawker.OrderFulfilled:
				sold[l.SKUID] += l.Quantity
			}
			if l.DealID != "" && o.State.Holds() {
				taken[l.DealID] += l.Quantity
			}
		}
	}
	for id, m := range s.skus {
		if m.reserved != res[id] || m.sold != sold[id] {
			return fmt.Errorf("SKU %s: counters reserved %d sold %d, orders %d and %d", id, m.reserved, m.sold, res[id], sold[id])
		}
		if m.reserved+m.sold > m.sku.OnHand || m.reserved < 0 || m.sold < 0 {
			return fmt.Errorf("SKU %s oversold: reserved %d + sold %d > on_hand %d", id, m.reserved, m.sold, m.sku.OnHand)
		}
	}
	for id, d := range s.deals {
		if d.taken != taken[id] || d.taken < 0 || d.taken > d.deal.Quantity {
			return fmt.Errorf("deal %s: taken %d, orders %d, quantity %d", id, d.taken, taken[id], d.deal.Quantity)
		}
	}
	return nil
}

// LoadSKU implements [Store].
func (s *MemStore) LoadSKU(ctx context.Context, skuID string) (*SKUState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadLocked(skuID, nil)
}

// loadLocked reads a SKU's state; with only set, it reads just what a
// row-lock transaction reads (see RowLockStore).
func (s *MemStore) loadLocked(skuID string, only *RowLockQuery) (*SKUState, error) {
	m := s.skus[skuID]
	if m == nil {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	st := &SKUState{
		SKUID:       skuID,
		ShopID:      m.sku.ShopID,
		Prices:      maps.Clone(m.sku.Prices),
		OnHand:      m.sku.OnHand,
		Reserved:    m.reserved,
		Sold:        m.sold,
		Version:     m.version,
		Deleted:     m.deleted,
		BuyerUnits:  map[string]int64{},
		MaxPerBuyer: m.sku.MaxPerBuyer,
	}
	deals := map[string]*DealCount{}
	for id, d := range s.deals {
		if d.deal.SKUID != skuID || d.deal.State == hawker.DealCancelled {
			continue
		}
		if only != nil && id != only.DealID {
			continue
		}
		deals[id] = &DealCount{Deal: d.deal, Taken: d.taken, BuyerUnits: map[string]int64{}}
	}
	for _, id := range slices.Sorted(maps.Keys(s.orders)) {
		o := s.orders[id]
		q := o.Units(skuID)
		if q == 0 || !o.State.Holds() {
			continue
		}
		if only == nil || o.BuyerID == only.BuyerID {
			st.BuyerUnits[o.BuyerID] += q
			for _, l := range o.Lines {
				if d := deals[l.DealID]; d != nil && l.SKUID == skuID {
					d.BuyerUnits[o.BuyerID] += l.Quantity
				}
			}
		}
		if o.State != hawker.OrderReserved {
			continue
		}
		if only != nil && o.ID != only.OrderID && o.PayBy.After(only.Now) {
			continue
		}
		r := Reservation{OrderID: o.ID, BuyerID: o.BuyerID, PayBy: o.PayBy}
		for _, l := range o.Lines {
			r.Lines = append(r.Lines, Line{SKUID: l.SKUID, Quantity: l.Quantity, DealID: l.DealID})
		}
		st.Reservations = append(st.Reservations, r)
	}
	for _, id := range slices.Sorted(maps.Keys(deals)) {
		st.Deals = append(st.Deals, *deals[id])
	}
	return st, nil
}

// CommitBatch implements [Store].
func (s *MemStore) CommitBatch(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commitLocked(b)
}

func (s *MemStore) commitLocked(b *Batch) error {
	if s.fault != nil {
		if err := s.fault(b); err != nil {
			return err
		}
	}
	// Check everything first: all or nothing.
	res, sold := map[string]int64{}, map[string]int64{}
	for _, c := range b.SKUs {
		m := s.skus[c.SKUID]
		if m == nil {
			return fmt.Errorf("commit: unknown SKU %s", c.SKUID)
		}
		if m.version != c.Version {
			return fmt.Errorf("commit: SKU %s at version %d, batch decided on %d: %w", c.SKUID, m.version, c.Version, ErrStale)
		}
		r, so := m.reserved+c.Reserved, m.sold+c.Sold
		if r < 0 || so < 0 || r+so > m.sku.OnHand {
			return fmt.Errorf("commit: SKU %s would have reserved %d sold %d on_hand %d", c.SKUID, r, so, m.sku.OnHand)
		}
		res[c.SKUID], sold[c.SKUID] = r, so
	}
	for _, c := range b.Deals {
		d := s.deals[c.DealID]
		if d == nil {
			return fmt.Errorf("commit: unknown deal %s", c.DealID)
		}
		if t := d.taken + c.Taken; t < 0 || t > d.deal.Quantity {
			return fmt.Errorf("commit: deal %s would have taken %d of %d", c.DealID, t, d.deal.Quantity)
		}
	}
	newOrders := map[string]bool{}
	for _, o := range b.Orders {
		if s.orders[o.ID] != nil || newOrders[o.ID] {
			return fmt.Errorf("commit: order %s exists: %w", o.ID, ErrStale)
		}
		newOrders[o.ID] = true
	}
	// Transitions apply in sequence, as the SQL stores' UPDATE … WHERE
	// state = From do: one batch may pay an order and then refund it.
	state := map[string]hawker.OrderState{}
	for _, t := range b.Transitions {
		cur, ok := state[t.OrderID]
		if !ok {
			if o := s.orders[t.OrderID]; o != nil {
				cur, ok = o.State, true
			}
		}
		if !ok || cur != t.From {
			return fmt.Errorf("commit: order %s is not %s: %w", t.OrderID, t.From, ErrStale)
		}
		state[t.OrderID] = t.To
	}
	newKeys := map[Key]bool{}
	for _, r := range b.Records {
		k := Key{BuyerID: r.BuyerID, Key: r.Key}
		if s.records[k] != nil || newKeys[k] {
			return fmt.Errorf("commit: key %q of %s is taken: %w", r.Key, r.BuyerID, ErrStale)
		}
		newKeys[k] = true
	}

	for _, c := range b.SKUs {
		m := s.skus[c.SKUID]
		m.reserved, m.sold = res[c.SKUID], sold[c.SKUID]
		m.version++
	}
	for _, c := range b.Deals {
		d := s.deals[c.DealID]
		d.taken += c.Taken
		if c.End && d.deal.State == hawker.DealScheduled {
			d.deal.State = hawker.DealEnded
		}
	}
	for _, o := range b.Orders {
		s.orders[o.ID] = copyOrder(o)
	}
	for _, t := range b.Transitions {
		o := s.orders[t.OrderID]
		o.State, o.UpdatedAt = t.To, b.At
	}
	for _, r := range b.Records {
		c := *r
		c.Body = slices.Clone(r.Body)
		s.records[Key{BuyerID: r.BuyerID, Key: r.Key}] = &c
	}
	s.commits++
	s.maxRows = max(s.maxRows, len(b.Orders)+len(b.Records))
	return nil
}

// FindDecisions implements [Store].
func (s *MemStore) FindDecisions(ctx context.Context, keys []Key) ([]*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lookups += len(keys)
	var out []*Record
	for _, k := range keys {
		if r := s.records[k]; r != nil {
			c := *r
			c.Body = slices.Clone(r.Body)
			out = append(out, &c)
		}
	}
	return out, nil
}

// DecisionKeys implements [KeyLister].
func (s *MemStore) DecisionKeys(ctx context.Context, since time.Time, fn func(Key, time.Time) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	var recs []Record
	for _, r := range s.records {
		if !r.CreatedAt.Before(since) {
			recs = append(recs, Record{BuyerID: r.BuyerID, Key: r.Key, CreatedAt: r.CreatedAt})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(recs, func(a, b Record) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, r := range recs {
		if err := fn(Key{BuyerID: r.BuyerID, Key: r.Key}, r.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// FindOrder implements [Store].
func (s *MemStore) FindOrder(ctx context.Context, id string) (*hawker.Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	}
	return copyOrder(o), nil
}

// DueSKUs implements [Store].
func (s *MemStore) DueSKUs(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[string]bool{}
	for _, o := range s.orders {
		if o.State == hawker.OrderReserved && !o.PayBy.After(now) {
			for _, l := range o.Lines {
				set[l.SKUID] = true
			}
		}
	}
	ids := slices.Sorted(maps.Keys(set))
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// ReserveRowLock implements [RowLockStore]; the store's mutex is the row
// lock.
func (s *MemStore) ReserveRowLock(ctx context.Context, q RowLockQuery, decide func(*RowLockView) (*Batch, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &RowLockView{}
	if q.OrderID != "" {
		o := s.orders[q.OrderID]
		if o == nil {
			return hawker.Errorf(hawker.ENOTFOUND, "No such order.")
		}
		v.Order = copyOrder(o)
		q.SKUIDs = o.SKUIDs()
		q.BuyerID, q.DealID = o.BuyerID, o.DealID
	}
	for _, id := range q.SKUIDs {
		st, err := s.loadLocked(id, &q)
		if err != nil {
			return err
		}
		v.SKUs = append(v.SKUs, st)
	}
	if q.BuyerID != "" && q.Key != "" {
		if r := s.records[Key{BuyerID: q.BuyerID, Key: q.Key}]; r != nil {
			c := *r
			v.Existing = &c
		}
	}
	b, err := decide(v)
	if err != nil || b == nil {
		return err
	}
	return s.commitLocked(b)
}

func copyOrder(o *hawker.Order) *hawker.Order {
	c := *o
	c.Lines = slices.Clone(o.Lines)
	if o.ShippingAddress != nil {
		a := *o.ShippingAddress
		c.ShippingAddress = &a
	}
	if o.FulfilledAt != nil {
		t := *o.FulfilledAt
		c.FulfilledAt = &t
	}
	return &c
}
