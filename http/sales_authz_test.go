package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"hawker"
)

// salesOrder places an order of quantity units of the SKU in the show as
// the token's user, in the market, with the address when not nil, and
// returns it as the create answer has it.
func salesOrder(t *testing.T, f *fixture, token, showID, skuID, market string, quantity int, addr any) hawker.Order {
	t.Helper()
	body := map[string]any{"market": market, "show_id": showID,
		"lines": []any{map[string]any{"sku_id": skuID, "quantity": quantity}}}
	if addr != nil {
		body["shipping_address"] = addr
	}
	resp, b := f.buy(t, token, "sales-"+oaUnique(), body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("place order in %s: status %d: %s", showID, resp.StatusCode, b)
	}
	return decodeOrder(t, b)
}

// salesOf reads the show's sales as the token's caller.
func salesOf(t *testing.T, f *fixture, token, showID string) salesBody {
	t.Helper()
	var out struct{ Sales salesBody }
	f.mustJSON(t, "GET", "/api/v1/shows/"+showID+"/sales", token, nil, http.StatusOK, &out)
	return out.Sales
}

// showOrders lists the show's orders as the token's caller (one page) and
// returns the raw items too, to see which fields are there at all.
func showOrders(t *testing.T, f *fixture, token, showID string) ([]hawker.Order, []map[string]any) {
	t.Helper()
	b := f.must(t, "GET", "/api/v1/orders?limit=200&show_id="+showID, token, nil, http.StatusOK)
	var typed struct{ Items []hawker.Order }
	var raw struct{ Items []map[string]any }
	if err := json.Unmarshal(b, &typed); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return typed.Items, raw.Items
}

// personal are the fields of an order a show's host (not a seller) must
// not get.
var personal = []string{"shipping_address", "tracking_number", "carrier"}

// authzSalesRows are the matrix rows of the show's sales, and of its
// orders (GET /api/v1/orders?show_id=): for those who may run the show
// (its host and co-hosts, the shop's hosts and sellers, admins). Others
// get 403 on a public show and 404 on a rehearsal from the sales; from the
// list they get their own purchases. The shop's hosts see the orders
// without the buyers' personal data.
func authzSalesRows() []authzRow {
	const (
		ok             = http.StatusOK
		unauth, forbid = http.StatusUnauthorized, http.StatusForbidden
		nf             = http.StatusNotFound
	)
	sales := func(state hawker.ShowState) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			id := authzFreshShow(t, f, state)
			_, sku := authzFreshProduct(t, f)
			salesOrder(t, f, f.BuyerToken, id, sku, "US", 1, nil)
			return authzReq{path: "/api/v1/shows/" + id + "/sales"}
		}
	}
	checkSales := func(t *testing.T, role int, body []byte) {
		var out struct{ Sales salesBody }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if s := out.Sales; s.Orders != 1 || s.Units != 1 || s.GMV.Currency != "USD" || s.GMV.Amount <= 0 || s.ByState[hawker.OrderReserved] != 1 {
			t.Errorf("%s reads sales %+v, want one reserved order of one unit in USD", authzRoleNames[role], s)
		}
	}
	// The buyer places the order (with an address); whoever else lists it
	// sees it all (sellerA, admin), without personal data (hostA), or not
	// at all (sellerB).
	return []authzRow{
		{route: "GET /api/v1/shows/{id}/sales", want: [authzNumRoles]int{unauth, forbid, ok, forbid, ok, ok},
			prepare: sales(hawker.ShowLive), check: checkSales},
		{route: "GET /api/v1/shows/{id}/sales", variant: "rehearsal", want: [authzNumRoles]int{unauth, nf, ok, nf, ok, ok},
			prepare: sales(hawker.ShowRehearsal), check: checkSales},
		{route: "GET /api/v1/orders", variant: "show of shop A", want: [authzNumRoles]int{unauth, ok, ok, ok, ok, ok},
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				id := authzFreshShow(t, f, hawker.ShowLive)
				_, sku := authzFreshProduct(t, f)
				salesOrder(t, f, f.BuyerToken, id, sku, "US", 1, usAddress())
				return authzReq{path: "/api/v1/orders?show_id=" + id}
			},
			check: func(t *testing.T, role int, body []byte) {
				var raw struct{ Items []map[string]any }
				if err := json.Unmarshal(body, &raw); err != nil {
					t.Fatalf("decode: %v", err)
				}
				if role == authzSellerB {
					if len(raw.Items) != 0 {
						t.Errorf("sellerB lists %d orders of shop A's show", len(raw.Items))
					}
					return
				}
				if len(raw.Items) != 1 {
					t.Fatalf("%s lists %d orders of the show, want 1: %s", authzRoleNames[role], len(raw.Items), body)
				}
				o := raw.Items[0]
				for _, k := range []string{"id", "state", "market", "lines", "total", "created_at"} {
					if o[k] == nil {
						t.Errorf("%s: order without %s: %v", authzRoleNames[role], k, o)
					}
				}
				_, hasAddr := o["shipping_address"]
				if want := role != authzHostA; hasAddr != want {
					t.Errorf("%s: shipping_address present %v, want %v", authzRoleNames[role], hasAddr, want)
				}
			}},
	}
}

