package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hawker"
	"hawker/market"
)

// Crash bench settings.
const (
	crashMaxCycles   = 10_000
	crashMaxClients  = 1000
	crashLimitEvery  = 3 // every third SKU has a per-buyer limit
	crashBuyerLimit  = 3
	crashReplayRetry = 3 // replays of a key that get no decision before it counts as a violation
	// crashMaxDuration ends the cycles early, with a last check, before
	// the first reservations reach pay_by: the checks count reserved
	// orders.
	crashMaxDuration = hawker.DefaultReservation - time.Minute
)

// crashFlags are the crash bench's settings.
type crashFlags struct {
	engine, databaseURL, dataDir, inventory string
	cycles, clients, units, buyers          int
	maxRun                                  time.Duration
	keep                                    bool
	seed                                    uint64
}

// orderReader reads orders (the sqlite and postgres stores).
type orderReader interface {
	FindOrder(ctx context.Context, id string) (*hawker.Order, error)
}

// crashKey is an Idempotency-Key sent by the bench, and what is known of
// its decision.
type crashKey struct {
	buyer int
	key   string
	sku   int // index into the bench's SKUs
	// status and body are the first decision answered (201 or 409); 0 and
	// nil while it is unknown: the request got no answer (the server died
	// under it, or it never reached the server) or an answer that decides
	// nothing (5xx).
	status int
	body   []byte
	// misses counts replays after a restart that got no decision either.
	misses int
}

// crashSKU is one SKU on sale in the bench.
type crashSKU struct {
	id    string
	units int64
	limit int64 // max_per_buyer, 0 for none
}

// crashState is everything the bench knows, kept by the parent across the
// server's deaths.
type crashState struct {
	tgt   *flashTarget
	skus  []crashSKU
	mu    sync.Mutex // guards the following while clients run
	keys  []*crashKey
	fresh []*crashKey // keys sent since the last check, or still unknown

	acked, unknown, kills, replays int
}

