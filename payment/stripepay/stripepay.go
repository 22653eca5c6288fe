// Package stripepay is hawker's Stripe provider: PaymentIntents with
// manual capture (authorise, then capture or cancel), refunds, and signed
// webhooks, through the official stripe-go SDK. Only this package imports
// it.
//
// The buyer's browser makes the PaymentMethod with Stripe.js (the card
// never reaches hawker) and sends its id (pm_…); hawker creates and
// confirms the PaymentIntent with it. When the bank wants 3-D Secure the
// payment answers next_action "stripe_sdk" with the client secret, the
// browser completes it with Stripe.js, and the
// payment_intent.amount_capturable_updated webhook tells hawker the money
// is held.
package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"hawker"
	"hawker/payment"
)

// Name is the provider's name.
const Name = "stripe"

// NextAction is the next_action type of a payment waiting for Stripe.js.
const NextAction = "stripe_sdk"

// SignatureHeader carries a webhook's signature.
const SignatureHeader = "Stripe-Signature"

// Config sets up the provider.
type Config struct {
	// SecretKey is the API key (sk_…, or rk_… restricted to
	// PaymentIntents and Refunds). Required.
	SecretKey string
	// WebhookSecret is the signing secret of the webhook endpoint
	// (whsec_…); empty refuses every webhook.
	WebhookSecret string
	// PublishableKey (pk_…) is handed to the web app for Stripe.js.
	PublishableKey string
	// APIURL replaces Stripe's API address (stripe-mock in tests).
	APIURL string
	// Markets give each currency's minor units as hawker counts them.
	Markets hawker.Markets
	// Tolerance is how old a webhook's signed timestamp may be
	// (webhook.DefaultTolerance, 5 minutes, when 0).
	Tolerance time.Duration
	// MaxNetworkRetries is how often the SDK retries a failed request
	// (with the same idempotency key); nil means the SDK's default.
	MaxNetworkRetries *int64
	HTTPClient        *http.Client
}

// Provider is the Stripe provider.
type Provider struct {
	cfg    Config
	client *stripe.Client
	minor  map[string]int // currency → hawker's minor units
}

var (
	_ payment.Provider      = (*Provider)(nil)
	_ payment.WebhookParser = (*Provider)(nil)
	_ payment.Configurer    = (*Provider)(nil)
)

// New returns the provider.
func New(cfg Config) (*Provider, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripepay: a secret key is required")
	}
	if cfg.Markets == nil {
		return nil, errors.New("stripepay: markets are required")
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	bc := &stripe.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// The SDK logs nothing of its own: errors come back to the
		// Service, which logs them without secrets.
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: cfg.MaxNetworkRetries,
	}
	if cfg.APIURL != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIURL, "/"))
	}
	p := &Provider{
		cfg:    cfg,
		client: stripe.NewClient(cfg.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		minor:  map[string]int{},
	}
	for _, m := range cfg.Markets.All() {
		p.minor[m.Currency] = m.MinorUnits
	}
	return p, nil
}

// Name implements payment.Provider.
func (*Provider) Name() string { return Name }

// PublicConfig implements payment.Configurer.
func (p *Provider) PublicConfig() map[string]string {
	if p.cfg.PublishableKey == "" {
		return nil
	}
	return map[string]string{"stripe_publishable_key": p.cfg.PublishableKey}
}

// MaxPaymentMethodLen bounds a payment method id.
const MaxPaymentMethodLen = 255

// Validate implements payment.Provider: a PaymentMethod id (pm_…, made by
// Stripe.js in the buyer's browser), never a card number.
func (*Provider) Validate(m payment.Method) error {
	if m.CardNumber != "" {
		return hawker.FieldError("card_number", "Stripe payments take a payment_method made by Stripe.js, never a card number")
	}
	pm := m.PaymentMethod
	if !strings.HasPrefix(pm, "pm_") || len(pm) < 4 || len(pm) > MaxPaymentMethodLen {
		return hawker.FieldError("payment_method", "payment_method must be a Stripe PaymentMethod id (pm_…)")
	}
	for i := 0; i < len(pm); i++ {
		c := pm[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return hawker.FieldError("payment_method", "payment_method must be a Stripe PaymentMethod id (pm_…)")
		}
	}
	return nil
}

