package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"

	"hawker"
	"hawker/fsblob"
	hawkerhttp "hawker/http"
	"hawker/inventory"
	"hawker/market"
)

// liveStack is serve's wiring of store, hub, announcer, engine and API on
// a test server, with the engine at hand (payments call its Confirm).
type liveStack struct {
	url    string
	db     hawker.Store
	engine inventory.Engine
	admin  string // an admin API key
}

func startLiveStack(t *testing.T, env map[string]string) *liveStack {
	t.Helper()
	ctx := context.Background()
	sf := storeFlags{dataDir: env["HAWKER_DATA_DIR"], databaseURL: env["HAWKER_DATABASE_URL"]}
	log := slog.New(slog.DiscardHandler)
	db, err := openStore(ctx, &sf, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hub, err := startRealtime(ctx, db, log, sf.dataDir, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeRealtime(context.Background(), hub, log) })
	lv, err := startLive(ctx, db, hub, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lv.Close)
	engine, orders, err := startInventory(db, "groupcommit", 0, market.Default(), log, lv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	blobs, err := fsblob.New(filepath.Join(sf.dataDir, "uploads"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := hawkerhttp.NewServer(log, db, market.Default(), blobs, hawkerhttp.Config{
		AuthRate: "0", Realtime: hub, Checkout: engine, Orders: orders, Deals: lv,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	root := http.NewServeMux()
	root.Handle(websocketPath, hub.Handler())
	root.Handle("/", api)
	ts := httptest.NewServer(root)
	t.Cleanup(ts.Close)
	admin, err := createAPIKey(ctx, db, "live test", hawker.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	return &liveStack{url: ts.URL, db: db, engine: engine, admin: admin}
}

// liveShop is a seller's shop with one product (one SKU, US) in the bag of
// a live show.
type liveShop struct {
	seller, show, product, sku string
}

// signupUser signs a user up and returns its id and token.
func signupUser(t *testing.T, api, name string) (string, string) {
	t.Helper()
	var out struct {
		User  struct{ ID string }
		Token string
	}
	call(t, "POST", api+"/auth/signup", "", map[string]any{
		"email":    strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "-" + strings.TrimPrefix(hawker.NewID("x"), "x_") + "@example.com",
		"password": "long enough pw", "name": name, "market": "US"}, 201, &out)
	return out.User.ID, out.Token
}

// openLiveShop makes a seller, its shop, a product with onHand units at
// 20.00 USD, and a live show with the product in its bag.
func openLiveShop(t *testing.T, base, admin string, onHand int) liveShop {
	t.Helper()
	api := base + "/api/v1"
	sellerID, seller := signupUser(t, api, "Sal Seller")
	call(t, "PUT", api+"/users/"+sellerID+"/roles", admin, map[string]any{"roles": []string{"buyer", "seller"}}, 200, nil)
	var shop struct{ Shop struct{ ID string } }
	call(t, "POST", api+"/shops", seller, map[string]any{"name": "Live " + sellerID[len(sellerID)-6:], "home_market": "US"}, 201, &shop)
	var prod struct {
		Product struct {
			ID   string
			SKUs []struct{ ID string }
		}
	}
	call(t, "POST", api+"/shops/"+shop.Shop.ID+"/products", seller, map[string]any{"title": "Flash mug",
		"skus": []any{map[string]any{"code": "FM-1", "prices": map[string]any{"US": 2000}, "on_hand": onHand}}}, 201, &prod)
	var show struct{ Show struct{ ID string } }
	call(t, "POST", api+"/shows", seller, map[string]any{"shop_id": shop.Shop.ID, "title": "Flash night", "markets": []string{"US"}}, 201, &show)
	call(t, "PUT", api+"/shows/"+show.Show.ID+"/products", seller, map[string]any{"product_ids": []string{prod.Product.ID}}, 200, nil)
	call(t, "POST", api+"/shows/"+show.Show.ID+"/start", seller, nil, 200, nil)
	return liveShop{seller: seller, show: show.Show.ID, product: prod.Product.ID, sku: prod.Product.SKUs[0].ID}
}

// watch subscribes an anonymous viewer to show:{id} and returns what it
// receives.
func watch(t *testing.T, base, showID string) *events {
	t.Helper()
	var tok struct{ Token string }
	call(t, "GET", base+"/api/v1/realtime/token", "", nil, 200, &tok)
	client := centrifugego.NewJsonClient("ws"+strings.TrimPrefix(base, "http")+websocketPath, centrifugego.Config{Token: tok.Token})
	t.Cleanup(client.Close)
	sub, err := client.NewSubscription("show:" + showID)
	if err != nil {
		t.Fatal(err)
	}
	got := &events{}
	ready := make(chan struct{})
	var once sync.Once
	sub.OnPublication(got.add)
	sub.OnSubscribed(func(centrifugego.SubscribedEvent) { once.Do(func() { close(ready) }) })
	if err := client.Connect(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("not subscribed within 10 s")
	}
	return got
}

// ofType returns the received events of the type.
func (e *events) ofType(typ string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []map[string]any
	for _, ev := range e.list {
		if ev["type"] == typ {
			out = append(out, ev)
		}
	}
	return out
}

// orderDeal orders one unit with the deal as the buyer; it returns the
// status and the order id (when made).
func orderDeal(t *testing.T, api, token, sku, deal string) (int, string) {
	t.Helper()
	var out struct{ Order struct{ ID string } }
	code := postJSON(t, api+"/orders", token, map[string]string{"Idempotency-Key": "k-" + hawker.NewID("x")},
		map[string]any{"market": "US", "deal_id": deal, "lines": []any{map[string]any{"sku_id": sku, "quantity": 1}}}, &out)
	return code, out.Order.ID
}

// TestLiveCommerceEvents runs serve's parts together on each store: a
// viewer of a live show sees a flash deal start (with the server's now),
// the stock fall as a crowd races for it (coalesced: fewer updates than
// orders, the last one right), the deal end exactly once when sold out —
// never more orders than its quantity — and a purchase under the buyer's
// display name when an order is paid.
func TestLiveCommerceEvents(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			st := startLiveStack(t, env)
			api := st.url + "/api/v1"
			shop := openLiveShop(t, st.url, st.admin, 50)
			viewer := watch(t, st.url, shop.show)

			var deal struct {
				Deal struct {
					ID       string
					EndsAt   time.Time `json:"ends_at"`
					Quantity int64
				}
			}
			const quantity = 6
			call(t, "POST", api+"/shows/"+shop.show+"/deals", shop.seller, map[string]any{
				"sku_id": shop.sku, "price": 1500, "quantity": quantity, "duration_seconds": 120}, 201, &deal)
			waitFor(t, 10*time.Second, "deal_started", func() bool { return len(viewer.ofType("deal_started")) == 1 })
			started := viewer.ofType("deal_started")[0]
			d, _ := started["deal"].(map[string]any)
			now, err := time.Parse(time.RFC3339Nano, fmt.Sprint(started["now"]))
			if err != nil || d["id"] != deal.Deal.ID || d["state"] != "active" || d["product_id"] != shop.product || now.After(time.Now()) || time.Since(now) > 10*time.Second {
				t.Errorf("deal_started = %v", started)
			}
			var show struct {
				Show struct {
					ActiveDeal map[string]any `json:"active_deal"`
				}
			}
			call(t, "GET", api+"/shows/"+shop.show, "", nil, 200, &show)
			if show.Show.ActiveDeal["id"] != deal.Deal.ID || show.Show.ActiveDeal["now"] == nil {
				t.Errorf("active_deal = %v", show.Show.ActiveDeal)
			}

			// A crowd races for the deal.
			const crowd = 20
			tokens := make([]string, crowd)
			for i := range tokens {
				_, tokens[i] = signupUser(t, api, fmt.Sprintf("Anna Nr%d Schmidt", i))
			}
			statuses := make([]int, crowd)
			orderIDs := make([]string, crowd)
			var wg sync.WaitGroup
			for i := range crowd {
				wg.Go(func() { statuses[i], orderIDs[i] = orderDeal(t, api, tokens[i], shop.sku, deal.Deal.ID) })
			}
			wg.Wait()
			var won []string
			for i, s := range statuses {
				switch s {
				case 201:
					won = append(won, orderIDs[i])
				case 409:
				default:
					t.Errorf("order %d: status %d", i, s)
				}
			}
			if len(won) != quantity {
				t.Fatalf("%d deal orders, want exactly %d", len(won), quantity)
			}
			waitFor(t, 10*time.Second, "deal_ended", func() bool { return len(viewer.ofType("deal_ended")) >= 1 })
			lastStock := func() float64 {
				evs := viewer.ofType("stock")
				if len(evs) == 0 {
					return -1
				}
				return evs[len(evs)-1]["available"].(float64)
			}
			waitFor(t, 10*time.Second, "the last stock figure", func() bool { return lastStock() == 50-quantity })
			if n := len(viewer.ofType("stock")); n >= quantity {
				t.Errorf("%d stock updates for %d orders: not coalesced", n, quantity)
			}
			for _, ev := range viewer.ofType("stock") {
				if ev["sku_id"] != shop.sku {
					t.Errorf("stock event %v", ev)
				}
			}

			// Paid: "someone just bought", by name, never by email.
			paid, err := st.engine.Confirm(context.Background(), won[0])
			if err != nil || paid.State != hawker.OrderPaid {
				t.Fatalf("confirm: %v %v", paid, err)
			}
			waitFor(t, 10*time.Second, "purchase", func() bool { return len(viewer.ofType("purchase")) == 1 })
			p := viewer.ofType("purchase")[0]
			if buyer, _ := p["buyer"].(string); !strings.HasPrefix(buyer, "Anna ") || !strings.HasSuffix(buyer, "S.") || strings.Contains(buyer, "@") || p["product_id"] != shop.product {
				t.Errorf("purchase = %v", p)
			}

			// A barrier: the pin is announced after everything above, so
			// by then a second deal_ended would have arrived too.
			call(t, "POST", api+"/shows/"+shop.show+"/pin", shop.seller, map[string]any{"product_id": shop.product}, 200, nil)
			waitFor(t, 10*time.Second, "pinned", func() bool { return len(viewer.ofType("pinned")) == 1 })
			ended := viewer.ofType("deal_ended")
			if len(ended) != 1 {
				t.Fatalf("%d deal_ended events, want exactly 1", len(ended))
			}
			if ed, _ := ended[0]["deal"].(map[string]any); ed["id"] != deal.Deal.ID || ed["state"] != "ended" || ed["remaining"] != float64(0) || ended[0]["now"] == nil {
				t.Errorf("deal_ended = %v", ended[0])
			}
			order := map[string]int{}
			for i, ev := range viewer.stateful() {
				order[fmt.Sprint(ev["type"])] = i
			}
			if order["deal_started"] > order["deal_ended"] {
				t.Errorf("deal_ended before deal_started: %v", viewer.stateful())
			}
			call(t, "GET", api+"/shows/"+shop.show, "", nil, 200, &show)
			if show.Show.ActiveDeal != nil {
				t.Errorf("active_deal after sold out = %v", show.Show.ActiveDeal)
			}
		})
	}
}

// TestServeLiveDeal checks serve's own wiring: through `hawker serve`, a
// deal launched in a live show reaches its viewers, an order moves the
// stock they see, and the host ending the deal early is announced.
func TestServeLiveDeal(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startServe(t, env, "--auth-rate", "0")
			var keyOut syncBuffer
			if err := run(context.Background(), []string{"hawker", "admin", "create-key", "--role", "admin", "--name", "live"},
				func(k string) string { return env[k] }, &keyOut, &syncBuffer{}); err != nil {
				t.Fatalf("create-key: %v", err)
			}
			lines := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
			admin := lines[len(lines)-1]
			api := s.url + "/api/v1"
			shop := openLiveShop(t, s.url, admin, 9)
			viewer := watch(t, s.url, shop.show)

			var deal struct{ Deal struct{ ID string } }
			call(t, "POST", api+"/shows/"+shop.show+"/deals", shop.seller, map[string]any{
				"sku_id": shop.sku, "price": 1000, "quantity": 5, "duration_seconds": 300}, 201, &deal)
			waitFor(t, 10*time.Second, "deal_started", func() bool { return len(viewer.ofType("deal_started")) == 1 })
			_, buyer := signupUser(t, api, "Bo Berg")
			if code, _ := orderDeal(t, api, buyer, shop.sku, deal.Deal.ID); code != 201 {
				t.Fatalf("deal order: %d", code)
			}
			waitFor(t, 10*time.Second, "stock 8", func() bool {
				evs := viewer.ofType("stock")
				return len(evs) > 0 && evs[len(evs)-1]["available"] == float64(8)
			})
			call(t, "POST", api+"/deals/"+deal.Deal.ID+"/end", shop.seller, nil, 200, nil)
			waitFor(t, 10*time.Second, "deal_ended", func() bool { return len(viewer.ofType("deal_ended")) == 1 })
			if ev := viewer.ofType("deal_ended")[0]; ev["deal"].(map[string]any)["state"] != "ended" {
				t.Errorf("deal_ended = %v", ev)
			}
			if err := s.stop(); err != nil {
				t.Fatalf("serve did not stop cleanly: %v", err)
			}
		})
	}
}
