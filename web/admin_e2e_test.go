package web

// Browser test of the seller admin (/admin, e2e/admin.mjs) against a real
// API, not a stand-in: hawkerhttp.NewServer over a fresh SQLite store in
// t.TempDir(), the file blob store, the default markets, the group-commit
// inventory engine and the payment service with the test provider — the
// parts `hawker serve` assembles (cmd/hawker/serve.go), minus realtime and
// media, which the admin does not use (show changes are stored without
// being announced). Package web can build it because hawker/http does not
// import hawker/web: the binary hands web.Handler() in as Config.Pages.
//
// Accounts and shops are made through the API here; the script makes the
// buyer's orders (and pays them with test cards) through the API too, after
// the seller created the product in the browser.
//
// Needs chromium, node and web/node_modules like TestBrowser (browserTools);
// skips visibly without them, fails with HAWKER_TEST_REQUIRE_BROWSER set.

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/fsblob"
	hawkerhttp "hawker/http"
	"hawker/internal/secret"
	"hawker/inventory"
	marketconf "hawker/market"
	"hawker/payment"
	"hawker/payment/testpay"
	"hawker/sqlite"
)

// adminPassword is every test account's password.
const adminPassword = "admin e2e password"

func TestAdminBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, node := browserTools(t)
	url, admin, logs := adminAPIServer(t)
	a := &adminAPI{t: t, url: url}

	// Accounts: a seller (global role seller) with two shops, a buyer, an
	// admin user, and another seller whose shop only the admin sees.
	seller := a.signup("sofia.seller@example.com", "Sofia Seller", "VN")
	buyer := a.signup("bao.buyer@example.com", "Bao Buyer", "US")
	root := a.signup("ada.admin@example.com", "Ada Admin", "US")
	other := a.signup("otto.other@example.com", "Otto Other", "DE")
	a.do("PUT", "/api/v1/users/"+seller.ID+"/roles", admin, map[string]any{"roles": []string{"buyer", "seller"}}, http.StatusOK, nil)
	a.do("PUT", "/api/v1/users/"+other.ID+"/roles", admin, map[string]any{"roles": []string{"buyer", "seller"}}, http.StatusOK, nil)
	a.do("PUT", "/api/v1/users/"+root.ID+"/roles", admin, map[string]any{"roles": []string{"admin"}}, http.StatusOK, nil)

	var shop struct{ Shop hawker.Shop }
	a.do("POST", "/api/v1/shops", seller.Token, map[string]any{"name": "Saigon Silk", "home_market": "VN", "markets": []string{"VN", "US"}}, http.StatusCreated, &shop)
	saigon := shop.Shop.ID
	a.do("POST", "/api/v1/shops", seller.Token, map[string]any{"name": "Berlin Bits", "home_market": "DE", "markets": []string{"DE", "ID"}}, http.StatusCreated, &shop)
	berlin := shop.Shop.ID
	a.do("POST", "/api/v1/shops", other.Token, map[string]any{"name": "Otto's Outlet", "home_market": "DE"}, http.StatusCreated, &shop)
	otto := shop.Shop.ID
	// A product made through the API, for the bag's order and the orders' pages.
	var prod struct{ Product hawker.Product }
	a.do("POST", "/api/v1/shops/"+saigon+"/products", seller.Token, map[string]any{
		"title": "Silk scarf",
		"skus":  []map[string]any{{"code": "SCARF-1", "prices": map[string]any{"US": 1999, "VN": 450000}, "on_hand": 100}},
	}, http.StatusCreated, &prod)

	// One for the seller to delete (with markup in its title, shown as text).
	var old struct{ Product hawker.Product }
	a.do("POST", "/api/v1/shops/"+berlin+"/products", seller.Token, map[string]any{
		"title": "Brezel <b>mug</b>",
		"skus":  []map[string]any{{"code": "MUG-1", "prices": map[string]any{"DE": 1299}, "on_hand": 3}},
	}, http.StatusCreated, &old)

	dir := t.TempDir()
	pic := filepath.Join(dir, "ao-dai.png")
	writePNG(t, pic, 120, 160)
	notImage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notImage, []byte("not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}

	fixture, _ := json.Marshal(map[string]any{
		"seller": map[string]any{"email": seller.Email, "password": adminPassword, "id": seller.ID, "token": seller.Token},
		"buyer":  map[string]any{"email": buyer.Email, "password": adminPassword, "id": buyer.ID, "token": buyer.Token},
		"admin":  map[string]any{"email": root.Email, "password": adminPassword},
		"shops":  map[string]string{"saigon": saigon, "berlin": berlin, "other": otto},
		"scarf":  map[string]string{"product": prod.Product.ID, "sku": prod.Product.SKUs[0].ID},
		"mug":    old.Product.ID,
		"files":  map[string]string{"png": pic, "text": notImage},
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "admin.mjs"))
	cmd.Env = append(os.Environ(),
		"HAWKER_E2E_URL="+url,
		"HAWKER_E2E_CHROMIUM="+chromium,
		"HAWKER_E2E_SCREENSHOTS="+filepath.Join("e2e", "screenshots"),
		"HAWKER_E2E_ADMIN="+string(fixture),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("e2e/admin.mjs:\n%s", out.String())
	if err != nil {
		t.Logf("server log:\n%s", logs.String())
		t.Fatalf("admin browser checks failed: %v", err)
	}
}

// adminAPIServer starts the API with the UI over a fresh store; it returns
// the base URL, an admin API key and the server's log.
func adminAPIServer(t *testing.T) (url, adminKey string, logs *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "hawker.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	// Cleanups run last-in first-out: HTTP, then payments, the engine and
	// the store, the order serve stops them in.
	t.Cleanup(func() { db.Close() })
	// The admin key, as `hawker admin create-key` makes it: nothing in
	// the API can make the first admin.
	adminKey, hash := secret.NewToken("hk")
	if err := db.CreateAPIKey(ctx, &hawker.APIKey{
		ID: hawker.NewID(hawker.PrefixAPIKey), Name: "admin e2e", Role: hawker.RoleAdmin,
		KeyHash: hash, Prefix: adminKey[:11], CreatedAt: hawker.Now(),
	}); err != nil {
		t.Fatalf("create admin key: %v", err)
	}
	blobs, err := fsblob.New(filepath.Join(dir, "uploads"))
	if err != nil {
		t.Fatalf("open blobs: %v", err)
	}
	markets := marketconf.Default()
	engine := inventory.New(db, inventory.Config{Markets: markets})
	t.Cleanup(func() { engine.Close() })
	pay, err := payment.New(payment.Config{Store: db, Orders: db, Checkout: engine, Providers: []payment.Provider{testpay.New()}})
	if err != nil {
		t.Fatalf("payments: %v", err)
	}
	// The reconcile loop carries refunds through, as in serve.
	payCtx, stopPay := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pay.Run(payCtx)
	}()
	t.Cleanup(func() {
		stopPay()
		<-done
	})
	logs = &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	api, err := hawkerhttp.NewServer(logger, db, markets, blobs, hawkerhttp.Config{
		AuthRate: "0",
		Pages:    Handler(),
		Checkout: refundNudger{GroupCommit: engine, pay: pay},
		Orders:   db,
		Payments: pay,
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(func() {
		srv.Close()
		api.Close()
	})
	return srv.URL, adminKey, logs
}

// refundNudger starts a refund at once when a seller cancels a paid order,
// as cmd/hawker's wrapper of the engine does.
type refundNudger struct {
	*inventory.GroupCommit
	pay *payment.Service
}

func (c refundNudger) Cancel(ctx context.Context, orderID string) (*hawker.Order, error) {
	o, err := c.GroupCommit.Cancel(ctx, orderID)
	if err == nil && o.State == hawker.OrderRefunded {
		c.pay.Nudge()
	}
	return o, err
}

// syncBuffer lets the server's goroutines share the log buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// adminAPI calls the API for the test's setup.
type adminAPI struct {
	t   *testing.T
	url string
}

type adminAccount struct {
	ID, Email, Token string
}

func (a *adminAPI) signup(email, name, mkt string) adminAccount {
	a.t.Helper()
	var r struct {
		User  hawker.User `json:"user"`
		Token string      `json:"token"`
	}
	a.do("POST", "/api/v1/auth/signup", "", map[string]any{"email": email, "password": adminPassword, "name": name, "market": mkt}, http.StatusCreated, &r)
	return adminAccount{ID: r.User.ID, Email: email, Token: r.Token}
}

func (a *adminAPI) do(method, path, token string, body any, want int, out any) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(180 + x%60), G: uint8(40 + y%80), B: 60, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
