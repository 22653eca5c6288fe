package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/inventory"
	"hawker/payment"
	"hawker/payment/stripepay"
	"hawker/payment/testpay"
)

// paymentOptions are serve's payment flags. The Stripe keys are secrets:
// they are never logged, and the environment is the better place for them
// (flags show in ps).
type paymentOptions struct {
	providers         string // comma list: testpay, stripe; "none" or empty: off
	stripeSecretKey   string
	stripeWebhook     string
	stripePublishable string
	stripeAPIURL      string
}

// registerPaymentFlags adds serve's payment flags, their defaults from the
// environment.
func registerPaymentFlags(fs *flag.FlagSet, getenv func(string) string) *paymentOptions {
	o := &paymentOptions{}
	fs.StringVar(&o.providers, "payments", envOr(getenv, "HAWKER_PAYMENTS", testpay.Name), "payment providers, comma-separated: testpay (built-in TEST provider: test cards only, moves no money), stripe; none turns payments off (env HAWKER_PAYMENTS)")
	fs.StringVar(&o.stripeSecretKey, "stripe-secret-key", getenv("HAWKER_STRIPE_SECRET_KEY"), "Stripe secret key (sk_… or a restricted rk_…) for --payments=stripe; never logged (env HAWKER_STRIPE_SECRET_KEY, preferred over the flag)")
	fs.StringVar(&o.stripeWebhook, "stripe-webhook-secret", getenv("HAWKER_STRIPE_WEBHOOK_SECRET"), "signing secret (whsec_…) of the Stripe webhook endpoint /api/v1/webhooks/stripe; without it webhooks are refused; never logged (env HAWKER_STRIPE_WEBHOOK_SECRET)")
	fs.StringVar(&o.stripePublishable, "stripe-publishable-key", getenv("HAWKER_STRIPE_PUBLISHABLE_KEY"), "Stripe publishable key (pk_…) handed to the web app for Stripe.js (env HAWKER_STRIPE_PUBLISHABLE_KEY)")
	fs.StringVar(&o.stripeAPIURL, "stripe-api-url", getenv("HAWKER_STRIPE_API_URL"), "Stripe API address instead of Stripe's own, e.g. a stripe-mock for tests (env HAWKER_STRIPE_API_URL)")
	return o
}

// payments is the running payment service, or none (payments off).
type payments struct {
	svc      *payment.Service // nil when off
	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
}

// startPayments builds the enabled providers and the payment service over
// the store and the inventory engine, and starts its reconcile loop
// (stop it with stop, before the engine and the store close).
func startPayments(ctx context.Context, db hawker.Store, engine inventory.Engine, markets hawker.Markets, log *slog.Logger, o paymentOptions) (*payments, error) {
	names, err := parseProviders(o.providers)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		log.Info("payments off (--payments=none)")
		return &payments{}, nil
	}
	st, ok := db.(payment.Store)
	if !ok {
		return nil, fmt.Errorf("payments: the %T store keeps no payments", db)
	}
	orders, ok := db.(payment.Orders)
	if !ok {
		return nil, fmt.Errorf("payments: the %T store cannot update orders", db)
	}
	var providers []payment.Provider
	for _, name := range names {
		switch name {
		case testpay.Name:
			providers = append(providers, testpay.New())
		case stripepay.Name:
			if o.stripeSecretKey == "" {
				return nil, fmt.Errorf("--payments=stripe needs --stripe-secret-key (or HAWKER_STRIPE_SECRET_KEY)")
			}
			sp, err := stripepay.New(stripepay.Config{
				SecretKey: o.stripeSecretKey, WebhookSecret: o.stripeWebhook, PublishableKey: o.stripePublishable,
				APIURL: o.stripeAPIURL, Markets: markets,
			})
			if err != nil {
				return nil, err
			}
			if o.stripeWebhook == "" {
				log.Warn("payments: no --stripe-webhook-secret: Stripe webhooks are refused, so 3-D Secure payments finish only when the reconcile loop or the buyer's retry does")
			}
			providers = append(providers, sp)
		}
	}
	svc, err := payment.New(payment.Config{Store: st, Orders: orders, Checkout: engine, Providers: providers, Logger: log})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &payments{svc: svc, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		svc.Run(rctx)
	}()
	attrs := []any{"providers", strings.Join(names, ",")}
	if slices.Contains(names, stripepay.Name) {
		// Which Stripe, and whether webhooks can be verified; never a key.
		api := o.stripeAPIURL
		if api == "" {
			api = "stripe"
		}
		attrs = append(attrs, "stripe_api", api, "stripe_webhooks", o.stripeWebhook != "", "stripe_publishable_key", o.stripePublishable != "")
	}
	if slices.Contains(names, testpay.Name) {
		attrs = append(attrs, "testpay", "test cards only, moves no money")
	}
	log.Info("payments ready", attrs...)
	return p, nil
}

// parseProviders reads --payments.
func parseProviders(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	var names []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		switch n {
		case testpay.Name, stripepay.Name:
		default:
			return nil, fmt.Errorf("--payments: unknown provider %q (testpay, stripe, or none)", n)
		}
		if slices.Contains(names, n) {
			return nil, fmt.Errorf("--payments: %s given twice", n)
		}
		names = append(names, n)
	}
	return names, nil
}

// stop ends the reconcile loop and waits for it. Safe to call again.
func (p *payments) stop() {
	p.stopOnce.Do(func() {
		if p.cancel != nil {
			p.cancel()
			<-p.done
		}
	})
}

// api is what the HTTP server gets: nil when payments are off.
func (p *payments) api() hawkerhttp.Payments {
	if p.svc == nil {
		return nil
	}
	return p.svc
}

// checkout wraps the engine for the HTTP server so that a seller's cancel
// of a paid order (refunded) starts its refund at once rather than on the
// reconcile loop's next tick.
func (p *payments) checkout(engine inventory.Engine) hawkerhttp.Checkout {
	if p.svc == nil {
		return engine
	}
	return refundNudger{Engine: engine, pay: p.svc}
}

type refundNudger struct {
	inventory.Engine
	pay *payment.Service
}

func (c refundNudger) Cancel(ctx context.Context, orderID string) (*hawker.Order, error) {
	o, err := c.Engine.Cancel(ctx, orderID)
	if err == nil && o.State == hawker.OrderRefunded {
		c.pay.Nudge()
	}
	return o, err
}
