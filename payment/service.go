package payment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"hawker"
)

// Orders reads orders and sets their shipping address (the sqlite and
// postgres stores implement it; see hawker.OrderStore).
type Orders interface {
	FindOrder(ctx context.Context, id string) (*hawker.Order, error)
	SetOrderShippingAddress(ctx context.Context, id string, a *hawker.Address, at time.Time) (*hawker.Order, error)
}

// Checkout moves orders between states (the inventory engine implements
// it): Confirm (reserved → paid, idempotent for paid; ESTATE for expired,
// cancelled, refunded and fulfilled orders) and Cancel (of a paid order:
// refunded, the money to be returned by the caller).
type Checkout interface {
	Confirm(ctx context.Context, orderID string) (*hawker.Order, error)
	Cancel(ctx context.Context, orderID string) (*hawker.Order, error)
}

// Defaults of [Config].
const (
	DefaultReconcileInterval = 3 * time.Second
	DefaultStaleAfter        = 30 * time.Second
	DefaultCallTimeout       = 60 * time.Second
	// reconcileBatch bounds the payments one reconcile pass handles.
	reconcileBatch = 100
	// confirmTries is how often a busy inventory engine is asked again
	// before the payment is left to the reconcile loop.
	confirmTries = 4
)

// Config sets up a [Service].
type Config struct {
	Store    Store
	Orders   Orders
	Checkout Checkout
	// Providers are the enabled providers, by their Name.
	Providers []Provider
	// Clock is the server's time (hawker.Now when nil).
	Clock hawker.Clock
	// ReconcileInterval is how often Run looks for unfinished work
	// (besides when nudged); StaleAfter is how long an authorised payment
	// is left to the request that holds it before Run finishes it.
	ReconcileInterval time.Duration
	StaleAfter        time.Duration
	// CallTimeout bounds one flow (authorise, confirm, capture): it runs
	// on even when the buyer's request goes away, so that money is never
	// left held because a browser closed.
	CallTimeout time.Duration
	Logger      *slog.Logger
}

// Service takes payments for orders. Its methods are safe for concurrent
// use.
type Service struct {
	cfg       Config
	providers map[string]Provider
	names     []string
	locks     keyedLocks
	nudge     chan struct{}
}

// New returns a Service. Run starts its reconcile loop.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Orders == nil || cfg.Checkout == nil {
		return nil, errors.New("payment: New needs a store, orders and a checkout")
	}
	if cfg.Clock == nil {
		cfg.Clock = hawker.Now
	}
	if cfg.ReconcileInterval <= 0 {
		cfg.ReconcileInterval = DefaultReconcileInterval
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, providers: map[string]Provider{}, nudge: make(chan struct{}, 1)}
	for _, p := range cfg.Providers {
		if _, dup := s.providers[p.Name()]; dup {
			return nil, fmt.Errorf("payment: provider %q given twice", p.Name())
		}
		s.providers[p.Name()] = p
		s.names = append(s.names, p.Name())
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC().Truncate(time.Microsecond) }

// Providers returns the names of the enabled providers, in configuration
// order.
func (s *Service) Providers() []string { return slices.Clone(s.names) }

// PublicConfig is what the web app needs to pay: the enabled providers and
// their public settings (Stripe's publishable key).
func (s *Service) PublicConfig() map[string]any {
	out := map[string]any{"providers": s.Providers()}
	for _, name := range s.names {
		if c, ok := s.providers[name].(Configurer); ok {
			for k, v := range c.PublicConfig() {
				out[k] = v
			}
		}
	}
	return out
}

func (s *Service) provider(name string) (Provider, error) {
	p, ok := s.providers[name]
	if !ok {
		return nil, hawker.FieldError("provider", "provider must be one of %v", s.names)
	}
	return p, nil
}

// flowCtx detaches a flow from the caller's cancellation (a closed
// browser must not leave money held halfway) and bounds it.
func (s *Service) flowCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.cfg.CallTimeout)
}

// PayRequest is what a buyer asks with POST /api/v1/orders/{id}/pay.
type PayRequest struct {
	BuyerID        string
	OrderID        string
	IdempotencyKey string
	Provider       string
	Method         Method
	// ShippingAddress, when set, becomes the order's address before the
	// payment (the order must still be reserved).
	ShippingAddress *hawker.Address
}

