package inventory

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"hawker"
)

// skuState is one SKU as an engine holds it in memory. In the group-commit
// engine it is owned by the SKU's owner goroutine (or, while the owner is
// parked, by the multi-SKU coordinator that parked it); nothing else
// touches it. The row-lock engine builds a fresh one per transaction.
type skuState struct {
	id          string
	shopID      string
	prices      map[string]int64
	maxPerBuyer *int64
	onHand      int64
	reserved    int64
	sold        int64
	version     int64
	deleted     bool
	buyers      map[string]int64 // buyer id → units in live orders
	deals       map[string]*dealState
	resv        map[string]*resv // order id → reservation (state reserved)
	due         resvHeap         // the reservations by wake time; may hold stale entries
}

type dealState struct {
	deal   hawker.Deal
	taken  int64
	buyers map[string]int64
}

type resv struct {
	Reservation
	// wake is when to look at the reservation next: PayBy, or later when
	// its expiry was handed to the multi-SKU path and is being retried.
	wake time.Time
}

func newSKUState(s *SKUState) *skuState {
	st := &skuState{
		id:          s.SKUID,
		shopID:      s.ShopID,
		prices:      s.Prices,
		maxPerBuyer: s.MaxPerBuyer,
		onHand:      s.OnHand,
		reserved:    s.Reserved,
		sold:        s.Sold,
		version:     s.Version,
		deleted:     s.Deleted,
		buyers:      make(map[string]int64, len(s.BuyerUnits)),
		deals:       make(map[string]*dealState, len(s.Deals)),
		resv:        make(map[string]*resv, len(s.Reservations)),
	}
	for b, n := range s.BuyerUnits {
		st.buyers[b] = n
	}
	for _, d := range s.Deals {
		ds := &dealState{deal: d.Deal, taken: d.Taken, buyers: make(map[string]int64, len(d.BuyerUnits))}
		for b, n := range d.BuyerUnits {
			ds.buyers[b] = n
		}
		st.deals[d.Deal.ID] = ds
	}
	for _, r := range s.Reservations {
		st.addResv(&resv{Reservation: r, wake: r.PayBy})
	}
	return st
}

func (st *skuState) available() int64 { return st.onHand - st.reserved - st.sold }

func (st *skuState) stock() hawker.Stock {
	return hawker.Stock{SKUID: st.id, OnHand: st.onHand, Reserved: st.reserved, Sold: st.sold, Available: st.available()}
}

func (st *skuState) addResv(r *resv) {
	st.resv[r.OrderID] = r
	heap.Push(&st.due, r)
}

// nextWake returns the wake time of the earliest live reservation.
func (st *skuState) nextWake() (time.Time, bool) {
	for st.due.Len() > 0 {
		r := st.due[0]
		if st.resv[r.OrderID] == r {
			return r.wake, true
		}
		heap.Pop(&st.due) // released meanwhile
	}
	return time.Time{}, false
}

type resvHeap []*resv

func (h resvHeap) Len() int           { return len(h) }
func (h resvHeap) Less(i, j int) bool { return h[i].wake.Before(h[j].wake) }
func (h resvHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *resvHeap) Push(x any)        { *h = append(*h, x.(*resv)) }
func (h *resvHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return r
}

// multiRetry is how long a multi-SKU expiry handed to the coordinator waits
// before the owner hands it over again (when the first attempt failed).
const multiRetry = 5 * time.Second

// work is one decision round over a set of SKU states: it mutates the
// states and collects the batch that makes the mutations durable. When the
// batch fails the states must be thrown away (reloaded), never reused.
type work struct {
	now   time.Time
	sts   map[string]*skuState
	skus  map[string]*SKUChange
	deals map[string]*DealChange
	b     Batch
	// stale is set when memory disagrees with the store: reload, decide again.
	stale bool
	// moved holds the orders this round moved, with their new state: the
	// store does not show them until the batch commits.
	moved map[string]hawker.OrderState
	// multiDue are due reservations with SKUs outside sts, for the
	// multi-SKU path.
	multiDue []Reservation
	// changed are the orders the round made or moved, in decision order,
	// and ended the deals it ended sold out: what Config.OnOrder and
	// Config.OnDealEnded are told after the commit.
	changed []*hawker.Order
	ended   []hawker.Deal
	// snap, when set, is the stock of each SKU as this round left it:
	// with pipelining the state already holds the next round's decisions
	// when this one commits, and hooks must not announce those early.
	snap map[string]hawker.Stock
}

