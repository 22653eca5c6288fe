package hawker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Error codes of checkout. They are decisions (HTTP 409), stored and
// replayed under the request's Idempotency-Key, except EKEYREUSED, which is a
// refusal (HTTP 422) and never stored.
const (
	ESOLDOUT       = "sold_out"               // not enough stock (or deal quantity) left
	ELIMIT         = "limit_exceeded"         // a per-buyer limit of the SKU or the deal
	EDEALNOTACTIVE = "deal_not_active"        // the deal is not running by the server's clock
	EKEYREUSED     = "idempotency_key_reused" // same key, different request
)

// Limits of orders.
const (
	MaxIdempotencyKeyLen = 255
	// DefaultReservation is how long an unpaid order holds stock when its
	// market configures no ReservationMinutes.
	DefaultReservation = 10 * time.Minute
)

// OrderState is where an order is in its life:
//
//	reserved → paid → fulfilled
//	reserved → cancelled | expired
//	paid → refunded
type OrderState string

const (
	OrderReserved  OrderState = "reserved"  // stock held until PayBy
	OrderPaid      OrderState = "paid"      // payment confirmed; the units are sold
	OrderFulfilled OrderState = "fulfilled" // shipped by the seller
	OrderCancelled OrderState = "cancelled" // cancelled before payment; stock returned
	OrderExpired   OrderState = "expired"   // not paid by PayBy; stock returned
	OrderRefunded  OrderState = "refunded"  // cancelled after payment; stock returned, money refunded
)

// Holds reports whether an order in the state holds stock (counts against
// on_hand and against per-buyer limits): reserved, paid or fulfilled.
func (s OrderState) Holds() bool {
	return s == OrderReserved || s == OrderPaid || s == OrderFulfilled
}

// OrderLine is one priced line of an order. In an inclusive market Tax is
// the part of Total that is tax; in an exclusive market it is added on top
// (see [Market.Totals]).
type OrderLine struct {
	SKUID     string `json:"sku_id"`
	Quantity  int64  `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	Total     Money  `json:"total"`
	Tax       Money  `json:"tax"`
	// DealID is the deal whose price the line got, if any.
	DealID string `json:"deal_id,omitempty"`
}

// Order is a buyer's purchase from one shop in one market. Amounts are in
// minor units of the market's currency. The inventory engine creates orders
// (state reserved) and moves them between the states that move stock;
// the only other change of State is fulfilment (paid → fulfilled, see
// [OrderStore.FulfilOrder]), which moves none: paid and fulfilled units
// are both sold.
type Order struct {
	ID       string      `json:"id"`
	BuyerID  string      `json:"buyer_id"`
	ShopID   string      `json:"shop_id"`
	Market   string      `json:"market"`
	ShowID   string      `json:"show_id,omitempty"`
	DealID   string      `json:"deal_id,omitempty"`
	Lines    []OrderLine `json:"lines"`
	Subtotal Money       `json:"subtotal"`
	Tax      Money       `json:"tax"`
	Shipping Money       `json:"shipping"`
	Total    Money       `json:"total"`
	State    OrderState  `json:"state"`
	// ShippingAddress is where the order ships; optional while reserved,
	// required before payment.
	ShippingAddress *Address `json:"shipping_address,omitempty"`
	// TrackingNumber and Carrier are set by the seller on fulfilment
	// (Carrier optionally), FulfilledAt with them.
	TrackingNumber string     `json:"tracking_number,omitempty"`
	Carrier        string     `json:"carrier,omitempty"`
	FulfilledAt    *time.Time `json:"fulfilled_at,omitempty"`
	// PayBy is when an unpaid reservation expires.
	PayBy          time.Time `json:"pay_by"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	IdempotencyKey string    `json:"-"`
}

// Units returns how many units of the SKU the order holds a line for.
func (o *Order) Units(skuID string) int64 {
	var n int64
	for _, l := range o.Lines {
		if l.SKUID == skuID {
			n += l.Quantity
		}
	}
	return n
}

