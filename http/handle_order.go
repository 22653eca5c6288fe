package hawkerhttp

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"hawker"
	"hawker/inventory"
)

// Checkout is what the order routes need of the inventory engine
// (inventory.Engine implements it). Nil turns the order routes off: they
// answer 503 unavailable.
type Checkout interface {
	// Reserve decides an order request; see inventory.Engine.
	Reserve(ctx context.Context, req inventory.Request) (inventory.Decision, error)
	// Confirm marks a reserved order paid (payments call it between
	// authorising and capturing the money).
	Confirm(ctx context.Context, orderID string) (*hawker.Order, error)
	// Cancel cancels a reserved order (or refunds a paid one).
	Cancel(ctx context.Context, orderID string) (*hawker.Order, error)
	// Stock returns a SKU's stock after expiring its due reservations.
	Stock(ctx context.Context, skuID string) (hawker.Stock, error)
}

// OrderFinder reads orders (the sqlite and postgres stores implement it).
// Nil turns the order routes off like a nil Checkout.
type OrderFinder interface {
	// FindOrder returns the order with its lines, ENOTFOUND if unknown.
	FindOrder(ctx context.Context, id string) (*hawker.Order, error)
}

// IdempotencyHeader carries the client's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

func errCheckoutOff() error {
	return hawker.Errorf(codeUnavailable, "Checkout is not available on this server.")
}

// orderBody is the JSON body of POST /api/v1/orders.
type orderBody struct {
	Market string                    `json:"market"`
	Lines  []hawker.OrderRequestLine `json:"lines"`
	ShowID string                    `json:"show_id"`
	DealID string                    `json:"deal_id"`
}

// handleOrderCreate places an order: a user's credentials, an
// Idempotency-Key and the body. The engine's decision (201 with the order,
// 409 sold_out, limit_exceeded or deal_not_active, or the replay of the
// key's earlier decision) is answered byte for byte as the engine made it;
// refusals before a decision go through Error and are not stored.
func handleOrderCreate(co Checkout, markets hawker.Markets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if co == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		body, err := decode[orderBody](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if a.User == nil {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Orders are placed by users; an API key cannot buy."))
			return
		}
		key := r.Header.Get(IdempotencyHeader)
		if !hawker.ValidIdempotencyKey(key) {
			Error(w, r, hawker.FieldError(IdempotencyHeader, "%s is required: 1-%d printable ASCII characters.", IdempotencyHeader, hawker.MaxIdempotencyKeyLen))
			return
		}
		req := hawker.OrderRequest{
			BuyerID:        a.User.ID,
			IdempotencyKey: key,
			Market:         body.Market,
			Lines:          body.Lines,
			ShowID:         body.ShowID,
			DealID:         body.DealID,
		}
		if err := req.Validate(markets); err != nil {
			Error(w, r, err)
			return
		}
		d, err := co.Reserve(r.Context(), inventory.Request{Order: req})
		if err != nil {
			Error(w, r, reserveError(r.Context(), co, err, &req))
			return
		}
		if d.Code != "" {
			if info := infoFrom(r); info != nil {
				info.errCode = d.Code
			}
		}
		writeDecision(w, d)
	})
}

// writeDecision answers a stored decision exactly as the engine encoded it.
func writeDecision(w http.ResponseWriter, d inventory.Decision) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(d.Body)))
	w.WriteHeader(d.Status)
	_, _ = w.Write(d.Body)
}

// reserveError turns the engine's refusals into answers: a full queue is
// 429 with Retry-After, and an unknown SKU in the body is 422 on its line
// (the path names no SKU, so it is invalid input, not a missing resource).
func reserveError(ctx context.Context, co Checkout, err error, req *hawker.OrderRequest) error {
	switch hawker.ErrorCode(err) {
	case hawker.EBUSY:
		return &retryError{err: hawker.Errorf(hawker.EBUSY, "%s", hawker.ErrorMessage(err)), After: 1}
	case hawker.ENOTFOUND:
		return hawker.FieldError(unknownLine(ctx, co, err, req), "No such SKU.")
	}
	return err
}

// unknownLine names the line whose SKU the engine did not find: the one
// its message names, else the first the engine does not know (a cold path:
// one stock read per line).
func unknownLine(ctx context.Context, co Checkout, err error, req *hawker.OrderRequest) string {
	msg := hawker.ErrorMessage(err)
	for i, l := range req.Lines {
		if strings.Contains(msg, l.SKUID) {
			return "lines[" + strconv.Itoa(i) + "].sku_id"
		}
	}
	if len(req.Lines) == 1 {
		return "lines[0].sku_id"
	}
	for i, l := range req.Lines {
		if _, err := co.Stock(ctx, l.SKUID); hawker.ErrorCode(err) == hawker.ENOTFOUND {
			return "lines[" + strconv.Itoa(i) + "].sku_id"
		}
	}
	return "lines"
}

// orderFor reads an order the actor may see: its buyer, the shop's team,
// admins. Others get ENOTFOUND, as for an unknown id.
func orderFor(r *http.Request, orders OrderFinder, a *hawker.Actor) (*hawker.Order, error) {
	id := r.PathValue("id")
	nf := hawker.Errorf(hawker.ENOTFOUND, "No such order.")
	if !hawker.ValidID(hawker.PrefixOrder, id) {
		return nil, nf
	}
	o, err := orders.FindOrder(r.Context(), id)
	if err != nil {
		return nil, notFound(err, "No such order.")
	}
	if !canSeeOrder(a, o) {
		return nil, nf
	}
	return o, nil
}

func canSeeOrder(a *hawker.Actor, o *hawker.Order) bool {
	return a.User != nil && a.User.ID == o.BuyerID || a.CanSeeShopPrivate(o.ShopID)
}

// handleOrderGet answers an order to its buyer, its shop's team and admins.
// A reservation past pay_by is expired first (the engine does it when it
// reads the order's SKUs), so the answer never shows a stale "reserved".
func handleOrderGet(co Checkout, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if co == nil || orders == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		o, err := orderFor(r, orders, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if o.State == hawker.OrderReserved && !o.PayBy.After(hawker.Now()) {
			for _, id := range o.SKUIDs() {
				if _, err := co.Stock(r.Context(), id); err != nil && hawker.ErrorCode(err) != hawker.ENOTFOUND {
					Error(w, r, err)
					return
				}
			}
			if o, err = orders.FindOrder(r.Context(), o.ID); err != nil {
				Error(w, r, err)
				return
			}
		}
		encode(w, http.StatusOK, map[string]any{"order": o})
	})
}

// handleOrderCancel cancels an order: its buyer while it is unpaid, the
// shop's sellers and admins any time before fulfilment (a paid order is
// refunded). Cancelling a cancelled order answers it unchanged.
func handleOrderCancel(co Checkout, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if co == nil || orders == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		o, err := orderFor(r, orders, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !a.CanManageShop(o.ShopID) {
			if a.User == nil || a.User.ID != o.BuyerID {
				Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the buyer, the shop's sellers and admins may cancel an order."))
				return
			}
			if o.State != hawker.OrderReserved && o.State != hawker.OrderCancelled && o.State != hawker.OrderExpired {
				Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "A paid order is cancelled by the shop; ask the seller."))
				return
			}
		}
		o, err = co.Cancel(r.Context(), o.ID)
		if err != nil {
			if hawker.ErrorCode(err) == hawker.EBUSY {
				err = &retryError{err: hawker.Errorf(hawker.EBUSY, "%s", hawker.ErrorMessage(err)), After: 1}
			}
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"order": o})
	})
}
