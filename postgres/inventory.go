package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hawker"
	"hawker/inventory"
)

// The inventory engine's store: SKU state, group commits, row-lock
// transactions, idempotency records (see inventory.Store and
// inventory.RowLockStore for the contract; inventory.MemStore is the
// reference these methods match).
//
// A group commit is one transaction of three round trips whatever its
// size: BEGIN, one pipeline (pgx.Batch) with one statement per table —
// rows passed as arrays and expanded with unnest — and COMMIT, which waits
// for the WAL flush (synchronous_commit on, set for the transaction).

var (
	_ inventory.Store        = (*DB)(nil)
	_ inventory.KeyLister    = (*DB)(nil)
	_ inventory.RowLockStore = (*DB)(nil)
)

// The states of orders that hold stock (hawker.OrderState.Holds).
const liveStates = `('reserved', 'paid', 'fulfilled')`

// LoadSKU implements inventory.Store: one repeatable-read transaction, so
// every query sees the same snapshot, and one pipeline of queries.
func (db *DB) LoadSKU(ctx context.Context, skuID string) (_ *inventory.SKUState, err error) {
	defer db.done("LoadSKU", time.Now(), &err)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	st, err := loadSKU(ctx, tx, skuID, nil, time.Now().Add(-inventory.DealRetention))
	if err != nil {
		return nil, err
	}
	return st, tx.Commit(ctx)
}

const dealColumns = `id, show_id, shop_id, sku_id, prices, quantity, max_per_buyer, taken, starts_at, ends_at, state, created_at`

