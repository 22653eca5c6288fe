package storetest

import (
	"fmt"
	"testing"
	"time"

	"hawker"
	"hawker/payment"
)

// authorized stores an authorized payment of the order.
func (f *payFixture) authorized(t testing.TB, o *hawker.Order, key string) *payment.Payment {
	t.Helper()
	p := f.payment(o, key)
	p.State, p.ProviderRef = payment.StateAuthorized, "tp_"+p.ID
	must(t, f.s.CreatePayment(t.Context(), p))
	return p
}

// testPaymentCaptureOnce checks payment.Store.ClaimCapture: one payment
// per order ever claims the capture (also when claims race), the holder
// may claim again, captured payments from before the claim block it, and
// an Unclaimed update never touches the holder.
func testPaymentCaptureOnce(t *testing.T, open opener) {
	t.Run("Claim", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		a := f.authorized(t, o, "a")
		b := f.authorized(t, o, "b")
		pending := f.create(t, o, "pending")
		if a.CaptureClaimed {
			t.Fatal("a new payment holds the claim")
		}
		at := hawker.Now().Add(time.Second).UTC().Truncate(time.Microsecond)

		got, err := f.s.ClaimCapture(ctx, a.ID, at)
		must(t, err)
		if !got.CaptureClaimed || got.State != payment.StateAuthorized || !got.UpdatedAt.Equal(at) {
			t.Errorf("claimed: %+v", got)
		}
		checkUTC(t, "claimed updated_at", got.UpdatedAt)
		again, err := f.s.ClaimCapture(ctx, a.ID, at.Add(time.Hour))
		must(t, err)
		same(t, "claimed again", again, got)

		// Another payment of the order: refused, unchanged.
		_, err = f.s.ClaimCapture(ctx, b.ID, at)
		wantCode(t, err, payment.EALREADYPAID)
		gotB, err := f.s.FindPayment(ctx, b.ID)
		must(t, err)
		same(t, "the loser", gotB, b)
		// Only authorized payments claim.
		_, err = f.s.ClaimCapture(ctx, pending.ID, at)
		wantCode(t, err, hawker.ESTATE)
		_, err = f.s.ClaimCapture(ctx, hawker.NewID(hawker.PrefixPayment), at)
		wantCode(t, err, hawker.ENOTFOUND)

		// The claim stays with the payment once captured and refunded.
		must2(t)(f.s.UpdatePayment(ctx, a.ID, []payment.State{payment.StateAuthorized}, payment.Update{State: payment.StateSucceeded, At: at}))
		must2(t)(f.s.UpdatePayment(ctx, a.ID, []payment.State{payment.StateSucceeded}, payment.Update{State: payment.StateRefunded, At: at}))
		_, err = f.s.ClaimCapture(ctx, b.ID, at)
		wantCode(t, err, payment.EALREADYPAID)
		got, err = f.s.FindPayment(ctx, a.ID)
		must(t, err)
		if !got.CaptureClaimed || got.State != payment.StateRefunded {
			t.Errorf("refunded holder: %+v", got)
		}
		_, err = f.s.ClaimCapture(ctx, a.ID, at)
		wantCode(t, err, hawker.ESTATE)

		// Another order's payments claim on their own.
		o2 := f.order(t, hawker.Now().Add(10*time.Minute))
		c := f.authorized(t, o2, "c")
		must2(t)(f.s.ClaimCapture(ctx, c.ID, at))
	})

	t.Run("CapturedBeforeBlocks", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		// A captured payment — with the claim (migration 00009 gives it to
		// the first captured payment of each order) or without (an order
		// charged twice before) — keeps every other payment of its order
		// from claiming.
		for _, tc := range []struct {
			state   payment.State
			claimed bool
		}{{payment.StateSucceeded, false}, {payment.StateRefunded, false}, {payment.StateSucceeded, true}, {payment.StateRefunded, true}} {
			key := fmt.Sprintf("%s-%v", tc.state, tc.claimed)
			o := f.order(t, hawker.Now().Add(10*time.Minute))
			old := f.payment(o, "old-"+key)
			old.State, old.ProviderRef, old.CaptureClaimed = tc.state, "tp_"+old.ID, tc.claimed
			must(t, f.s.CreatePayment(ctx, old))
			got, err := f.s.FindPayment(ctx, old.ID)
			must(t, err)
			same(t, "a captured payment read back", got, old)
			p := f.authorized(t, o, "new-"+key)
			_, err = f.s.ClaimCapture(ctx, p.ID, hawker.Now())
			wantCode(t, err, payment.EALREADYPAID)
		}
		// Failed and canceled payments do not.
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		for _, st := range []payment.State{payment.StateFailed, payment.StateCanceled} {
			old := f.payment(o, string(st))
			old.State = st
			must(t, f.s.CreatePayment(ctx, old))
		}
		must2(t)(f.s.ClaimCapture(ctx, f.authorized(t, o, "new").ID, hawker.Now()))
	})

	t.Run("UnclaimedUpdate", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		o := f.order(t, hawker.Now().Add(10*time.Minute))
		a := f.authorized(t, o, "a")
		b := f.authorized(t, o, "b")
		claimed, err := f.s.ClaimCapture(ctx, a.ID, hawker.Now())
		must(t, err)
		cancel := payment.Update{State: payment.StateCanceled, At: hawker.Now(), FailureCode: strp(payment.EALREADYPAID), Unclaimed: true}
		_, err = f.s.UpdatePayment(ctx, a.ID, []payment.State{payment.StateAuthorized}, cancel)
		wantCode(t, err, hawker.ESTATE)
		got, err := f.s.FindPayment(ctx, a.ID)
		must(t, err)
		same(t, "the holder after an unclaimed update", got, claimed)
		got, err = f.s.UpdatePayment(ctx, b.ID, []payment.State{payment.StateAuthorized}, cancel)
		must(t, err)
		if got.State != payment.StateCanceled || got.FailureCode != payment.EALREADYPAID || got.CaptureClaimed {
			t.Errorf("the loser canceled: %+v", got)
		}
		// Through ApplyEvent too.
		_, _, err = f.s.ApplyEvent(ctx, "testpay", "evt-"+a.ID, hawker.Now(), a.ID, []payment.State{payment.StateAuthorized}, cancel)
		must(t, err)
		got, err = f.s.FindPayment(ctx, a.ID)
		must(t, err)
		same(t, "the holder after an unclaimed event", got, claimed)
	})

	t.Run("Race", func(t *testing.T) {
		t.Parallel()
		f := newPayFixture(t, open)
		ctx := t.Context()
		const iterations, payments = 15, 6
		for i := range iterations {
			o := f.order(t, hawker.Now().Add(10*time.Minute))
			ps := make([]*payment.Payment, payments)
			for j := range ps {
				ps[j] = f.authorized(t, o, fmt.Sprintf("race-%d-%d", i, j))
			}
			errs := parallel(payments, func(j int) error {
				_, err := f.s.ClaimCapture(ctx, ps[j].ID, hawker.Now())
				return err
			})
			won := 0
			for _, err := range errs {
				switch hawker.ErrorCode(err) {
				case "":
					won++
				case payment.EALREADYPAID:
				default:
					t.Errorf("racing claim: %v", err)
				}
			}
			if won != 1 {
				t.Fatalf("iteration %d: %d claims of one order won, want 1", i, won)
			}
			holders := 0
			for j, p := range ps {
				got, err := f.s.FindPayment(ctx, p.ID)
				must(t, err)
				if got.CaptureClaimed {
					holders++
					if errs[j] != nil {
						t.Errorf("payment %d holds the claim but was refused: %v", j, errs[j])
					}
				}
			}
			if holders != 1 {
				t.Fatalf("iteration %d: %d payments hold the claim", i, holders)
			}
		}
	})
}

// must2 checks the error of a call that also returns a value.
func must2(t testing.TB) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		must(t, err)
	}
}
