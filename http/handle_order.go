package hawkerhttp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
	// Invalidate makes the engine reload the SKU (after a deal of it was
	// made or ended); the version fence keeps it right without.
	Invalidate(skuID string)
}

// OrderFinder reads orders and changes what the inventory engine does not
// decide on: shipping addresses and fulfilment (the sqlite and postgres
// stores implement it). Nil turns the order routes off like a nil
// Checkout.
type OrderFinder interface {
	// FindOrder returns the order with its lines, ENOTFOUND if unknown.
	FindOrder(ctx context.Context, id string) (*hawker.Order, error)
	hawker.OrderStore
}

// IdempotencyHeader carries the client's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

// orderCaller is the caller of an order route that reads or changes
// existing orders: 401 without credentials first, then 503 when checkout
// is off.
func orderCaller(r *http.Request, co Checkout, orders OrderFinder) (*hawker.Actor, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	if co == nil || orders == nil {
		return nil, errCheckoutOff()
	}
	return a, nil
}

func errCheckoutOff() error {
	return hawker.Errorf(codeUnavailable, "Checkout is not available on this server.")
}

// orderBody is the JSON body of POST /api/v1/orders.
type orderBody struct {
	Market          string                    `json:"market"`
	Lines           []hawker.OrderRequestLine `json:"lines"`
	ShowID          string                    `json:"show_id"`
	DealID          string                    `json:"deal_id"`
	ShippingAddress *hawker.Address           `json:"shipping_address"`
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
		placeOrder(w, r, co, markets, a.User.ID, key, body)
	})
}

// placeOrder decides the buyer's order request and answers the decision:
// the public route's last step, and all of the route the other nodes of a
// cluster forward orders to (handleInternalOrder).
func placeOrder(w http.ResponseWriter, r *http.Request, co Checkout, markets hawker.Markets, buyerID, key string, body orderBody) {
	req := hawker.OrderRequest{
		BuyerID:         buyerID,
		IdempotencyKey:  key,
		Market:          body.Market,
		Lines:           body.Lines,
		ShowID:          body.ShowID,
		DealID:          body.DealID,
		ShippingAddress: body.ShippingAddress,
	}
	if err := req.Validate(markets); err != nil {
		Error(w, r, err)
		return
	}
	d, err := co.Reserve(r.Context(), inventory.Request{Order: req})
	var no *inventory.NotOwnerError
	if errors.As(err, &no) {
		// Only a forwarded request meets this (the forwarding Checkout
		// handles it on the public route): one hop only, the lease is
		// moving, the client tries again.
		Error(w, r, &retryError{err: hawker.Errorf(codeUnavailable, "The server deciding this product is changing; try again."), After: 1})
		return
	}
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
		a, err := orderCaller(r, co, orders)
		if err != nil {
			Error(w, r, err)
			return
		}
		o, err := orderFor(r, orders, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		now, err := expireDue(r.Context(), co, orders, []*hawker.Order{o})
		if err != nil {
			Error(w, r, err)
			return
		}
		out := now[0]
		if !(a.User != nil && a.User.ID == out.BuyerID) && !a.CanManageShop(out.ShopID) {
			// The shop's hosts and moderators see what was bought, as in a
			// show's order list, not the buyer's personal data.
			out = hostOrder(out)
		}
		encode(w, http.StatusOK, map[string]any{"order": out})
	})
}

