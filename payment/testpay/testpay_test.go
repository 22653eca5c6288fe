package testpay

import (
	"context"
	"errors"
	"testing"

	"hawker"
	"hawker/payment"
)

func TestValidate(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		card  string
		field string
	}{
		{"4242 4242 4242 4242", ""},
		{"4000-0000-0000-0002", ""},
		{"4000000000009995", ""},
		{"4000 0025 0000 3155", ""},
		{"4242 4242 4242 4241", "card_number"}, // Luhn fails
		{"4111 1111 1111 1111", "card_number"}, // valid, but a real card's number
		{"42424242", "card_number"},
		{"4242 4242 4242 424x", "card_number"},
		{"", "card_number"},
	} {
		err := p.Validate(payment.Method{CardNumber: tc.card})
		var he *hawker.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("Validate(%q) = %v", tc.card, err)
		case tc.field != "" && (!errors.As(err, &he) || he.Code != hawker.EINVALID || he.Field != tc.field):
			t.Errorf("Validate(%q) = %v, want EINVALID on %s", tc.card, err, tc.field)
		}
	}
	if err := p.Validate(payment.Method{CardNumber: CardSuccess, PaymentMethod: "pm_x"}); err == nil {
		t.Errorf("a payment_method was accepted")
	}
}

// TestOnce: every call with an idempotency key has one effect and one
// answer, however often it is made; a failing call has none.
func TestOnce(t *testing.T) {
	p := New()
	ctx := context.Background()
	req := payment.AuthorizeRequest{PaymentID: "pay_01jbz3n8q4m2x7c5v6w9t0r1ys", Amount: hawker.Money{Amount: 500, Currency: "USD"},
		IdempotencyKey: "a", Method: payment.Method{CardNumber: CardSuccess}}
	r1, err := p.Authorize(ctx, req)
	if err != nil || r1.State != payment.AuthAuthorized {
		t.Fatalf("Authorize = %+v, %v", r1, err)
	}
	r2, _ := p.Authorize(ctx, req)
	if *r2 != *r1 {
		t.Errorf("second answer %+v, first %+v", r2, r1)
	}
	p.FailNext("refund", 1)
	if err := p.Refund(ctx, r1.Ref, req.Amount, "r"); err == nil {
		t.Errorf("FailNext did not fail the refund")
	}
	for range 3 {
		if err := p.Refund(ctx, r1.Ref, req.Amount, "r"); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.Ledger(); len(got) != 2 || got[0].Kind != "authorize" || got[1].Kind != "refund" || got[1].Amount != req.Amount {
		t.Errorf("ledger %+v", got)
	}
	if err := p.Capture(ctx, "pi_other", "c"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("capture of a ref testpay never made: %v", err)
	}
	for card, want := range map[string]payment.AuthState{CardDeclined: payment.AuthFailed, CardRequiresAction: payment.AuthRequiresAction} {
		r, err := p.Authorize(ctx, payment.AuthorizeRequest{PaymentID: "pay_01jbz3n8q4m2x7c5v6w9t0r1yt", IdempotencyKey: card, Method: payment.Method{CardNumber: card}})
		if err != nil || r.State != want {
			t.Errorf("card %s: %+v, %v", card, r, err)
		}
	}
}