// Authorize implements payment.Provider: a PaymentIntent for the amount,
// confirmed at once with the buyer's PaymentMethod, captured later.
func (p *Provider) Authorize(ctx context.Context, req payment.AuthorizeRequest) (*payment.Result, error) {
	amount, err := p.toStripe(req.Amount)
	if err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentCreateParams{
		Amount:        stripe.Int64(amount),
		Currency:      stripe.String(strings.ToLower(req.Amount.Currency)),
		CaptureMethod: stripe.String(string(stripe.PaymentIntentCaptureMethodManual)),
		Confirm:       stripe.Bool(true),
		PaymentMethod: stripe.String(req.Method.PaymentMethod),
		// Cards only: other methods may redirect the buyer away, which
		// this flow (answer in the same request, 3-D Secure in place)
		// does not do.
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
	}
	params.AddMetadata("order_id", req.OrderID)
	params.AddMetadata("payment_id", req.PaymentID)
	params.SetIdempotencyKey(req.IdempotencyKey)
	pi, err := p.client.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) {
			switch {
			case se.Type == stripe.ErrorTypeCard:
				// A decline: Stripe answers 402 with the PaymentIntent.
				r := &payment.Result{State: payment.AuthFailed, FailureCode: failureCode(se)}
				if se.PaymentIntent != nil {
					r.Ref = se.PaymentIntent.ID
				}
				return r, nil
			case se.Type == stripe.ErrorTypeInvalidRequest && se.Param == "payment_method":
				return nil, hawker.FieldError("payment_method", "Stripe does not know this payment_method (%s)", se.Code)
			}
		}
		return nil, p.apiError("create PaymentIntent", err)
	}
	return intentResult(pi), nil
}

// apiError is a failed API call. Its text never holds a secret: an API
// (stripe-mock, a proxy, a future Stripe message) may echo the
// Authorization header back, and the Service logs these errors.
type apiError struct {
	op, msg string
	err     error
}

func (e *apiError) Error() string { return "stripepay: " + e.op + ": " + e.msg }
func (e *apiError) Unwrap() error { return e.err }

func (p *Provider) apiError(op string, err error) error {
	msg := err.Error()
	for _, secret := range []string{p.cfg.SecretKey, p.cfg.WebhookSecret} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
		}
	}
	return &apiError{op: op, msg: msg, err: err}
}

// intentResult maps a PaymentIntent's status.
func intentResult(pi *stripe.PaymentIntent) *payment.Result {
	r := &payment.Result{Ref: pi.ID}
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresCapture, stripe.PaymentIntentStatusSucceeded:
		// succeeded cannot happen with manual capture; if it does, the
		// capture that follows finds it captured.
		r.State = payment.AuthAuthorized
	case stripe.PaymentIntentStatusRequiresAction:
		r.State, r.NextAction, r.ClientSecret = payment.AuthRequiresAction, NextAction, pi.ClientSecret
	case stripe.PaymentIntentStatusProcessing:
		r.State = payment.AuthPending
	default: // requires_payment_method (declined), requires_confirmation, canceled
		r.State, r.FailureCode = payment.AuthFailed, "card_declined"
		if pi.LastPaymentError != nil {
			r.FailureCode = failureCode(pi.LastPaymentError)
		}
		if pi.Status == stripe.PaymentIntentStatusCanceled {
			r.FailureCode = "canceled"
		}
	}
	return r
}

// failureCode is the most specific reason Stripe gives.
func failureCode(e *stripe.Error) string {
	switch {
	case e.DeclineCode != "":
		return string(e.DeclineCode)
	case e.Code != "":
		return string(e.Code)
	}
	return "card_declined"
}

// Capture implements payment.Provider.
func (p *Provider) Capture(ctx context.Context, ref, key string) error {
	params := &stripe.PaymentIntentCaptureParams{}
	params.SetIdempotencyKey(key)
	_, err := p.client.V1PaymentIntents.Capture(ctx, ref, params)
	if err != nil && p.unexpectedState(ctx, err, ref, stripe.PaymentIntentStatusSucceeded) {
		return nil // captured before (our earlier call, its answer lost)
	}
	if err != nil {
		return p.apiError("capture "+ref, err)
	}
	return nil
}

