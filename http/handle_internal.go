package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hawker"
	"hawker/internal/secret"
	"hawker/inventory"
)

// Forwarding between the nodes of a cluster (several hawker processes on
// one PostgreSQL database, sharing Config.ClusterSecret). The inventory
// engine has one node decide each SKU (inventory.Leaser); a node asked to
// reserve a SKU another node decides gets inventory.NotOwnerError and
// forwards the request, already authenticated and validated, to that
// node's POST /internal/v1/orders. The owner decides, stores and replays
// as for its own buyers; the forwarding node relays its answer (the
// decisions 201 and 409 byte for byte). One hop only: a forwarded request
// that meets NotOwnerError again is answered 503 with Retry-After.
//
// The internal route is not public API: it is left out of the OpenAPI
// document and of Server.Routes.

// InternalOrdersPath is the route the nodes of a cluster forward orders to.
const InternalOrdersPath = "/internal/v1/orders"

// Limits of forwarding.
const (
	// forwardTimeout bounds one forwarded request, answer included.
	forwardTimeout = 5 * time.Second
	// forwardConns is how many idle keep-alive connections are kept per
	// peer.
	forwardConns = 64
	// ownerGoneRetry is the Retry-After (seconds) when the owner cannot
	// be reached: its lease runs out within the lease ttl (10 s by
	// default) and another node takes over.
	ownerGoneRetry = 2
)

// internalOrderBody is the JSON body of POST /internal/v1/orders: an order
// request that another node authenticated (the buyer) and validated.
type internalOrderBody struct {
	BuyerID        string    `json:"buyer_id"`
	IdempotencyKey string    `json:"idempotency_key"`
	Order          orderBody `json:"order"`
}

// clusterAuthorized reports whether the request carries the cluster
// secret as its bearer token (compared in constant time).
func clusterAuthorized(r *http.Request, clusterSecret string) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && secret.Equal(strings.TrimSpace(token), clusterSecret)
}

// handleInternalOrder decides an order forwarded by another node of the
// cluster. Without a cluster secret the route does not exist (404); a
// missing or wrong secret is 401. The answer is the public route's.
func handleInternalOrder(co Checkout, markets hawker.Markets, clusterSecret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if clusterSecret == "" {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such resource: %s.", r.URL.Path))
			return
		}
		if !clusterAuthorized(r, clusterSecret) {
			Error(w, r, hawker.Errorf(hawker.EUNAUTHENTICATED, "Internal routes need the cluster secret."))
			return
		}
		if co == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		body, err := decode[internalOrderBody](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !hawker.ValidID(hawker.PrefixUser, body.BuyerID) {
			Error(w, r, hawker.FieldError("buyer_id", "A user id is required."))
			return
		}
		if !hawker.ValidIdempotencyKey(body.IdempotencyKey) {
			Error(w, r, hawker.FieldError("idempotency_key", "1-%d printable ASCII characters are required.", hawker.MaxIdempotencyKeyLen))
			return
		}
		placeOrder(w, r, co, markets, body.BuyerID, body.IdempotencyKey, body.Order)
	})
}

// forwarder is a Checkout whose Reserve sends the requests another node
// decides to that node.
type forwarder struct {
	Checkout
	secret string
	client *http.Client
	logger *slog.Logger
}

// forwarding wraps co for the public order route: with a cluster secret,
// reserve requests answered inventory.NotOwnerError are forwarded. A nil
// co stays nil; without a secret co is returned as is.
func forwarding(co Checkout, clusterSecret string, logger *slog.Logger) Checkout {
	if co == nil || clusterSecret == "" {
		return co
	}
	return &forwarder{
		Checkout: co,
		secret:   clusterSecret,
		logger:   logger,
		client: &http.Client{
			Timeout: forwardTimeout,
			Transport: &http.Transport{
				Proxy:               nil, // peers are reached directly
				MaxIdleConns:        forwardConns * 4,
				MaxIdleConnsPerHost: forwardConns,
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: forwardTimeout,
				ForceAttemptHTTP2:   true,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Reserve implements Checkout: the engine's decision, or the owner's.
func (f *forwarder) Reserve(ctx context.Context, req inventory.Request) (inventory.Decision, error) {
	d, err := f.Checkout.Reserve(ctx, req)
	var no *inventory.NotOwnerError
	if !errors.As(err, &no) {
		return d, err
	}
	return f.forward(ctx, no, &req.Order)
}

// forward sends the request to the owner and returns its answer: a
// decision (201, 409) as it is, any other answer as the error it encodes
// (Error writes it again with the same bytes).
func (f *forwarder) forward(ctx context.Context, no *inventory.NotOwnerError, req *hawker.OrderRequest) (inventory.Decision, error) {
	gone := &retryError{err: hawker.Errorf(codeUnavailable, "The server deciding this product cannot be reached; try again shortly."), After: ownerGoneRetry}
	if no.Addr == "" {
		return inventory.Decision{}, gone
	}
	raw, err := json.Marshal(internalOrderBody{
		BuyerID:        req.BuyerID,
		IdempotencyKey: req.IdempotencyKey,
		Order: orderBody{Market: req.Market, Lines: req.Lines, ShowID: req.ShowID, DealID: req.DealID,
			ShippingAddress: req.ShippingAddress},
	})
	if err != nil {
		return inventory.Decision{}, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(no.Addr, "/")+InternalOrdersPath, bytes.NewReader(raw))
	if err != nil {
		f.logger.Warn("cluster: bad owner address", "sku", no.SKU, "addr", no.Addr, "err", err)
		return inventory.Decision{}, gone
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+f.secret)
	resp, err := f.client.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return inventory.Decision{}, ctx.Err()
		}
		f.logger.Warn("cluster: owner unreachable", "sku", no.SKU, "addr", no.Addr, "err", err)
		return inventory.Decision{}, gone
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
	if err != nil {
		f.logger.Warn("cluster: owner's answer cut", "sku", no.SKU, "addr", no.Addr, "err", err)
		return inventory.Decision{}, gone
	}
	var eb errorBody
	jerr := json.Unmarshal(body, &eb)
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusNotFound:
		// The peer has another cluster secret, or none: a misconfigured
		// cluster, not the buyer's business.
		f.logger.Error("cluster: the owner refused the forwarded order; check that every node has the same --cluster-secret",
			"sku", no.SKU, "addr", no.Addr, "status", resp.StatusCode)
		return inventory.Decision{}, gone
	case inventory.StatusCreated:
		return inventory.Decision{Status: resp.StatusCode, Body: body}, nil
	case inventory.StatusConflict:
		return inventory.Decision{Status: resp.StatusCode, Code: eb.Error.Code, Body: body}, nil
	}
	if jerr != nil || eb.Error.Code == "" {
		f.logger.Warn("cluster: owner answered no JSON error", "sku", no.SKU, "addr", no.Addr, "status", resp.StatusCode)
		return inventory.Decision{}, gone
	}
	he := &hawker.Error{Code: eb.Error.Code, Message: eb.Error.Message, Field: eb.Error.Field}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		return inventory.Decision{}, &retryError{err: he, After: s}
	}
	return inventory.Decision{}, he
}