// seal records the stock the round leaves, for the hooks after its commit.
func (w *work) seal() {
	w.snap = make(map[string]hawker.Stock, len(w.sts))
	for id, st := range w.sts {
		w.snap[id] = st.stock()
	}
}

// stockOf is the SKU's stock as this round left it.
func (w *work) stockOf(id string) hawker.Stock {
	if s, ok := w.snap[id]; ok {
		return s
	}
	return w.sts[id].stock()
}

func newWork(now time.Time, sts ...*skuState) *work {
	w := &work{
		now:   now,
		sts:   make(map[string]*skuState, len(sts)),
		skus:  make(map[string]*SKUChange, len(sts)),
		deals: map[string]*DealChange{},
		moved: map[string]hawker.OrderState{},
		b:     Batch{At: now},
	}
	for _, st := range sts {
		w.sts[st.id] = st
	}
	return w
}

// fence records that a decision was made on the SKU, so the batch checks
// its version even when no counter moves.
func (w *work) fence(st *skuState) *SKUChange {
	c := w.skus[st.id]
	if c == nil {
		c = &SKUChange{SKUID: st.id, Version: st.version}
		w.skus[st.id] = c
	}
	return c
}

func (w *work) deal(id string) *DealChange {
	c := w.deals[id]
	if c == nil {
		c = &DealChange{DealID: id}
		w.deals[id] = c
	}
	return c
}

// batch returns the batch of the round, nil when there is nothing to write.
func (w *work) batch() *Batch {
	if len(w.skus) == 0 && len(w.b.Orders) == 0 && len(w.b.Transitions) == 0 && len(w.b.Records) == 0 {
		return nil
	}
	b := w.b
	b.SKUs = make([]SKUChange, 0, len(w.skus))
	for _, c := range w.skus {
		b.SKUs = append(b.SKUs, *c)
	}
	slices.SortFunc(b.SKUs, func(x, y SKUChange) int {
		switch {
		case x.SKUID < y.SKUID:
			return -1
		case x.SKUID > y.SKUID:
			return 1
		}
		return 0
	})
	for _, c := range w.deals {
		if c.Taken != 0 || c.End {
			b.Deals = append(b.Deals, *c)
		}
	}
	slices.SortFunc(b.Deals, func(x, y DealChange) int {
		switch {
		case x.DealID < y.DealID:
			return -1
		case x.DealID > y.DealID:
			return 1
		}
		return 0
	})
	return &b
}

// committed tells the states that the batch is durable: each fenced SKU's
// version moved by one.
func (w *work) committed() {
	for id := range w.skus {
		w.sts[id].version++
	}
}

// expireDue expires every due reservation whose SKUs are all in the round
// and hands the others to w.multiDue.
func (w *work) expireDue() {
	for _, st := range w.sts {
		for {
			next, ok := st.nextWake()
			if !ok || next.After(w.now) {
				break
			}
			r := heap.Pop(&st.due).(*resv)
			if w.contains(r.Lines) {
				w.endReservation(r, hawker.OrderExpired)
				continue
			}
			w.multiDue = append(w.multiDue, r.Reservation)
			r.wake = w.now.Add(multiRetry)
			heap.Push(&st.due, r)
		}
	}
}

func (w *work) contains(lines []Line) bool {
	for _, l := range lines {
		if w.sts[l.SKUID] == nil {
			return false
		}
	}
	return true
}

// endReservation moves a reservation to paid (units become sold) or to
// expired or cancelled (units return). All its SKUs are in the round.
func (w *work) endReservation(r *resv, to hawker.OrderState) {
	for _, l := range r.Lines {
		st := w.sts[l.SKUID]
		c := w.fence(st)
		st.reserved -= l.Quantity
		c.Reserved -= l.Quantity
		if to == hawker.OrderPaid {
			st.sold += l.Quantity
			c.Sold += l.Quantity
		} else {
			w.giveBack(st, r.BuyerID, l)
		}
		delete(st.resv, r.OrderID)
	}
	w.b.Transitions = append(w.b.Transitions, Transition{OrderID: r.OrderID, From: hawker.OrderReserved, To: to})
	w.moved[r.OrderID] = to
	// A sketch of the order from what the reservation holds; transition
	// replaces it with the whole order when it has one.
	sketch := &hawker.Order{ID: r.OrderID, BuyerID: r.BuyerID, State: to, PayBy: r.PayBy, UpdatedAt: w.now}
	for _, l := range r.Lines {
		sketch.Lines = append(sketch.Lines, hawker.OrderLine{SKUID: l.SKUID, Quantity: l.Quantity, DealID: l.DealID})
	}
	w.changed = append(w.changed, sketch)
}