// Void implements payment.Provider: the PaymentIntent is canceled.
func (p *Provider) Void(ctx context.Context, ref, key string) error {
	if ref == "" {
		return nil // the provider never answered: nothing is held
	}
	params := &stripe.PaymentIntentCancelParams{}
	params.SetIdempotencyKey(key)
	_, err := p.client.V1PaymentIntents.Cancel(ctx, ref, params)
	if err != nil && p.unexpectedState(ctx, err, ref, stripe.PaymentIntentStatusCanceled) {
		return nil
	}
	if err != nil {
		return p.apiError("cancel "+ref, err)
	}
	return nil
}

// unexpectedState reports whether err says the PaymentIntent is not in a
// state for the call, and it is in the state want already.
func (p *Provider) unexpectedState(ctx context.Context, err error, ref string, want stripe.PaymentIntentStatus) bool {
	var se *stripe.Error
	if !errors.As(err, &se) || se.Code != stripe.ErrorCodePaymentIntentUnexpectedState {
		return false
	}
	pi, gerr := p.client.V1PaymentIntents.Retrieve(ctx, ref, nil)
	return gerr == nil && pi.Status == want
}

// Refund implements payment.Provider: the whole PaymentIntent. The
// idempotency key makes a retry the same refund for 24 hours; after that
// Stripe refuses a second full refund (charge_already_refunded), which is
// the refund being done.
func (p *Provider) Refund(ctx context.Context, ref string, amount hawker.Money, key string) error {
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String(ref)}
	params.SetIdempotencyKey(key)
	_, err := p.client.V1Refunds.Create(ctx, params)
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodeChargeAlreadyRefunded {
		return nil
	}
	if err != nil {
		return p.apiError("refund "+ref, err)
	}
	return nil
}

// ParseWebhook implements payment.WebhookParser: the signature and its
// timestamp are checked by stripe-go's webhook package before anything of
// the payload is read.
func (p *Provider) ParseWebhook(payload []byte, header http.Header) (*payment.Event, error) {
	if p.cfg.WebhookSecret == "" {
		return nil, payment.ErrBadSignature
	}
	if err := webhook.ValidatePayloadWithTolerance(payload, header.Get(SignatureHeader), p.cfg.WebhookSecret, p.cfg.Tolerance); err != nil {
		return nil, payment.ErrBadSignature
	}
	var ev struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Data   struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil || ev.ID == "" || ev.Object != "event" {
		return nil, hawker.Errorf(hawker.EBADREQUEST, "The webhook payload is not a Stripe event.")
	}
	out := &payment.Event{ID: ev.ID, Type: ev.Type}
	switch ev.Type {
	case "payment_intent.amount_capturable_updated", "payment_intent.succeeded", "payment_intent.payment_failed":
		var pi struct {
			ID               string            `json:"id"`
			Amount           int64             `json:"amount"`
			Currency         string            `json:"currency"`
			Status           string            `json:"status"`
			Metadata         map[string]string `json:"metadata"`
			LastPaymentError *stripe.Error     `json:"last_payment_error"`
		}
		if err := json.Unmarshal(ev.Data.Object, &pi); err != nil || pi.ID == "" {
			return nil, hawker.Errorf(hawker.EBADREQUEST, "The webhook's PaymentIntent is malformed.")
		}
		out.Ref, out.PaymentID = pi.ID, pi.Metadata["payment_id"]
		out.Amount = p.fromStripe(pi.Amount, pi.Currency)
		switch ev.Type {
		case "payment_intent.amount_capturable_updated":
			if pi.Status == string(stripe.PaymentIntentStatusRequiresCapture) {
				out.Kind = payment.EventAuthorized
			}
		case "payment_intent.succeeded":
			out.Kind = payment.EventCaptured
		default:
			out.Kind, out.FailureCode = payment.EventFailed, "card_declined"
			if pi.LastPaymentError != nil {
				out.FailureCode = failureCode(pi.LastPaymentError)
			}
		}
	case "charge.refunded":
		var ch struct {
			Amount         int64             `json:"amount"`
			AmountRefunded int64             `json:"amount_refunded"`
			Currency       string            `json:"currency"`
			Refunded       bool              `json:"refunded"`
			PaymentIntent  json.RawMessage   `json:"payment_intent"`
			Metadata       map[string]string `json:"metadata"`
		}
		if err := json.Unmarshal(ev.Data.Object, &ch); err != nil {
			return nil, hawker.Errorf(hawker.EBADREQUEST, "The webhook's Charge is malformed.")
		}
		out.Kind, out.Ref = payment.EventRefunded, idOf(ch.PaymentIntent)
		out.PaymentID = ch.Metadata["payment_id"]
		out.Amount = p.fromStripe(ch.Amount, ch.Currency)
		out.Full = ch.Refunded || ch.AmountRefunded >= ch.Amount
	}
	return out, nil
}

