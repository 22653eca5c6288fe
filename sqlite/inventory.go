package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"hawker"
	"hawker/inventory"
)

// The inventory engine's store: SKU state, group commits, row-lock
// transactions, idempotency records (see inventory.Store and
// inventory.RowLockStore for the contract; inventory.MemStore is the
// reference these methods match).
//
// Every write runs on the single writer connection, so a group commit is
// one BEGIN IMMEDIATE … COMMIT with one fsync (synchronous=FULL), and a
// row-lock transaction holds the database's write lock, which on SQLite is
// the row lock of every SKU at once.

var (
	_ inventory.Store        = (*DB)(nil)
	_ inventory.KeyLister    = (*DB)(nil)
	_ inventory.RowLockStore = (*DB)(nil)
)

// Rows per multi-row INSERT. SQLite allows 32766 parameters per statement;
// orders have 17 columns, so 512 rows stay well below. Shorter runs are cut
// into powers of two, so that a handful of statement texts per table serve
// every batch size and stay prepared.
const insertChunk = 512

// stx is a transaction that runs its statements prepared: each query text
// is prepared once per connection of its pool and kept in db.stmts (closed
// by Close), so the hot paths do not parse SQL every time.
type stx struct {
	db   *DB
	tx   *sql.Tx
	pool *sql.DB // db.read or db.write, where tx runs
	// missed are the query texts not prepared on the pool yet. They are
	// prepared in the transaction this time and on the pool after it:
	// preparing on the pool inside the transaction could wait forever for
	// a connection (the writer pool has exactly one, and the transaction
	// holds it).
	missed []string
}

func (t *stx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.db.stmts.Load(stmtKey(t.db, t.pool, query)); ok {
		// Reuses the statement prepared on the transaction's connection.
		return t.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	t.missed = append(t.missed, query)
	return t.tx.PrepareContext(ctx, query) // closed with the transaction
}

// prepareMissed prepares on the pool what the transaction missed. Call it
// after the transaction ended.
func (t *stx) prepareMissed(ctx context.Context) {
	for _, q := range t.missed {
		// An error (a cancelled context) only means: prepared next time.
		_, _ = t.db.invStmt(ctx, t.pool, q)
	}
}

func (t *stx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *stx) QueryRowContext(ctx context.Context, query string, args ...any) invRow {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return invRow{err: err}
	}
	return invRow{row: st.QueryRowContext(ctx, args...)}
}

// invRow is a *sql.Row, or the error that kept its statement from being
// prepared.
type invRow struct {
	row *sql.Row
	err error
}

