// Package payment takes the money for orders: a [Service] that owns the
// flow and the payments' store, behind which [Provider]s talk to the
// gateways (package testpay: the built-in test provider; package stripepay:
// Stripe PaymentIntents).
//
// # The flow
//
// Money is never captured for an order that cannot be paid. A payment is
// authorised first (the money is held), then the inventory engine confirms
// the order (reserved → paid; it refuses an expired or cancelled order),
// and only then is the money captured. When the confirmation is refused
// the authorisation is voided and the payment ends canceled. A decline
// leaves the order reserved: its stock stays held until pay_by, and the
// buyer may try again with another card.
//
// # Never charge twice
//
// A buyer may start several payments of one order (a 3-D Secure check
// left open, another card, two tabs), and the engine's confirmation
// succeeds again for a paid order, so confirming is no guard. Between the
// confirmation and the capture each payment claims the capture of its
// order in the store ([Store.ClaimCapture]); the database lets one payment
// per order ever hold the claim, across processes. The payment that loses
// voids its hold and ends canceled with failure code order_already_paid
// (answered 409 order_already_paid). A claimed payment is always captured
// — by its request, a retry or the reconcile loop, with the same
// idempotency key — and never voided.
//
// # Idempotency
//
// A buyer's Idempotency-Key names at most one payment. Its decision (201
// with the payment, or 409 invalid_state) is stored with the payment and
// replayed as the same JSON for the same request, also after a restart;
// the same key with another request is idempotency_key_reused. Every call
// to a provider carries an idempotency key derived from the payment id, so
// a retry after a crash or a lost answer never moves money twice.
//
// # Crashes
//
// Each step is stored before the next one starts, and a reconcile loop
// ([Service.Run]) finishes what a crash or a failed call left: it captures
// or voids held money ([StateAuthorized]; a payment that claimed the
// capture is captured), releases pending 3-D Secure
// checks of orders that can no longer be paid, and refunds captured
// payments whose order was refunded — exactly once, because the refund's
// idempotency key is the payment's.
package payment

import (
	"context"
	"errors"
	"net/http"
	"time"

	"hawker"
)

// State is where a payment is in its life:
//
//	pending → requires_action → authorized → succeeded → refunded
//	pending → authorized | failed
//	requires_action → failed | canceled
//	authorized → canceled
//
// pending and authorized are passing states: the API shows them as
// "processing". An authorized payment is captured only after it claimed
// the capture of its order ([Payment.CaptureClaimed]); one that claimed it
// is never canceled.
type State string

const (
	StatePending        State = "pending"         // claimed; the provider has not decided yet
	StateRequiresAction State = "requires_action" // the buyer must authenticate (3-D Secure)
	StateAuthorized     State = "authorized"      // money held; the order is being confirmed
	StateSucceeded      State = "succeeded"       // captured; the order is paid
	StateFailed         State = "failed"          // declined; nothing held
	StateCanceled       State = "canceled"        // the order could not be paid; any hold was released
	StateRefunded       State = "refunded"        // captured, then refunded
)

// APIState is the state as the API shows it.
func (s State) APIState() string {
	if s == StatePending || s == StateAuthorized {
		return "processing"
	}
	return string(s)
}

