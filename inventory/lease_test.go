package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/inventory"
	"hawker/market"
	"hawker/postgres"
	"hawker/postgres/pgtest"
)

// The SKU leases across processes, on PostgreSQL (the store that
// implements inventory.Leaser): two engines with their own connection
// pools on one schema stand for two hawker processes. Without
// HAWKER_TEST_POSTGRES_URL these tests skip (fail with
// HAWKER_TEST_REQUIRE_DB=1).

// countingStore counts what the engine asks of the store.
type countingStore struct {
	*postgres.DB
	loads atomic.Int64 // LoadSKU calls: the first load and every reload
	stale atomic.Int64 // commits that failed with ErrStale
}

func (s *countingStore) LoadSKU(ctx context.Context, id string) (*inventory.SKUState, error) {
	s.loads.Add(1)
	return s.DB.LoadSKU(ctx, id)
}

func (s *countingStore) CommitBatch(ctx context.Context, b *inventory.Batch) error {
	err := s.DB.CommitBatch(ctx, b)
	if errors.Is(err, inventory.ErrStale) {
		s.stale.Add(1)
	}
	return err
}

// node is one "process": its store and engine.
type node struct {
	name  string
	store *countingStore
	eng   *inventory.GroupCommit
	// decided counts the reserve requests this node's engine decided.
	decided  atomic.Int64
	notOwner atomic.Int64
}

// cluster is two nodes on one schema, with a raw handle for SQL.
type cluster struct {
	nodes []*node
	db    *postgres.DB // a third pool, for setup and audits
	raw   *pgx.Conn    // for SQL behind the engines' backs
	shop  string
}

const leaseTTL = 2 * time.Second

func newCluster(t *testing.T) *cluster {
	t.Helper()
	url := pgtest.Schema(t, pgtest.URL(t))
	c := &cluster{db: pgtest.OpenURL(t, url, postgres.Options{})}
	raw, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close(context.Background()) })
	c.raw = raw
	for _, name := range []string{"a", "b"} {
		st := &countingStore{DB: pgtest.OpenURL(t, url, postgres.Options{})}
		n := &node{name: name, store: st}
		n.eng = inventory.New(st, inventory.Config{
			Markets: market.Default(), Node: name + "-" + hawker.NewID("n"), Addr: "http://" + name, LeaseTTL: leaseTTL,
		})
		t.Cleanup(func() { n.eng.Close() })
		c.nodes = append(c.nodes, n)
	}
	sh := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "lease", Name: "Lease", HomeMarket: "US", Markets: []string{"US"}, CreatedAt: hawker.Now()}
	if err := c.db.CreateShop(t.Context(), sh, nil); err != nil {
		t.Fatal(err)
	}
	c.shop = sh.ID
	return c
}