// Callers of the show's own team for the sales routes: users off the
// shop's team whose only tie to the show is its team.
var salesTeamRoles = []string{"cohost", "moderator", "removed cohost", "cohost of another show"}

// TestShowSalesTeam is the show team × sales matrix: a co-host runs the
// show, so it reads the sales and lists the show's orders (without the
// buyers' personal data); a moderator, a co-host taken off the team, or
// one of another show, gets 403 from the sales and lists only its own
// purchases.
func TestShowSalesTeam(t *testing.T) {
	f := newFixture(t)
	for i, name := range salesTeamRoles {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			user, token := f.signup(t, "sales-team-"+oaUnique()+"@example.com", "Team "+name)
			id := authzFreshShow(t, f, hawker.ShowLive)
			switch i {
			case 0:
				teamPut(t, f, id, user, hawker.ShowCohost)
			case 1:
				teamPut(t, f, id, user, hawker.ShowModerator)
			case 2:
				f.must(t, "PUT", "/api/v1/shows/"+id+"/team/"+user, f.SellerAToken, map[string]any{"role": "cohost"}, http.StatusOK)
				f.must(t, "DELETE", "/api/v1/shows/"+id+"/team/"+user, f.SellerAToken, nil, http.StatusNoContent)
			case 3:
				teamPut(t, f, authzFreshShow(t, f, hawker.ShowLive), user, hawker.ShowCohost)
			}
			_, sku := authzFreshProduct(t, f)
			placed := salesOrder(t, f, f.BuyerToken, id, sku, "US", 2, usAddress())
			own := salesOrder(t, f, token, id, sku, "US", 1, nil)

			resp, b := f.do(t, "GET", "/api/v1/shows/"+id+"/sales", token, nil)
			items, raw := showOrders(t, f, token, id)
			got := func(os []hawker.Order) []string {
				var ids []string
				for _, o := range os {
					ids = append(ids, o.ID)
				}
				slices.Sort(ids)
				return ids
			}(items)
			if i == 0 {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("co-host reads sales: %d %s", resp.StatusCode, b)
				}
				if s := salesOf(t, f, token, id); s.Orders != 2 || s.Units != 3 {
					t.Errorf("co-host's sales = %+v, want 2 orders, 3 units", s)
				}
				want := []string{placed.ID, own.ID}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("co-host lists %v, want %v", got, want)
				}
				for _, o := range raw {
					for _, k := range personal {
						if _, ok := o[k]; ok {
							t.Errorf("co-host gets %s of order %v", k, o["id"])
						}
					}
				}
				return
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s reads sales: %d %s, want 403", name, resp.StatusCode, b)
			}
			if !slices.Equal(got, []string{own.ID}) {
				t.Errorf("%s lists %v, want only its own %s", name, got, own.ID)
			}
		})
	}
}

