package hawkerhttp

import (
	"context"
	"fmt"
	"net/http"

	"hawker"
)

// A show's orders are for those who may run the show (see canRunShow): its
// host and co-hosts, the shop's hosts and sellers, admins. Its moderators,
// the shop's moderators and everyone else see only their own purchases.
// The shop's sellers and admins see the orders whole; the show's hosts
// and co-hosts who do not sell for the shop see them without the buyer's
// personal data (see hostOrder).

// showOrderAccess is what a caller may list of one show's orders.
type showOrderAccess int

const (
	showOrdersOwn  showOrderAccess = iota // own purchases only
	showOrdersHost                        // every order of the show, as hostOrder
	showOrdersShop                        // every order of the show, whole
)

// showOrdersFor tells what the actor may list of the show's orders. An
// unknown show, or one the actor may not see, leaves the actor's own
// purchases (no error: a list filtered by an unknown show is empty).
func showOrdersFor(ctx context.Context, store hawker.Store, a *hawker.Actor, showID string) (showOrderAccess, error) {
	sh, err := store.FindShowByID(ctx, showID)
	switch {
	case hawker.ErrorCode(err) == hawker.ENOTFOUND:
		return showOrdersOwn, nil
	case err != nil:
		return showOrdersOwn, fmt.Errorf("find show %s: %w", showID, err)
	case !canRunShow(a, sh):
		return showOrdersOwn, nil
	case a.CanManageShop(sh.ShopID):
		return showOrdersShop, nil
	}
	return showOrdersHost, nil
}

// hostOrder is an order as a show's host sees it: what was bought, for how
// much and when, without the buyer's personal data (the shipping address,
// and the tracking number and carrier, which lead to it). The buyer id
// stays: it is opaque, and it tells repeat buyers apart.
func hostOrder(o *hawker.Order) *hawker.Order {
	c := *o
	c.ShippingAddress = nil
	c.TrackingNumber, c.Carrier = "", ""
	return &c
}

// hostOrders turns a page of orders into hostOrders.
func hostOrders(page list[*hawker.Order]) list[*hawker.Order] {
	items := make([]*hawker.Order, len(page.Items))
	for i, o := range page.Items {
		items[i] = hostOrder(o)
	}
	page.Items = items
	return page
}

// salesBody is the answer of GET /api/v1/shows/{id}/sales.
type salesBody struct {
	ShowID string `json:"show_id"`
	Orders int64  `json:"orders"`
	Units  int64  `json:"units"`
	// GMV is in the currency of the show's first market;
	// GMVByCurrency holds every currency the show sold in.
	GMV           hawker.Money                `json:"gmv"`
	GMVByCurrency []hawker.Money              `json:"gmv_by_currency"`
	ByState       map[hawker.OrderState]int64 `json:"by_state"`
}

// noCurrency is ISO 4217's code for "no currency": the GMV of a show whose
// market is no longer configured and that sold nothing.
const noCurrency = "XXX"

func newSalesBody(sh *hawker.Show, s *hawker.ShowSales, markets hawker.Markets) salesBody {
	b := salesBody{ShowID: sh.ID, Orders: s.Orders, Units: s.Units, GMVByCurrency: s.GMV, ByState: s.ByState}
	b.GMV.Currency = noCurrency
	if len(sh.Markets) > 0 {
		if m, ok := markets.Market(sh.Markets[0]); ok {
			b.GMV.Currency = m.Currency
		}
	}
	if b.GMV.Currency == noCurrency && len(s.GMV) > 0 {
		b.GMV.Currency = s.GMV[0].Currency
	}
	for _, g := range s.GMV {
		if g.Currency == b.GMV.Currency {
			b.GMV.Amount = g.Amount
		}
	}
	return b
}

// handleShowSales sums up the show's sales for those who may run it:
// running reservations and paid and fulfilled orders (see
// hawker.ShowSales), counted in one read, so that the studio need not
// page through the orders. 503 when the store cannot sum up orders (or
// checkout is off).
func handleShowSales(store hawker.Store, markets hawker.Markets, orders OrderFinder) http.Handler {
	sales, _ := orders.(hawker.SalesStore)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := requireActor(r); err != nil {
			Error(w, r, err)
			return
		}
		if sales == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		s, err := sales.ShowSales(r.Context(), sh.ID, hawker.Now())
		if err != nil {
			Error(w, r, fmt.Errorf("show sales %s: %w", sh.ID, err))
			return
		}
		encode(w, http.StatusOK, map[string]any{"sales": newSalesBody(sh, s, markets)})
	})
}