// loadSKU reads a SKU's state in one pipeline. With only set it reads
// what a row-lock transaction reads (see inventory.RowLockStore; the
// caller holds the row locks); otherwise everything, with the deals that
// ended after dealsSince.
func loadSKU(ctx context.Context, tx pgx.Tx, skuID string, only *inventory.RowLockQuery, dealsSince time.Time) (_ *inventory.SKUState, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT s.shop_id, s.max_per_buyer, s.on_hand, s.reserved, s.sold, s.version,
		s.deleted_at IS NOT NULL OR p.deleted_at IS NOT NULL,
		coalesce((SELECT jsonb_object_agg(pr.market, pr.amount) FROM sku_prices pr WHERE pr.sku_id = s.id), '{}')
		FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = $1`, skuID)
	readDeals, readUnits := true, true
	switch {
	case only == nil:
		b.Queue(`SELECT `+dealColumns+` FROM deals
			WHERE sku_id = $1 AND state <> 'cancelled' AND ends_at > $2 ORDER BY id`, skuID, dealsSince)
	case only.DealID != "":
		b.Queue(`SELECT `+dealColumns+` FROM deals WHERE id = $1 AND sku_id = $2 AND state <> 'cancelled'`, only.DealID, skuID)
	default:
		readDeals = false
	}
	switch {
	case only == nil:
		b.Queue(`SELECT o.buyer_id, l.deal_id, sum(l.quantity)::bigint
			FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE l.sku_id = $1 AND o.state IN `+liveStates+`
			GROUP BY o.buyer_id, l.deal_id`, skuID)
	case only.BuyerID != "":
		b.Queue(`SELECT o.buyer_id, l.deal_id, sum(l.quantity)::bigint
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.buyer_id = $1 AND l.sku_id = $2 AND o.state IN `+liveStates+`
			GROUP BY o.buyer_id, l.deal_id`, only.BuyerID, skuID)
	default:
		readUnits = false
	}
	if only == nil {
		b.Queue(`SELECT o.id, o.buyer_id, o.pay_by, l.sku_id, l.quantity, l.deal_id
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.state = 'reserved' AND o.id IN (SELECT order_id FROM order_lines WHERE sku_id = $1)
			ORDER BY o.id, l.position`, skuID)
	} else {
		// A UNION, not an OR: an OR of the two would scan every order.
		b.Queue(`WITH ids AS (
				(SELECT d.id FROM orders d
				WHERE d.state = 'reserved' AND d.pay_by <= $1
				AND EXISTS (SELECT 1 FROM order_lines dl WHERE dl.order_id = d.id AND dl.sku_id = $2)
				ORDER BY d.pay_by LIMIT $3)
				UNION
				SELECT o.id FROM orders o
				WHERE o.id = $4 AND o.state = 'reserved'
				AND EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id AND ol.sku_id = $2))
			SELECT o.id, o.buyer_id, o.pay_by, l.sku_id, l.quantity, l.deal_id
			FROM ids JOIN orders o ON o.id = ids.id JOIN order_lines l ON l.order_id = o.id
			ORDER BY o.id, l.position`, only.Now, skuID, inventory.MaxDuePerSKU, only.OrderID)
	}
	br := tx.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()

	st := &inventory.SKUState{SKUID: skuID, BuyerUnits: map[string]int64{}}
	err = br.QueryRow().Scan(&st.ShopID, &st.MaxPerBuyer, &st.OnHand, &st.Reserved, &st.Sold, &st.Version, &st.Deleted, &st.Prices)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	if err != nil {
		return nil, err
	}
	if st.Prices == nil {
		st.Prices = map[string]int64{}
	}

	deals := map[string]int{} // id → index in st.Deals
	if readDeals {
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			d, taken, err := scanDeal(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			deals[d.ID] = len(st.Deals)
			st.Deals = append(st.Deals, inventory.DealCount{Deal: *d, Taken: taken, BuyerUnits: map[string]int64{}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	if readUnits {
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var buyer, deal string
			var n int64
			if err := rows.Scan(&buyer, &deal, &n); err != nil {
				rows.Close()
				return nil, err
			}
			st.BuyerUnits[buyer] += n
			if i, ok := deals[deal]; ok && deal != "" {
				st.Deals[i].BuyerUnits[buyer] += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, buyer string
		var payBy time.Time
		var l inventory.Line
		if err := rows.Scan(&id, &buyer, &payBy, &l.SKUID, &l.Quantity, &l.DealID); err != nil {
			return nil, err
		}
		if n := len(st.Reservations); n == 0 || st.Reservations[n-1].OrderID != id {
			st.Reservations = append(st.Reservations, inventory.Reservation{OrderID: id, BuyerID: buyer, PayBy: payBy.UTC()})
		}
		r := &st.Reservations[len(st.Reservations)-1]
		r.Lines = append(r.Lines, l)
	}
	return st, rows.Err()
}

func scanDeal(rows pgx.Rows) (*hawker.Deal, int64, error) {
	var d hawker.Deal
	var taken int64
	var state string
	if err := rows.Scan(&d.ID, &d.ShowID, &d.ShopID, &d.SKUID, &d.Prices, &d.Quantity, &d.MaxPerBuyer, &taken,
		&d.StartsAt, &d.EndsAt, &state, &d.CreatedAt); err != nil {
		return nil, 0, err
	}
	d.State = hawker.DealState(state)
	d.StartsAt, d.EndsAt, d.CreatedAt = d.StartsAt.UTC(), d.EndsAt.UTC(), d.CreatedAt.UTC()
	return &d, taken, nil
}

// insertDeal stores a new deal (its SKU's version moves by trigger). The
// deals service is not written yet; tests use this.
func (db *DB) insertDeal(ctx context.Context, d *hawker.Deal) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO deals (`+dealColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11)`,
		d.ID, d.ShowID, d.ShopID, d.SKUID, d.Prices, d.Quantity, d.MaxPerBuyer, d.StartsAt, d.EndsAt, string(d.State), d.CreatedAt)
	return mapErr(err, "deal exists", "no such SKU or shop")
}

// CommitBatch implements inventory.Store: one transaction, one WAL flush.
func (db *DB) CommitBatch(ctx context.Context, b *inventory.Batch) (err error) {
	defer db.done("CommitBatch", time.Now(), &err)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := commitBatch(ctx, tx, b); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// commitBatch applies b in tx with one pipeline; any error leaves tx to be
// rolled back.
func commitBatch(ctx context.Context, tx pgx.Tx, b *inventory.Batch) error {
	type step struct {
		what string
		rows int   // rows the statement must touch, -1: any
		fail error // what a shortfall means
	}
	var steps []step
	pb := &pgx.Batch{}
	queue := func(s step, sql string, args ...any) {
		steps = append(steps, s)
		pb.Queue(sql, args...)
	}
	queue(step{what: "durability", rows: -1}, `SET LOCAL synchronous_commit TO on`)

	if n := len(b.SKUs); n > 0 {
		ids, versions, res, sold := make([]string, n), make([]int64, n), make([]int64, n), make([]int64, n)
		leased := make([]bool, n)
		for i, c := range b.SKUs {
			ids[i], versions[i], res[i], sold[i] = c.SKUID, c.Version, c.Reserved, c.Sold
			leased[i] = c.Leased && b.Node != ""
		}
		// A SKU decided under a lease is fenced by the lease too: an
		// owner whose lease expired or went to another node decides no
		// more (see inventory.SKUChange.Leased).
		queue(step{"SKUs", n, fmt.Errorf("commit: a SKU is not at the version decided on, or its lease is not this node's: %w", inventory.ErrStale)},
			`UPDATE skus s SET reserved = s.reserved + c.r, sold = s.sold + c.so, version = s.version + 1
			FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bool[]) AS c (id, v, r, so, l)
			WHERE s.id = c.id AND s.version = c.v
			AND (NOT c.l OR EXISTS (SELECT 1 FROM inventory_leases le
				WHERE le.sku_id = c.id AND le.node = $6 AND le.expires_at > now()))`, ids, versions, res, sold, leased, b.Node)
	}
	if n := len(b.Deals); n > 0 {
		ids, taken, end := make([]string, n), make([]int64, n), make([]bool, n)
		for i, c := range b.Deals {
			ids[i], taken[i], end[i] = c.DealID, c.Taken, c.End
		}
		queue(step{"deals", n, errors.New("commit: unknown deal")},
			`UPDATE deals d SET taken = d.taken + c.t,
				state = CASE WHEN c.e AND d.state = 'scheduled' THEN 'ended' ELSE d.state END
			FROM unnest($1::text[], $2::bigint[], $3::bool[]) AS c (id, t, e) WHERE d.id = c.id`, ids, taken, end)
	}
	if n := len(b.Orders); n > 0 {
		var (
			ids, buyers, shops, mkts, shows, deals, curs, states, keys = make([]string, n), make([]string, n), make([]string, n),
				make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			addrs                     = make([][]byte, n) // nil: NULL
			sub, tax, ship, total     = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
			payBy, created, updated   = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
			lOrder, lSKU, lDeal       []string
			lPos                      []int32
			lQty, lUnit, lTotal, lTax []int64
		)
		for i, o := range b.Orders {
			ids[i], buyers[i], shops[i], mkts[i], shows[i], deals[i] = o.ID, o.BuyerID, o.ShopID, o.Market, o.ShowID, o.DealID
			curs[i], states[i], keys[i] = o.Total.Currency, string(o.State), o.IdempotencyKey
			sub[i], tax[i], ship[i], total[i] = o.Subtotal.Amount, o.Tax.Amount, o.Shipping.Amount, o.Total.Amount
			payBy[i], created[i], updated[i] = o.PayBy, o.CreatedAt, o.UpdatedAt
			addrs[i] = addressJSON(o.ShippingAddress)
			for j, l := range o.Lines {
				lOrder, lPos, lSKU, lDeal = append(lOrder, o.ID), append(lPos, int32(j)), append(lSKU, l.SKUID), append(lDeal, l.DealID)
				lQty, lUnit, lTotal, lTax = append(lQty, l.Quantity), append(lUnit, l.UnitPrice.Amount), append(lTotal, l.Total.Amount), append(lTax, l.Tax.Amount)
			}
		}
		queue(step{"orders", -1, nil}, `INSERT INTO orders (id, buyer_id, shop_id, market, show_id, deal_id, currency,
			subtotal, tax, shipping, total, state, pay_by, created_at, updated_at, idempotency_key, shipping_address)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[],
				$13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::text[], $17::jsonb[])`,
			ids, buyers, shops, mkts, shows, deals, curs, sub, tax, ship, total, states, payBy, created, updated, keys, addrs)
		queue(step{"order lines", -1, nil}, `INSERT INTO order_lines (order_id, position, sku_id, quantity, unit_price, total, tax, deal_id)
			SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])`,
			lOrder, lPos, lSKU, lQty, lUnit, lTotal, lTax, lDeal)
	}
	if len(b.Transitions) > 0 {
		ts, err := chainTransitions(b.Transitions)
		if err != nil {
			return err
		}
		n := len(ts)
		ids, from, to := make([]string, n), make([]string, n), make([]string, n)
		for i, t := range ts {
			ids[i], from[i], to[i] = t.OrderID, string(t.From), string(t.To)
		}
		queue(step{"transitions", n, fmt.Errorf("commit: an order is not in the state decided on: %w", inventory.ErrStale)},
			`UPDATE orders o SET state = c.to_state, updated_at = $4
			FROM unnest($1::text[], $2::text[], $3::text[]) AS c (id, from_state, to_state)
			WHERE o.id = c.id AND o.state = c.from_state`, ids, from, to, b.At)
	}
	if n := len(b.Records); n > 0 {
		buyers, keys, fps, codes, orders := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		status, bodies, created := make([]int32, n), make([][]byte, n), make([]time.Time, n)
		for i, r := range b.Records {
			buyers[i], keys[i], fps[i], codes[i], orders[i] = r.BuyerID, r.Key, r.Fingerprint, r.Code, r.OrderID
			status[i], bodies[i], created[i] = int32(r.Status), r.Body, r.CreatedAt
			if bodies[i] == nil {
				bodies[i] = []byte{}
			}
		}
		queue(step{"idempotency records", -1, nil}, `INSERT INTO idempotency_records (buyer_id, key, fingerprint, status, code, order_id, body, created_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::bytea[], $8::timestamptz[])`,
			buyers, keys, fps, status, codes, orders, bodies, created)
	}

	br := tx.SendBatch(ctx, pb)
	var fail error
	for _, s := range steps {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			if pgCode(err) == uniqueViolation {
				return fmt.Errorf("commit: %s: a key or order id is taken: %w", s.what, inventory.ErrStale)
			}
			return fmt.Errorf("commit: %s: %w", s.what, err)
		}
		if s.rows >= 0 && tag.RowsAffected() != int64(s.rows) && fail == nil {
			fail = s.fail
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	return fail
}

// chainTransitions folds the transitions of one order in a batch into
// one, from the first From to the last To, when each starts where the one
// before ended (a confirmation and a refund decided in the same round:
// reserved → paid → refunded); applied in order they have that effect.
// Transitions of one order that do not chain are ErrStale.
func chainTransitions(ts []inventory.Transition) ([]inventory.Transition, error) {
	out := make([]inventory.Transition, 0, len(ts))
	at := make(map[string]int, len(ts))
	for _, t := range ts {
		i, ok := at[t.OrderID]
		if !ok {
			at[t.OrderID] = len(out)
			out = append(out, t)
			continue
		}
		if out[i].To != t.From {
			return nil, fmt.Errorf("commit: order %s would move from %s, not %s: %w", t.OrderID, t.From, out[i].To, inventory.ErrStale)
		}
		out[i].To = t.To
	}
	return out, nil
}

// FindDecisions implements inventory.Store: one statement for all keys.
func (db *DB) FindDecisions(ctx context.Context, keys []inventory.Key) (_ []*inventory.Record, err error) {
	defer db.done("FindDecisions", time.Now(), &err)
	if len(keys) == 0 {
		return nil, nil
	}
	buyers, ks := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		buyers[i], ks[i] = k.BuyerID, k.Key
	}
	rows, err := db.pool.Query(ctx, `SELECT r.buyer_id, r.key, r.fingerprint, r.status, r.code, r.order_id, r.body, r.created_at
		FROM unnest($1::text[], $2::text[]) AS k (buyer_id, key)
		JOIN idempotency_records r ON r.buyer_id = k.buyer_id AND r.key = k.key`, buyers, ks)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*inventory.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRecord(row pgx.Row) (*inventory.Record, error) {
	var r inventory.Record
	var status int32
	if err := row.Scan(&r.BuyerID, &r.Key, &r.Fingerprint, &status, &r.Code, &r.OrderID, &r.Body, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.Status, r.CreatedAt = int(status), r.CreatedAt.UTC()
	if r.Body == nil {
		r.Body = []byte{}
	}
	return &r, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// DecisionKeys implements inventory.KeyLister: one statement (one
// snapshot) over the index on created_at.
func (db *DB) DecisionKeys(ctx context.Context, since time.Time, fn func(inventory.Key, time.Time) error) (err error) {
	defer db.done("DecisionKeys", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT buyer_id, key, created_at FROM idempotency_records
		WHERE created_at >= $1 ORDER BY created_at`, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	var k inventory.Key
	var created time.Time
	_, err = pgx.ForEachRow(rows, []any{&k.BuyerID, &k.Key, &created}, func() error { return fn(k, created) })
	return err
}

