package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	hawkerhttp "hawker/http"
	"hawker/market"
)

// clusterSecret is the test cluster's shared secret.
const clusterSecret = "cluster-test-secret-0123456789"

// clusterNode is one `hawker serve` process of the test cluster.
type clusterNode struct {
	name  string
	child *serveChild
	log   string
}

// TestCluster runs two `hawker serve` processes (this test binary,
// re-executed) on one PostgreSQL database with a cluster secret, and
// buyers ordering through both: each SKU is decided by the node holding
// its lease, the other forwards. The sale sells out exactly, every answer
// replays byte for byte through either node, the internal route wants the
// secret, and when the owner dies the other node answers 503 with
// Retry-After until the lease runs out, then decides itself.
func TestCluster(t *testing.T) {
	pg := os.Getenv("HAWKER_TEST_POSTGRES_URL")
	if pg == "" {
		if os.Getenv("HAWKER_TEST_REQUIRE_DB") != "" {
			t.Fatal("HAWKER_TEST_REQUIRE_DB is set but HAWKER_TEST_POSTGRES_URL is not")
		}
		t.Skip("HAWKER_TEST_POSTGRES_URL not set: the cluster test needs PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dbURL := freshPostgresDB(t, pg)
	db, err := openStore(ctx, &storeFlags{databaseURL: dbURL, dataDir: t.TempDir()}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const buyers, units = 60, 40
	tgt, err := seedFlashTarget(ctx, db, market.Default(), buyers)
	if err != nil {
		t.Fatal(err)
	}
	st := &crashState{tgt: tgt}
	if err := st.addSKU(ctx, db, units); err != nil {
		t.Fatal(err)
	}
	if err := st.addSKU(ctx, db, 5); err != nil {
		t.Fatal(err)
	}

	logDir := t.TempDir()
	var nodes []*clusterNode
	for _, name := range []string{"a", "b"} {
		n := &clusterNode{name: name, log: filepath.Join(logDir, name+".log")}
		c, err := startServeChild(ctx, []string{"--data", t.TempDir(), "--database-url", dbURL, "--addr", "127.0.0.1:0",
			"--auth-rate", "0", "--cluster-secret", clusterSecret}, n.log)
		if err != nil {
			t.Fatal(err)
		}
		n.child = c
		t.Cleanup(func() {
			select {
			case <-c.done:
			default:
				if err := c.stop(); err != nil {
					t.Errorf("node %s: %v", name, err)
				}
			}
			if t.Failed() {
				b, _ := os.ReadFile(n.log)
				t.Logf("node %s log:\n%s", name, b)
			}
		})
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		if b, _ := os.ReadFile(n.log); strings.Contains(string(b), clusterSecret) {
			t.Errorf("node %s logs the cluster secret", n.name)
		}
	}
	hc := newBenchClient(buyers)
	defer hc.CloseIdleConnections()

	// order sends buyer i's order with key through node n, again while
	// it is answered 503 or 429 (a client honouring Retry-After).
	order := func(n *clusterNode, i int, sku int, key string) (int, []byte) {
		t.Helper()
		var buf bytes.Buffer
		for {
			status, err := postOrder(ctx, hc, n.child.url+"/api/v1/orders", tgt.buyers[i].token, key, st.body(sku), &buf)
			if err != nil {
				t.Fatalf("order %s via %s: %v", key, n.name, err)
			}
			if status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests {
				return status, bytes.Clone(buf.Bytes())
			}
			select {
			case <-ctx.Done():
				t.Fatalf("order %s via %s: still %d at the deadline: %s", key, n.name, status, buf.Bytes())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	// The sale: every buyer once, through the nodes in turn, all at once.
	type answer struct {
		status int
		body   []byte
	}
	answers := make([]answer, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Go(func() {
			s, b := order(nodes[i%2], i, 0, fmt.Sprintf("sale-%d", i))
			answers[i] = answer{s, b}
		})
	}
	wg.Wait()
	created, soldOut := 0, 0
	for i, a := range answers {
		switch {
		case a.status == http.StatusCreated:
			created++
		case a.status == http.StatusConflict && bytes.Contains(a.body, []byte(`"sold_out"`)):
			soldOut++
		default:
			t.Errorf("buyer %d: %d %s", i, a.status, a.body)
		}
	}
	if created != units || soldOut != buyers-units {
		t.Errorf("%d orders, %d sold out; want %d, %d", created, soldOut, units, buyers-units)
	}
	vs, err := db.(stockAuditor).AuditStock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("audit: %+v", v)
	}
	stock, err := db.FindStock(ctx, st.skus[0].id)
	if err != nil || stock.Reserved != units || stock.Available != 0 {
		t.Errorf("stock %+v %v, want %d reserved, none left", stock, err, units)
	}

	// One node holds the SKU's lease; the other decided nothing itself,
	// so each of its answers was forwarded.
	holder := leaseHolder(t, ctx, dbURL, st.skus[0].id, nodes)
	t.Logf("node %s holds the lease; node %s forwarded %d orders", holder.name, other(nodes, holder).name, buyers/2)

	// Replays through either node: the owner's stored decision, byte for
	// byte.
	for i, a := range answers {
		for _, n := range nodes {
			s, b := order(n, i, 0, fmt.Sprintf("sale-%d", i))
			if s != a.status || !bytes.Equal(b, a.body) {
				t.Errorf("buyer %d replayed via %s: %d %s, first %d %s", i, n.name, s, b, a.status, a.body)
			}
		}
	}

	// The internal route wants the cluster secret.
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "Bearer " + strings.Repeat("x", len(clusterSecret)), http.StatusUnauthorized},
		{"not bearer", "Basic " + clusterSecret, http.StatusUnauthorized},
		{"right, empty body", "Bearer " + clusterSecret, http.StatusBadRequest},
	} {
		req, _ := http.NewRequestWithContext(ctx, "POST", holder.child.url+hawkerhttp.InternalOrdersPath, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/json")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("internal route, %s secret: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}

	// The owner of the second SKU dies: the survivor answers 503 with
	// Retry-After while the lease lives, then takes the SKU over; what the
	// dead owner decided replays from the store.
	s2, b2 := order(nodes[0], 0, 1, "second-0")
	if s2 != http.StatusCreated {
		t.Fatalf("first order of the second SKU: %d %s", s2, b2)
	}
	dead := leaseHolder(t, ctx, dbURL, st.skus[1].id, nodes)
	alive := other(nodes, dead)
	dead.child.kill()
	var buf bytes.Buffer
	saw503 := false
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, err := postOrder(ctx, hc, alive.child.url+"/api/v1/orders", tgt.buyers[1].token, "second-1", st.body(1), &buf)
		if err != nil {
			t.Fatal(err)
		}
		if status == http.StatusCreated {
			break
		}
		if status != http.StatusServiceUnavailable {
			t.Fatalf("after the owner died: %d %s", status, buf.Bytes())
		}
		if !bytes.Contains(buf.Bytes(), []byte(`"unavailable"`)) {
			t.Errorf("503 body %s", buf.Bytes())
		}
		saw503 = true
		if time.Now().After(deadline) {
			t.Fatalf("the survivor did not take over within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !saw503 {
		t.Error("no 503 while the dead owner's lease lived")
	}
	if h := leaseHolder(t, ctx, dbURL, st.skus[1].id, nodes); h != alive {
		t.Errorf("lease held by %s after the takeover, want %s", h.name, alive.name)
	}
	if s, b := order(alive, 0, 1, "second-0"); s != s2 || !bytes.Equal(b, b2) {
		t.Errorf("replay of the dead owner's decision: %d %s, first %d %s", s, b, s2, b2)
	}
}

// leaseHolder returns the node whose address the SKU's lease names.
func leaseHolder(t *testing.T, ctx context.Context, dbURL, sku string, nodes []*clusterNode) *clusterNode {
	t.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var addr string
	if err := conn.QueryRow(ctx, `SELECT addr FROM inventory_leases WHERE sku_id = $1`, sku).Scan(&addr); err != nil {
		t.Fatalf("lease of %s: %v", sku, err)
	}
	for _, n := range nodes {
		if n.child.url == addr {
			return n
		}
	}
	t.Fatalf("the lease of %s names %q, no node of the cluster", sku, addr)
	return nil
}

func other(nodes []*clusterNode, n *clusterNode) *clusterNode {
	if nodes[0] == n {
		return nodes[1]
	}
	return nodes[0]
}