func runBenchCrash(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench crash", flag.ContinueOnError)
	var f crashFlags
	fs.StringVar(&f.engine, "engine", "sqlite", "store of the server: sqlite or postgres")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL server for --engine postgres (postgres://…): the bench makes a schema of its own there and drops it afterwards")
	fs.StringVar(&f.dataDir, "data", "", "data dir of the server; default a temporary dir, removed afterwards")
	fs.StringVar(&f.inventory, "inventory", "groupcommit", "inventory engine of the server: groupcommit or rowlock")
	fs.IntVar(&f.cycles, "cycles", 100, "kills (and restarts) of the server")
	fs.IntVar(&f.clients, "clients", 16, "concurrent clients ordering while the server runs")
	fs.IntVar(&f.units, "units", 400, "each cycle puts a new SKU of 1..units units on sale (random), ordered beside the previous cycle's")
	fs.IntVar(&f.buyers, "buyers", 20, "buyer accounts")
	fs.DurationVar(&f.maxRun, "max-run", 300*time.Millisecond, "the server is killed a random time up to this after it is ready")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the random kill times and choices; 0 picks one (printed)")
	fs.BoolVar(&f.keep, "keep", false, "keep the temporary data dir or PostgreSQL schema")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case f.engine != "sqlite" && f.engine != "postgres":
		return fmt.Errorf("--engine must be sqlite or postgres, not %q", f.engine)
	case f.engine == "postgres" && f.databaseURL == "":
		return errors.New("--engine postgres needs --database-url")
	case f.inventory != "groupcommit" && f.inventory != "rowlock":
		return fmt.Errorf("--inventory must be groupcommit or rowlock, not %q", f.inventory)
	case f.cycles < 1 || f.cycles > crashMaxCycles:
		return fmt.Errorf("--cycles must be 1..%d", crashMaxCycles)
	case f.clients < 1 || f.clients > crashMaxClients:
		return fmt.Errorf("--clients must be 1..%d", crashMaxClients)
	case f.units < 1 || f.units > hawker.MaxOnHand:
		return fmt.Errorf("--units must be 1..%d", hawker.MaxOnHand)
	case f.buyers < 1 || f.buyers > 10_000:
		return errors.New("--buyers must be 1..10000")
	case f.maxRun < 0 || f.maxRun > time.Minute:
		return errors.New("--max-run must be 0..1m")
	}
	if f.seed == 0 {
		f.seed = mrand.Uint64()
	}
	benchHeader(stdout, "crash")
	fails, err := crashBench(ctx, &f, stdout)
	if err != nil {
		return err
	}
	if len(fails) > 0 {
		const most = 20
		if len(fails) > most {
			fails = append(fails[:most], fmt.Sprintf("… and %d more", len(fails)-most))
		}
		fmt.Fprintf(stdout, "FAIL:\n  %s\n", strings.Join(fails, "\n  "))
		return errBenchViolation
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// crashBench runs the cycles: start the server, check what the previous
// life acknowledged, sell for a random while, SIGKILL it. A last life
// checks everything and stops cleanly.
func crashBench(ctx context.Context, f *crashFlags, stdout io.Writer) ([]string, error) {
	rng := mrand.New(mrand.NewPCG(f.seed, f.seed^0x9e3779b97f4a7c15))
	bs, err := newBenchDB(ctx, f.engine, f.databaseURL, f.dataDir, f.keep, stdout)
	if err != nil {
		return nil, err
	}
	defer bs.cleanup()
	db, err := openStore(ctx, &bs.sf, false, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	orders, ok1 := db.(orderReader)
	auditor, ok2 := db.(stockAuditor)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("the %T store has no orders or audit", db)
	}
	tgt, err := seedFlashTarget(ctx, db, market.Default(), f.buyers)
	if err != nil {
		return nil, err
	}
	st := &crashState{tgt: tgt}
	logPath := filepath.Join(bs.sf.dataDir, "crash-server.log")
	args := append(bs.serveArgs(), "--addr", "127.0.0.1:0", "--auth-rate", "0", "--inventory", f.inventory)
	fmt.Fprintf(stdout, "store %s, %s engine; %d cycles, %d clients, %d buyers, SKUs of up to %d units, kill within %v; seed %d; server log %s\n",
		f.engine, f.inventory, f.cycles, f.clients, f.buyers, f.units, f.maxRun, f.seed, logPath)

	var fails []string
	start := time.Now()
	var restart time.Duration
	for cycle := 0; cycle <= f.cycles; cycle++ {
		t0 := time.Now()
		child, err := startServeChild(ctx, args, logPath)
		if err != nil {
			return nil, fmt.Errorf("cycle %d: %w", cycle, err)
		}
		restart += time.Since(t0)
		hc := newBenchClient(f.clients)
		final := cycle == f.cycles
		if !final && time.Since(start) > crashMaxDuration {
			fmt.Fprintf(stdout, "stopping after %d cycles: the first reservations would soon expire\n", cycle)
			final = true
		}
		fails = append(fails, st.check(ctx, hc, child.url, orders, auditor, db, final)...)
		if final {
			hc.CloseIdleConnections()
			if err := child.stop(); err != nil {
				fails = append(fails, fmt.Sprintf("the last server did not stop cleanly: %v", err))
			}
			break
		}
		if err := st.addSKU(ctx, db, 1+rng.Int64N(int64(f.units))); err != nil {
			child.kill()
			return nil, err
		}
		run := time.Duration(rng.Int64N(int64(f.maxRun) + 1))
		n := st.sell(ctx, hc, child, f.clients, run, rng.Uint64())
		hc.CloseIdleConnections()
		st.kills++
		if cycle < 3 || cycle%10 == 9 || len(fails) > 0 {
			fmt.Fprintf(stdout, "cycle %d: killed after %v with %d decisions; %d acknowledged, %d unknown so far\n",
				cycle+1, run.Round(time.Millisecond), n, st.acked, st.unknown)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	var n201 int
	for _, k := range st.keys {
		if k.status == http.StatusCreated {
			n201++
		}
	}
	fmt.Fprintf(stdout, "%d kills in %.1fs (restarts %.1fs in all); %d keys decided (%d orders), %d requests cut off by a kill and decided on replay; %d replays, every one checked byte for byte\n",
		st.kills, time.Since(start).Seconds(), restart.Seconds(), st.acked, n201, st.unknown, st.replays)
	return fails, nil
}

// addSKU puts this cycle's SKU on sale, straight in the store; every
// crashLimitEvery-th has a per-buyer limit.
func (st *crashState) addSKU(ctx context.Context, db hawker.Store, units int64) error {
	now := hawker.Now()
	p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), ShopID: st.tgt.shopID, Title: "Crash sale " + strconv.Itoa(len(st.skus)+1),
		CreatedAt: now, UpdatedAt: now}
	s := crashSKU{id: hawker.NewID(hawker.PrefixSKU), units: units}
	sku := &hawker.SKU{ID: s.id, ProductID: p.ID, ShopID: st.tgt.shopID, Code: "CR-" + strconv.Itoa(len(st.skus)+1),
		Prices: map[string]int64{"US": flashPrice}, OnHand: s.units}
	if len(st.skus)%crashLimitEvery == crashLimitEvery-1 {
		s.limit = crashBuyerLimit
		sku.MaxPerBuyer = &s.limit
	}
	p.SKUs = []*hawker.SKU{sku}
	if err := db.CreateProduct(ctx, p); err != nil {
		return fmt.Errorf("create SKU: %w", err)
	}
	st.skus = append(st.skus, s)
	return nil
}

func (st *crashState) body(sku int) []byte {
	return []byte(`{"market":"US","lines":[{"sku_id":"` + st.skus[sku].id + `","quantity":1}]}`)
}

// record notes an answer to k; the caller holds st.mu.
func (st *crashState) record(k *crashKey, status int, body []byte) {
	if k.status != 0 {
		return
	}
	k.status, k.body = status, bytes.Clone(body)
	st.acked++
}

// sell has the clients order this cycle's and the previous cycle's SKU
// with fresh keys, kills the server after run, and returns the decisions
// answered.
func (st *crashState) sell(ctx context.Context, hc *http.Client, child *serveChild, clients int, run time.Duration, seed uint64) int {
	cycle := len(st.skus) - 1
	var decided int
	runCtx, cancel := context.WithCancel(ctx)
	// Set just before the kill: clients send nothing new, so what the
	// kill cuts off is what was in flight at that instant.
	var stopping atomic.Bool
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(seed, uint64(i)))
			var buf bytes.Buffer
			for j := 0; !stopping.Load() && runCtx.Err() == nil; j++ {
				sku := cycle
				if cycle > 0 && rng.IntN(2) == 0 {
					sku = cycle - 1
				}
				k := &crashKey{buyer: rng.IntN(len(st.tgt.buyers)), sku: sku,
					key: "cr-" + strconv.Itoa(cycle) + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)}
				status, err := postOrder(runCtx, hc, child.url+"/api/v1/orders", st.tgt.buyers[k.buyer].token, k.key, st.body(sku), &buf)
				st.mu.Lock()
				switch {
				case err == nil && status == http.StatusTooManyRequests:
					// A refusal before a decision: the key was never used.
				case err == nil && (status == http.StatusCreated || status == http.StatusConflict):
					st.keys = append(st.keys, k)
					st.fresh = append(st.fresh, k)
					st.record(k, status, buf.Bytes())
					decided++
				default:
					// No answer (the server died, or the request never
					// reached it) or no decision: the replay after the
					// restart tells.
					st.keys = append(st.keys, k)
					st.fresh = append(st.fresh, k)
					st.unknown++
				}
				st.mu.Unlock()
			}
		})
	}
	if run > 0 {
		sleepCtx(ctx, run)
	}
	stopping.Store(true)
	child.kill()
	cancel()
	wg.Wait()
	return decided
}

