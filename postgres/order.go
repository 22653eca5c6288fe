package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
)

// hawker.OrderStore (migration 00005): order lists, shipping addresses and
// fulfilment. Orders themselves are written by the inventory engine's
// group commits (inventory.go).

var _ hawker.OrderStore = (*DB)(nil)

// orderColumns are the columns scanOrder reads, in its order.
const orderColumns = `id, buyer_id, shop_id, market, show_id, deal_id, currency,
	subtotal, tax, shipping, total, state, pay_by, created_at, updated_at, idempotency_key,
	shipping_address, tracking_number, carrier, fulfilled_at`

// scanOrder reads an order's row (without its lines) as orderColumns
// selects it; a missing row is pgx.ErrNoRows.
func scanOrder(row pgx.Row) (*hawker.Order, error) {
	var o hawker.Order
	var currency, state string
	var addr []byte
	if err := row.Scan(&o.ID, &o.BuyerID, &o.ShopID, &o.Market, &o.ShowID, &o.DealID, &currency,
		&o.Subtotal.Amount, &o.Tax.Amount, &o.Shipping.Amount, &o.Total.Amount, &state, &o.PayBy, &o.CreatedAt, &o.UpdatedAt,
		&o.IdempotencyKey, &addr, &o.TrackingNumber, &o.Carrier, &o.FulfilledAt); err != nil {
		return nil, err
	}
	o.Subtotal.Currency, o.Tax.Currency, o.Shipping.Currency, o.Total.Currency = currency, currency, currency, currency
	o.State = hawker.OrderState(state)
	o.PayBy, o.CreatedAt, o.UpdatedAt, o.FulfilledAt = o.PayBy.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC(), utcPtr(o.FulfilledAt)
	if addr != nil {
		o.ShippingAddress = new(hawker.Address)
		if err := json.Unmarshal(addr, o.ShippingAddress); err != nil {
			return nil, fmt.Errorf("order %s shipping address: %w", o.ID, err)
		}
	}
	return &o, nil
}

// addressJSON is the column value of an address: its JSON, or nil for
// NULL.
func addressJSON(a *hawker.Address) []byte {
	if a == nil {
		return nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return b
}

// FindOrders implements hawker.OrderStore: one statement for the orders
// (walking the index of the narrowest filter backwards) and one for their
// lines.
func (db *DB) FindOrders(ctx context.Context, q hawker.OrderQuery) (_ []*hawker.Order, err error) {
	defer db.done("FindOrders", time.Now(), &err)
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	for _, f := range []struct {
		col, v string
	}{{"buyer_id", q.BuyerID}, {"shop_id", q.ShopID}, {"show_id", q.ShowID}, {"state", string(q.State)}} {
		if f.v != "" {
			add(f.col+" = ?", f.v)
		}
	}
	if q.Page.After != "" {
		add("id < ?", q.Page.After)
	}
	query := `SELECT ` + orderColumns + ` FROM orders`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit(q.Page))
	rows, err := db.pool.Query(ctx, query+` ORDER BY id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	orders, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*hawker.Order, error) {
		o, err := scanOrder(r)
		if err != nil {
			return nil, err
		}
		o.Lines = []hawker.OrderLine{}
		return o, nil
	})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return []*hawker.Order{}, nil
	}
	// An order's lines are written with it and never change: they need no
	// common snapshot with the orders.
	byID := make(map[string]*hawker.Order, len(orders))
	ids := make([]string, len(orders))
	for i, o := range orders {
		byID[o.ID], ids[i] = o, o.ID
	}
	lines, err := db.pool.Query(ctx, `SELECT order_id, sku_id, quantity, unit_price, total, tax, deal_id
		FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, position`, ids)
	if err != nil {
		return nil, err
	}
	defer lines.Close()
	for lines.Next() {
		var id string
		var l hawker.OrderLine
		if err := lines.Scan(&id, &l.SKUID, &l.Quantity, &l.UnitPrice.Amount, &l.Total.Amount, &l.Tax.Amount, &l.DealID); err != nil {
			return nil, err
		}
		o := byID[id]
		if o == nil {
			return nil, fmt.Errorf("line of order %s, which was not asked for", id)
		}
		c := o.Total.Currency
		l.UnitPrice.Currency, l.Total.Currency, l.Tax.Currency = c, c, c
		o.Lines = append(o.Lines, l)
	}
	return orders, lines.Err()
}

// SetOrderShippingAddress implements hawker.OrderStore with one
// conditional update in a transaction that reads the order back.
func (db *DB) SetOrderShippingAddress(ctx context.Context, id string, a *hawker.Address, at time.Time) (_ *hawker.Order, err error) {
	defer db.done("SetOrderShippingAddress", time.Now(), &err)
	if a == nil {
		return nil, hawker.FieldError("shipping_address", "shipping_address is required")
	}
	return db.updateOrder(ctx, id, at, `UPDATE orders SET shipping_address = $1, updated_at = $2
		WHERE id = $3 AND state = 'reserved' AND pay_by > $2`, addressJSON(a), at, id)
}

// FulfilOrder implements hawker.OrderStore with one conditional update in
// a transaction that reads the order back. A refund by the engine at the
// same time updates the same row under its own condition (state = 'paid'):
// the row lock orders the two, and the second finds the state moved.
func (db *DB) FulfilOrder(ctx context.Context, id string, f hawker.Fulfilment, at time.Time) (_ *hawker.Order, err error) {
	defer db.done("FulfilOrder", time.Now(), &err)
	return db.updateOrder(ctx, id, at, `UPDATE orders SET state = 'fulfilled', tracking_number = $1, carrier = $2,
		fulfilled_at = $3, updated_at = $3 WHERE id = $4 AND state = 'paid'`, f.TrackingNumber, f.Carrier, at, id)
}

// updateOrder runs a conditional update of one order and returns the
// order afterwards: ENOTFOUND when there is no such order, ESTATE when the
// update's condition did not hold.
func (db *DB) updateOrder(ctx context.Context, id string, at time.Time, update string, args ...any) (*hawker.Order, error) {
	var o *hawker.Order
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, update, args...)
		if err != nil {
			return err
		}
		if o, err = findOrder(ctx, tx, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return orderStateError(o, at)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// orderStateError explains why a conditional update found o in the wrong
// state.
func orderStateError(o *hawker.Order, at time.Time) error {
	if o.State == hawker.OrderReserved && !o.PayBy.After(at) {
		return hawker.Errorf(hawker.ESTATE, "The reservation expired at %s.", o.PayBy.Format(time.RFC3339))
	}
	return hawker.Errorf(hawker.ESTATE, "The order is %s.", o.State)
}