func (r invRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

func (t *stx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func stmtKey(db *DB, pool *sql.DB, query string) string {
	// Apart from the other users of db.stmts, and per pool.
	if pool == db.write {
		return "inventory write\x00" + query
	}
	return "inventory read\x00" + query
}

// invStmt returns query prepared on pool (db.read or db.write),
// preparing it on first use; database/sql then prepares it once per
// connection of the pool. The statements live in db.stmts, which Close
// closes. Only constant query texts (or a small fixed set of them) may come
// here. Never call it while holding a transaction of the pool.
func (db *DB) invStmt(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey(db, pool, query)
	if st, ok := db.stmts.Load(key); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// invReadTx runs fn in one read transaction on the read pool: its queries
// see one snapshot.
func (db *DB) invReadTx(ctx context.Context, fn func(tx *stx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() // when fn panics
	t := &stx{db: db, tx: tx, pool: db.read}
	err = fn(t)
	tx.Rollback() // before preparing: the pool may need its connection
	t.prepareMissed(ctx)
	return err
}

// invWriteTx runs fn in one write transaction (BEGIN IMMEDIATE on the
// writer connection) and commits when fn returns nil.
func (db *DB) invWriteTx(ctx context.Context, fn func(tx *stx) error) error {
	var t *stx
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		t = &stx{db: db, tx: tx, pool: db.write}
		return fn(t)
	})
	if t != nil {
		t.prepareMissed(ctx)
	}
	return err
}

// The states of orders that hold stock (hawker.OrderState.Holds).
const liveStates = `('reserved', 'paid', 'fulfilled')`

// LoadSKU implements inventory.Store: one read transaction, so every query
// sees the same snapshot.
func (db *DB) LoadSKU(ctx context.Context, skuID string) (_ *inventory.SKUState, err error) {
	defer db.done("LoadSKU", time.Now(), &err)
	var st *inventory.SKUState
	err = db.invReadTx(ctx, func(tx *stx) error {
		st, err = loadSKU(ctx, tx, skuID, nil, hawker.Now().Add(-inventory.DealRetention))
		return err
	})
	return st, err
}

// loadSKU reads a SKU's state. With only set it reads what a row-lock
// transaction reads (see inventory.RowLockStore); otherwise everything, with
// the deals that ended after dealsSince.
func loadSKU(ctx context.Context, tx *stx, skuID string, only *inventory.RowLockQuery, dealsSince time.Time) (*inventory.SKUState, error) {
	st := &inventory.SKUState{SKUID: skuID, BuyerUnits: map[string]int64{}}
	var maxPerBuyer sql.NullInt64
	var prices []byte
	err := tx.QueryRowContext(ctx, `SELECT s.shop_id, s.max_per_buyer, s.on_hand, s.reserved, s.sold, s.version,
		s.deleted_at IS NOT NULL OR p.deleted_at IS NOT NULL,
		(SELECT json_group_object(pr.market, pr.amount) FROM sku_prices pr WHERE pr.sku_id = s.id)
		FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = ?`, skuID).
		Scan(&st.ShopID, &maxPerBuyer, &st.OnHand, &st.Reserved, &st.Sold, &st.Version, &st.Deleted, &prices)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	if err != nil {
		return nil, err
	}
	if maxPerBuyer.Valid {
		st.MaxPerBuyer = &maxPerBuyer.Int64
	}
	if err := json.Unmarshal(prices, &st.Prices); err != nil {
		return nil, fmt.Errorf("SKU %s prices: %w", skuID, err)
	}
	if st.Prices == nil {
		st.Prices = map[string]int64{}
	}

	// Deals.
	var rows *sql.Rows
	switch {
	case only == nil:
		rows, err = tx.QueryContext(ctx, `SELECT `+dealColumns+` FROM deals
			WHERE sku_id = ? AND state <> 'cancelled' AND ends_at > ? ORDER BY id`, skuID, fmtTime(dealsSince))
	case only.DealID != "":
		rows, err = tx.QueryContext(ctx, `SELECT `+dealColumns+` FROM deals
			WHERE id = ? AND sku_id = ? AND state <> 'cancelled'`, only.DealID, skuID)
	}
	if err != nil {
		return nil, err
	}
	deals := map[string]int{} // id → index in st.Deals
	if rows != nil {
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

	// Units per buyer (and per deal and buyer) in live orders.
	switch {
	case only == nil:
		rows, err = tx.QueryContext(ctx, `SELECT o.buyer_id, l.deal_id, sum(l.quantity)
			FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE l.sku_id = ? AND o.state IN `+liveStates+`
			GROUP BY o.buyer_id, l.deal_id`, skuID)
	case only.BuyerID != "":
		// The buyer's orders first (+ keeps SQLite off the SKU's index,
		// which would scan every order of a hot SKU).
		rows, err = tx.QueryContext(ctx, `SELECT o.buyer_id, l.deal_id, sum(l.quantity)
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.buyer_id = ? AND +l.sku_id = ? AND o.state IN `+liveStates+`
			GROUP BY o.buyer_id, l.deal_id`, only.BuyerID, skuID)
	default:
		rows = nil
	}
	if err != nil {
		return nil, err
	}
	if rows != nil {
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

	// Reservations, with all of their lines.
	if only == nil {
		rows, err = tx.QueryContext(ctx, `SELECT o.id, o.buyer_id, o.pay_by, l.sku_id, l.quantity, l.deal_id
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.state = 'reserved' AND o.id IN (SELECT order_id FROM order_lines WHERE sku_id = ?)
			ORDER BY o.id, l.position`, skuID)
	} else {
		rows, err = tx.QueryContext(ctx, `SELECT o.id, o.buyer_id, o.pay_by, l.sku_id, l.quantity, l.deal_id
			FROM orders o JOIN order_lines l ON l.order_id = o.id
			WHERE o.id IN (
				SELECT d.id FROM orders d
				WHERE d.state = 'reserved' AND d.pay_by <= ?
				AND EXISTS (SELECT 1 FROM order_lines dl WHERE dl.order_id = d.id AND dl.sku_id = ?)
				ORDER BY d.pay_by LIMIT ?)
			OR (o.id = ? AND o.state = 'reserved' AND EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id AND ol.sku_id = ?))
			ORDER BY o.id, l.position`, fmtTime(only.Now), skuID, inventory.MaxDuePerSKU, only.OrderID, skuID)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, buyer, payBy string
		var l inventory.Line
		if err := rows.Scan(&id, &buyer, &payBy, &l.SKUID, &l.Quantity, &l.DealID); err != nil {
			return nil, err
		}
		if n := len(st.Reservations); n == 0 || st.Reservations[n-1].OrderID != id {
			t, err := parseTime(payBy)
			if err != nil {
				return nil, err
			}
			st.Reservations = append(st.Reservations, inventory.Reservation{OrderID: id, BuyerID: buyer, PayBy: t})
		}
		r := &st.Reservations[len(st.Reservations)-1]
		r.Lines = append(r.Lines, l)
	}
	return st, rows.Err()
}

const dealColumns = `id, show_id, shop_id, sku_id, prices, quantity, max_per_buyer, taken, starts_at, ends_at, state, created_at`

func scanDeal(rows *sql.Rows) (*hawker.Deal, int64, error) {
	var d hawker.Deal
	var prices []byte
	var maxPerBuyer sql.NullInt64
	var taken int64
	var starts, ends, created string
	if err := rows.Scan(&d.ID, &d.ShowID, &d.ShopID, &d.SKUID, &prices, &d.Quantity, &maxPerBuyer, &taken,
		&starts, &ends, &d.State, &created); err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal(prices, &d.Prices); err != nil {
		return nil, 0, fmt.Errorf("deal %s prices: %w", d.ID, err)
	}
	if maxPerBuyer.Valid {
		d.MaxPerBuyer = &maxPerBuyer.Int64
	}
	var err error
	if d.StartsAt, err = parseTime(starts); err != nil {
		return nil, 0, err
	}
	if d.EndsAt, err = parseTime(ends); err != nil {
		return nil, 0, err
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, 0, err
	}
	return &d, taken, nil
}

// insertDeal stores a new deal (its SKU's version moves by trigger). The
// deals service is not written yet; tests use this.
func (db *DB) insertDeal(ctx context.Context, d *hawker.Deal) error {
	prices, err := json.Marshal(d.Prices)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deals (`+dealColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
			d.ID, d.ShowID, d.ShopID, d.SKUID, string(prices), d.Quantity, d.MaxPerBuyer,
			fmtTime(d.StartsAt), fmtTime(d.EndsAt), string(d.State), fmtTime(d.CreatedAt))
		return mapErr(err, "deal exists", "no such SKU or shop")
	})
}

// CommitBatch implements inventory.Store: one write transaction, one fsync.
func (db *DB) CommitBatch(ctx context.Context, b *inventory.Batch) (err error) {
	defer db.done("CommitBatch", time.Now(), &err)
	return db.invWriteTx(ctx, func(tx *stx) error { return commitBatch(ctx, tx, b) })
}

// commitBatch applies b in tx; any error leaves tx to be rolled back.
//
// A batch is all or nothing, so no statement in it needs undoing on its
// own: every statement says OR ROLLBACK (a constraint failure rolls the
// whole transaction back at once), which spares SQLite the statement
// journal (a copy of each page a multi-row statement changes) wherever no
// immediate foreign key check needs one anyway. After a failure the
// transaction is already gone; the caller's Rollback only reports that,
// and nothing more runs in it. (PRAGMA defer_foreign_keys would spare the
// journal for orders and order_lines too, but setting it expires every
// prepared statement of the connection: it cost more than it saved.)
func commitBatch(ctx context.Context, tx *stx, b *inventory.Batch) error {
	at := fmtTime(b.At)
	for _, c := range b.SKUs {
		res, err := tx.ExecContext(ctx, `UPDATE OR ROLLBACK skus SET reserved = reserved + ?, sold = sold + ?, version = version + 1
			WHERE id = ? AND version = ?`, c.Reserved, c.Sold, c.SKUID, c.Version)
		if err != nil {
			return fmt.Errorf("commit: SKU %s: %w", c.SKUID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("commit: SKU %s is not at version %d: %w", c.SKUID, c.Version, inventory.ErrStale)
		}
	}
	for _, c := range b.Deals {
		res, err := tx.ExecContext(ctx, `UPDATE OR ROLLBACK deals SET taken = taken + ?,
			state = CASE WHEN ? AND state = 'scheduled' THEN 'ended' ELSE state END WHERE id = ?`, c.Taken, c.End, c.DealID)
		if err != nil {
			return fmt.Errorf("commit: deal %s: %w", c.DealID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("commit: unknown deal %s", c.DealID)
		}
	}

	if err := insertRows(ctx, tx, `INSERT OR ROLLBACK INTO orders (id, buyer_id, shop_id, market, show_id, deal_id, currency,
		subtotal, tax, shipping, total, state, pay_by, created_at, updated_at, idempotency_key, shipping_address) VALUES `, 17, len(b.Orders),
		func(i int, args []any) []any {
			o := b.Orders[i]
			return append(args, o.ID, o.BuyerID, o.ShopID, o.Market, o.ShowID, o.DealID, o.Total.Currency,
				o.Subtotal.Amount, o.Tax.Amount, o.Shipping.Amount, o.Total.Amount, string(o.State),
				fmtTime(o.PayBy), fmtTime(o.CreatedAt), fmtTime(o.UpdatedAt), o.IdempotencyKey, addressText(o.ShippingAddress))
		}); err != nil {
		return staleIfUnique(err, "an order id is taken")
	}
	type lineRef struct {
		o   *hawker.Order
		pos int
	}
	var lines []lineRef
	for _, o := range b.Orders {
		for i := range o.Lines {
			lines = append(lines, lineRef{o, i})
		}
	}
	if err := insertRows(ctx, tx, `INSERT OR ROLLBACK INTO order_lines (order_id, position, sku_id, quantity, unit_price, total, tax, deal_id) VALUES `,
		8, len(lines), func(i int, args []any) []any {
			r := lines[i]
			l := r.o.Lines[r.pos]
			return append(args, r.o.ID, r.pos, l.SKUID, l.Quantity, l.UnitPrice.Amount, l.Total.Amount, l.Tax.Amount, l.DealID)
		}); err != nil {
		return fmt.Errorf("commit: order lines: %w", err)
	}

	if len(b.Transitions) > 0 {
		ts, err := chainTransitions(b.Transitions)
		if err != nil {
			return err
		}
		for _, t := range ts {
			res, err := tx.ExecContext(ctx, `UPDATE OR ROLLBACK orders SET state = ?, updated_at = ? WHERE id = ? AND state = ?`,
				string(t.To), at, t.OrderID, string(t.From))
			if err != nil {
				return fmt.Errorf("commit: order %s: %w", t.OrderID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				return fmt.Errorf("commit: order %s is not %s: %w", t.OrderID, t.From, inventory.ErrStale)
			}
		}
	}

	if err := insertRows(ctx, tx, `INSERT OR ROLLBACK INTO idempotency_records (buyer_id, key, fingerprint, status, code, order_id, body, created_at) VALUES `,
		8, len(b.Records), func(i int, args []any) []any {
			r := b.Records[i]
			body := r.Body
			if body == nil {
				body = []byte{}
			}
			return append(args, r.BuyerID, r.Key, r.Fingerprint, r.Status, r.Code, r.OrderID, body, fmtTime(r.CreatedAt))
		}); err != nil {
		return staleIfUnique(err, "an idempotency key is taken")
	}
	return nil
}

// insertRows runs head (… VALUES ) with n rows of cols values each, in
// multi-row statements of insertChunk rows and then of decreasing powers
// of two; row appends row i's values.
func insertRows(ctx context.Context, tx *stx, head string, cols, n int, row func(i int, args []any) []any) error {
	args := make([]any, 0, min(n, insertChunk)*cols)
	for start := 0; start < n; {
		size := insertChunk
		for size > n-start {
			size /= 2
		}
		args = args[:0]
		for i := start; i < start+size; i++ {
			args = row(i, args)
		}
		if _, err := tx.ExecContext(ctx, valuesText(head, cols, size), args...); err != nil {
			return err
		}
		start += size
	}
	return nil
}

type valuesKey struct {
	head       string
	cols, rows int
}

var valuesTexts sync.Map // valuesKey → string

// valuesText returns head followed by rows tuples of cols placeholders.
func valuesText(head string, cols, rows int) string {
	k := valuesKey{head, cols, rows}
	if q, ok := valuesTexts.Load(k); ok {
		return q.(string)
	}
	tuple := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var sb strings.Builder
	sb.Grow(len(head) + rows*(len(tuple)+2))
	sb.WriteString(head)
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(tuple)
	}
	q, _ := valuesTexts.LoadOrStore(k, sb.String())
	return q.(string)
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

func staleIfUnique(err error, what string) error {
	if isUnique(err) {
		return fmt.Errorf("commit: %s: %w", what, inventory.ErrStale)
	}
	return fmt.Errorf("commit: %w", err)
}

// FindDecisions implements inventory.Store: one statement for all keys.
func (db *DB) FindDecisions(ctx context.Context, keys []inventory.Key) (_ []*inventory.Record, err error) {
	defer db.done("FindDecisions", time.Now(), &err)
	if len(keys) == 0 {
		return nil, nil
	}
	pairs := make([][2]string, len(keys))
	for i, k := range keys {
		pairs[i] = [2]string{k.BuyerID, k.Key}
	}
	j, err := json.Marshal(pairs)
	if err != nil {
		return nil, err
	}
	st, err := db.invStmt(ctx, db.read, `SELECT r.buyer_id, r.key, r.fingerprint, r.status, r.code, r.order_id, r.body, r.created_at
		FROM json_each(?) k JOIN idempotency_records r ON r.buyer_id = k.value ->> 0 AND r.key = k.value ->> 1`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, string(j))
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

// DecisionKeys implements inventory.KeyLister: one read transaction over
// the index on created_at.
func (db *DB) DecisionKeys(ctx context.Context, since time.Time, fn func(inventory.Key, time.Time) error) (err error) {
	defer db.done("DecisionKeys", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT buyer_id, key, created_at FROM idempotency_records
		WHERE created_at >= ? ORDER BY created_at`, fmtTime(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k inventory.Key
		var created string
		if err := rows.Scan(&k.BuyerID, &k.Key, &created); err != nil {
			return err
		}
		t, err := parseTime(created)
		if err != nil {
			return err
		}
		if err := fn(k, t); err != nil {
			return err
		}
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (*inventory.Record, error) {
	var r inventory.Record
	var created string
	if err := s.Scan(&r.BuyerID, &r.Key, &r.Fingerprint, &r.Status, &r.Code, &r.OrderID, &r.Body, &created); err != nil {
		return nil, err
	}
	t, err := parseTime(created)
	if err != nil {
		return nil, err
	}
	r.CreatedAt = t
	if r.Body == nil {
		r.Body = []byte{}
	}
	return &r, nil
}

// FindOrder implements inventory.Store.
func (db *DB) FindOrder(ctx context.Context, id string) (_ *hawker.Order, err error) {
	defer db.done("FindOrder", time.Now(), &err)
	var o *hawker.Order
	err = db.invReadTx(ctx, func(tx *stx) error {
		o, err = findOrder(ctx, tx, id)
		return err
	})
	return o, err
}

func findOrder(ctx context.Context, tx *stx, id string) (*hawker.Order, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	}
	if err != nil {
		return nil, err
	}
	currency := o.Total.Currency
	rows, err := tx.QueryContext(ctx, `SELECT sku_id, quantity, unit_price, total, tax, deal_id
		FROM order_lines WHERE order_id = ? ORDER BY position`, id)
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
	st, err := db.invStmt(ctx, db.read, `SELECT DISTINCT l.sku_id FROM orders o JOIN order_lines l ON l.order_id = o.id
		WHERE o.state = 'reserved' AND o.pay_by <= ? ORDER BY l.sku_id LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, fmtTime(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ReserveRowLock implements inventory.RowLockStore. BEGIN IMMEDIATE on the
// single writer connection is the lock: it covers every SKU row at once.
func (db *DB) ReserveRowLock(ctx context.Context, q inventory.RowLockQuery, decide func(*inventory.RowLockView) (*inventory.Batch, error)) (err error) {
	defer db.done("ReserveRowLock", time.Now(), &err)
	return db.invWriteTx(ctx, func(tx *stx) error {
		v := &inventory.RowLockView{}
		if q.OrderID != "" {
			o, err := findOrder(ctx, tx, q.OrderID)
			if err != nil {
				return err
			}
			v.Order = o
			q.SKUIDs = o.SKUIDs()
			q.BuyerID, q.DealID = o.BuyerID, o.DealID
		}
		for _, id := range q.SKUIDs {
			st, err := loadSKU(ctx, tx, id, &q, time.Time{})
			if err != nil {
				return err
			}
			v.SKUs = append(v.SKUs, st)
		}
		if q.BuyerID != "" && q.Key != "" {
			r, err := scanRecord(tx.QueryRowContext(ctx, `SELECT buyer_id, key, fingerprint, status, code, order_id, body, created_at
				FROM idempotency_records WHERE buyer_id = ? AND key = ?`, q.BuyerID, q.Key))
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				v.Existing = r
			}
		}
		b, err := decide(v)
		if err != nil || b == nil {
			return err
		}
		return commitBatch(ctx, tx, b)
	})
}

// PurgeRecords deletes the idempotency records created before before, and
// returns how many. Callers keep records at least
// inventory.RecordRetention: pass now − RecordRetention or earlier.
func (db *DB) PurgeRecords(ctx context.Context, before time.Time) (_ int64, err error) {
	defer db.done("PurgeRecords", time.Now(), &err)
	var n int64
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, fmtTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// AuditStock checks the stock invariants in one snapshot: for every SKU
// reserved + sold <= on_hand, reserved equals the units of its reserved
// orders and sold those of its paid and fulfilled orders; for every deal
// taken equals the units of its live orders and stays in 0..quantity. It
// returns the violations, none when all is well.
func (db *DB) AuditStock(ctx context.Context) (_ []inventory.Violation, err error) {
	defer db.done("AuditStock", time.Now(), &err)
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var out []inventory.Violation
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.on_hand, s.reserved, s.sold,
		coalesce(u.reserved, 0), coalesce(u.sold, 0)
		FROM skus s LEFT JOIN (
			SELECT l.sku_id,
				sum(CASE WHEN o.state = 'reserved' THEN l.quantity ELSE 0 END) AS reserved,
				sum(CASE WHEN o.state IN ('paid', 'fulfilled') THEN l.quantity ELSE 0 END) AS sold
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
	rows, err = tx.QueryContext(ctx, `SELECT d.id, d.sku_id, d.quantity, d.taken, coalesce(u.units, 0)
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