// refund returns the units of a paid order. All its SKUs are in the round.
func (w *work) refund(o *hawker.Order) {
	for _, l := range o.Lines {
		st := w.sts[l.SKUID]
		c := w.fence(st)
		st.sold -= l.Quantity
		c.Sold -= l.Quantity
		w.giveBack(st, o.BuyerID, Line{SKUID: l.SKUID, Quantity: l.Quantity, DealID: l.DealID})
	}
	w.b.Transitions = append(w.b.Transitions, Transition{OrderID: o.ID, From: hawker.OrderPaid, To: hawker.OrderRefunded})
	w.moved[o.ID] = hawker.OrderRefunded
	w.changed = append(w.changed, o)
}

// giveBack lowers the buyer's units and the deal's taken units after a
// line of a live order stops being live. The deal's change is written even
// when the deal is not loaded (the row-lock view loads one deal only).
func (w *work) giveBack(st *skuState, buyer string, l Line) {
	q := l.Quantity
	if n := st.buyers[buyer] - q; n > 0 {
		st.buyers[buyer] = n
	} else {
		delete(st.buyers, buyer)
	}
	if l.DealID == "" {
		return
	}
	w.deal(l.DealID).Taken -= q
	if ds := st.deals[l.DealID]; ds != nil {
		ds.taken -= q
		if n := ds.buyers[buyer] - q; n > 0 {
			ds.buyers[buyer] = n
		} else {
			delete(ds.buyers, buyer)
		}
	}
}

// outcome is what a round decided for one request: a decision (to store
// and answer) or a refusal (answered, not stored).
type outcome struct {
	dec *Decision
	err error
}

// reserve decides an order request. rec is the key's stored record, if
// any. All the request's SKUs are in the round.
func (w *work) reserve(req *hawker.OrderRequest, fp string, rec *Record, markets hawker.Markets, reservation time.Duration) outcome {
	if rec != nil {
		return replay(rec, fp)
	}
	order, code, msg, err := w.decide(req, markets, reservation)
	if err != nil {
		return outcome{err: err}
	}
	r := &Record{
		BuyerID:     req.BuyerID,
		Key:         req.IdempotencyKey,
		Fingerprint: fp,
		CreatedAt:   w.now,
	}
	if order != nil {
		r.Status, r.OrderID = StatusCreated, order.ID
		r.Body, err = json.Marshal(struct {
			Order *hawker.Order `json:"order"`
		}{order})
		w.b.Orders = append(w.b.Orders, order)
	} else {
		r.Status, r.Code = StatusConflict, code
		r.Body, err = errorBody(code, msg)
	}
	if err != nil {
		return outcome{err: fmt.Errorf("encode decision: %w", err)}
	}
	w.b.Records = append(w.b.Records, r)
	d := decisionOf(r)
	d.Order = order
	return outcome{dec: d}
}

