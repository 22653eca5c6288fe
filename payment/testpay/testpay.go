// Package testpay is hawker's built-in TEST payment provider: it moves no
// money and talks to no bank. It exists so that the demo and the tests can
// run the whole payment flow — authorise, 3-D Secure, decline, capture,
// void, refund — without a gateway account. It accepts only its own test
// card numbers (never a real card), like a gateway's test mode:
//
//	4242 4242 4242 4242   succeeds
//	4000 0000 0000 0002   declined (card_declined)
//	4000 0000 0000 9995   declined (insufficient_funds)
//	4000 0025 0000 3155   requires action: the buyer approves or refuses
//	                      with POST /api/v1/payments/{id}/authorize
//
// Its refs carry everything it needs, so a payment started before a
// restart can still be captured, voided or refunded after it. It keeps a
// ledger of the money operations it did (per idempotency key, once) for
// tests to check.
package testpay

import (
	"context"
	"strings"
	"sync"

	"hawker"
	"hawker/payment"
)

// Name is the provider's name.
const Name = "testpay"

// The test cards.
const (
	CardSuccess           = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
	CardRequiresAction    = "4000002500003155"
)

// NextAction is the next_action type of a payment waiting for the buyer's
// approval.
const NextAction = "testpay_authorize"

// refPrefix starts every ref this provider makes.
const refPrefix = "tp_"

// Op is one money operation the provider did.
type Op struct {
	Kind   string // authorize, capture, void, refund
	Ref    string
	Amount hawker.Money // authorize and refund
}

// Provider is the test provider. The zero value is not usable; call New.
type Provider struct {
	mu sync.Mutex // guards the following
	// done maps an idempotency key to the answer it got, so that a
	// retried call has its first call's effect and answer, and no other.
	done   map[string]*payment.Result
	ledger []Op
	// fail makes the next calls of a kind fail (for tests of outages).
	fail map[string]int
}

var (
	_ payment.Provider        = (*Provider)(nil)
	_ payment.ActionCompleter = (*Provider)(nil)
)

// New returns a test provider.
func New() *Provider {
	return &Provider{done: map[string]*payment.Result{}, fail: map[string]int{}}
}

// Name implements payment.Provider.
func (*Provider) Name() string { return Name }

// Validate accepts the test card numbers only (spaces and dashes allowed):
// a number that fails the Luhn check, or a real card's, is EINVALID on
// card_number.
func (*Provider) Validate(m payment.Method) error {
	if m.PaymentMethod != "" {
		return hawker.FieldError("payment_method", "testpay takes a card_number, not a payment_method")
	}
	n := payment.NormalizeCard(m.CardNumber)
	if n == "" {
		return hawker.FieldError("card_number", "card_number is required")
	}
	if !Luhn(n) {
		return hawker.FieldError("card_number", "card_number is not a valid card number")
	}
	switch n {
	case CardSuccess, CardDeclined, CardInsufficientFunds, CardRequiresAction:
		return nil
	}
	return hawker.FieldError("card_number", "testpay is a test provider: it takes only its test card numbers (4242 4242 4242 4242 and the others in its documentation), never a real card")
}

// Luhn reports whether s is 12–19 digits with a valid Luhn check digit.
func Luhn(s string) bool {
	if len(s) < 12 || len(s) > 19 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// FailNext makes the next n calls of kind ("authorize", "capture", "void",
// "refund", "complete") fail as an unreachable gateway would.
func (p *Provider) FailNext(kind string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[kind] += n
}

// Ledger returns the money operations done so far, in order.
func (p *Provider) Ledger() []Op {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Op(nil), p.ledger...)
}

// errUnreachable is what a call failing on purpose returns.
type errUnreachable struct{ kind string }

func (e errUnreachable) Error() string { return "testpay: " + e.kind + ": gateway unreachable (test)" }

// onceLocked runs fn for the key unless a call with the key ran before, and
// returns the answer of the first call. Must be called with p.mu held.
func (p *Provider) onceLocked(kind, key string, fn func() *payment.Result) (*payment.Result, error) {
	if p.fail[kind] > 0 {
		p.fail[kind]--
		return nil, errUnreachable{kind}
	}
	if r, ok := p.done[kind+"\x00"+key]; ok {
		return r, nil
	}
	r := fn()
	p.done[kind+"\x00"+key] = r
	return r, nil
}

// Authorize implements payment.Provider: the card decides.
func (p *Provider) Authorize(ctx context.Context, req payment.AuthorizeRequest) (*payment.Result, error) {
	if err := p.Validate(req.Method); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.onceLocked("authorize", req.IdempotencyKey, func() *payment.Result {
		ref := refPrefix + strings.TrimPrefix(req.PaymentID, hawker.PrefixPayment+"_")
		switch payment.NormalizeCard(req.Method.CardNumber) {
		case CardDeclined:
			return &payment.Result{State: payment.AuthFailed, Ref: ref, FailureCode: "card_declined"}
		case CardInsufficientFunds:
			return &payment.Result{State: payment.AuthFailed, Ref: ref, FailureCode: "insufficient_funds"}
		case CardRequiresAction:
			return &payment.Result{State: payment.AuthRequiresAction, Ref: ref, NextAction: NextAction}
		}
		p.ledger = append(p.ledger, Op{Kind: "authorize", Ref: ref, Amount: req.Amount})
		return &payment.Result{State: payment.AuthAuthorized, Ref: ref}
	})
}

// CompleteAction implements payment.ActionCompleter: the buyer's approval
// holds the money, a refusal fails the payment (authentication_failed).
func (p *Provider) CompleteAction(ctx context.Context, ref string, approve bool) (*payment.Result, error) {
	if !strings.HasPrefix(ref, refPrefix) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "testpay: unknown ref %q", ref)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.onceLocked("complete", ref, func() *payment.Result {
		if !approve {
			return &payment.Result{State: payment.AuthFailed, Ref: ref, FailureCode: "authentication_failed"}
		}
		p.ledger = append(p.ledger, Op{Kind: "authorize", Ref: ref})
		return &payment.Result{State: payment.AuthAuthorized, Ref: ref}
	})
}

func (p *Provider) op(kind, ref, key string, amount hawker.Money) error {
	if !strings.HasPrefix(ref, refPrefix) {
		return hawker.Errorf(hawker.ENOTFOUND, "testpay: unknown ref %q", ref)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.onceLocked(kind, key, func() *payment.Result {
		p.ledger = append(p.ledger, Op{Kind: kind, Ref: ref, Amount: amount})
		return &payment.Result{Ref: ref}
	})
	return err
}

// Capture implements payment.Provider.
func (p *Provider) Capture(ctx context.Context, ref, key string) error {
	return p.op("capture", ref, key, hawker.Money{})
}

// Void implements payment.Provider.
func (p *Provider) Void(ctx context.Context, ref, key string) error {
	return p.op("void", ref, key, hawker.Money{})
}

// Refund implements payment.Provider.
func (p *Provider) Refund(ctx context.Context, ref string, amount hawker.Money, key string) error {
	return p.op("refund", ref, key, amount)
}
