package hawkerhttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"hawker"
	"hawker/payment"
)

// Payments is what the payment routes need (payment.Service implements
// it). Nil turns them off: they answer 503 unavailable, and
// GET /api/v1/payments/config lists no providers.
type Payments interface {
	// Pay starts paying an order; see payment.Service.Pay.
	Pay(ctx context.Context, req payment.PayRequest) (payment.Reply, error)
	// CompleteAction completes a payment's 3-D Secure step (testpay).
	CompleteAction(ctx context.Context, buyerID, paymentID string, approve bool) (payment.Reply, error)
	// Find returns a payment with its order.
	Find(ctx context.Context, id string) (*payment.Payment, *hawker.Order, error)
	// Webhook verifies and applies a provider's webhook.
	Webhook(ctx context.Context, provider string, payload []byte, header http.Header) (payment.WebhookResult, error)
	// PublicConfig is what the web app needs to pay.
	PublicConfig() map[string]any
}

func errPaymentsOff() error {
	return hawker.Errorf(codeUnavailable, "Payments are not available on this server.")
}

// payRequestBody is the JSON body of POST /api/v1/orders/{id}/pay: testpay
// takes a card_number (its test cards only), stripe a payment_method made
// by Stripe.js.
type payRequestBody struct {
	Provider        string          `json:"provider"`
	CardNumber      string          `json:"card_number"`
	PaymentMethod   string          `json:"payment_method"`
	ShippingAddress *hawker.Address `json:"shipping_address"`
}

// handlePay starts paying an order, for its buyer only (the shop's team
// and admins see the order but get 403; others 404). The decision — 201
// with the payment and the order, or 409 order_already_paid (another
// payment paid the order; this one's hold was released) or invalid_state
// — is answered as the service stored it, and replayed for the same
// Idempotency-Key and body.
func handlePay(pay Payments, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if pay == nil || orders == nil {
			Error(w, r, errPaymentsOff())
			return
		}
		body, err := decode[payRequestBody](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		o, err := paymentOrder(r.Context(), orders, a, r.PathValue("id"))
		if err != nil {
			Error(w, r, err)
			return
		}
		if a.User == nil || a.User.ID != o.BuyerID {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the order's buyer pays for it."))
			return
		}
		key := r.Header.Get(IdempotencyHeader)
		if !hawker.ValidIdempotencyKey(key) {
			Error(w, r, hawker.FieldError(IdempotencyHeader, "%s is required: 1-%d printable ASCII characters.", IdempotencyHeader, hawker.MaxIdempotencyKeyLen))
			return
		}
		reply, err := pay.Pay(r.Context(), payment.PayRequest{
			BuyerID: a.User.ID, OrderID: o.ID, IdempotencyKey: key, Provider: body.Provider,
			Method:          payment.Method{CardNumber: body.CardNumber, PaymentMethod: body.PaymentMethod},
			ShippingAddress: body.ShippingAddress,
		})
		if err != nil {
			Error(w, r, paymentError(err))
			return
		}
		writeReply(w, r, reply)
	})
}

// paymentOrder reads an order the actor may see (its buyer, the shop's
// team, admins); others get ENOTFOUND, as for an unknown id.
func paymentOrder(ctx context.Context, orders OrderFinder, a *hawker.Actor, id string) (*hawker.Order, error) {
	nf := hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	if !hawker.ValidID(hawker.PrefixOrder, id) {
		return nil, nf
	}
	o, err := orders.FindOrder(ctx, id)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return nil, nf
	} else if err != nil {
		return nil, err
	}
	if !maySeePayment(a, o) {
		return nil, nf
	}
	return o, nil
}

func maySeePayment(a *hawker.Actor, o *hawker.Order) bool {
	return a.User != nil && a.User.ID == o.BuyerID || a.CanSeeShopPrivate(o.ShopID)
}

// paymentError gives an unreachable provider its Retry-After.
func paymentError(err error) error {
	if c := hawker.ErrorCode(err); c == payment.EUNAVAILABLE || c == hawker.EBUSY {
		return &retryError{err: hawker.Errorf(c, "%s", hawker.ErrorMessage(err)), After: 2}
	}
	return err
}