// check runs after a restart: each key sent in the last life is replayed
// (all keys, in the final check) and must answer its first decision byte
// for byte (unknown ones now get theirs); each acknowledged order exists
// as answered; the store's audit is clean; each SKU holds exactly the
// acknowledged orders' units, within its stock and per-buyer limit.
func (st *crashState) check(ctx context.Context, hc *http.Client, base string, orders orderReader, auditor stockAuditor, db hawker.Store, all bool) []string {
	var fails []string
	bad := func(format string, a ...any) { fails = append(fails, fmt.Sprintf(format, a...)) }
	keys := st.fresh
	if all {
		keys = st.keys
	}
	st.fresh = nil
	var mu sync.Mutex
	next := make(chan *crashKey)
	var wg sync.WaitGroup
	for range flashCheckParallel {
		wg.Go(func() {
			var buf bytes.Buffer
			for k := range next {
				status, err := postOrder(ctx, hc, base+"/api/v1/orders", st.tgt.buyers[k.buyer].token, k.key, st.body(k.sku), &buf)
				mu.Lock()
				st.replays++
				decision := err == nil && (status == http.StatusCreated || status == http.StatusConflict)
				switch {
				case k.status == 0 && decision:
					st.record(k, status, buf.Bytes())
				case k.status == 0:
					if k.misses++; all || k.misses >= crashReplayRetry {
						bad("key %s: no decision after %d restarts (last: %d %v %.200s)", k.key, k.misses, status, err, buf.Bytes())
					} else {
						st.fresh = append(st.fresh, k)
					}
				case !decision || status != k.status || !bytes.Equal(buf.Bytes(), k.body):
					bad("key %s: replay answered %d %v %.300s, first %d %.300s", k.key, status, err, buf.Bytes(), k.status, k.body)
				}
				mu.Unlock()
			}
		})
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()

	// Every acknowledged order exists, as answered.
	for _, k := range keys {
		if k.status != http.StatusCreated {
			continue
		}
		id := orderIDOf(k.body)
		o, err := orders.FindOrder(ctx, id)
		switch {
		case err != nil:
			bad("LOST: order %s of key %s: %v", id, k.key, err)
		case o.BuyerID != st.tgt.buyers[k.buyer].id || len(o.Lines) != 1 || o.Lines[0].SKUID != st.skus[k.sku].id ||
			o.Lines[0].Quantity != 1 || o.State != hawker.OrderReserved:
			bad("order %s of key %s is not what was answered: %+v", id, k.key, o)
		}
	}
	seen := map[string]*crashKey{}
	for _, k := range st.keys {
		if k.status != http.StatusCreated {
			continue
		}
		id := orderIDOf(k.body)
		if o := seen[id]; o != nil {
			bad("DUPLICATE: keys %s and %s answered the same order %s", o.key, k.key, id)
		}
		seen[id] = k
	}

	vs, err := auditor.AuditStock(ctx)
	if err != nil {
		bad("store audit: %v", err)
	}
	for _, v := range vs {
		bad("store audit: %s", v)
	}

	// Per SKU: the units held are exactly the acknowledged orders' (when
	// every key's decision is known), within stock and limits.
	type tally struct {
		units   int64
		unknown bool
		buyers  map[int]int64
	}
	tallies := make([]tally, len(st.skus))
	for _, k := range st.keys {
		t := &tallies[k.sku]
		switch k.status {
		case 0:
			t.unknown = true
		case http.StatusCreated:
			t.units++
			if t.buyers == nil {
				t.buyers = map[int]int64{}
			}
			t.buyers[k.buyer]++
		}
	}
	for i, s := range st.skus {
		stock, err := db.FindStock(ctx, s.id)
		if err != nil {
			bad("stock of %s: %v", s.id, err)
			continue
		}
		t := tallies[i]
		held := stock.Reserved + stock.Sold
		if held > stock.OnHand || t.units > s.units {
			bad("OVERSOLD: SKU %s: %d acknowledged, reserved %d + sold %d, on_hand %d", s.id, t.units, stock.Reserved, stock.Sold, stock.OnHand)
		}
		if held < t.units {
			bad("LOST: SKU %s: %d acknowledged, reserved %d + sold %d", s.id, t.units, stock.Reserved, stock.Sold)
		}
		if !t.unknown && held != t.units {
			bad("SKU %s holds %d units, the acknowledged orders %d", s.id, held, t.units)
		}
		for b, n := range t.buyers {
			if s.limit > 0 && n > s.limit {
				bad("LIMIT: buyer %d has %d units of SKU %s, limit %d", b, n, s.id, s.limit)
			}
		}
	}
	return fails
}