func (c *cluster) sku(t *testing.T, onHand int64) string {
	t.Helper()
	s := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: hawker.NewID("c"), Options: map[string]string{}, Prices: map[string]int64{"US": 1000}, OnHand: onHand}
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: c.shop, Title: "Drop", Images: []string{},
		Translations: map[string]hawker.Translation{}, SKUs: []*hawker.SKU{s}, CreatedAt: hawker.Now(), UpdatedAt: hawker.Now()}
	if err := c.db.CreateProduct(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func (c *cluster) byAddr(addr string) *node {
	for _, n := range c.nodes {
		if "http://"+n.name == addr {
			return n
		}
	}
	return nil
}

// errRetry is an answer that asks the client to try again (the HTTP
// layer's 503 or 429): a forwarded request hit NotOwner again, or the
// engine was busy.
var errRetry = errors.New("retry")

// buy sends one reserve request to n and, on NotOwnerError, forwards it
// once to the holder, as the HTTP layer does. It returns the decision and
// the node that made it.
func (c *cluster) buy(ctx context.Context, n *node, req inventory.Request) (inventory.Decision, *node, error) {
	for hop := 0; ; hop++ {
		d, err := n.eng.Reserve(ctx, req)
		var no *inventory.NotOwnerError
		switch {
		case err == nil:
			n.decided.Add(1)
			return d, n, nil
		case errors.As(err, &no):
			n.notOwner.Add(1)
			if no.SKU != req.Order.Lines[0].SKUID {
				return d, nil, fmt.Errorf("NotOwner names SKU %s", no.SKU)
			}
			to := c.byAddr(no.Addr)
			if to == nil || to == n {
				return d, nil, fmt.Errorf("NotOwner from %s names %q", n.name, no.Addr)
			}
			if hop > 0 {
				return d, nil, errRetry
			}
			n = to
		case hawker.ErrorCode(err) == hawker.EBUSY:
			return d, nil, errRetry
		default:
			return d, nil, err
		}
	}
}

// buyUntilDecided retries buy like a client honouring Retry-After.
func (c *cluster) buyUntilDecided(ctx context.Context, n *node, req inventory.Request) (inventory.Decision, *node, error) {
	for {
		d, by, err := c.buy(ctx, n, req)
		if !errors.Is(err, errRetry) {
			return d, by, err
		}
		select {
		case <-ctx.Done():
			return d, nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func request(buyer, key, sku string) inventory.Request {
	return inventory.Request{Order: hawker.OrderRequest{BuyerID: buyer, IdempotencyKey: key, Market: "US",
		Lines: []hawker.OrderRequestLine{{SKUID: sku, Quantity: 1}}}}
}

// sale sends n requests for the SKU through both nodes in turn, all at
// once, each retried until decided; it returns the orders made.
func (c *cluster) sale(t *testing.T, sku string, prefix string, n int) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var created atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, _, err := c.buyUntilDecided(ctx, c.nodes[i%2], request(hawker.NewID(hawker.PrefixUser), fmt.Sprintf("%s-%d", prefix, i), sku))
			switch {
			case err != nil:
				t.Errorf("request %d: %v", i, err)
			case d.Status == inventory.StatusCreated:
				created.Add(1)
			case d.Code != hawker.ESOLDOUT:
				t.Errorf("request %d: %d %s", i, d.Status, d.Body)
			}
		})
	}
	wg.Wait()
	return created.Load()
}

func (c *cluster) audit(t *testing.T, sku string, reserved int64) {
	t.Helper()
	vs, err := c.db.AuditStock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("audit: %+v", v)
	}
	s, err := c.db.FindStock(t.Context(), sku)
	if err != nil {
		t.Fatal(err)
	}
	if s.Reserved != reserved || s.Reserved+s.Sold > s.OnHand {
		t.Errorf("stored stock %+v, want %d reserved", s, reserved)
	}
}

// 500 buyers for 100 units through two processes: exactly 100 orders,
// every one decided by the lease holder (the other answers NotOwner and
// the request is forwarded), and no reload storm on the holder.
func TestLeaseOneNodeDecides(t *testing.T) {
	c := newCluster(t)
	sku := c.sku(t, 100)
	start := time.Now()
	if got := c.sale(t, sku, "k", 500); got != 100 {
		t.Errorf("%d orders, want 100", got)
	}
	t.Logf("500 requests through two nodes in %v", time.Since(start))
	c.audit(t, sku, 100)

	a, b := c.nodes[0], c.nodes[1]
	holder, other := a, b
	if b.decided.Load() > 0 {
		holder, other = b, a
	}
	t.Logf("holder %s: decided %d, NotOwner %d, loads %d, stale commits %d; other %s: decided %d, NotOwner %d, loads %d, stale commits %d",
		holder.name, holder.decided.Load(), holder.notOwner.Load(), holder.store.loads.Load(), holder.store.stale.Load(),
		other.name, other.decided.Load(), other.notOwner.Load(), other.store.loads.Load(), other.store.stale.Load())
	if holder.decided.Load() != 500 || other.decided.Load() != 0 {
		t.Errorf("decided: %s %d, %s %d; want one node to decide all 500", holder.name, holder.decided.Load(), other.name, other.decided.Load())
	}
	// Every request sent to the other node was answered NotOwner and
	// forwarded (250 of them), and none sent to the holder was.
	if other.notOwner.Load() != 250 || holder.notOwner.Load() != 0 {
		t.Errorf("NotOwner answers: %s %d, %s %d; want 250 from the other node only", other.name, other.notOwner.Load(), holder.name, holder.notOwner.Load())
	}
	if n := holder.store.stale.Load() + other.store.stale.Load(); n != 0 {
		t.Errorf("%d commits failed with ErrStale, want none (one decider)", n)
	}
	if n := holder.store.loads.Load(); n > 2 {
		t.Errorf("the holder loaded the SKU %d times, want one load (no reload storm)", n)
	}
	if n := other.store.loads.Load(); n != 0 {
		t.Errorf("the other node loaded the SKU %d times, want 0 (it decides nothing)", n)
	}
}