// writeReply answers a payment reply exactly as the service encoded it.
func writeReply(w http.ResponseWriter, r *http.Request, reply payment.Reply) {
	if reply.Status >= 400 {
		if info := infoFrom(r); info != nil {
			info.errCode = replyCode(reply.Body)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(reply.Body)))
	w.WriteHeader(reply.Status)
	_, _ = w.Write(reply.Body)
}

// replyCode is the error code of a refusal the service encoded
// (order_already_paid, invalid_state), for the request log.
func replyCode(body []byte) string {
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Error.Code == "" {
		return hawker.ESTATE
	}
	return b.Error.Code
}

// handlePaymentGet answers a payment to its buyer, the team of its order's
// shop and admins (others 404). Stripe's client secret is shown to the
// buyer only.
func handlePaymentGet(pay Payments) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if pay == nil {
			Error(w, r, errPaymentsOff())
			return
		}
		p, o, err := pay.Find(r.Context(), r.PathValue("id"))
		if err == nil && !maySeePayment(a, o) {
			err = hawker.Errorf(hawker.ENOTFOUND, "No such payment.")
		}
		if err != nil {
			Error(w, r, notFound(err, "No such payment."))
			return
		}
		buyer := a.User != nil && a.User.ID == p.BuyerID
		encode(w, http.StatusOK, map[string]any{"payment": p.View(buyer)})
	})
}

// authorizeBody is the JSON body of POST /api/v1/payments/{id}/authorize.
type authorizeBody struct {
	Approve *bool `json:"approve"`
}

// handlePaymentAuthorize completes testpay's 3-D Secure step: the buyer
// approves or refuses. The answer is the payment and its order (200), or
// 409 when the order could no longer be paid: order_already_paid when
// another payment paid it (the approved hold is released), else
// invalid_state.
func handlePaymentAuthorize(pay Payments) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if pay == nil {
			Error(w, r, errPaymentsOff())
			return
		}
		body, err := decode[authorizeBody](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		p, o, err := pay.Find(r.Context(), r.PathValue("id"))
		if err == nil && !maySeePayment(a, o) {
			err = hawker.Errorf(hawker.ENOTFOUND, "No such payment.")
		}
		if err != nil {
			Error(w, r, notFound(err, "No such payment."))
			return
		}
		if a.User == nil || a.User.ID != p.BuyerID {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the payment's buyer authorises it."))
			return
		}
		if body.Approve == nil {
			Error(w, r, hawker.FieldError("approve", "approve is required: true or false"))
			return
		}
		reply, err := pay.CompleteAction(r.Context(), a.User.ID, p.ID, *body.Approve)
		if err != nil {
			Error(w, r, paymentError(err))
			return
		}
		writeReply(w, r, reply)
	})
}

// handlePaymentConfig tells the web app how it can pay: the enabled
// providers and Stripe's publishable key. Public.
func handlePaymentConfig(pay Payments) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{"providers": []string{}}
		if pay != nil {
			out = pay.PublicConfig()
		}
		encode(w, http.StatusOK, out)
	})
}

// handleWebhook takes a provider's webhook. It needs no credentials: the
// signature (with its timestamp) is checked on the raw body before
// anything else is read, and a bad one changes nothing (400
// bad_signature). Each event id is applied once; a replay is a 200 no-op.
func handleWebhook(pay Payments, provider string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pay == nil {
			Error(w, r, errPaymentsOff())
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONContentType(ct) {
			Error(w, r, hawker.Errorf(hawker.EUNSUPPORTED, "The webhook body must be JSON (Content-Type: application/json)."))
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			Error(w, r, decodeError(err))
			return
		}
		res, err := pay.Webhook(r.Context(), provider, raw, r.Header)
		switch c := hawker.ErrorCode(err); c {
		case "":
			encode(w, http.StatusOK, res)
		case payment.EBADSIGNATURE, payment.EAMOUNTMISMATCH:
			// 400 with its own code: the error table maps codes, and these
			// two belong to webhooks alone.
			if info := infoFrom(r); info != nil {
				info.errCode = c
			}
			encode(w, http.StatusBadRequest, errorBody{Error: errorJSON{Code: c, Message: hawker.ErrorMessage(err)}})
		default:
			Error(w, r, err)
		}
	})
}
