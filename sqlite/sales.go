package sqlite

import (
	"context"
	"time"

	"hawker"
)

// hawker.SalesStore: a show's sales in one aggregate read over the
// orders_show_id index (migration 00005).

var _ hawker.SalesStore = (*DB)(nil)

// showSalesQuery sums up a show's orders per state and currency; the units
// of each order come from its lines (the primary key's order_id prefix).
const showSalesQuery = `SELECT o.state, o.currency, COUNT(*), SUM(o.total),
		SUM((SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = o.id))
	FROM orders o
	WHERE o.show_id = ? AND (o.state IN ('paid', 'fulfilled') OR (o.state = 'reserved' AND o.pay_by > ?))
	GROUP BY o.state, o.currency
	ORDER BY o.currency, o.state`

// ShowSales implements hawker.SalesStore.
func (db *DB) ShowSales(ctx context.Context, showID string, at time.Time) (_ *hawker.ShowSales, err error) {
	defer db.done("ShowSales", time.Now(), &err)
	rows, err := db.readRows(ctx, showSalesQuery, showID, fmtTime(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := hawker.NewShowSales()
	for rows.Next() {
		var state, currency string
		var n, total, units int64
		if err := rows.Scan(&state, &currency, &n, &total, &units); err != nil {
			return nil, err
		}
		s.Add(hawker.OrderState(state), currency, n, units, total)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s, nil
}
