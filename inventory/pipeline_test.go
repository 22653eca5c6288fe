package inventory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hawker"
)

// gateStore is a MemStore whose next commits can be held until the test
// lets them go. It holds them outside the MemStore's lock, so the owner
// can read (decide the next batch) while a commit is in flight, as with a
// real database.
type gateStore struct {
	*MemStore
	mu      sync.Mutex
	hold    int         // how many of the next commits to hold
	entered chan *Batch // a held commit announces itself here
	release chan error  // and then returns this (nil: it commits)
	finds   atomic.Int64
}

func (g *gateStore) CommitBatch(ctx context.Context, b *Batch) error {
	g.mu.Lock()
	held := g.hold > 0
	if held {
		g.hold--
	}
	g.mu.Unlock()
	if held {
		g.entered <- b
		if err := <-g.release; err != nil {
			return err
		}
	}
	return g.MemStore.CommitBatch(ctx, b)
}

func (g *gateStore) FindDecisions(ctx context.Context, keys []Key) ([]*Record, error) {
	g.finds.Add(1)
	return g.MemStore.FindDecisions(ctx, keys)
}

// gated replaces the harness's engine with a group-commit engine on a
// gateStore that holds the next n commits.
func gated(h *harness, n int) *gateStore {
	g := &gateStore{MemStore: h.store, hold: n, entered: make(chan *Batch), release: make(chan error)}
	h.eng.Close()
	// Without the set of known keys every batch looks its keys up, which
	// is how the tests see that a batch was decided (waitFinds).
	cfg := h.cfg
	cfg.KnownKeys = -1
	h.eng = New(g, cfg)
	return g
}

type answer struct {
	d   Decision
	err error
}

func (h *harness) reserveAsync(req Request) <-chan answer {
	c := make(chan answer, 1)
	go func() {
		d, err := h.reserve(req)
		c <- answer{d, err}
	}()
	return c
}

// waitFinds waits until the owner has read the decisions of n batches: a
// batch read while a commit is held is one decided on top of it.
func waitFinds(t *testing.T, g *gateStore, n int64) {
	t.Helper()
	waitFor(t, 5*time.Second, func() error {
		if got := g.finds.Load(); got < n {
			return fmt.Errorf("%d batches decided, want %d", got, n)
		}
		return nil
	})
}

func notAnswered(t *testing.T, c <-chan answer, what string) {
	t.Helper()
	select {
	case a := <-c:
		t.Fatalf("%s answered before its commit: %+v, %v (%s)", what, a.d, a.err, a.d.Body)
	default:
	}
}

// Batch N+1 is decided while N commits, but answered only after its own
// commit, and only after N's.
func TestPipelineAnswersAfterOwnCommit(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(10, 0)
	g := gated(h, 2)
	a := h.reserveAsync(request(newBuyer(), "a", line(sku, 1)))
	<-g.entered // N in flight
	b := h.reserveAsync(request(newBuyer(), "b", line(sku, 1)))
	waitFinds(t, g, 2) // N+1 decided in memory
	notAnswered(t, a, "batch N")
	notAnswered(t, b, "batch N+1")
	g.release <- nil // N commits
	if r := <-a; r.err != nil || r.d.Status != StatusCreated {
		t.Fatalf("a: %+v, %v", r.d, r.err)
	}
	<-g.entered // N+1 commits only now, after N
	notAnswered(t, b, "batch N+1")
	if s := h.store.Stock(sku); s.Reserved != 1 {
		t.Fatalf("store after N: %+v", s)
	}
	g.release <- nil
	if r := <-b; r.err != nil || r.d.Status != StatusCreated {
		t.Fatalf("b: %+v, %v", r.d, r.err)
	}
	if s := h.store.Stock(sku); s.Reserved != 2 {
		t.Fatalf("store after N+1: %+v", s)
	}
}

