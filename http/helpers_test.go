package hawkerhttp

// Test helpers shared by every test of the package (the authz and fuzz tests
// too): a server over a fresh SQLite store with a few users, shops,
// products, an image and a show. Keep the names below stable.

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
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
	"hawker/fsblob"
	"hawker/internal/secret"
	"hawker/inventory"
	"hawker/market"
	"hawker/sqlite"
)

// fixture is a running server with known data. Tokens are bearer tokens
// (AdminKey is an "hk_" API key with role admin; the others "hs_" user
// session tokens).
type fixture struct {
	URL string

	AdminKey, BuyerToken, SellerAToken, SellerBToken, HostToken string

	// ShopA has sellerA (seller) and host (host); ShopB has sellerB.
	// ProductA/SKUA are in shop A (SKU code "A-1", 10 on hand, US 1999,
	// DE 1899), ProductB/SKUB in shop B (code "B-1"). ImageA is a PNG of
	// shop A; ShowA a scheduled show of shop A hosted by host.
	ShopA, ShopB, ProductA, ProductB, SKUA, SKUB, ShowA, ImageA string

	UserBuyer, UserSellerA string
	UserSellerB, UserHost  string

	Server  *Server
	Store   hawker.Store
	RT      *fakeRealtime // the server's realtime (nil with NoRealtime)
	Markets hawker.Markets
	Logs    *syncBuffer // what the server logged
	BlobDir string      // where image bytes are kept
	// Engine is the group-commit inventory engine over the store, behind
	// the order routes (nil with NoCheckout).
	Engine *inventory.GroupCommit
}

// fixtureOptions change what newFixtureWith builds.
type fixtureOptions struct {
	Config Config
	// WrapStore, when set, wraps the store the server uses (the fixture's
	// data is made through the unwrapped one).
	WrapStore func(hawker.Store) hawker.Store
	// NoData starts the server on an empty store (no keys, users or shops).
	NoData bool
	// NoRealtime starts the server with realtime off; otherwise, unless
	// Config.Realtime is set, it gets a fakeRealtime.
	NoRealtime bool
	// NoCheckout starts the server without an inventory engine (the order
	// routes answer 503); otherwise, unless Config.Checkout is set, it
	// gets a group-commit engine over the store.
	NoCheckout bool
}

// newFixture starts a server with the fixture data and auth rate limits
// off.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"}})
}

// newFixtureWith starts a server with the options and the fixture data.
func newFixtureWith(t *testing.T, opts fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "hawker.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatalf("open blobs: %v", err)
	}
	var store hawker.Store = db
	if opts.WrapStore != nil {
		store = opts.WrapStore(db)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var rt *fakeRealtime
	if opts.Config.Realtime == nil && !opts.NoRealtime {
		rt = newFakeRealtime()
		rt.audit = db
		opts.Config.Realtime = rt
	}
	var engine *inventory.GroupCommit
	if opts.Config.Checkout == nil && !opts.NoCheckout {
		engine = inventory.New(db, inventory.Config{Markets: market.Default()})
		// Registered before the server's cleanup: it runs after the HTTP
		// server closed and before the store does.
		t.Cleanup(func() { engine.Close() })
		opts.Config.Checkout = engine
	}
	if opts.Config.Orders == nil && !opts.NoCheckout {
		opts.Config.Orders = db
	}
	if opts.Config.Payments == nil && !opts.NoCheckout {
		opts.Config.Payments = fixturePayments(t, db, opts.Config.Checkout)
	}
	if opts.Config.Replays == nil {
		opts.Config.Replays = fakeReplays{}
	}
	srv, err := NewServer(logger, store, market.Default(), blobs, opts.Config)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	f := &fixture{URL: ts.URL, Server: srv, Store: db, RT: rt, Markets: market.Default(), Logs: logs, BlobDir: filepath.Join(dir, "blobs"), Engine: engine}
	if opts.NoData {
		return f
	}

	// The admin key, as `hawker admin create-key` makes it.
	key, hash := secret.NewToken("hk")
	if err := db.CreateAPIKey(ctx, &hawker.APIKey{
		ID: hawker.NewID(hawker.PrefixAPIKey), Name: "test admin", Role: hawker.RoleAdmin,
		KeyHash: hash, Prefix: key[:11], CreatedAt: hawker.Now(),
	}); err != nil {
		t.Fatalf("create admin key: %v", err)
	}
	f.AdminKey = key

	f.UserBuyer, f.BuyerToken = f.signup(t, "buyer@example.com", "Bea Buyer")
	f.UserSellerA, f.SellerAToken = f.signup(t, "seller.a@example.com", "Sam Seller A")
	f.UserSellerB, f.SellerBToken = f.signup(t, "seller.b@example.com", "Sue Seller B")
	f.UserHost, f.HostToken = f.signup(t, "host@example.com", "Hal Host")
	for _, u := range []string{f.UserSellerA, f.UserSellerB} {
		f.must(t, "PUT", "/api/v1/users/"+u+"/roles", f.AdminKey, map[string]any{"roles": []string{"buyer", "seller"}}, http.StatusOK)
	}

	var shop struct{ Shop hawker.Shop }
	f.mustJSON(t, "POST", "/api/v1/shops", f.SellerAToken, map[string]any{
		"name": "Shop A", "home_market": "US", "markets": []string{"US", "DE"},
	}, http.StatusCreated, &shop)
	f.ShopA = shop.Shop.ID
	f.mustJSON(t, "POST", "/api/v1/shops", f.SellerBToken, map[string]any{
		"name": "Shop B", "home_market": "DE",
	}, http.StatusCreated, &shop)
	f.ShopB = shop.Shop.ID
	f.must(t, "PUT", "/api/v1/shops/"+f.ShopA+"/members/"+f.UserHost, f.SellerAToken, map[string]any{"role": "host"}, http.StatusOK)

	f.ImageA = f.uploadPNG(t, f.SellerAToken, f.ShopA, 4, 3)

	var prod struct{ Product hawker.Product }
	f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopA+"/products", f.SellerAToken, map[string]any{
		"title": "Red mug", "description": "A mug.", "images": []string{f.ImageA},
		"skus": []map[string]any{{"code": "A-1", "options": map[string]string{"colour": "red"}, "prices": map[string]any{"US": 1999, "DE": 1899}, "on_hand": 10}},
	}, http.StatusCreated, &prod)
	f.ProductA, f.SKUA = prod.Product.ID, prod.Product.SKUs[0].ID
	f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopB+"/products", f.SellerBToken, map[string]any{
		"title": "Blue bowl",
		"skus":  []map[string]any{{"code": "B-1", "prices": map[string]any{"DE": 2500}, "on_hand": 5}},
	}, http.StatusCreated, &prod)
	f.ProductB, f.SKUB = prod.Product.ID, prod.Product.SKUs[0].ID

	var show struct{ Show hawker.Show }
	f.mustJSON(t, "POST", "/api/v1/shows", f.HostToken, map[string]any{
		"shop_id": f.ShopA, "title": "Mug night", "scheduled_at": showAtJSON,
	}, http.StatusCreated, &show)
	f.ShowA = show.Show.ID
	return f
}