// expireDue returns the orders as they are now: reservations past pay_by
// are expired first (the engine does it when it reads the orders' SKUs;
// the janitor would, a little later), so that no answer shows a stale
// "reserved". The others are returned as they are, without a read.
func expireDue(ctx context.Context, co Checkout, orders OrderFinder, list []*hawker.Order) ([]*hawker.Order, error) {
	now := hawker.Now()
	var due []int
	skus := map[string]bool{}
	for i, o := range list {
		if o.State == hawker.OrderReserved && !o.PayBy.After(now) {
			due = append(due, i)
			for _, id := range o.SKUIDs() {
				skus[id] = true
			}
		}
	}
	if len(due) == 0 {
		return list, nil
	}
	for _, id := range slices.Sorted(maps.Keys(skus)) {
		if _, err := co.Stock(ctx, id); err != nil && hawker.ErrorCode(err) != hawker.ENOTFOUND {
			return nil, err
		}
	}
	out := slices.Clone(list)
	for _, i := range due {
		o, err := orders.FindOrder(ctx, list[i].ID)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// validOrderState reports whether s is one of the order states.
func validOrderState(s hawker.OrderState) bool {
	switch s {
	case hawker.OrderReserved, hawker.OrderPaid, hawker.OrderFulfilled, hawker.OrderCancelled, hawker.OrderExpired, hawker.OrderRefunded:
		return true
	}
	return false
}

// handleOrderList lists orders newest first, filtered by state and show.
// With shop_id it lists that shop's orders, for its sellers and admins
// (off the shop's team the shop is invisible: 404; its hosts and
// moderators get 403); without, an admin lists every order, those who may
// run the show of show_id its orders (its hosts without the buyers'
// personal data, see showOrdersFor), and anyone else their own purchases.
func handleOrderList(co Checkout, orders OrderFinder, store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := orderCaller(r, co, orders)
		if err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixOrder)
		if err != nil {
			Error(w, r, err)
			return
		}
		v := r.URL.Query()
		q := hawker.OrderQuery{Page: p}
		if s := v.Get("state"); s != "" {
			if q.State = hawker.OrderState(s); !validOrderState(q.State) {
				Error(w, r, hawker.FieldError("state", "state must be reserved, paid, fulfilled, cancelled, expired or refunded"))
				return
			}
		}
		if q.ShowID = v.Get("show_id"); q.ShowID != "" && !hawker.ValidID(hawker.PrefixShow, q.ShowID) {
			Error(w, r, hawker.FieldError("show_id", "not a show id"))
			return
		}
		asHost := false // the show's host, not a seller: no personal data
		switch q.ShopID = v.Get("shop_id"); {
		case q.ShopID != "":
			if !hawker.ValidID(hawker.PrefixShop, q.ShopID) || !a.CanSeeShopPrivate(q.ShopID) {
				Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such shop."))
				return
			}
			if !a.CanManageShop(q.ShopID) {
				Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers and admins list its orders."))
				return
			}
			if a.IsAdmin() {
				// Admins see every shop: an unknown one is 404, not an
				// empty list.
				if _, err := findShop(r.Context(), store, q.ShopID); err != nil {
					Error(w, r, err)
					return
				}
			}
		case a.IsAdmin():
		case a.User == nil:
			// An API key buys nothing: it has no purchases.
			encode(w, http.StatusOK, whole([]*hawker.Order{}))
			return
		case q.ShowID != "":
			// Those who may run the show list its orders (see
			// showOrdersFor, handle_sales.go); others their own.
			switch access, err := showOrdersFor(r.Context(), store, a, q.ShowID); {
			case err != nil:
				Error(w, r, err)
				return
			case access == showOrdersOwn:
				q.BuyerID = a.User.ID
			case access == showOrdersHost:
				asHost = true
			}
		default:
			q.BuyerID = a.User.ID
		}
		found, err := orders.FindOrders(r.Context(), q)
		if err != nil {
			Error(w, r, fmt.Errorf("find orders: %w", err))
			return
		}
		// The cursor follows the page as read; expiring a due reservation
		// may then take it out of a list of reserved orders.
		page := pageOf(found, p, func(o *hawker.Order) string { return o.ID })
		items, err := expireDue(r.Context(), co, orders, page.Items)
		if err != nil {
			Error(w, r, err)
			return
		}
		if q.State != "" {
			items = slices.DeleteFunc(items, func(o *hawker.Order) bool { return o.State != q.State })
		}
		page.Items = items
		if asHost {
			page = hostOrders(page)
		}
		encode(w, http.StatusOK, page)
	})
}

// shippingAddressBody is the JSON body of PUT
// /api/v1/orders/{id}/shipping-address.
type shippingAddressBody struct {
	ShippingAddress *hawker.Address `json:"shipping_address"`
}

// handleOrderShippingAddress sets or replaces the shipping address of a
// reserved order: its buyer only (others who see the order get 403). Once
// the order is paid, or its reservation is over, the address is settled:
// 409 invalid_state.
func handleOrderShippingAddress(co Checkout, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := orderCaller(r, co, orders)
		if err != nil {
			Error(w, r, err)
			return
		}
		body, err := decode[shippingAddressBody](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		o, err := orderFor(r, orders, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if a.User == nil || a.User.ID != o.BuyerID {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the buyer sets an order's shipping address."))
			return
		}
		if body.ShippingAddress == nil {
			Error(w, r, hawker.FieldError("shipping_address", "shipping_address is required"))
			return
		}
		if err := body.ShippingAddress.Validate("shipping_address", o.Market); err != nil {
			Error(w, r, err)
			return
		}
		// A due reservation expires first, so that the refusal names the
		// state the order is really in.
		if _, err := expireDue(r.Context(), co, orders, []*hawker.Order{o}); err != nil {
			Error(w, r, err)
			return
		}
		o, err = orders.SetOrderShippingAddress(r.Context(), o.ID, body.ShippingAddress, hawker.Now())
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"order": o})
	})
}

// handleOrderFulfil marks a paid order shipped with its tracking number
// (and carrier): the sellers of its shop and admins. Any other state is
// 409 invalid_state, also when a refund got there first.
func handleOrderFulfil(co Checkout, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := orderCaller(r, co, orders)
		if err != nil {
			Error(w, r, err)
			return
		}
		body, err := decode[hawker.Fulfilment](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		o, err := orderFor(r, orders, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !a.CanManageShop(o.ShopID) {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers and admins fulfil its orders."))
			return
		}
		if err := body.Validate(); err != nil {
			Error(w, r, err)
			return
		}
		o, err = orders.FulfilOrder(r.Context(), o.ID, body, hawker.Now())
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"order": o})
	})
}

// handleOrderCancel cancels an order: its buyer while it is unpaid, the
// shop's sellers and admins any time before fulfilment (a paid order is
// refunded). Cancelling a cancelled order answers it unchanged.
func handleOrderCancel(co Checkout, orders OrderFinder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := orderCaller(r, co, orders)
		if err != nil {
			Error(w, r, err)
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