// When N fails, N+1 was decided on a state that never existed: its
// decisions are thrown away unanswered and made again on the real state.
// With 3 units, N reserves 2 and N+1 (2 more) is decided sold out in
// memory; N's commit fails, so the right answer for N+1 is a 201.
func TestPipelineFailedBatchRedecidesNext(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(3, 0)
	g := gated(h, 1)
	a := h.reserveAsync(request(newBuyer(), "a", line(sku, 2)))
	<-g.entered
	bReq := request(newBuyer(), "b", line(sku, 2))
	b := h.reserveAsync(bReq)
	waitFinds(t, g, 2)
	g.release <- errors.New("disk on fire")
	ra, rb := <-a, <-b
	if hawker.ErrorCode(ra.err) != hawker.EINTERNAL {
		t.Errorf("a: %+v, %v, want an internal error", ra.d, ra.err)
	}
	if rb.err != nil || rb.d.Status != StatusCreated {
		t.Fatalf("b got the decision made on the failed state: %+v, %v (%s)", rb.d, rb.err, rb.d.Body)
	}
	if s := h.store.Stock(sku); s.Reserved != 2 {
		t.Errorf("store: %+v", s)
	}
	// The sold_out decided in memory was never stored: b replays its 201.
	d, err := h.reserve(bReq)
	if err != nil || !d.Replayed || d.Status != StatusCreated {
		t.Errorf("replay b: %+v, %v", d, err)
	}
}

// When N fails stale (stock changed behind the engine), N and then N+1
// are decided again on the reloaded state, in that order.
func TestPipelineStaleBatchRedecidesBoth(t *testing.T) {
	h := newHarness(t, kinds[0], nil)
	sku := h.sku(3, 0)
	g := gated(h, 1)
	a := h.reserveAsync(request(newBuyer(), "a", line(sku, 2)))
	<-g.entered
	b := h.reserveAsync(request(newBuyer(), "b", line(sku, 2)))
	waitFinds(t, g, 2) // b decided sold out on 3 - 2
	if err := h.store.SetOnHand(sku, 4); err != nil {
		t.Fatal(err)
	}
	g.release <- nil // the commit reaches the store and fails on the version
	ra, rb := <-a, <-b
	if ra.err != nil || ra.d.Status != StatusCreated {
		t.Errorf("a: %+v, %v", ra.d, ra.err)
	}
	if rb.err != nil || rb.d.Status != StatusCreated {
		t.Errorf("b decided on the stale state: %+v, %v (%s)", rb.d, rb.err, rb.d.Body)
	}
	if s := h.store.Stock(sku); s.Reserved != 4 || s.Available != 0 {
		t.Errorf("store: %+v", s)
	}
}

// Under load with commits failing at random, pipelining never answers a
// decision that was not stored, and never oversells.
func TestPipelineFailuresUnderLoad(t *testing.T) {
	h := newHarness(t, kinds[0], func(c *Config) { c.MaxBatch = 8 })
	sku := h.sku(60, 0)
	var calls atomic.Int64
	h.store.SetCommitFault(func(*Batch) error {
		if calls.Add(1)%3 == 0 {
			return errors.New("disk on fire")
		}
		return nil
	})
	var wg sync.WaitGroup
	var made atomic.Int64
	for c := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				req := request(newBuyer(), fmt.Sprintf("%d-%d", c, i), line(sku, 1))
				d, err := h.reserve(req)
				if err != nil {
					if hawker.ErrorCode(err) != hawker.EINTERNAL {
						t.Errorf("reserve: %v", err)
					}
					continue
				}
				// Every answered decision is durable by now.
				rec, ferr := h.store.FindDecisions(context.Background(), []Key{{BuyerID: req.Order.BuyerID, Key: req.Order.IdempotencyKey}})
				if ferr != nil || len(rec) != 1 || string(rec[0].Body) != string(d.Body) {
					t.Errorf("answered %s but stored %v (%v)", d.Body, rec, ferr)
				}
				if d.Status == StatusCreated {
					made.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	h.store.SetCommitFault(nil)
	s := h.store.Stock(sku)
	if s.Reserved != made.Load() || s.Reserved > 60 {
		t.Errorf("store %+v, %d orders answered", s, made.Load())
	}
	if got := h.stock(sku); got != s {
		t.Errorf("engine %+v, store %+v", got, s)
	}
}