// FindOrder implements inventory.Store. An order's lines never change, so
// the two reads need no common snapshot.
func (db *DB) FindOrder(ctx context.Context, id string) (_ *hawker.Order, err error) {
	defer db.done("FindOrder", time.Now(), &err)
	return findOrder(ctx, db.pool, id)
}

func findOrder(ctx context.Context, q querier, id string) (*hawker.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	}
	if err != nil {
		return nil, err
	}
	currency := o.Total.Currency
	rows, err := q.Query(ctx, `SELECT sku_id, quantity, unit_price, total, tax, deal_id
		FROM order_lines WHERE order_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	o.Lines = []hawker.OrderLine{}
	for rows.Next() {
		l := hawker.OrderLine{UnitPrice: hawker.Money{Currency: currency}, Total: hawker.Money{Currency: currency}, Tax: hawker.Money{Currency: currency}}
		if err := rows.Scan(&l.SKUID, &l.Quantity, &l.UnitPrice.Amount, &l.Total.Amount, &l.Tax.Amount, &l.DealID); err != nil {
			return nil, err
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}

// DueSKUs implements inventory.Store, through the index on orders (state,
// pay_by).
func (db *DB) DueSKUs(ctx context.Context, now time.Time, limit int) (_ []string, err error) {
	defer db.done("DueSKUs", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT l.sku_id FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.state = 'reserved' AND o.pay_by <= $1 ORDER BY l.sku_id LIMIT $2`, now, limit)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// ReserveRowLock implements inventory.RowLockStore: a read-committed