// The holder's lease expires mid-sale (by SQL, as when its process
// stalls): the other node takes over, the old holder forwards to it, and
// nothing is oversold — also when the lease is lost with requests in
// flight.
func TestLeaseLostMidSale(t *testing.T) {
	c := newCluster(t)
	sku := c.sku(t, 200)
	if got := c.sale(t, sku, "one", 50); got != 50 {
		t.Fatalf("%d orders, want 50", got)
	}
	a, b := c.nodes[0], c.nodes[1]
	holder, other := a, b
	if b.decided.Load() > 0 {
		holder, other = b, a
	}

	expire := func() {
		if _, err := c.raw.Exec(t.Context(), `UPDATE inventory_leases SET expires_at = now() - interval '1 second'`); err != nil {
			t.Fatal(err)
		}
	}
	expire()
	// Only the other node is asked: once what it knows of the old lease
	// runs out (a quarter of the ttl at most), it takes the lease.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	took := false
	for i := 0; !took; i++ {
		d, err := other.eng.Reserve(ctx, request(hawker.NewID(hawker.PrefixUser), fmt.Sprintf("two-%d", i), sku))
		var no *inventory.NotOwnerError
		switch {
		case err == nil && d.Status == inventory.StatusCreated:
			took = true
		case errors.As(err, &no):
			if no.Addr != "http://"+holder.name {
				t.Fatalf("NotOwner names %q, want the old holder", no.Addr)
			}
			time.Sleep(20 * time.Millisecond)
		default:
			t.Fatalf("reserve on %s: %v %d %s", other.name, err, d.Status, d.Body)
		}
	}
	// The old holder now forwards to the new one.
	_, err := holder.eng.Reserve(t.Context(), request(hawker.NewID(hawker.PrefixUser), "three", sku))
	var no *inventory.NotOwnerError
	if !errors.As(err, &no) || no.Addr != "http://"+other.name {
		t.Fatalf("old holder's answer: %v, want NotOwner naming %s", err, other.name)
	}

	// The rest of the stock, with the lease lost again while requests are
	// in flight: exactly sold out, never oversold.
	var wg sync.WaitGroup
	wg.Go(func() {
		deadline := time.Now().Add(5 * time.Second)
		for other.decided.Load() < 60 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		expire()
	})
	got := c.sale(t, sku, "four", 400)
	wg.Wait()
	if got != 149 {
		t.Errorf("%d more orders, want the 149 units left", got)
	}
	c.audit(t, sku, 200)
	t.Logf("stale commits: %s %d, %s %d", holder.name, holder.store.stale.Load(), other.name, other.store.stale.Load())
}

// A store without Leaser (SQLite, memory) and a Node: no leases, every
// engine decides as before.
func TestLeaseOffWithoutLeaser(t *testing.T) {
	ms := inventory.NewMemStore()
	if _, ok := any(ms).(inventory.Leaser); ok {
		t.Fatal("the memory store implements Leaser")
	}
	sku := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "A", Prices: map[string]int64{"US": 1000}, OnHand: 1}
	ms.PutSKU(sku)
	eng := inventory.New(ms, inventory.Config{Markets: market.Default(), Node: "a", Addr: "http://a"})
	defer eng.Close()
	d, err := eng.Reserve(t.Context(), request(hawker.NewID(hawker.PrefixUser), "k", sku.ID))
	if err != nil || d.Status != inventory.StatusCreated {
		t.Fatalf("reserve = %d %s %v, want 201", d.Status, d.Body, err)
	}
}
