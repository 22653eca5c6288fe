package hawkerhttp

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"hawker"
	"hawker/fsblob"
	"hawker/inventory"
	"hawker/market"
)

const testClusterSecret = "test-cluster-secret-0123456789"

// notOwnerCheckout is an engine whose every reserve request is decided by
// the node at addr (as when another node holds the SKUs' leases).
type notOwnerCheckout struct {
	Checkout
	addr func() string
}

func (c notOwnerCheckout) Reserve(_ context.Context, req inventory.Request) (inventory.Decision, error) {
	return inventory.Decision{}, &inventory.NotOwnerError{SKU: req.Order.Lines[0].SKUID, Addr: c.addr()}
}

// peer starts a second node over the owner fixture's store whose engine
// forwards every reserve request to addr, with the cluster secret given.
func (f *fixture) peer(t *testing.T, clusterSecret string, addr func() string) string {
	t.Helper()
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(slog.New(slog.NewTextHandler(f.Logs, nil)), f.Store, market.Default(), blobs, Config{
		AuthRate: "0", ClusterSecret: clusterSecret,
		Checkout: notOwnerCheckout{Checkout: f.Engine, addr: addr}, Orders: f.Store.(OrderFinder),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts.URL
}

func postAt(t *testing.T, url, token, key string, body any) (*http.Response, []byte) {
	t.Helper()
	g := &fixture{URL: url}
	return g.buy(t, token, key, body)
}

func TestInternalOrderRouteAuth(t *testing.T) {
	off := newFixture(t)
	owner := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", ClusterSecret: testClusterSecret}})
	body := map[string]any{"buyer_id": owner.UserBuyer, "idempotency_key": "k", "order": buyBody(owner.SKUA, 1)}
	for _, tc := range []struct {
		name string
		f    *fixture
		auth string
		want int
		code string
	}{
		{"no secret configured", off, "Bearer " + testClusterSecret, http.StatusNotFound, "not_found"},
		{"missing", owner, "", http.StatusUnauthorized, "unauthenticated"},
		{"wrong", owner, "Bearer " + testClusterSecret + "x", http.StatusUnauthorized, "unauthenticated"},
		{"a user's token", owner, "Bearer " + owner.BuyerToken, http.StatusUnauthorized, "unauthenticated"},
		{"bad buyer", owner, "Bearer " + testClusterSecret, http.StatusUnprocessableEntity, "invalid"},
		{"right", owner, "Bearer " + testClusterSecret, http.StatusCreated, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := body
			if tc.name == "bad buyer" {
				b = map[string]any{"buyer_id": "nobody", "idempotency_key": "k", "order": buyBody(owner.SKUA, 1)}
			}
			h := http.Header{}
			if tc.auth != "" {
				h.Set("Authorization", tc.auth)
			}
			resp, got := tc.f.doHeader(t, "POST", InternalOrdersPath, h, b)
			if resp.StatusCode != tc.want || tc.code != "" && !bytes.Contains(got, []byte(`"code":"`+tc.code+`"`)) {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, got, tc.want, tc.code)
			}
		})
	}
	if bytes.Contains([]byte(owner.Logs.String()), []byte(testClusterSecret)) {
		t.Error("the server logged the cluster secret")
	}
	for _, r := range owner.Server.Routes() {
		if bytes.Contains([]byte(r), []byte("/internal/")) {
			t.Errorf("Routes lists the internal route %q (it is not public API)", r)
		}
	}
}

// A node that does not decide the SKU forwards to the owner and relays
// its answers byte for byte; the owner replays them to either node.
func TestOrderForwarding(t *testing.T) {
	owner := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", ClusterSecret: testClusterSecret}})
	peer := owner.peer(t, testClusterSecret, func() string { return owner.URL })

	resp, first := postAt(t, peer, owner.BuyerToken, "fw-1", buyBody(owner.SKUA, 10))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("forwarded order: %d %s", resp.StatusCode, first)
	}
	if o := decodeOrder(t, first); o.BuyerID != owner.UserBuyer || o.Lines[0].Quantity != 10 {
		t.Errorf("forwarded order %s", first)
	}
	for _, url := range []string{owner.URL, peer} {
		resp, again := postAt(t, url, owner.BuyerToken, "fw-1", buyBody(owner.SKUA, 10))
		if resp.StatusCode != http.StatusCreated || !bytes.Equal(again, first) {
			t.Errorf("replay via %s: %d %s, want %s", url, resp.StatusCode, again, first)
		}
	}
	// A decided refusal and a refusal before a decision, as the owner
	// answers them itself.
	for _, tc := range []struct {
		name string
		key  string
		body any
		want int
	}{
		{"sold out", "fw-2", buyBody(owner.SKUA, 1), http.StatusConflict},
		{"key reused", "fw-1", buyBody(owner.SKUA, 1), http.StatusUnprocessableEntity},
		{"unknown SKU", "fw-3", buyBody(hawker.NewID(hawker.PrefixSKU), 1), http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := postAt(t, peer, owner.BuyerToken, tc.key, tc.body)
			dresp, direct := postAt(t, owner.URL, owner.BuyerToken, tc.key, tc.body)
			if resp.StatusCode != tc.want || dresp.StatusCode != tc.want || !bytes.Equal(got, direct) {
				t.Errorf("forwarded %d %s, direct %d %s; want %d, the same bytes", resp.StatusCode, got, dresp.StatusCode, direct, tc.want)
			}
		})
	}
}

// Forwarding is one hop; an unreachable or misconfigured owner is 503
// with Retry-After, never 5xx internal.
func TestOrderForwardingFailures(t *testing.T) {
	owner := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", ClusterSecret: testClusterSecret}})
	var loop string
	loop = owner.peer(t, testClusterSecret, func() string { return loop })
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	unreachable := owner.peer(t, testClusterSecret, func() string { return closed.URL })
	wrongSecret := owner.peer(t, testClusterSecret+"-other", func() string { return owner.URL })
	for _, tc := range []struct {
		name, url, retry string
	}{
		{"the owner is not the owner either", loop, "1"},
		{"owner unreachable", unreachable, "2"},
		{"another cluster secret", wrongSecret, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := postAt(t, tc.url, owner.BuyerToken, "k-"+tc.name, buyBody(owner.SKUA, 1))
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != tc.retry ||
				!bytes.Contains(got, []byte(`"code":"unavailable"`)) {
				t.Errorf("%d Retry-After %q %s; want 503 unavailable, Retry-After %s", resp.StatusCode, resp.Header.Get("Retry-After"), got, tc.retry)
			}
		})
	}
	if st := owner.stockOf(t, owner.SKUA); st.Reserved != 0 {
		t.Errorf("stock %+v after failed forwards, want nothing reserved", st)
	}
}
