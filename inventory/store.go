package inventory

import (
	"context"
	"errors"
	"time"

	"hawker"
)

// ErrStale is returned (wrapped or bare) by [Store.CommitBatch] and
// [RowLockStore.ReserveRowLock] when the batch was decided on a state that
// is no longer the store's: a SKU's version moved, an order is no longer in
// the expected state, or an idempotency key or order id is already taken.
// Nothing of the batch is applied. The engine reloads the SKUs and decides
// the same requests again.
var ErrStale = errors.New("inventory: store state changed under the engine")

// Store is what the group-commit engine ([New]) needs from the database.
// The sqlite and postgres packages implement it.
//
// # Versions (fencing)
//
// Every SKU row carries a version, an integer that any write changing what
// the engine decides on must increase: on_hand (SetOnHand), reserved, sold,
// prices, max_per_buyer, deletion, and creating or changing a deal of the
// SKU. The engine decides in memory on the state it loaded at some version
// and CommitBatch applies the batch only if the version is still that one.
// This makes the engine correct even when something else writes the row —
// a seller changing stock, or a second hawker process that believes it owns
// the SKU (leases in the store are an optimisation on top, not what keeps
// stock right): the loser of such a race gets ErrStale, reloads and decides
// again. It also keeps the database CHECK (reserved + sold <= on_hand) from
// ever failing in normal operation.
//
// # What "live" means
//
// An order holds stock when its state is reserved, paid or fulfilled
// ([hawker.OrderState.Holds]). Per-buyer units and a deal's taken units
// count the quantities of such orders only.
type Store interface {
	// LoadSKU returns everything the engine decides on for one SKU, read in
	// one consistent snapshot (one read transaction): the stock counters and
	// their Version; the SKU's shop, prices and max_per_buyer; per buyer the
	// units of this SKU in live orders; every order in state reserved that
	// has a line of this SKU (with all of its lines, also those of other
	// SKUs); and every deal of the SKU that is not cancelled and whose
	// ends_at is after now − [DealRetention] (older ones may be included;
	// the engine's clock decides whether a deal runs), with its taken units
	// and per-buyer units. A SKU of a deleted product is loaded with
	// Deleted set (its reserved orders must still be paid, cancelled and
	// expired); an unknown id is ENOTFOUND.
	LoadSKU(ctx context.Context, skuID string) (*SKUState, error)

	// CommitBatch applies a batch in ONE transaction, made durable (fsync'd:
	// SQLite synchronous=FULL, PostgreSQL synchronous_commit on) before it
	// returns nil. All or nothing:
	//
	//   - for each SKUChange: reserved += Reserved, sold += Sold,
	//     version = Version + 1, only where version = Version (also when both
	//     deltas are 0: that is a pure fence); a mismatch is ErrStale;
	//   - for each DealChange: taken += Taken, and when End is set the
	//     deal's state becomes ended (a deal that is already ended stays so);
	//   - insert each Order with its lines (state reserved); an id that
	//     exists is ErrStale;
	//   - for each Transition: state = To, updated_at = b.At, only where
	//     state = From; a mismatch is ErrStale;
	//   - insert each Record; a (BuyerID, Key) that exists is ErrStale.
	//
	// A reserved + sold > on_hand, a negative counter or a deal's taken
	// outside 0..quantity afterwards is an internal error (a bug: the
	// engine never asks for it). Any error means nothing was applied, except
	// that an error after COMMIT was sent (a lost connection) leaves the
	// outcome unknown; the engine then reloads and answers the batch with
	// an internal error, and replays of the keys read the store's truth.
	// Another process reading concurrently sees either none or all of the
	// batch. Batches can hold thousands of rows: write them with one
	// multi-row statement per table (or a pipeline), not one round trip per
	// row.
	CommitBatch(ctx context.Context, b *Batch) error

	// FindDecisions returns the stored records of the keys that have one, in
	// any order; keys without one are left out. Records are kept at least
	// [RecordRetention].
	FindDecisions(ctx context.Context, keys []Key) ([]*Record, error)

	// FindOrder returns the order with its lines, ENOTFOUND if unknown.
	FindOrder(ctx context.Context, id string) (*hawker.Order, error)

	// DueSKUs returns up to limit distinct ids of SKUs that have an order in
	// state reserved with pay_by <= now (the engine's janitor wakes their
	// owners, which expire the orders). An index on (state, pay_by) keeps
	// it cheap.
	DueSKUs(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// RowLockStore is what the row-lock reference engine ([NewRowLock]) needs:
// the obvious design, one database transaction per request.
type RowLockStore interface {
	// ReserveRowLock runs decide inside one read-write transaction that
	// holds row locks, then applies the batch decide returns (with the
	// semantics of [Store.CommitBatch], in the same transaction) and
	// commits durably. In order:
	//
	//  1. If q.OrderID is set, read that order (ENOTFOUND if unknown) and
	//     use its SKUs as q.SKUIDs, its buyer as q.BuyerID and its deal as
	//     q.DealID.
	//  2. Lock the SKU rows of q.SKUIDs in ascending id order (PostgreSQL:
	//     SELECT … FOR UPDATE; SQLite: BEGIN IMMEDIATE) and read them as
	//     [SKUState] with BuyerUnits only for q.BuyerID, Deals only
	//     q.DealID (locked too, when it is a deal of one of the SKUs), and
	//     Reservations only the reserved orders that have pay_by <= q.Now
	//     (the store may stop at [MaxDuePerSKU] per SKU, oldest first) plus
	//     q.OrderID's order when it is reserved. An unknown SKU is
	//     ENOTFOUND; a deleted one is read with Deleted set.
	//  3. Read the record of (q.BuyerID, q.Key) when both are set.
	//  4. Call decide with the view. An error from decide rolls back and is
	//     returned as is; a nil batch commits nothing.
	//  5. Apply the batch and commit. A unique violation on the record or
	//     an order id is ErrStale (another transaction decided the key
	//     first; the engine calls again and then finds the record).
	ReserveRowLock(ctx context.Context, q RowLockQuery, decide func(*RowLockView) (*Batch, error)) error

	FindOrder(ctx context.Context, id string) (*hawker.Order, error)
	DueSKUs(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// Retention and limits of the store contract.
const (
	// RecordRetention is the least time an idempotency record is kept.
	RecordRetention = 24 * time.Hour
	// DealRetention is how long after its end a deal is still loaded, so
	// that late requests for it get deal_not_active, not not_found.
	DealRetention = 24 * time.Hour
	// MaxDuePerSKU bounds the due reservations one row-lock transaction
	// expires.
	MaxDuePerSKU = 100
)

// SKUState is a SKU as the engine decides on it.
type SKUState struct {
	SKUID  string
	ShopID string
	// Prices maps a market code to the price in minor units.
	Prices      map[string]int64
	MaxPerBuyer *int64
	OnHand      int64
	Reserved    int64
	Sold        int64
	Version     int64
	// Deleted is set when the SKU's product was deleted: no new orders.
	Deleted bool
	// BuyerUnits maps a buyer id to its units of this SKU in live orders.
	BuyerUnits map[string]int64
	// Reservations are the orders in state reserved with a line of this
	// SKU.
	Reservations []Reservation
	Deals        []DealCount
}

// Reservation is an unpaid order as the engine tracks it for expiry.
type Reservation struct {
	OrderID string
	BuyerID string
	PayBy   time.Time
	Lines   []Line // all lines of the order, of every SKU
}

// Line is a quantity of one SKU, with the deal whose price it got.
type Line struct {
	SKUID    string
	Quantity int64
	DealID   string
}

// DealCount is a deal with its units taken by live orders (the quantities
// of their lines with the deal's DealID), per buyer too.
type DealCount struct {
	Deal       hawker.Deal
	Taken      int64
	BuyerUnits map[string]int64
}

// Batch is everything one group commit writes. At is the engine's clock at
// the decision (updated_at of transitions, created_at of records).
type Batch struct {
	At time.Time
	// Node is the engine's Config.Node when leases are on (see [Leaser]
	// and SKUChange.Leased); "" otherwise.
	Node        string
	SKUs        []SKUChange // sorted by SKUID, one per SKU decided on
	Deals       []DealChange
	Orders      []*hawker.Order
	Transitions []Transition
	Records     []*Record
}

// SKUChange moves a SKU's counters by deltas, fenced by its version.
type SKUChange struct {
	SKUID    string
	Version  int64 // the version the decisions were made on
	Reserved int64 // delta
	Sold     int64 // delta
	// Leased asks a store that implements [Leaser] to apply the change
	// only while Batch.Node holds a live lease on the SKU (by the store's
	// clock), and to fail the batch with ErrStale otherwise: an owner that
	// lost its lease must not decide any more. Other stores ignore it.
	Leased bool
}

// DealChange moves a deal's taken units by a delta; End marks it ended
// (sold out).
type DealChange struct {
	DealID string
	Taken  int64
	End    bool
}

// Transition moves an existing order from one state to another.
type Transition struct {
	OrderID string
	From    hawker.OrderState
	To      hawker.OrderState
}

// Key is an idempotency key, scoped per buyer.
type Key struct {
	BuyerID string
	Key     string
}

// Record is a stored decision: what is replayed for the key. Body is the
// exact JSON answered; Status is its HTTP status (201 or 409).
type Record struct {
	BuyerID     string
	Key         string
	Fingerprint string
	Status      int
	Code        string // "" for 201, else the error code
	OrderID     string // "" unless an order was made
	Body        []byte
	CreatedAt   time.Time
}

// RowLockQuery says what one row-lock transaction locks and reads.
type RowLockQuery struct {
	Now     time.Time
	SKUIDs  []string // sorted; ignored when OrderID is set
	BuyerID string
	Key     string
	DealID  string
	OrderID string
}

// RowLockView is what a row-lock transaction read, under its locks.
type RowLockView struct {
	SKUs     []*SKUState // in q.SKUIDs order
	Existing *Record     // the key's record, nil if none
	Order    *hawker.Order
}