// transaction that locks the SKU rows (SELECT … FOR UPDATE, ascending id)
// and the deal's row before it reads, so every read after the locks sees
// what the previous holder committed.
func (db *DB) ReserveRowLock(ctx context.Context, q inventory.RowLockQuery, decide func(*inventory.RowLockView) (*inventory.Batch, error)) (err error) {
	defer db.done("ReserveRowLock", time.Now(), &err)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if q.OrderID != "" {
		// An order's SKUs, buyer and deal never change; its state is read
		// again under the locks.
		o, err := findOrder(ctx, tx, q.OrderID)
		if err != nil {
			return err
		}
		q.SKUIDs = o.SKUIDs()
		q.BuyerID, q.DealID = o.BuyerID, o.DealID
	}
	ids := slices.Compact(slices.Sorted(slices.Values(q.SKUIDs)))
	rows, err := tx.Query(ctx, `SELECT id FROM skus WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return err
	}
	locked, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(locked) != len(ids) {
		return hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	if q.DealID != "" {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM deals WHERE id = $1 AND sku_id = ANY($2) FOR UPDATE`, q.DealID, ids); err != nil {
			return err
		}
	}
	v := &inventory.RowLockView{}
	if q.OrderID != "" {
		if v.Order, err = findOrder(ctx, tx, q.OrderID); err != nil {
			return err
		}
	}
	for _, id := range q.SKUIDs {
		st, err := loadSKU(ctx, tx, id, &q, time.Time{})
		if err != nil {
			return err
		}
		v.SKUs = append(v.SKUs, st)
	}
	if q.BuyerID != "" && q.Key != "" {
		r, err := scanRecord(tx.QueryRow(ctx, `SELECT buyer_id, key, fingerprint, status, code, order_id, body, created_at
			FROM idempotency_records WHERE buyer_id = $1 AND key = $2`, q.BuyerID, q.Key))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			v.Existing = r
		}
	}
	b, err := decide(v)
	if err != nil {
		return err
	}
	if b != nil {
		if err := commitBatch(ctx, tx, b); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// PurgeRecords deletes the idempotency records created before before, and
// returns how many. Callers keep records at least
// inventory.RecordRetention: pass now − RecordRetention or earlier.
func (db *DB) PurgeRecords(ctx context.Context, before time.Time) (_ int64, err error) {
	defer db.done("PurgeRecords", time.Now(), &err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_records WHERE created_at < $1`, before)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// AuditStock checks the stock invariants in one snapshot: for every SKU
// reserved + sold <= on_hand, reserved equals the units of its reserved
// orders and sold those of its paid and fulfilled orders; for every deal
// taken equals the units of its live orders and stays in 0..quantity. It
// returns the violations, none when all is well.
func (db *DB) AuditStock(ctx context.Context) (_ []inventory.Violation, err error) {
	defer db.done("AuditStock", time.Now(), &err)
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var out []inventory.Violation
	rows, err := tx.Query(ctx, `SELECT s.id, s.on_hand, s.reserved, s.sold,
		coalesce(u.reserved, 0)::bigint, coalesce(u.sold, 0)::bigint
		FROM skus s LEFT JOIN (
			SELECT l.sku_id,
				sum(l.quantity) FILTER (WHERE o.state = 'reserved') AS reserved,
				sum(l.quantity) FILTER (WHERE o.state IN ('paid', 'fulfilled')) AS sold
			FROM order_lines l JOIN orders o ON o.id = l.order_id GROUP BY l.sku_id
		) u ON u.sku_id = s.id
		ORDER BY s.id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var onHand, reserved, sold, ur, us int64
		if err := rows.Scan(&id, &onHand, &reserved, &sold, &ur, &us); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, inventory.AuditSKU(id, onHand, reserved, sold, ur, us)...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT d.id, d.sku_id, d.quantity, d.taken, coalesce(u.units, 0)::bigint
		FROM deals d LEFT JOIN (
			SELECT l.deal_id, sum(l.quantity) AS units
			FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE l.deal_id <> '' AND o.state IN `+liveStates+` GROUP BY l.deal_id
		) u ON u.deal_id = d.id
		ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, sku string
		var quantity, taken, units int64
		if err := rows.Scan(&id, &sku, &quantity, &taken, &units); err != nil {
			return nil, err
		}
		out = append(out, inventory.AuditDeal(id, sku, quantity, taken, units)...)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b inventory.Violation) int { return strings.Compare(a.SKUID, b.SKUID) })
	return out, nil
}
