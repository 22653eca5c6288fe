package hawkerhttp

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/routers/gorillamux"

	"hawker"
	"hawker/fsblob"
	"hawker/internal/secret"
	"hawker/inventory"
	"hawker/market"
	"hawker/sqlite"
)

// FuzzCreateOrder fuzzes the order request decoder through the real server
// and inventory engine: a buyer posts the body with a fresh Idempotency-Key
// each time. The oracle is fuzzEnv.check's (no 5xx, JSON errors with the
// status of their code, 201 only for bodies the document accepts, answers
// that conform), and the stock never goes wrong.
func FuzzCreateOrder(f *testing.F) {
	oaRegisterDecoders()
	ctx := context.Background()
	dir := f.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "hawker.db"), sqlite.Options{})
	if err != nil {
		f.Fatalf("open sqlite: %v", err)
	}
	f.Cleanup(func() { db.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		f.Fatal(err)
	}
	engine := inventory.New(db, inventory.Config{Markets: market.Default()})
	f.Cleanup(func() { engine.Close() })
	srv, err := NewServer(oaDiscardLogger(), db, market.Default(), blobs, Config{AuthRate: "0", Checkout: engine, Orders: db})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	router, err := gorillamux.NewRouter(oaLoad(f))
	if err != nil {
		f.Fatal(err)
	}
	key, hash := secret.NewToken("hk")
	now := hawker.Now()
	if err := db.CreateAPIKey(ctx, &hawker.APIKey{ID: hawker.NewID(hawker.PrefixAPIKey), Name: "fuzz", Role: hawker.RoleAdmin,
		KeyHash: hash, Prefix: key[:11], CreatedAt: now}); err != nil {
		f.Fatal(err)
	}
	buyer := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: "fuzz-buyer@example.com", Name: "Fuzz", Market: "US",
		Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: "unused", CreatedAt: now}
	if err := db.CreateUser(ctx, buyer); err != nil {
		f.Fatal(err)
	}
	token, thash := secret.NewToken(prefixSessionToken)
	if err := db.CreateSession(ctx, &hawker.Session{ID: hawker.NewID(hawker.PrefixSession), UserID: buyer.ID, TokenHash: thash,
		CreatedAt: now, ExpiresAt: now.Add(hawker.SessionLifetime)}); err != nil {
		f.Fatal(err)
	}
	env := &fuzzEnv{srv: srv, router: router, adminKey: key}
	var shop struct{ Shop hawker.Shop }
	env.mustJSON(f, "POST", "/api/v1/shops", `{"name":"Fuzz shop","home_market":"US","markets":["US","DE"],"slug":"fuzz"}`, &shop)
	var prod struct{ Product hawker.Product }
	env.mustJSON(f, "POST", "/api/v1/shops/"+shop.Shop.ID+"/products",
		`{"title":"Fuzzy socks","skus":[{"code":"SOCK-1","prices":{"US":999,"DE":899},"on_hand":1000,"max_per_buyer":500}]}`, &prod)
	sku := prod.Product.SKUs[0].ID

	for _, seed := range []string{
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}]}`,
		`{"market":"DE","lines":[{"sku_id":"` + sku + `","quantity":2}],"show_id":"shw_01jbz3n8q4m2x7c5v6w9t0r1ys"}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"deal_id":"deal_01jbz3n8q4m2x7c5v6w9t0r1ys"}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":0}]}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1e9}]}`,
		`{"market":"ZZ","lines":[]}`,
		`{"market":"US","lines":[{"sku_id":"sku_01jbz3n8q4m2x7c5v6w9t0r1ys","quantity":1}]}`,
		`{"market":"US","lines":null}`,
		`{"MARKET":"US"}`,
		`null`,
		`[]`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":{"name":"Bea Buyer","line1":"1 Main St","line2":"Apt 2","city":"Springfield","region":"IL","postal_code":"62701","country":"US","phone":"+1 217 555 0100"}}`,
		`{"market":"DE","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":{"name":"Anna Käufer","line1":"Torstraße 1","city":"Berlin","country":"DE"}}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":{"name":"B","line1":"1 Main St","city":"X","country":"DE"}}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":{"name":" ","line1":"a
b","city":"X	","country":"US","zip":"1"}}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":null}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":{}}`,
		`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}],"shipping_address":"1 Main St"}`,
	} {
		f.Add([]byte(seed))
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, body []byte) {
		env := *env
		env.header = http.Header{IdempotencyHeader: {"fuzz-" + strconv.FormatInt(n.Add(1), 10)}}
		env.check(t, "POST", "/api/v1/orders", token, body, "order")
		st, err := db.FindStock(context.Background(), sku)
		if err != nil {
			t.Fatal(err)
		}
		if st.Reserved+st.Sold > st.OnHand || st.Reserved < 0 {
			t.Fatalf("stock went wrong: %+v", st)
		}
	})
}