// idOf reads an expandable field: an id, or an object with one.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

// Stripe's currency rules (docs.stripe.com/currencies): amounts are in
// the currency's smallest unit as Stripe counts it, which is not always
// hawker's (CLDR's) count.
var (
	// zeroDecimal currencies are charged in whole units.
	zeroDecimal = set("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF")
	// threeDecimal currencies take three decimals, the last one 0.
	threeDecimal = set("BHD", "JOD", "KWD", "OMR", "TND")
	// wholeTwoDecimal currencies are two-decimal in the API but must be
	// charged in whole units (a multiple of 100).
	wholeTwoDecimal = set("ISK")
)

func set(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Exponent is the number of decimals Stripe's amounts have in the
// currency. IDR, for one, has no minor unit in hawker's markets, but
// Stripe counts it with two.
func Exponent(currency string) int {
	switch {
	case zeroDecimal[currency]:
		return 0
	case threeDecimal[currency]:
		return 3
	}
	return 2
}

// ToStripe converts an amount in minor units with hawker's minorUnits
// decimals to Stripe's amount. EINVALID (field provider) when Stripe
// cannot charge it exactly: hawker never charges another amount than the
// order's total.
func ToStripe(m hawker.Money, minorUnits int) (int64, error) {
	cur := strings.ToUpper(m.Currency)
	exp := Exponent(cur)
	amount := m.Amount
	if amount < 0 {
		return 0, hawker.FieldError("provider", "a negative amount cannot be charged")
	}
	switch d := exp - minorUnits; {
	case d > 0:
		f := pow10(d)
		if amount > math.MaxInt64/f {
			return 0, hawker.FieldError("provider", "%d %s is too large for Stripe", m.Amount, cur)
		}
		amount *= f
	case d < 0:
		f := pow10(-d)
		if amount%f != 0 {
			return 0, hawker.FieldError("provider", "Stripe charges %s with %d decimals; %d (with %d) cannot be charged exactly", cur, exp, m.Amount, minorUnits)
		}
		amount /= f
	}
	if threeDecimal[cur] && amount%10 != 0 {
		return 0, hawker.FieldError("provider", "Stripe charges %s only in multiples of 10 of its smallest unit", cur)
	}
	if wholeTwoDecimal[cur] && amount%100 != 0 {
		return 0, hawker.FieldError("provider", "Stripe charges %s only in whole units", cur)
	}
	return amount, nil
}

// FromStripe converts Stripe's amount back to hawker's minor units; ok is
// false when it has a fraction hawker cannot count.
func FromStripe(amount int64, currency string, minorUnits int) (hawker.Money, bool) {
	cur := strings.ToUpper(currency)
	m := hawker.Money{Amount: amount, Currency: cur}
	switch d := Exponent(cur) - minorUnits; {
	case d > 0:
		f := pow10(d)
		if amount%f != 0 {
			return m, false
		}
		m.Amount = amount / f
	case d < 0:
		f := pow10(-d)
		if amount > math.MaxInt64/f {
			return m, false
		}
		m.Amount = amount * f
	}
	return m, true
}

func pow10(n int) int64 {
	f := int64(1)
	for range n {
		f *= 10
	}
	return f
}

func (p *Provider) minorUnits(currency string) (int, error) {
	n, ok := p.minor[strings.ToUpper(currency)]
	if !ok {
		return 0, hawker.FieldError("provider", "no market uses %s", currency)
	}
	return n, nil
}

func (p *Provider) toStripe(m hawker.Money) (int64, error) {
	n, err := p.minorUnits(m.Currency)
	if err != nil {
		return 0, err
	}
	return ToStripe(m, n)
}

// fromStripe converts an event's amount; a currency no market uses, or an
// amount hawker cannot count, comes back negative so that it matches no
// payment.
func (p *Provider) fromStripe(amount int64, currency string) hawker.Money {
	n, err := p.minorUnits(currency)
	if err != nil {
		return hawker.Money{Amount: -1, Currency: strings.ToUpper(currency)}
	}
	m, ok := FromStripe(amount, currency, n)
	if !ok {
		m.Amount = -1
	}
	return m
}