// Payment is one attempt to pay an order, made under one Idempotency-Key.
// Amount is always the order's total, in minor units of the market's
// currency.
type Payment struct {
	ID          string
	OrderID     string
	BuyerID     string
	Provider    string
	ProviderRef string // the provider's id (a PaymentIntent id); "" until it answered
	Amount      hawker.Money
	State       State
	FailureCode string // why it failed: card_declined, insufficient_funds, …
	// NextAction is what the buyer must do while requires_action
	// ("testpay_authorize", "stripe_sdk"); ClientSecret is Stripe's
	// secret for Stripe.js, shown to the buyer only.
	NextAction   string
	ClientSecret string

	// CaptureClaimed marks the one payment of its order whose money is
	// captured ([Store.ClaimCapture]): set, while authorized, after the
	// order was confirmed and before the capture, and kept afterwards
	// (succeeded, refunded). A claimed payment is always captured, never
	// voided.
	CaptureClaimed bool

	IdempotencyKey string
	Fingerprint    string // identifies the request the key was first used with
	// ResponseStatus and Response are the decision answered for the key
	// (201 or 409) and its exact JSON; 0 and nil until decided.
	ResponseStatus int
	Response       []byte

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Decided reports whether the payment's decision is stored.
func (p *Payment) Decided() bool { return p.ResponseStatus != 0 }

// AuthState is what a provider answered to an authorisation.
type AuthState string

const (
	AuthAuthorized     AuthState = "authorized"      // the money is held
	AuthRequiresAction AuthState = "requires_action" // the buyer must authenticate first
	AuthFailed         AuthState = "failed"          // declined (FailureCode says why)
	AuthPending        AuthState = "pending"         // the provider decides later (a webhook tells)
)

// AuthorizeRequest asks a provider to hold an amount for an order.
type AuthorizeRequest struct {
	PaymentID string
	OrderID   string
	Amount    hawker.Money
	// IdempotencyKey is derived from the payment id: the same payment asks
	// with the same key, whoever retries.
	IdempotencyKey string
	Method         Method
}

// Method is how the buyer pays: a card number (testpay) or a Stripe
// PaymentMethod id (pm_…).
type Method struct {
	CardNumber    string
	PaymentMethod string
}

// Result is a provider's answer to an authorisation or its completion.
type Result struct {
	State        AuthState
	Ref          string // the provider's id of the payment
	FailureCode  string
	NextAction   string
	ClientSecret string
}

// Provider is one payment gateway. Calls with the same idempotency key
// must have one effect, however often they are made (a retry after a
// crash or a timeout is the same call). Errors without a hawker code are
// the gateway failing (unreachable, 5xx): the Service retries later.
type Provider interface {
	// Name is the provider's name in requests and the store ("testpay").
	Name() string
	// Validate checks the method before anything is stored: EINVALID
	// with the field at fault (card_number, payment_method).
	Validate(m Method) error
	// Authorize holds the amount.
	Authorize(ctx context.Context, req AuthorizeRequest) (*Result, error)
	// Capture takes the held amount. Capturing a captured payment is nil.
	Capture(ctx context.Context, ref, idempotencyKey string) error
	// Void releases a hold (also one still waiting for the buyer's
	// authentication). Voiding a voided payment is nil.
	Void(ctx context.Context, ref, idempotencyKey string) error
	// Refund returns a captured payment in full. Refunding a refunded
	// payment is nil.
	Refund(ctx context.Context, ref string, amount hawker.Money, idempotencyKey string) error
}

// ActionCompleter is a provider whose extra authentication the buyer
// completes through hawker (testpay's 3-D Secure stand-in).
type ActionCompleter interface {
	CompleteAction(ctx context.Context, ref string, approve bool) (*Result, error)
}

// WebhookParser is a provider that tells about payments with webhooks.
type WebhookParser interface {
	// ParseWebhook verifies the payload's signature and timestamp and
	// returns its event. ErrBadSignature when the signature, or its
	// timestamp, is wrong; EBADREQUEST for a malformed payload.
	ParseWebhook(payload []byte, header http.Header) (*Event, error)
}

// Configurer is a provider with settings the web app needs (a publishable
// key).
type Configurer interface {
	PublicConfig() map[string]string
}

// ErrBadSignature is a webhook whose signature or timestamp is wrong.
var ErrBadSignature = errors.New("payment: webhook signature or timestamp is wrong")

// Error codes of payments, beside hawker's own.
const (
	EBADSIGNATURE   = "bad_signature"   // a webhook's signature or timestamp is wrong (400)
	EAMOUNTMISMATCH = "amount_mismatch" // a webhook's amount or currency is not the payment's (400)
	EUNAVAILABLE    = "unavailable"     // the provider cannot be reached; retry with the same key (503)
	// EALREADYPAID: another payment paid the order (409). A payment that
	// loses the claim to capture ([Store.ClaimCapture]) ends canceled with
	// it as its failure code, its hold released.
	EALREADYPAID = "order_already_paid"
)

// EventKind is what a webhook event means for a payment.
type EventKind string

const (
	EventAuthorized EventKind = "authorized" // the money is held (after 3-D Secure)
	EventCaptured   EventKind = "captured"   // the money was taken
	EventFailed     EventKind = "failed"     // the authorisation failed
	EventRefunded   EventKind = "refunded"   // the payment was refunded (in full when Full)
	EventOther      EventKind = ""           // nothing for hawker
)

// Event is a provider's webhook event, verified.
type Event struct {
	ID   string // the provider's event id; events are processed once
	Type string // the provider's type, for logs
	Kind EventKind
	Ref  string // the provider's id of the payment
	// PaymentID is hawker's payment id when the provider carries it
	// (Stripe metadata), so that an event that overtakes the answer of
	// the authorisation still finds its payment.
	PaymentID   string
	Amount      hawker.Money // converted to minor units; Amount < 0 when it cannot be
	FailureCode string
	Full        bool // EventRefunded: the whole amount is refunded
}

// Store keeps payments and processed webhook events. The sqlite and
// postgres stores implement it (migration 00006).
type Store interface {
	// CreatePayment inserts a new payment. EEXISTS when the buyer's
	// IdempotencyKey names a payment already.
	CreatePayment(ctx context.Context, p *Payment) error
	// FindPayment returns a payment; ENOTFOUND if unknown.
	FindPayment(ctx context.Context, id string) (*Payment, error)
	// FindPaymentByKey returns the payment of a buyer's idempotency key;
	// ENOTFOUND if none.
	FindPaymentByKey(ctx context.Context, buyerID, key string) (*Payment, error)
	// FindPaymentByRef returns the payment with the provider's ref;
	// ENOTFOUND if none.
	FindPaymentByRef(ctx context.Context, provider, ref string) (*Payment, error)
	// UpdatePayment applies upd to the payment if its state is one of
	// from (any state when from is empty) and returns it as it is
	// afterwards. ESTATE (changing nothing) when the state is another;
	// ENOTFOUND if unknown; EEXISTS when upd.Ref is another payment's.
	UpdatePayment(ctx context.Context, id string, from []State, upd Update) (*Payment, error)
	// DeletePending deletes a payment that is pending without a decision
	// (a refusal by the provider frees its key); other payments stay.
	DeletePending(ctx context.Context, id string) error
	// SaveResponse stores the decision of a payment that has none yet and
	// returns the payment as it is afterwards (with the decision stored
	// first, when another was). updated_at stays: the decision is about
	// the key, not a change of the payment.
	SaveResponse(ctx context.Context, id string, status int, body []byte) (*Payment, error)
	// ApplyEvent records a provider's event id and, in the same
	// transaction, applies upd to the payment (when paymentID is set) as
	// UpdatePayment would; a state not in from leaves the payment as it is
	// and still records the event. fresh is false, and nothing changes,
	// when the event was recorded before. p is the payment afterwards (nil
	// without paymentID).
	ApplyEvent(ctx context.Context, provider, eventID string, at time.Time, paymentID string, from []State, upd Update) (fresh bool, p *Payment, err error)
	// ClaimCapture makes an authorized payment the one of its order whose
	// money is captured, at most one per order ever: the claim is stored
	// (with updated_at = at) only while no other payment of the order holds
	// it or is captured (succeeded, refunded) — checked by the database in
	// the same statement, so that two processes never both win — and is
	// never released. It returns the payment afterwards; claiming the
	// holder again returns it unchanged. EALREADYPAID (changing nothing)
	// when another payment of the order holds the claim or took the money;
	// ESTATE when the payment is not authorized; ENOTFOUND if unknown.
	ClaimCapture(ctx context.Context, id string, at time.Time) (*Payment, error)
	// FindWork returns up to limit payments the reconcile loop must act on:
	// succeeded payments whose order is refunded; authorized payments not
	// updated since staleBefore; requires_action payments whose order is
	// no longer reserved or whose pay_by is at or before now. Oldest
	// update first.
	FindWork(ctx context.Context, now, staleBefore time.Time, limit int) ([]*Payment, error)
}

// Update is what UpdatePayment changes: State always (with updated_at =
// At), the others when set.
type Update struct {
	State        State
	At           time.Time
	Ref          *string
	FailureCode  *string
	NextAction   *string
	ClientSecret *string
	// Unclaimed applies the update only to a payment that has not claimed
	// the capture (ESTATE otherwise, as for a state not in from).
	Unclaimed bool
}

func ptr[T any](v T) *T { return &v }
