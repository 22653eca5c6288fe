-- Per-SKU leases of the inventory engine (issue 4): the hawker process
-- whose lease on a SKU is live decides its orders; the others forward to
-- addr. Times are the database's clock (now()), never a node's. PostgreSQL
-- only: one process serves a SQLite file.

-- +goose Up
CREATE TABLE inventory_leases (
	sku_id     text COLLATE "C" PRIMARY KEY REFERENCES skus (id) ON DELETE CASCADE,
	node       text NOT NULL,
	addr       text NOT NULL,
	expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE inventory_leases;