// decide checks the request against the states and, when it can be met,
// makes the order and holds its units. It returns the order, or the code
// and message of a decided refusal (409), or an error for a refusal before
// a decision (unknown SKU, not sold in the market: not stored).
func (w *work) decide(req *hawker.OrderRequest, markets hawker.Markets, reservation time.Duration) (*hawker.Order, string, string, error) {
	m, ok := markets.Market(req.Market)
	if !ok {
		return nil, "", "", hawker.FieldError("market", "unknown market %q", req.Market)
	}
	sts := make([]*skuState, len(req.Lines))
	for i, l := range req.Lines {
		st := w.sts[l.SKUID]
		if st == nil {
			return nil, "", "", fmt.Errorf("inventory: SKU %s missing from the round", l.SKUID)
		}
		if st.deleted {
			return nil, "", "", hawker.Errorf(hawker.ENOTFOUND, "No such SKU: %s.", l.SKUID)
		}
		if _, ok := st.prices[req.Market]; !ok {
			return nil, "", "", hawker.FieldError(fmt.Sprintf("lines[%d].sku_id", i), "SKU %s is not sold in %s", l.SKUID, req.Market)
		}
		if i > 0 && st.shopID != sts[0].shopID {
			return nil, "", "", hawker.FieldError(fmt.Sprintf("lines[%d].sku_id", i), "an order's SKUs must come from one shop")
		}
		sts[i] = st
		w.fence(st) // the decision depends on the SKU, whatever it is
	}

	// The deal: one of the SKUs', running now, in this market.
	var ds *dealState
	if req.DealID != "" {
		for _, st := range sts {
			if d := st.deals[req.DealID]; d != nil {
				ds = d
			}
		}
		switch {
		case ds == nil:
			return nil, hawker.EDEALNOTACTIVE, "There is no such deal for these products.", nil
		case req.ShowID != "" && ds.deal.ShowID != req.ShowID:
			return nil, hawker.EDEALNOTACTIVE, "The deal belongs to another show.", nil
		case !ds.deal.ActiveAt(w.now):
			return nil, hawker.EDEALNOTACTIVE, "The deal is not running.", nil
		}
		if _, ok := ds.deal.Prices[req.Market]; !ok {
			return nil, hawker.EDEALNOTACTIVE, "The deal does not run in this market.", nil
		}
	}

	// Stock first, then limits.
	for i, l := range req.Lines {
		if sts[i].available() < l.Quantity {
			return nil, hawker.ESOLDOUT, "Sold out.", nil
		}
		if ds != nil && ds.deal.SKUID == l.SKUID && ds.deal.Quantity-ds.taken < l.Quantity {
			return nil, hawker.ESOLDOUT, "The deal is sold out.", nil
		}
	}
	for i, l := range req.Lines {
		st := sts[i]
		if st.maxPerBuyer != nil && st.buyers[req.BuyerID]+l.Quantity > *st.maxPerBuyer {
			return nil, hawker.ELIMIT, fmt.Sprintf("At most %d per buyer.", *st.maxPerBuyer), nil
		}
		if ds != nil && ds.deal.SKUID == l.SKUID && ds.deal.MaxPerBuyer != nil && ds.buyers[req.BuyerID]+l.Quantity > *ds.deal.MaxPerBuyer {
			return nil, hawker.ELIMIT, fmt.Sprintf("At most %d per buyer in this deal.", *ds.deal.MaxPerBuyer), nil
		}
	}

	// Price and hold.
	in := make([]hawker.LineInput, len(req.Lines))
	for i, l := range req.Lines {
		price := sts[i].prices[req.Market]
		if ds != nil && ds.deal.SKUID == l.SKUID {
			price = ds.deal.Prices[req.Market]
		}
		in[i] = hawker.LineInput{UnitPrice: price, Quantity: l.Quantity}
	}
	t, err := m.Totals(in, "", 0)
	if err != nil {
		return nil, "", "", err
	}
	hold := reservation
	if m.ReservationMinutes > 0 {
		hold = time.Duration(m.ReservationMinutes) * time.Minute
	}
	o := &hawker.Order{
		ID:             hawker.NewID(hawker.PrefixOrder),
		BuyerID:        req.BuyerID,
		ShopID:         sts[0].shopID,
		Market:         req.Market,
		ShowID:         req.ShowID,
		DealID:         req.DealID,
		Lines:          make([]hawker.OrderLine, len(req.Lines)),
		Subtotal:       t.Subtotal,
		Tax:            t.Tax,
		Shipping:       t.Shipping,
		Total:          t.Total,
		State:          hawker.OrderReserved,
		PayBy:          w.now.Add(hold),
		CreatedAt:      w.now,
		UpdatedAt:      w.now,
		IdempotencyKey: req.IdempotencyKey,
	}
	if ds != nil && o.ShowID == "" {
		o.ShowID = ds.deal.ShowID
	}
	if a := req.ShippingAddress; a != nil {
		c := *a // the order outlives the request
		o.ShippingAddress = &c
	}
	r := &resv{Reservation: Reservation{OrderID: o.ID, BuyerID: o.BuyerID, PayBy: o.PayBy}, wake: o.PayBy}
	for i, l := range req.Lines {
		lt := t.Lines[i]
		o.Lines[i] = hawker.OrderLine{
			SKUID:     l.SKUID,
			Quantity:  l.Quantity,
			UnitPrice: hawker.Money{Amount: lt.UnitPrice, Currency: m.Currency},
			Total:     hawker.Money{Amount: lt.Total, Currency: m.Currency},
			Tax:       hawker.Money{Amount: lt.Tax, Currency: m.Currency},
		}
		if ds != nil && ds.deal.SKUID == l.SKUID {
			o.Lines[i].DealID = ds.deal.ID
		}
		r.Lines = append(r.Lines, Line{SKUID: l.SKUID, Quantity: l.Quantity, DealID: o.Lines[i].DealID})
	}
	for i, l := range req.Lines {
		st := sts[i]
		st.reserved += l.Quantity
		w.fence(st).Reserved += l.Quantity
		st.buyers[req.BuyerID] += l.Quantity
		if ds != nil && ds.deal.SKUID == l.SKUID {
			ds.taken += l.Quantity
			ds.buyers[req.BuyerID] += l.Quantity
			dc := w.deal(ds.deal.ID)
			dc.Taken += l.Quantity
			if ds.taken >= ds.deal.Quantity {
				// The deal ends early when sold out, and stays ended.
				ds.deal.State = hawker.DealEnded
				dc.End = true
				w.ended = append(w.ended, ds.deal)
			}
		}
	}
	for _, st := range sts {
		st.addResv(&resv{Reservation: r.Reservation, wake: r.wake})
	}
	w.changed = append(w.changed, o)
	return o, "", "", nil
}

