-- Flash deals made through the API (POST /api/v1/shows/{id}/deals): who
-- made each and with which Idempotency-Key, so that a retried request finds
-- its deal instead of making a second one, and an index for the deal
-- announcer (package live), which reads the scheduled deals that have not
-- ended. Keep in step with sqlite/migrations/00007_deals.sql.

-- +goose Up
ALTER TABLE deals ADD COLUMN created_by text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE deals ADD COLUMN idempotency_key text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE deals ADD COLUMN fingerprint text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX deals_idempotency ON deals (created_by, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX deals_state_ends_at ON deals (state, ends_at);

-- +goose Down
DROP INDEX deals_state_ends_at;
DROP INDEX deals_idempotency;
ALTER TABLE deals DROP COLUMN fingerprint;
ALTER TABLE deals DROP COLUMN idempotency_key;
ALTER TABLE deals DROP COLUMN created_by;
