package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
// selects it; a missing row is sql.ErrNoRows.
func scanOrder(s scanner) (*hawker.Order, error) {
	var o hawker.Order
	var currency, state, payBy, created, updated string
	var addr, fulfilled sql.NullString
	if err := s.Scan(&o.ID, &o.BuyerID, &o.ShopID, &o.Market, &o.ShowID, &o.DealID, &currency,
		&o.Subtotal.Amount, &o.Tax.Amount, &o.Shipping.Amount, &o.Total.Amount, &state, &payBy, &created, &updated,
		&o.IdempotencyKey, &addr, &o.TrackingNumber, &o.Carrier, &fulfilled); err != nil {
		return nil, err
	}
	o.Subtotal.Currency, o.Tax.Currency, o.Shipping.Currency, o.Total.Currency = currency, currency, currency, currency
	o.State = hawker.OrderState(state)
	var err error
	if o.PayBy, err = parseTime(payBy); err != nil {
		return nil, err
	}
	if o.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if o.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if o.FulfilledAt, err = parseTimePtr(fulfilled); err != nil {
		return nil, err
	}
	if addr.Valid {
		o.ShippingAddress = new(hawker.Address)
		if err := json.Unmarshal([]byte(addr.String), o.ShippingAddress); err != nil {
			return nil, fmt.Errorf("order %s shipping address: %w", o.ID, err)
		}
	}
	return &o, nil
}

// addressText is the column value of an address: its JSON, or NULL.
func addressText(a *hawker.Address) any {
	if a == nil {
		return nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return string(b)
}

// FindOrders implements hawker.OrderStore: one statement for the orders
// (walking the index of the narrowest filter backwards) and one for their
// lines.
func (db *DB) FindOrders(ctx context.Context, q hawker.OrderQuery) (_ []*hawker.Order, err error) {
	defer db.done("FindOrders", time.Now(), &err)
	var where []string
	var args []any
	for _, f := range []struct {
		col, v string
	}{{"buyer_id", q.BuyerID}, {"shop_id", q.ShopID}, {"show_id", q.ShowID}, {"state", string(q.State)}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if q.Page.After != "" {
		where = append(where, "id < ?")
		args = append(args, q.Page.After)
	}
	query := `SELECT ` + orderColumns + ` FROM orders`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	// At most 32 query texts (each filter used or not): few enough to keep
	// prepared.
	rows, err := db.readRows(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, limit(q.Page))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	orders := []*hawker.Order{}
	byID := map[string]*hawker.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		o.Lines = []hawker.OrderLine{}
		orders = append(orders, o)
		byID[o.ID] = o
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(orders) == 0 {
		return orders, nil
	}
	// An order's lines are written with it and never change: they need no
	// common snapshot with the orders.
	ids, err := json.Marshal(orderIDs(orders))
	if err != nil {
		return nil, err
	}
	lines, err := db.readRows(ctx, `SELECT order_id, sku_id, quantity, unit_price, total, tax, deal_id
		FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, position`, string(ids))
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

func orderIDs(orders []*hawker.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.ID
	}
	return out
}

// SetOrderShippingAddress implements hawker.OrderStore with one
// conditional update in a write transaction that reads the order back.
func (db *DB) SetOrderShippingAddress(ctx context.Context, id string, a *hawker.Address, at time.Time) (_ *hawker.Order, err error) {
	defer db.done("SetOrderShippingAddress", time.Now(), &err)
	if a == nil {
		return nil, hawker.FieldError("shipping_address", "shipping_address is required")
	}
	return db.updateOrder(ctx, id, at, `UPDATE orders SET shipping_address = ?, updated_at = ?
		WHERE id = ? AND state = 'reserved' AND pay_by > ?`, addressText(a), fmtTime(at), id, fmtTime(at))
}

// FulfilOrder implements hawker.OrderStore with one conditional update in
// a write transaction that reads the order back.
func (db *DB) FulfilOrder(ctx context.Context, id string, f hawker.Fulfilment, at time.Time) (_ *hawker.Order, err error) {
	defer db.done("FulfilOrder", time.Now(), &err)
	return db.updateOrder(ctx, id, at, `UPDATE orders SET state = 'fulfilled', tracking_number = ?, carrier = ?,
		fulfilled_at = ?, updated_at = ? WHERE id = ? AND state = 'paid'`, f.TrackingNumber, f.Carrier, fmtTime(at), fmtTime(at), id)
}

// updateOrder runs a conditional update of one order and returns the
// order afterwards: ENOTFOUND when there is no such order, ESTATE when the
// update's condition did not hold.
func (db *DB) updateOrder(ctx context.Context, id string, at time.Time, update string, args ...any) (*hawker.Order, error) {
	var o *hawker.Order
	err := db.invWriteTx(ctx, func(tx *stx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if o, err = findOrder(ctx, tx, id); err != nil {
			return err
		}
		if n == 0 {
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