// testPassword is the password of every fixture user.
const testPassword = "correct horse battery"

// testPasswordHash is testPassword's hash, made once: argon2id is slow on
// purpose (and slower under -race).
var testPasswordHash = sync.OnceValue(func() string {
	h, err := secret.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// signup makes a buyer account (password testPassword) with a bearer
// session, straight in the store as signup would; it returns the user id
// and the token. Signup itself is tested in handle_auth_test.go.
func (f *fixture) signup(t *testing.T, email, name string) (id, token string) {
	t.Helper()
	ctx := context.Background()
	now := hawker.Now()
	u := &hawker.User{
		ID: hawker.NewID(hawker.PrefixUser), Email: email, Name: name, Market: "US",
		Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: testPasswordHash(), CreatedAt: now,
	}
	if err := f.Store.CreateUser(ctx, u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	token, hash := secret.NewToken(prefixSessionToken)
	if err := f.Store.CreateSession(ctx, &hawker.Session{
		ID: hawker.NewID(hawker.PrefixSession), UserID: u.ID, TokenHash: hash,
		CreatedAt: now, ExpiresAt: now.Add(hawker.SessionLifetime),
	}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return u.ID, token
}

// do sends a request and returns the answer with its body read. token is
// sent as a bearer token when not empty. body is sent as JSON, except
// []byte and string bodies, which are sent as they are (Content-Type
// application/json).
func (f *fixture) do(t *testing.T, method, path, token string, body any) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return f.doHeader(t, method, path, h, body)
}

// doHeader is do with the request headers given.
func (f *fixture) doHeader(t *testing.T, method, path string, h http.Header, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, data
}

// must sends a request and fails the test unless the status is want.
func (f *fixture) must(t *testing.T, method, path, token string, body any, want int) []byte {
	t.Helper()
	resp, data := f.do(t, method, path, token, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	return data
}

// mustJSON is must that decodes the answer into out.
func (f *fixture) mustJSON(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	data := f.must(t, method, path, token, body, want)
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
	}
}

// apiError is the JSON of an error answer.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// wantError fails the test unless the answer is the error with the status,
// code and (when not empty) field.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, code, field string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Error.Code != code {
		t.Errorf("error code %q, want %q (%s)", e.Error.Code, code, body)
	}
	if field != "" && e.Error.Field != field {
		t.Errorf("error field %q, want %q (%s)", e.Error.Field, field, body)
	}
	if e.Error.Message == "" {
		t.Errorf("error without message: %s", body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q", ct)
	}
}

// pngBytes returns a w×h PNG.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 40), uint8(y * 60), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadPNG uploads a w×h PNG to the shop as a raw body and returns the
// image id.
func (f *fixture) uploadPNG(t *testing.T, token, shopID string, w, h int) string {
	t.Helper()
	hd := http.Header{}
	hd.Set("Authorization", "Bearer "+token)
	hd.Set("Content-Type", "image/png")
	resp, data := f.doHeader(t, "POST", "/api/v1/shops/"+shopID+"/images", hd, pngBytes(t, w, h))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload image: status %d: %s", resp.StatusCode, data)
	}
	var out struct{ Image hawker.Image }
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out.Image.ID
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// showAt is when the fixture's show is scheduled: a day ahead of the
// server's clock, as a real schedule must be.
var (
	showAt     = time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	showAtJSON = showAt.Format(time.RFC3339)
)