// transition ops.
type op int

const (
	opConfirm op = iota // reserved → paid
	opCancel            // reserved → cancelled, paid → refunded
	opExpire            // reserved → expired when due
)

func (o op) String() string {
	return [...]string{"confirm", "cancel", "expire"}[o]
}

// transition applies op to the order and returns it as it is afterwards.
// load reads the order's current row from the store. All the order's SKUs
// are in the round.
func (w *work) transition(orderID string, o op, load func() (*hawker.Order, error)) (*hawker.Order, error) {
	var r *resv
	for _, st := range w.sts {
		if x := st.resv[orderID]; x != nil {
			r = x
			break
		}
	}
	cur, err := load()
	if err != nil {
		return nil, err
	}
	if to, ok := w.moved[orderID]; ok {
		cur.State, cur.UpdatedAt = to, w.now
	}
	if r != nil && cur.State != hawker.OrderReserved {
		w.stale = true // memory says reserved, the store says otherwise
		return nil, nil
	}
	if r != nil {
		if !w.contains(r.Lines) {
			return nil, fmt.Errorf("inventory: order %s has SKUs outside the round", orderID)
		}
		to := map[op]hawker.OrderState{opConfirm: hawker.OrderPaid, opCancel: hawker.OrderCancelled, opExpire: hawker.OrderExpired}[o]
		if !w.now.Before(r.PayBy) {
			to = hawker.OrderExpired // checked on read: a due reservation expires first
		} else if o == opExpire {
			return nil, hawker.Errorf(hawker.ESTATE, "The reservation is not due.")
		}
		w.endReservation(r, to)
		cur.State, cur.UpdatedAt = to, w.now
		w.changed[len(w.changed)-1] = cur
		if to == hawker.OrderExpired && o != opExpire {
			return nil, hawker.Errorf(hawker.ESTATE, "The reservation expired at %s.", r.PayBy.Format(time.RFC3339))
		}
		return cur, nil
	}
	switch cur.State {
	case hawker.OrderReserved:
		// Reserved in the store but not in memory: the state is stale.
		w.stale = true
		return nil, nil
	case hawker.OrderPaid:
		switch o {
		case opConfirm:
			return cur, nil // confirmations are idempotent
		case opCancel:
			if !w.contains(linesOf(cur)) {
				return nil, fmt.Errorf("inventory: order %s has SKUs outside the round", orderID)
			}
			w.refund(cur)
			cur.State, cur.UpdatedAt = hawker.OrderRefunded, w.now
			return cur, nil
		}
	case hawker.OrderCancelled:
		if o == opCancel {
			return cur, nil
		}
	case hawker.OrderExpired:
		if o == opExpire {
			return cur, nil
		}
	}
	return nil, hawker.Errorf(hawker.ESTATE, "The order is %s.", cur.State)
}

func linesOf(o *hawker.Order) []Line {
	ls := make([]Line, len(o.Lines))
	for i, l := range o.Lines {
		ls[i] = Line{SKUID: l.SKUID, Quantity: l.Quantity, DealID: l.DealID}
	}
	return ls
}

// HTTP statuses of decisions. The domain does not import net/http; these
// are the two numbers a decision can have (API.md, Idempotency).
const (
	StatusCreated  = 201
	StatusConflict = 409
)

func errorBody(code, msg string) ([]byte, error) {
	type e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	return json.Marshal(struct {
		Error e `json:"error"`
	}{e{code, msg}})
}

func decisionOf(r *Record) *Decision {
	return &Decision{Status: r.Status, Code: r.Code, OrderID: r.OrderID, Body: r.Body, fingerprint: r.Fingerprint}
}

// replay answers a request from the stored record of its key.
func replay(rec *Record, fp string) outcome {
	if rec.Fingerprint != fp {
		return outcome{err: reusedErr()}
	}
	d := decisionOf(rec)
	d.Replayed = true
	return outcome{dec: d}
}

func reusedErr() error {
	return hawker.Errorf(hawker.EKEYREUSED, "This Idempotency-Key was used for a different request.")
}