// Fingerprint identifies what the request asks for: the hex SHA-256 of
// its order, provider, method and address.
func (r *PayRequest) Fingerprint() string {
	b, _ := json.Marshal(struct {
		OrderID       string          `json:"order_id"`
		Provider      string          `json:"provider"`
		CardNumber    string          `json:"card_number"`
		PaymentMethod string          `json:"payment_method"`
		Address       *hawker.Address `json:"shipping_address"`
	}{r.OrderID, r.Provider, NormalizeCard(r.Method.CardNumber), r.Method.PaymentMethod, r.ShippingAddress})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Reply is an answer of the payment routes: Body is the exact JSON to send
// with Status. Decisions of Pay (201, 409) are stored and replayed.
type Reply struct {
	Status   int
	Body     []byte
	Payment  *Payment
	Replayed bool
}

// Pay starts paying an order: it checks the order (the buyer's own,
// reserved, pay_by not passed, with a shipping address), authorises the
// order's total with the provider, confirms the order with the inventory
// engine and captures the money; see the package documentation.
//
// The answer is a decision, stored under the buyer's idempotency key and
// replayed for the same request: 201 with the payment (succeeded,
// requires_action, failed, or processing while a provider decides later)
// and the order, or 409 when the order cannot be paid (any hold was
// released; the payment is canceled): order_already_paid when it is paid
// — also by another payment that won the capture while this one was being
// authorised — else invalid_state. Errors are refusals that
// are not stored: EINVALID (with field: provider, card_number,
// payment_method, shipping_address…, Idempotency-Key), EKEYREUSED (the key
// was used for another request), ENOTFOUND (no such order of the buyer),
// EUNAVAILABLE (the provider or the inventory engine could not be reached
// in time: retry with the same key, which resumes the same payment), and
// internal errors.
func (s *Service) Pay(ctx context.Context, req PayRequest) (Reply, error) {
	if !hawker.ValidIdempotencyKey(req.IdempotencyKey) {
		return Reply{}, hawker.FieldError("Idempotency-Key", "Idempotency-Key is required: 1-%d printable ASCII characters.", hawker.MaxIdempotencyKeyLen)
	}
	prov, err := s.provider(req.Provider)
	if err != nil {
		return Reply{}, err
	}
	if err := prov.Validate(req.Method); err != nil {
		return Reply{}, err
	}
	fp := req.Fingerprint()
	for range 3 {
		p, err := s.cfg.Store.FindPaymentByKey(ctx, req.BuyerID, req.IdempotencyKey)
		switch hawker.ErrorCode(err) {
		case "":
			r, err := s.rejoin(ctx, p, fp, req.Method)
			if !errors.Is(err, errKeyFreed) {
				return r, err
			}
			continue
		case hawker.ENOTFOUND:
		default:
			return Reply{}, err
		}
		r, claimed, err := s.start(ctx, req, fp, prov)
		if claimed || err != nil {
			return r, err
		}
		// Another request claimed the key meanwhile: join it.
	}
	return Reply{}, fmt.Errorf("payment: key %q neither free nor found", req.IdempotencyKey)
}

// start checks the order and claims the key with a new payment; claimed
// is false when another request claimed the key first.
func (s *Service) start(ctx context.Context, req PayRequest, fp string, prov Provider) (Reply, bool, error) {
	o, err := s.cfg.Orders.FindOrder(ctx, req.OrderID)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && o.BuyerID != req.BuyerID {
		return Reply{}, false, hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	} else if err != nil {
		return Reply{}, false, err
	}
	now := s.now()
	payable := o.State == hawker.OrderReserved && o.PayBy.After(now)
	if req.ShippingAddress != nil {
		if err := req.ShippingAddress.Validate("shipping_address", o.Market); err != nil {
			return Reply{}, false, err
		}
		if payable && (o.ShippingAddress == nil || *o.ShippingAddress != *req.ShippingAddress) {
			upd, err := s.cfg.Orders.SetOrderShippingAddress(ctx, o.ID, req.ShippingAddress, now)
			switch hawker.ErrorCode(err) {
			case "":
				o = upd
			case hawker.ESTATE:
				// Expired or paid just now: the decision below says so.
				if o, err = s.cfg.Orders.FindOrder(ctx, o.ID); err != nil {
					return Reply{}, false, err
				}
				payable = false
			default:
				return Reply{}, false, err
			}
		}
	}
	if payable && o.ShippingAddress == nil {
		return Reply{}, false, hawker.FieldError("shipping_address", "The order has no shipping address: send shipping_address with the payment, or set it on the order first.")
	}
	p := &Payment{
		ID: hawker.NewID(hawker.PrefixPayment), OrderID: o.ID, BuyerID: req.BuyerID, Provider: prov.Name(),
		Amount: o.Total, State: StatePending, IdempotencyKey: req.IdempotencyKey, Fingerprint: fp,
		CreatedAt: now, UpdatedAt: now,
	}
	if !payable {
		// A decision too (409), stored like any other: the payment never
		// reached the provider.
		p.State, p.FailureCode = StateCanceled, unpayableCode(o, now)
	}
	unlock, err := s.locks.lock(ctx, p.ID)
	if err != nil {
		return Reply{}, false, err
	}
	defer unlock()
	if err := s.cfg.Store.CreatePayment(ctx, p); hawker.ErrorCode(err) == hawker.EEXISTS {
		return Reply{}, false, nil
	} else if err != nil {
		return Reply{}, false, err
	}
	fctx, cancel := s.flowCtx(ctx)
	defer cancel()
	if p.State == StatePending {
		if p, err = s.authorize(fctx, p, req.Method, prov); err != nil {
			return Reply{}, true, err
		}
	}
	r, err := s.decide(fctx, p)
	return r, true, err
}

// errKeyFreed tells Pay that the payment it joined was refused before a
// decision and deleted: the key is free, ask afresh.
var errKeyFreed = errors.New("payment: the key was freed")

// rejoin answers a request whose key names a payment: the stored decision
// when there is one (waiting for a request of this process that is still
// deciding), else it resumes the payment where it stands.
func (s *Service) rejoin(ctx context.Context, p *Payment, fp string, m Method) (Reply, error) {
	if p.Fingerprint != fp {
		return Reply{}, hawker.Errorf(hawker.EKEYREUSED, "This Idempotency-Key was used for another request.")
	}
	unlock, err := s.locks.lock(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	defer unlock()
	if p, err = s.cfg.Store.FindPayment(ctx, p.ID); hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return Reply{}, errKeyFreed
	} else if err != nil {
		return Reply{}, err
	}
	if p.Decided() {
		return Reply{Status: p.ResponseStatus, Body: p.Response, Payment: p, Replayed: true}, nil
	}
	// The request that claimed the key got no decision (the provider or
	// the engine was unreachable, or the process died): go on with the
	// same payment, so the provider sees the same idempotency keys.
	prov, err := s.provider(p.Provider)
	if err != nil {
		return Reply{}, err
	}
	fctx, cancel := s.flowCtx(ctx)
	defer cancel()
	if p.State == StatePending {
		if p, err = s.authorize(fctx, p, m, prov); err != nil {
			return Reply{}, err
		}
	} else if p, err = s.advance(fctx, p); err != nil {
		return Reply{}, err
	}
	return s.decide(fctx, p)
}

// authorize asks the provider to hold the money of a pending payment and
// goes on from its answer. The caller holds the payment's lock.
func (s *Service) authorize(ctx context.Context, p *Payment, m Method, prov Provider) (*Payment, error) {
	res, err := prov.Authorize(ctx, AuthorizeRequest{
		PaymentID: p.ID, OrderID: p.OrderID, Amount: p.Amount, IdempotencyKey: p.ID + "-authorize", Method: m,
	})
	if err != nil {
		if hawker.ErrorCode(err) == hawker.EINVALID {
			// A refusal (a payment method the provider does not know):
			// not a decision, so the key must stay free for a fresh one.
			if derr := s.cfg.Store.DeletePending(ctx, p.ID); derr != nil {
				s.cfg.Logger.Error("payment: cannot free the key of a refused payment", "payment", p.ID, "err", derr)
			}
			return nil, err
		}
		return nil, s.unavailable("authorize", p, err)
	}
	upd := Update{At: s.now(), Ref: ptr(res.Ref)}
	switch res.State {
	case AuthAuthorized:
		upd.State = StateAuthorized
	case AuthRequiresAction:
		upd.State, upd.NextAction, upd.ClientSecret = StateRequiresAction, ptr(res.NextAction), ptr(res.ClientSecret)
	case AuthFailed:
		upd.State, upd.FailureCode = StateFailed, ptr(res.FailureCode)
	case AuthPending:
		upd.State = StatePending
	default:
		return nil, fmt.Errorf("payment: provider %s answered state %q", prov.Name(), res.State)
	}
	q, err := s.cfg.Store.UpdatePayment(ctx, p.ID, []State{StatePending}, upd)
	if hawker.ErrorCode(err) == hawker.ESTATE {
		// A webhook got there first; go on from where it left the payment.
		q, err = s.cfg.Store.FindPayment(ctx, p.ID)
	}
	if err != nil {
		return nil, err
	}
	return s.advance(ctx, q)
}

// advance drives a payment on from its stored state: an authorised one is
// confirmed, claims the capture of its order and is captured — or, when
// the order cannot be paid or another payment took the claim, voided.
// Other states wait for the buyer or are final. The caller holds the
// payment's lock.
func (s *Service) advance(ctx context.Context, p *Payment) (*Payment, error) {
	if p.State != StateAuthorized {
		return p, nil
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	if !p.CaptureClaimed {
		q, out, err := s.confirmAndClaim(ctx, p)
		switch {
		case err != nil:
			return nil, err
		case out == claimFinished:
			return q, nil
		case out == claimUnpayable:
			// The order cannot be paid (expired or cancelled meanwhile): the
			// money is released, never taken.
			cur, ferr := s.cfg.Orders.FindOrder(ctx, p.OrderID)
			code := "order_not_payable"
			if ferr == nil {
				code = unpayableCode(cur, s.now())
			}
			return s.release(ctx, p, prov, code)
		case out == claimLost:
			s.cfg.Logger.Info("payment: the order is paid by another payment; releasing the hold", "payment", p.ID, "order", p.OrderID)
			return s.release(ctx, p, prov, EALREADYPAID)
		}
		p = q
	}
	// Claimed: the capture is this payment's, now or after any crash or
	// failure (the idempotency key makes a repeated capture the same one).
	if err := prov.Capture(ctx, p.ProviderRef, p.ID+"-capture"); err != nil {
		return nil, s.unavailable("capture", p, err)
	}
	return s.move(ctx, p, []State{StateAuthorized}, Update{State: StateSucceeded})
}

// What confirmAndClaim found.
type claimOutcome int

const (
	claimWon       claimOutcome = iota // the payment holds the claim: its money is to be captured
	claimUnpayable                     // the order cannot be paid (expired, cancelled, gone)
	claimLost                          // another payment of the order holds the claim or took the money
	claimFinished                      // another process finished the payment meanwhile
)

// confirmAndClaim confirms the order of an authorised payment that has not
// claimed the capture yet, then claims it. The order is confirmed first:
// Confirm succeeds for a paid order all the same (paid by this payment or
// by another), so the claim decides which payment's money is taken. It
// returns the payment afterwards: claimed (claimWon), as it was
// (claimUnpayable, claimLost), or as another process left it
// (claimFinished).
func (s *Service) confirmAndClaim(ctx context.Context, p *Payment) (*Payment, claimOutcome, error) {
	_, err := s.confirm(ctx, p.OrderID)
	switch hawker.ErrorCode(err) {
	case "":
	case hawker.ESTATE, hawker.ENOTFOUND:
		return p, claimUnpayable, nil
	default:
		return nil, 0, s.unavailable("confirm", p, err)
	}
	q, err := s.cfg.Store.ClaimCapture(ctx, p.ID, s.now())
	switch hawker.ErrorCode(err) {
	case "":
		return q, claimWon, nil
	case EALREADYPAID:
		return p, claimLost, nil
	case hawker.ESTATE:
		q, err := s.cfg.Store.FindPayment(ctx, p.ID)
		return q, claimFinished, err
	}
	return nil, 0, err
}

// release voids the hold of an authorised payment that did not claim the
// capture and cancels it with the failure code.
func (s *Service) release(ctx context.Context, p *Payment, prov Provider, code string) (*Payment, error) {
	if p.CaptureClaimed {
		// Never: a claimed payment is captured. Refuse rather than void.
		return nil, fmt.Errorf("payment: %s claimed the capture; not voiding it", p.ID)
	}
	if err := prov.Void(ctx, p.ProviderRef, p.ID+"-void"); err != nil {
		return nil, s.unavailable("void", p, err)
	}
	// Unclaimed: should another process have claimed the payment
	// meanwhile, it stays authorized for that process to finish.
	return s.move(ctx, p, []State{StateAuthorized}, Update{State: StateCanceled, FailureCode: ptr(code), Unclaimed: true})
}

// confirm asks the inventory engine to confirm the order, again a few
// times while it is busy.
func (s *Service) confirm(ctx context.Context, orderID string) (*hawker.Order, error) {
	wait := 20 * time.Millisecond
	for i := 0; ; i++ {
		o, err := s.cfg.Checkout.Confirm(ctx, orderID)
		if hawker.ErrorCode(err) != hawker.EBUSY || i == confirmTries-1 {
			return o, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// move applies a transition and returns the payment afterwards; when the
// state moved meanwhile (another process, a webhook) it returns the
// payment as it is.
func (s *Service) move(ctx context.Context, p *Payment, from []State, upd Update) (*Payment, error) {
	upd.At = s.now()
	q, err := s.cfg.Store.UpdatePayment(ctx, p.ID, from, upd)
	if hawker.ErrorCode(err) == hawker.ESTATE {
		return s.cfg.Store.FindPayment(ctx, p.ID)
	}
	return q, err
}

// unavailable logs a failed step and tells the caller to retry: the
// payment stays where it is, and a retry (or the reconcile loop) goes on
// from there.
func (s *Service) unavailable(step string, p *Payment, err error) error {
	var he *hawker.Error
	if errors.As(err, &he) && he.Code != hawker.EBUSY && he.Code != hawker.EINTERNAL {
		// A provider's own coded refusal at this step is a bug on our side
		// or theirs: log it in full, answer like an outage.
		s.cfg.Logger.Error("payment: provider refused a step", "step", step, "payment", p.ID, "err", err)
	} else {
		s.cfg.Logger.Warn("payment: step failed; will be retried", "step", step, "payment", p.ID, "err", err)
	}
	return hawker.Errorf(EUNAVAILABLE, "The payment could not be completed right now; retry with the same Idempotency-Key.")
}

// decide makes, stores and returns the decision of a payment (or the one
// stored first by another request).
func (s *Service) decide(ctx context.Context, p *Payment) (Reply, error) {
	if p.Decided() {
		return Reply{Status: p.ResponseStatus, Body: p.Response, Payment: p, Replayed: true}, nil
	}
	status, body, err := s.answer(ctx, p, http.StatusCreated)
	if err != nil {
		return Reply{}, err
	}
	q, err := s.cfg.Store.SaveResponse(ctx, p.ID, status, body)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Status: q.ResponseStatus, Body: q.Response, Payment: q, Replayed: !bytes.Equal(q.Response, body)}, nil
}

// answer is the JSON of a payment as it stands: ok with the payment and
// its order, or 409 for a canceled payment: order_already_paid when the
// order is paid (by another payment), else invalid_state.
func (s *Service) answer(ctx context.Context, p *Payment, ok int) (int, []byte, error) {
	if p.State == StateCanceled {
		code := hawker.ESTATE
		if alreadyPaid(p.FailureCode) {
			code = EALREADYPAID
		}
		return http.StatusConflict, encodeJSON(map[string]any{"error": map[string]string{
			"code": code, "message": canceledMessage(p.FailureCode),
		}}), nil
	}
	o, err := s.cfg.Orders.FindOrder(ctx, p.OrderID)
	if err != nil {
		return 0, nil, err
	}
	return ok, encodeJSON(map[string]any{"payment": p.View(true), "order": o}), nil
}

// unpayableCode says why an order cannot be paid now.
func unpayableCode(o *hawker.Order, now time.Time) string {
	if o.State == hawker.OrderReserved && !o.PayBy.After(now) {
		return "order_expired"
	}
	return "order_" + string(o.State)
}

// alreadyPaid reports whether a canceled payment's failure code says its
// order was paid by another payment.
func alreadyPaid(failureCode string) bool {
	switch failureCode {
	case EALREADYPAID, "order_paid", "order_fulfilled":
		return true
	}
	return false
}

func canceledMessage(code string) string {
	switch code {
	case EALREADYPAID:
		return "The order was paid by another payment; this one's hold was released and no money was taken."
	case "order_expired":
		return "The order's reservation expired before it was paid; no money was taken. Place the order again."
	case "order_cancelled":
		return "The order was cancelled; no money was taken."
	case "order_paid", "order_fulfilled":
		return "The order is paid already; no money was taken."
	case "order_refunded":
		return "The order was refunded; no money was taken."
	}
	return "The order cannot be paid; no money was taken."
}

// Find returns a payment with its order; ENOTFOUND if unknown.
func (s *Service) Find(ctx context.Context, id string) (*Payment, *hawker.Order, error) {
	if !hawker.ValidID(hawker.PrefixPayment, id) {
		return nil, nil, hawker.Errorf(hawker.ENOTFOUND, "No such payment.")
	}
	p, err := s.cfg.Store.FindPayment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.cfg.Orders.FindOrder(ctx, p.OrderID)
	if err != nil {
		return nil, nil, err
	}
	return p, o, nil
}

// CompleteAction completes the extra authentication of a payment that
// requires action, for providers that do it through hawker (testpay): an
// approval holds the money and goes on as Pay does; a refusal fails the
// payment. Calling it again answers the payment as it stands. The answer
// is 200 with the payment and the order, or 409 when the order could not
// be paid (the hold was released): order_already_paid when another
// payment paid it, else invalid_state. ENOTFOUND for an
// unknown payment or another buyer's; ESTATE for a provider whose
// authentication happens elsewhere (Stripe: Stripe.js); EUNAVAILABLE as
// for Pay.
func (s *Service) CompleteAction(ctx context.Context, buyerID, paymentID string, approve bool) (Reply, error) {
	p, _, err := s.Find(ctx, paymentID)
	if err != nil {
		return Reply{}, err
	}
	if p.BuyerID != buyerID {
		return Reply{}, hawker.Errorf(hawker.ENOTFOUND, "No such payment.")
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return Reply{}, err
	}
	ac, ok := prov.(ActionCompleter)
	if !ok {
		return Reply{}, hawker.Errorf(hawker.ESTATE, "%s payments are authenticated with the provider's own page, not here.", p.Provider)
	}
	unlock, err := s.locks.lock(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	defer unlock()
	fctx, cancel := s.flowCtx(ctx)
	defer cancel()
	if p, err = s.cfg.Store.FindPayment(fctx, p.ID); err != nil {
		return Reply{}, err
	}
	if p.State == StateRequiresAction {
		res, err := ac.CompleteAction(fctx, p.ProviderRef, approve)
		if err != nil {
			return Reply{}, s.unavailable("complete action", p, err)
		}
		upd := Update{NextAction: ptr(""), ClientSecret: ptr("")}
		switch res.State {
		case AuthAuthorized:
			upd.State = StateAuthorized
		case AuthFailed:
			upd.State, upd.FailureCode = StateFailed, ptr(res.FailureCode)
		default:
			upd.State = StateRequiresAction
		}
		if p, err = s.move(fctx, p, []State{StateRequiresAction}, upd); err != nil {
			return Reply{}, err
		}
	}
	if p, err = s.advance(fctx, p); err != nil {
		return Reply{}, err
	}
	status, body, err := s.answer(fctx, p, http.StatusOK)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Status: status, Body: body, Payment: p}, nil
}

// WebhookResult says what a webhook did: "processed", "duplicate" (the
// event id was processed before: nothing changed) or "ignored" (an event
// hawker does not act on, or about a payment it does not know).
type WebhookResult struct {
	EventID string `json:"event_id,omitempty"`
	Result  string `json:"result"`
}

// Webhook verifies and applies a provider's webhook. Each event id is
// applied once: its record and the payment's change are one transaction,
// and a replayed event changes nothing. Errors: ENOTFOUND for a provider
// without webhooks (or not enabled); EBADSIGNATURE for a wrong signature
// or timestamp; EBADREQUEST for a malformed payload; EAMOUNTMISMATCH when
// the event's amount or currency is not the payment's — in each case
// nothing changes. Work after the change (confirming, capturing) that
// fails is left to the reconcile loop: the answer is still a success, so
// the provider does not send the event again.
func (s *Service) Webhook(ctx context.Context, provider string, payload []byte, header http.Header) (WebhookResult, error) {
	prov, ok := s.providers[provider]
	wp, isParser := prov.(WebhookParser)
	if !ok || !isParser {
		return WebhookResult{}, hawker.Errorf(hawker.ENOTFOUND, "No webhooks for provider %q on this server.", provider)
	}
	ev, err := wp.ParseWebhook(payload, header)
	if errors.Is(err, ErrBadSignature) {
		return WebhookResult{}, hawker.Errorf(EBADSIGNATURE, "The webhook's signature or timestamp is wrong.")
	} else if err != nil {
		if hawker.ErrorCode(err) == hawker.EINTERNAL {
			return WebhookResult{}, hawker.Errorf(hawker.EBADREQUEST, "The webhook payload is malformed.")
		}
		return WebhookResult{}, err
	}
	res := WebhookResult{EventID: ev.ID, Result: "ignored"}
	if ev.Kind == EventOther {
		return res, nil
	}
	p, err := s.eventPayment(ctx, provider, ev)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		s.cfg.Logger.Info("payment: webhook for an unknown payment", "provider", provider, "event", ev.ID, "type", ev.Type, "ref", ev.Ref)
		return res, nil
	} else if err != nil {
		return WebhookResult{}, err
	}
	if ev.Amount != p.Amount {
		return WebhookResult{}, hawker.Errorf(EAMOUNTMISMATCH, "The event's amount (%d %s) is not the payment's (%d %s).",
			ev.Amount.Amount, ev.Amount.Currency, p.Amount.Amount, p.Amount.Currency)
	}

	unlock, err := s.locks.lock(ctx, p.ID)
	if err != nil {
		return WebhookResult{}, err
	}
	defer unlock()
	fctx, cancel := s.flowCtx(ctx)
	defer cancel()
	upd := Update{At: s.now()}
	if ev.Ref != "" {
		upd.Ref = ptr(ev.Ref)
	}
	var from []State
	target := p.ID
	switch ev.Kind {
	case EventAuthorized, EventCaptured:
		from, upd.State = []State{StatePending, StateRequiresAction}, StateAuthorized
		upd.NextAction, upd.ClientSecret = ptr(""), ptr("")
	case EventFailed:
		from, upd.State, upd.FailureCode = []State{StatePending, StateRequiresAction}, StateFailed, ptr(ev.FailureCode)
	case EventRefunded:
		if ev.Full {
			from, upd.State = []State{StateSucceeded}, StateRefunded
		} else {
			// A partial refund is the seller's business with the gateway:
			// the event is recorded, the payment and the order stay.
			target = ""
		}
	}
	fresh, q, err := s.cfg.Store.ApplyEvent(fctx, provider, ev.ID, s.now(), target, from, upd)
	if err != nil {
		return WebhookResult{}, err
	}
	if !fresh {
		return WebhookResult{EventID: ev.ID, Result: "duplicate"}, nil
	}
	if q != nil {
		p = q
	}
	res.Result = "processed"
	switch {
	case ev.Kind == EventCaptured && p.State == StateAuthorized:
		// Taken already (our capture's answer was lost): the order is
		// confirmed, or the money goes back.
		if _, err := s.settleCaptured(fctx, p); err != nil {
			s.cfg.Logger.Warn("payment: settling a captured payment failed; the reconcile loop retries", "payment", p.ID, "err", err)
		}
	case p.State == StateAuthorized:
		if _, err := s.advance(fctx, p); err != nil {
			s.cfg.Logger.Warn("payment: finishing an authorised payment failed; the reconcile loop retries", "payment", p.ID, "err", err)
		}
	case ev.Kind == EventRefunded && ev.Full && p.State == StateRefunded:
		// Refunded at the gateway (its dashboard): the order gives its
		// units back. A refund hawker made finds the order refunded.
		if _, err := s.cfg.Checkout.Cancel(fctx, p.OrderID); err != nil && hawker.ErrorCode(err) != hawker.ESTATE {
			s.cfg.Logger.Warn("payment: cancelling the order of a refunded payment failed", "payment", p.ID, "order", p.OrderID, "err", err)
		}
	}
	return res, nil
}

// eventPayment finds the payment an event is about: by the provider's ref,
// else by the payment id the provider carries.
func (s *Service) eventPayment(ctx context.Context, provider string, ev *Event) (*Payment, error) {
	if ev.Ref != "" {
		p, err := s.cfg.Store.FindPaymentByRef(ctx, provider, ev.Ref)
		if hawker.ErrorCode(err) != hawker.ENOTFOUND {
			return p, err
		}
	}
	if !hawker.ValidID(hawker.PrefixPayment, ev.PaymentID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no payment")
	}
	p, err := s.cfg.Store.FindPayment(ctx, ev.PaymentID)
	if err != nil {
		return nil, err
	}
	if p.Provider != provider || p.ProviderRef != "" && p.ProviderRef != ev.Ref {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no payment")
	}
	return p, nil
}

// settleCaptured finishes a payment the provider captured already: the
// order is confirmed and the payment claims its capture, or — when the
// order cannot be paid, or another payment took the claim — the money is
// refunded at once.
func (s *Service) settleCaptured(ctx context.Context, p *Payment) (*Payment, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return nil, err
	}
	if !p.CaptureClaimed {
		// Only hawker captures (manual capture) and it claims first, so
		// this is a payment captured behind hawker's back (the gateway's
		// dashboard).
		q, out, err := s.confirmAndClaim(ctx, p)
		switch {
		case err != nil:
			return nil, err
		case out == claimFinished:
			return q, nil
		case out == claimUnpayable, out == claimLost:
			if err := prov.Refund(ctx, p.ProviderRef, p.Amount, p.ID+"-refund"); err != nil {
				return nil, s.unavailable("refund", p, err)
			}
			upd := Update{State: StateRefunded, Unclaimed: true}
			if out == claimLost {
				upd.FailureCode = ptr(EALREADYPAID)
			}
			return s.move(ctx, p, []State{StateAuthorized}, upd)
		}
		p = q
	}
	return s.move(ctx, p, []State{StateAuthorized}, Update{State: StateSucceeded})
}

// Nudge asks the reconcile loop to look for work now (an order was
// refunded). It never blocks.
func (s *Service) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Run reconciles every ReconcileInterval, and when nudged, until ctx is
// done.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.ReconcileInterval)
	defer t.Stop()
	for {
		if _, err := s.Reconcile(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("payment: reconcile pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.nudge:
		}
	}
}

// Reconcile does one pass of the reconcile loop and returns how many
// payments it moved: it refunds captured payments whose order was
// refunded, finishes authorised payments left by a crash or a failed call
// (confirm and capture, or void), and releases 3-D Secure checks of
// orders that can no longer be paid. A failure with one payment does not
// stop the others; the first error is returned.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	now := s.now()
	work, err := s.cfg.Store.FindWork(ctx, now, now.Add(-s.cfg.StaleAfter), reconcileBatch)
	if err != nil {
		return 0, err
	}
	var first error
	n := 0
	for _, w := range work {
		moved, err := s.reconcileOne(ctx, w.ID)
		if err != nil {
			s.cfg.Logger.Warn("payment: reconcile failed", "payment", w.ID, "err", err)
			if first == nil {
				first = err
			}
		}
		if moved {
			n++
		}
	}
	return n, first
}

func (s *Service) reconcileOne(ctx context.Context, id string) (bool, error) {
	unlock, err := s.locks.lock(ctx, id)
	if err != nil {
		return false, err
	}
	defer unlock()
	fctx, cancel := s.flowCtx(ctx)
	defer cancel()
	p, err := s.cfg.Store.FindPayment(fctx, id)
	if err != nil {
		return false, err
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return false, fmt.Errorf("payment %s of provider %q, which is not enabled", p.ID, p.Provider)
	}
	o, err := s.cfg.Orders.FindOrder(fctx, p.OrderID)
	if err != nil {
		return false, err
	}
	before := p.State
	switch p.State {
	case StateSucceeded:
		if o.State != hawker.OrderRefunded {
			return false, nil
		}
		// The idempotency key is the payment's: a refund that went through
		// before a crash kept us from marking it is the same refund.
		if err := prov.Refund(fctx, p.ProviderRef, p.Amount, p.ID+"-refund"); err != nil {
			return false, s.unavailable("refund", p, err)
		}
		p, err = s.move(fctx, p, []State{StateSucceeded}, Update{State: StateRefunded})
	case StateAuthorized:
		p, err = s.advance(fctx, p)
	case StateRequiresAction:
		if o.State == hawker.OrderReserved && o.PayBy.After(s.now()) {
			return false, nil
		}
		if err := prov.Void(fctx, p.ProviderRef, p.ID+"-void"); err != nil {
			return false, s.unavailable("void", p, err)
		}
		p, err = s.move(fctx, p, []State{StateRequiresAction}, Update{
			State: StateCanceled, FailureCode: ptr(unpayableCode(o, s.now())), NextAction: ptr(""), ClientSecret: ptr(""),
		})
	default:
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.State != before {
		s.cfg.Logger.Info("payment: reconciled", "payment", p.ID, "from", before, "to", p.State)
	}
	return p.State != before, nil
}

// View is the JSON of a payment.
type View struct {
	ID           string       `json:"id"`
	OrderID      string       `json:"order_id"`
	Provider     string       `json:"provider"`
	State        string       `json:"state"`
	Amount       hawker.Money `json:"amount"`
	FailureCode  string       `json:"failure_code,omitempty"`
	NextAction   *NextAction  `json:"next_action,omitempty"`
	ClientSecret string       `json:"client_secret,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// NextAction tells the buyer's client what to do while a payment requires
// action: "testpay_authorize" (POST /api/v1/payments/{id}/authorize) or
// "stripe_sdk" (Stripe.js handleNextAction with the client secret).
type NextAction struct {
	Type string `json:"type"`
}

// View returns the payment's JSON; the client secret only for its buyer.
func (p *Payment) View(buyer bool) View {
	v := View{
		ID: p.ID, OrderID: p.OrderID, Provider: p.Provider, State: p.State.APIState(), Amount: p.Amount,
		FailureCode: p.FailureCode, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if p.State == StateRequiresAction && p.NextAction != "" {
		v.NextAction = &NextAction{Type: p.NextAction}
		if buyer {
			v.ClientSecret = p.ClientSecret
		}
	}
	return v
}

// encodeJSON encodes v as the HTTP layer does (HTML escaped, one trailing
// newline), so that stored answers look like every other.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain structs and maps get here
	}
	return buf.Bytes()
}

// NormalizeCard drops the spaces and dashes people type in card numbers.
func NormalizeCard(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '-' {
			b = append(b, c)
		}
	}
	return string(b)
}

// keyedLocks serialises the work on one payment within this process (a
// request, its duplicates, webhooks and the reconcile loop). Other
// processes are kept right by conditional updates and the providers'
// idempotency keys; the lock only spares them the double work.
type keyedLocks struct {
	mu sync.Mutex // guards m
	m  map[string]*keyedLock
}

type keyedLock struct {
	sem  chan struct{} // holds one token while locked
	refs int           // holders and waiters; the entry goes when 0
}

func (k *keyedLocks) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyedLock{sem: make(chan struct{}, 1)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
