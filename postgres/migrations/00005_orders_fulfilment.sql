-- Orders: the shipping address (set at reservation or later, while the
-- order is reserved), and fulfilment by the seller (tracking number,
-- carrier, when). Indexes for the order lists (GET /api/v1/orders): a
-- buyer's and a shop's orders are served by orders_buyer_id and
-- orders_shop_id (00003), a show's by orders_show_id; each walks the
-- index backwards by id (newest first). Keep in step with
-- sqlite/migrations/00005_orders_fulfilment.sql.

-- +goose Up
ALTER TABLE orders
	ADD COLUMN shipping_address jsonb, -- hawker.Address; NULL when none yet
	ADD COLUMN tracking_number text NOT NULL DEFAULT '', -- '' until fulfilled
	ADD COLUMN carrier text NOT NULL DEFAULT '', -- '' when not given
	ADD COLUMN fulfilled_at timestamptz; -- NULL until fulfilled
CREATE INDEX orders_show_id ON orders (show_id, id);

-- +goose Down
DROP INDEX orders_show_id;
ALTER TABLE orders
	DROP COLUMN fulfilled_at,
	DROP COLUMN carrier,
	DROP COLUMN tracking_number,
	DROP COLUMN shipping_address;