// SKUIDs returns the ids of the order's SKUs, sorted.
func (o *Order) SKUIDs() []string {
	ids := make([]string, 0, len(o.Lines))
	for _, l := range o.Lines {
		ids = append(ids, l.SKUID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// OrderRequest is what a buyer asks for with POST /api/v1/orders. BuyerID
// and IdempotencyKey come from the credentials and the Idempotency-Key
// header, not from the body.
type OrderRequest struct {
	BuyerID        string             `json:"-"`
	IdempotencyKey string             `json:"-"`
	Market         string             `json:"market"`
	Lines          []OrderRequestLine `json:"lines"`
	ShowID         string             `json:"show_id,omitempty"`
	DealID         string             `json:"deal_id,omitempty"`
	// ShippingAddress is optional at reservation (required before payment).
	ShippingAddress *Address `json:"shipping_address,omitempty"`
}

// OrderRequestLine asks for a quantity of one SKU.
type OrderRequestLine struct {
	SKUID    string `json:"sku_id"`
	Quantity int64  `json:"quantity"`
}

// ValidIdempotencyKey reports whether k is 1–255 printable ASCII characters
// (space through tilde).
func ValidIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > MaxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Validate checks the request's shape: a well-formed buyer id and
// idempotency key, a configured market, 1..[MaxOrderLines] lines of
// well-formed, distinct SKU ids with quantities 1..[MaxQuantity], and
// well-formed show and deal ids when given, and a valid shipping address in
// the market when given (see [Address.Validate]). It does not look
// anything up.
// Returns EINVALID with the field at fault.
func (r *OrderRequest) Validate(markets Markets) error {
	if !ValidID(PrefixUser, r.BuyerID) {
		return FieldError("buyer_id", "not a user id")
	}
	if !ValidIdempotencyKey(r.IdempotencyKey) {
		return FieldError("idempotency_key", "Idempotency-Key must be 1-%d printable ASCII characters", MaxIdempotencyKeyLen)
	}
	if _, ok := markets.Market(r.Market); !ok {
		return FieldError("market", "unknown market %q", r.Market)
	}
	if len(r.Lines) == 0 {
		return FieldError("lines", "an order needs at least one line")
	}
	if len(r.Lines) > MaxOrderLines {
		return FieldError("lines", "at most %d lines per order", MaxOrderLines)
	}
	seen := make(map[string]bool, len(r.Lines))
	for i, l := range r.Lines {
		f := fieldIndex("lines", i)
		if !ValidID(PrefixSKU, l.SKUID) {
			return FieldError(f+".sku_id", "not a SKU id")
		}
		if seen[l.SKUID] {
			return FieldError(f+".sku_id", "SKU %s is listed twice", l.SKUID)
		}
		seen[l.SKUID] = true
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return FieldError(f+".quantity", "quantity must be 1..%d", MaxQuantity)
		}
	}
	if r.ShowID != "" && !ValidID(PrefixShow, r.ShowID) {
		return FieldError("show_id", "not a show id")
	}
	if r.DealID != "" && !ValidID(PrefixDeal, r.DealID) {
		return FieldError("deal_id", "not a deal id")
	}
	if r.ShippingAddress != nil {
		return r.ShippingAddress.Validate("shipping_address", r.Market)
	}
	return nil
}

// SKUIDs returns the ids of the requested SKUs, sorted.
func (r *OrderRequest) SKUIDs() []string {
	ids := make([]string, 0, len(r.Lines))
	for _, l := range r.Lines {
		ids = append(ids, l.SKUID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Fingerprint identifies what the request asks for, so that a reused
// Idempotency-Key with a different request can be told from a retry. It is
// the hex SHA-256 of the canonical JSON of market, lines, show, deal and
// shipping address (lines in the order given: a different order is a
// different body). The address is left out when there is none, so that
// such requests keep the fingerprints they had before addresses existed
// (records decided then still replay). The HTTP layer may fold further
// body fields in by hashing them itself.
func (r *OrderRequest) Fingerprint() string {
	b, _ := json.Marshal(struct {
		Market  string             `json:"market"`
		Lines   []OrderRequestLine `json:"lines"`
		ShowID  string             `json:"show_id"`
		DealID  string             `json:"deal_id"`
		Address *Address           `json:"shipping_address,omitempty"`
	}{r.Market, r.Lines, r.ShowID, r.DealID, r.ShippingAddress})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Limits of fulfilment.
const (
	MaxTrackingNumberLen = 100
	MaxCarrierLen        = 100
)

// Fulfilment is what a seller records when an order ships.
type Fulfilment struct {
	TrackingNumber string `json:"tracking_number"`
	Carrier        string `json:"carrier,omitempty"`
}

// Validate checks a tracking number of 1..[MaxTrackingNumberLen] and a
// carrier of at most [MaxCarrierLen] printable characters (letters, digits,
// punctuation, symbols and spaces; not only spaces). Returns EINVALID with
// the field at fault.
func (f *Fulfilment) Validate() error {
	if err := validPrintable("tracking_number", f.TrackingNumber, 1, MaxTrackingNumberLen); err != nil {
		return err
	}
	return validPrintable("carrier", f.Carrier, 0, MaxCarrierLen)
}

func validPrintable(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "%s must be valid UTF-8", field)
	}
	n := utf8.RuneCountInString(s)
	if n > max {
		return FieldError(field, "%s must have at most %d characters", field, max)
	}
	if min > 0 && strings.TrimSpace(s) == "" {
		return FieldError(field, "%s is required", field)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return FieldError(field, "%s must be printable characters on one line", field)
		}
	}
	return nil
}

// OrderQuery narrows and pages [OrderStore.FindOrders]: every field that is
// set must match. Orders come newest first (by id, descending); Page.After
// is the id of the last order of the previous page, and the next page
// holds the older ones. Page.Limit is at most [MaxPageLimit]+1 (one more
// than a page, so a caller can tell whether another page follows).
type OrderQuery struct {
	BuyerID string
	ShopID  string
	ShowID  string
	State   OrderState
	Page    Page
}

// OrderStore keeps what changes on an order outside the inventory engine:
// the shipping address and fulfilment, each a conditional update on the
// order's state, so that it never races the engine's transitions (which
// are fenced on their From state as well: whichever commits first wins,
// the other finds the state moved). The sqlite and postgres stores
// implement it.
type OrderStore interface {
	// FindOrders lists orders with their lines, newest first (see
	// [OrderQuery]).
	FindOrders(ctx context.Context, q OrderQuery) ([]*Order, error)
	// SetOrderShippingAddress replaces the shipping address of a reserved
	// order whose pay_by is after at, sets updated_at to at, and returns
	// the order as it is afterwards. ENOTFOUND for an unknown order;
	// ESTATE when it is not reserved, or its reservation is due.
	SetOrderShippingAddress(ctx context.Context, id string, a *Address, at time.Time) (*Order, error)
	// FulfilOrder moves a paid order to fulfilled with the fulfilment's
	// tracking number and carrier, sets fulfilled_at and updated_at to at,
	// and returns the order as it is afterwards. ENOTFOUND for an unknown
	// order; ESTATE when it is not paid (also when a refund got there
	// first).
	FulfilOrder(ctx context.Context, id string, f Fulfilment, at time.Time) (*Order, error)
}