// TestShowSalesFigures: the shop's host (not a seller) reads what sold in
// the show, orders placed before and after; cancelled orders leave the
// figures, paid ones stay, each currency is summed on its own. The list
// of the show's orders agrees, and never carries personal data to the
// host.
func TestShowSalesFigures(t *testing.T) {
	f := newFixture(t)
	id := authzFreshShow(t, f, hawker.ShowLive)
	empty := salesOf(t, f, f.HostToken, id)
	if empty.Orders != 0 || empty.Units != 0 || empty.GMV != (hawker.Money{Currency: "USD"}) || len(empty.GMVByCurrency) != 0 ||
		len(empty.ByState) != 3 || empty.ShowID != id {
		t.Fatalf("sales of a new show = %+v", empty)
	}

	us := salesOrder(t, f, f.BuyerToken, id, f.SKUA, "US", 2, usAddress())
	de := salesOrder(t, f, f.BuyerToken, id, f.SKUA, "DE", 1, nil)
	gone := salesOrder(t, f, f.BuyerToken, id, f.SKUA, "US", 3, nil)
	salesOrder(t, f, f.BuyerToken, authzFreshShow(t, f, hawker.ShowLive), f.SKUA, "US", 1, nil)
	f.must(t, "POST", "/api/v1/orders/"+gone.ID+"/cancel", f.BuyerToken, nil, http.StatusOK)
	f.confirm(t, us.ID)

	s := salesOf(t, f, f.HostToken, id)
	want := salesBody{ShowID: id, Orders: 2, Units: 3, GMV: us.Total,
		GMVByCurrency: []hawker.Money{de.Total, us.Total},
		ByState:       map[hawker.OrderState]int64{hawker.OrderReserved: 1, hawker.OrderPaid: 1, hawker.OrderFulfilled: 0}}
	if de.Total.Currency != "EUR" || us.Total.Currency != "USD" {
		t.Fatalf("totals %v and %v: want EUR and USD", de.Total, us.Total)
	}
	gb, _ := json.Marshal(s)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("host's sales:\n got %s\nwant %s", gb, wb)
	}
	if seller := salesOf(t, f, f.SellerAToken, id); seller.Orders != s.Orders || seller.GMV != s.GMV {
		t.Errorf("seller's sales %+v differ from the host's %+v", seller, s)
	}

	items, raw := showOrders(t, f, f.HostToken, id)
	if len(items) != 3 {
		t.Fatalf("host lists %d orders of the show, want 3 (the cancelled one too)", len(items))
	}
	for i, o := range raw {
		for _, k := range personal {
			if _, ok := o[k]; ok {
				t.Errorf("host gets %s of order %v", k, o["id"])
			}
		}
		if items[i].ShowID != id || items[i].Total.Amount <= 0 {
			t.Errorf("host's order %+v", items[i])
		}
	}
	full, _ := showOrders(t, f, f.SellerAToken, id)
	var addr bool
	for _, o := range full {
		addr = addr || (o.ID == us.ID && o.ShippingAddress != nil && o.ShippingAddress.City == "Springfield")
	}
	if len(full) != 3 || !addr {
		t.Errorf("seller lists %d orders, address of %s shown %v: want 3 and the address", len(full), us.ID, addr)
	}
	// The shop's host still gets 403 on the shop's list.
	f.must(t, "GET", "/api/v1/orders?shop_id="+f.ShopA, f.HostToken, nil, http.StatusForbidden)
}

// TestShowSalesErrors: bad and unknown shows, and a server without
// checkout.
func TestShowSalesErrors(t *testing.T) {
	f := newFixture(t)
	f.must(t, "GET", "/api/v1/shows/nope/sales", f.AdminKey, nil, http.StatusNotFound)
	f.must(t, "GET", "/api/v1/shows/"+hawker.NewID(hawker.PrefixShow)+"/sales", f.AdminKey, nil, http.StatusNotFound)
	f.must(t, "GET", "/api/v1/orders?show_id=nope", f.HostToken, nil, http.StatusUnprocessableEntity)
	items, _ := showOrders(t, f, f.HostToken, hawker.NewID(hawker.PrefixShow))
	if len(items) != 0 {
		t.Errorf("orders of an unknown show: %d", len(items))
	}

	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}, NoCheckout: true})
	off.must(t, "GET", "/api/v1/shows/"+off.ShowA+"/sales", "", nil, http.StatusUnauthorized)
	off.must(t, "GET", "/api/v1/shows/"+off.ShowA+"/sales", off.HostToken, nil, http.StatusServiceUnavailable)
}
