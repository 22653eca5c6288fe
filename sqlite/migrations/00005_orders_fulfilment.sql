-- Orders: the shipping address (set at reservation or later, while the
-- order is reserved), and fulfilment by the seller (tracking number,
-- carrier, when). Indexes for the order lists (GET /api/v1/orders): a
-- buyer's and a shop's orders are served by orders_buyer_id and
-- orders_shop_id (00003), a show's by orders_show_id; each walks the
-- index backwards by id (newest first). Keep in step with
-- postgres/migrations/00005_orders_fulfilment.sql.

-- +goose Up
ALTER TABLE orders ADD COLUMN shipping_address TEXT; -- hawker.Address as JSON; NULL when none yet
ALTER TABLE orders ADD COLUMN tracking_number TEXT NOT NULL DEFAULT ''; -- '' until fulfilled
ALTER TABLE orders ADD COLUMN carrier TEXT NOT NULL DEFAULT ''; -- '' when not given
ALTER TABLE orders ADD COLUMN fulfilled_at TEXT; -- NULL until fulfilled
CREATE INDEX orders_show_id ON orders (show_id, id);

-- +goose Down
DROP INDEX orders_show_id;
ALTER TABLE orders DROP COLUMN fulfilled_at;
ALTER TABLE orders DROP COLUMN carrier;
ALTER TABLE orders DROP COLUMN tracking_number;
ALTER TABLE orders DROP COLUMN shipping_address;
