package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"hawker"
	"hawker/internal/secret"
	"hawker/market"
)

// Flash-sale bench limits and the bench server's hidden routes.
const (
	flashMaxClients    = 19_000 // below the usual hard limit of open files (20,000)
	flashReplyTimeout  = 30 * time.Second
	flashWarmup        = 300 * time.Millisecond
	flashTrivialMin    = time.Second
	flashTrivialMax    = 5 * time.Second
	flashReplaySample  = 100 // acknowledged keys replayed after each run
	flashCheckParallel = 32  // order reads in flight while checking a run
	flashSignupWorkers = 8
	flashOverloadX     = 10  // --overload runs this many times the largest client count
	flashOverloadQueue = 256 // the engine queue of the overload run without --queue
	flashPrice         = 1000

	benchTrivialPath = "/bench/trivial"
	benchProfilePath = "/bench/cpuprofile"
)

// benchTrivialBody is what the trivial handler answers: a fixed small
// JSON, no store, no auth.
var benchTrivialBody = []byte(`{"ok":true}` + "\n")

// serveBench is the hidden `hawker bench-server serve`: `hawker serve`
// with the flags given (and no environment: the bench passes everything
// it means), plus the bench-only routes beside the API: the trivial
// handler and a CPU profile switch. The flash-sale and crash benches run
// it as their child.
func serveBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return serve(ctx, args, func(string) string { return "" }, stdout, stderr, mountBenchRoutes)
}

func mountBenchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+benchTrivialPath, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(benchTrivialBody)))
		_, _ = w.Write(benchTrivialBody)
	})
	var mu sync.Mutex
	var file *os.File
	// POST ?file=PATH starts a CPU profile of the server into PATH; DELETE
	// stops it. The bench profiles exactly the window of one run.
	mux.HandleFunc("POST "+benchProfilePath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if file != nil {
			http.Error(w, "a profile is running", http.StatusConflict)
			return
		}
		f, err := os.Create(r.URL.Query().Get("file"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		file = f
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE "+benchProfilePath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if file == nil {
			http.Error(w, "no profile is running", http.StatusConflict)
			return
		}
		pprof.StopCPUProfile()
		err := file.Close()
		file = nil
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// serveChild is a `hawker bench-server serve` process.
type serveChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
	done  chan struct{} // closed when the process has exited
	err   error         // Wait's result, set before done closes
	log   *os.File
}

var servingRe = regexp.MustCompile(`serving at (http://\S+)`)

// startServeChild re-executes this binary as `bench-server serve args…`
// (the test binary's init does the same in tests), with its stderr in
// logPath, and waits until it prints its URL.
func startServeChild(ctx context.Context, args []string, logPath string) (*serveChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find own binary: %w", err)
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append([]string{"bench-server", "serve"}, args...)...)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	cmd.Stderr = logf
	stdin, err := cmd.StdinPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	c := &serveChild{cmd: cmd, stdin: stdin, done: make(chan struct{}), log: logf}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			if m := servingRe.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				urls <- m[1]
			}
		}
		close(urls)
		c.err = cmd.Wait()
		logf.Close()
		close(c.done)
	}()
	select {
	case u, ok := <-urls:
		if ok {
			c.url = u
			return c, nil
		}
		<-c.done
		return nil, fmt.Errorf("bench: the server exited before it was ready (%v); its log: %s", c.err, logPath)
	case <-time.After(benchChildStartTimeout):
	case <-ctx.Done():
	}
	c.kill()
	return nil, fmt.Errorf("bench: the server did not get ready; its log: %s", logPath)
}

func (c *serveChild) pid() int { return c.cmd.Process.Pid }

// stop ends the server cleanly (it stops when its stdin closes); it is
// killed after shutdownTimeout and a bit.
func (c *serveChild) stop() error {
	_ = c.stdin.Close()
	select {
	case <-c.done:
		return c.err
	case <-time.After(shutdownTimeout + 5*time.Second):
		c.kill()
		return errors.New("bench: the server did not stop in time; killed")
	}
}

// kill ends the server with SIGKILL (no shutdown of any kind) and waits
// until it is gone.
func (c *serveChild) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}

// benchDB is the store of a bench: SQLite in a (temporary) data dir, or
// a fresh schema of a PostgreSQL database.
type benchDB struct {
	sf      storeFlags
	cleanup func()
}

// newBenchDB prepares the store: for postgres a schema of its own in
// the database at baseURL (search_path set in the URL it hands the server),
// so runs never see each other's rows; for sqlite dataDir, or a temporary
// dir. cleanup removes what was made unless keep.
func newBenchDB(ctx context.Context, engine, baseURL, dataDir string, keep bool, stdout io.Writer) (*benchDB, error) {
	bs := &benchDB{cleanup: func() {}}
	tmp := dataDir == ""
	if tmp {
		d, err := os.MkdirTemp("", "hawker-bench-")
		if err != nil {
			return nil, err
		}
		dataDir = d
	}
	bs.sf.dataDir = dataDir
	if tmp && !keep {
		bs.cleanup = func() { os.RemoveAll(dataDir) }
	}
	if engine != "postgres" {
		return bs, nil
	}
	u, drop, err := benchPostgresSchema(ctx, baseURL)
	if err != nil {
		bs.cleanup()
		return nil, err
	}
	bs.sf.databaseURL = u
	rmDir := bs.cleanup
	bs.cleanup = func() {
		if !keep {
			drop()
		}
		rmDir()
	}
	if keep {
		fmt.Fprintf(stdout, "PostgreSQL store kept: %s\n", redactURL(u))
	}
	return bs, nil
}

// serveArgs are the store flags for a child server.
func (bs *benchDB) serveArgs() []string {
	args := []string{"--data", bs.sf.dataDir}
	if bs.sf.databaseURL != "" {
		args = append(args, "--database-url", bs.sf.databaseURL)
	}
	return args
}

// benchPostgresSchema creates a schema with a random name in the database
// of baseURL and returns baseURL with search_path set to it, and a func
// dropping it. (The bench speaks SQL itself only here: the postgres
// package offers no schema management, and a bench's throwaway schema
// does not belong there.)
func benchPostgresSchema(ctx context.Context, baseURL string) (string, func(), error) {
	if !strings.HasPrefix(baseURL, "postgres://") && !strings.HasPrefix(baseURL, "postgresql://") {
		return "", nil, errors.New("--database-url must be a postgres:// URL")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "hawker_bench_" + hex.EncodeToString(b)
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", nil, errors.New("cannot parse --database-url")
	}
	// The server's pool settings (pool_max_conns, …) mean nothing to a
	// single connection, which refuses them.
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	admin := *u
	admin.RawQuery = q.Encode()
	adminURL := admin.String()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q = u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
	}
	return u.String(), drop, nil
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// flashBuyer is a buyer account and its bearer token.
type flashBuyer struct{ id, token string }

// flashTarget is what a sale needs besides the server: a shop, buyers with
// bearer tokens, and an admin key to make SKUs and check the result.
type flashTarget struct {
	shopID   string
	adminKey string
	buyers   []flashBuyer
}

// seedFlashTarget makes the shop, the buyers (with sessions, without
// passwords: nobody logs in) and an admin key straight in the store,
// which is much faster than signing up through the API (argon2id).
func seedFlashTarget(ctx context.Context, db hawker.Store, markets hawker.Markets, buyers int) (*flashTarget, error) {
	now := hawker.Now()
	tag := strings.ToLower(hawker.NewID("x")[2:])
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "bench-" + tag, Name: "Flash sale bench",
		HomeMarket: "US", Markets: []string{"US"}, CreatedAt: now}
	if err := shop.Validate(markets); err != nil {
		return nil, err
	}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		return nil, fmt.Errorf("create shop: %w", err)
	}
	t := &flashTarget{shopID: shop.ID, buyers: make([]flashBuyer, buyers)}
	var err error
	if t.adminKey, err = createAPIKey(ctx, db, "bench", hawker.RoleAdmin); err != nil {
		return nil, err
	}
	for i := range t.buyers {
		u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: fmt.Sprintf("buyer-%d-%s@example.com", i, tag),
			Name: fmt.Sprintf("Buyer %d", i), Market: "US", Roles: []hawker.Role{hawker.RoleBuyer},
			PasswordHash: "-", CreatedAt: now}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("create buyer: %w", err)
		}
		token, hash := secret.NewToken("hs")
		if err := db.CreateSession(ctx, &hawker.Session{ID: hawker.NewID(hawker.PrefixSession), UserID: u.ID,
			TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(hawker.SessionLifetime)}); err != nil {
			return nil, fmt.Errorf("create session: %w", err)
		}
		t.buyers[i] = flashBuyer{id: u.ID, token: token}
	}
	return t, nil
}

// remoteFlashTarget makes the shop with the admin key and signs the buyers
// up, through the API of a running server.
func remoteFlashTarget(ctx context.Context, hc *http.Client, base, adminKey string, buyers int) (*flashTarget, error) {
	var shop struct{ Shop struct{ ID string } }
	tag := strings.ToLower(hawker.NewID("x")[2:])
	if st, b, err := apiCall(ctx, hc, "POST", base+"/api/v1/shops", adminKey, nil,
		map[string]any{"name": "Flash sale bench " + tag, "home_market": "US"}, &shop); err != nil || st != http.StatusCreated {
		return nil, fmt.Errorf("create shop: %d %v %.200s", st, err, b)
	}
	t := &flashTarget{shopID: shop.Shop.ID, adminKey: adminKey, buyers: make([]flashBuyer, buyers)}
	var next atomic.Int64
	errs := make(chan error, flashSignupWorkers)
	var wg sync.WaitGroup
	for range flashSignupWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= buyers {
					return
				}
				pw, _ := secret.NewToken("pw")
				var out struct {
					User  struct{ ID string }
					Token string
				}
				st, b, err := apiCall(ctx, hc, "POST", base+"/api/v1/auth/signup", "", nil, map[string]any{
					"email": fmt.Sprintf("buyer-%d-%s@example.com", i, tag), "password": pw, "name": fmt.Sprintf("Buyer %d", i), "market": "US"}, &out)
				if err != nil || st != http.StatusCreated || out.Token == "" {
					errs <- fmt.Errorf("sign up buyer %d: %d %v %.200s (run the server with --auth-rate 0)", i, st, err, b)
					return
				}
				t.buyers[i] = flashBuyer{id: out.User.ID, token: out.Token}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return t, nil
}

// createSKU puts a new product of the shop on sale with one SKU of units.
func (t *flashTarget) createSKU(ctx context.Context, hc *http.Client, base string, units int, title string) (string, error) {
	var out struct {
		Product struct{ SKUs []struct{ ID string } }
	}
	st, b, err := apiCall(ctx, hc, "POST", base+"/api/v1/shops/"+t.shopID+"/products", t.adminKey, nil, map[string]any{
		"title": title,
		"skus": []any{map[string]any{"code": "FS-" + strings.ToUpper(hawker.NewID("x")[2:]),
			"prices": map[string]any{"US": flashPrice}, "on_hand": units}},
	}, &out)
	if err != nil || st != http.StatusCreated || len(out.Product.SKUs) != 1 {
		return "", fmt.Errorf("create SKU: %d %v %.200s", st, err, b)
	}
	return out.Product.SKUs[0].ID, nil
}

// apiCall sends a JSON request and decodes a 2xx answer into out (when not
// nil); it returns the status and the body.
func apiCall(ctx context.Context, hc *http.Client, method, u, token string, hdr map[string]string, body, out any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, b, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, err
		}
	}
	return resp.StatusCode, b, nil
}

// newBenchClient is an HTTP client with enough keep-alive connections for
// n concurrent requests to one host.
func newBenchClient(n int) *http.Client {
	return &http.Client{
		Timeout: flashReplyTimeout,
		Transport: &http.Transport{
			MaxIdleConns:        n,
			MaxIdleConnsPerHost: n,
			MaxConnsPerHost:     n,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}
}

// flashFlags are the flash-sale bench's settings.
type flashFlags struct {
	engine, databaseURL, dataDir, inventory string
	compare, overload, keep                 bool
	units, buyers, queue                    int
	clients                                 []int
	url, adminKey, pprofDir                 string
	backoff, maxDuration                    time.Duration
	retryAfter                              bool
}

// flashServer is the server of the runs: a child, or one at --url.
type flashServer struct {
	url   string
	child *serveChild // nil with --url
	// trivial says whether the server has the trivial handler (a child
	// has; a server at --url only when it is a bench server too).
	trivial bool
}

func (s *flashServer) usage() procUsage {
	if s.child == nil {
		return procUsage{at: time.Now()}
	}
	return childUsage(s.child.pid())
}

// postgresUsage is the CPU time of every process of this machine named
// postgres: on a machine that runs the database too, the store's share of
// the cores (other clients of the same PostgreSQL count as well).
func postgresUsage() procUsage {
	u := procUsage{at: time.Now()}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if i < 0 || j < i || s[i+1:j] != "postgres" {
			continue
		}
		if f := strings.Fields(s[j+1:]); len(f) > 12 {
			ut, _ := strconv.ParseInt(f[11], 10, 64)
			st, _ := strconv.ParseInt(f[12], 10, 64)
			u.cpu += time.Duration(ut+st) * time.Second / clockTicks
		}
	}
	return u
}

func runBenchFlashsale(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench flashsale", flag.ContinueOnError)
	var f flashFlags
	fs.StringVar(&f.engine, "engine", "sqlite", "store of the server: sqlite or postgres")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL server for --engine postgres (postgres://…): the bench makes a schema of its own there and drops it afterwards")
	fs.StringVar(&f.dataDir, "data", "", "data dir of the server; default a temporary dir, removed afterwards")
	fs.StringVar(&f.inventory, "inventory", "groupcommit", "inventory engine of the server: groupcommit or rowlock")
	fs.BoolVar(&f.compare, "compare", false, "run both engines, groupcommit and rowlock, on the same store and print their ratio")
	fs.IntVar(&f.units, "units", 10_000, "units of the SKU on sale in each run")
	fs.IntVar(&f.buyers, "buyers", 1000, "buyer accounts (bearer tokens) the clients take turns with")
	clients := fs.String("clients", "64,256", "concurrent keep-alive HTTP clients; one run per count")
	fs.IntVar(&f.queue, "queue", 0, fmt.Sprintf("engine queue per SKU (serve --inventory-queue); 0: the engine's default, and %d for the overload run", flashOverloadQueue))
	fs.BoolVar(&f.overload, "overload", false, fmt.Sprintf("also run %d× the largest client count against a small queue: throughput against the peak, latency of the 429s", flashOverloadX))
	fs.DurationVar(&f.backoff, "backoff", 10*time.Millisecond, "a client answered 429 waits a random time up to this before it sends the key again (0: at once), on top of Retry-After (see --retry-after)")
	fs.BoolVar(&f.retryAfter, "retry-after", true, "a client answered 429 also waits what its Retry-After says, as the web app does; false: only the --backoff jitter (a client that ignores the server)")
	fs.StringVar(&f.url, "url", "", "target the running server at this URL instead of starting one (needs --admin-key; buyers sign up, so run it with --auth-rate 0)")
	fs.StringVar(&f.adminKey, "admin-key", "", "admin API key of the server at --url")
	fs.StringVar(&f.pprofDir, "pprof", "", "write a CPU profile of the server for each run into this dir (not with --url)")
	fs.BoolVar(&f.keep, "keep", false, "keep the temporary data dir or PostgreSQL schema")
	fs.DurationVar(&f.maxDuration, "max-duration", 5*time.Minute, "give up a run after this long")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	var err error
	if f.clients, err = parseCounts(*clients); err != nil {
		return fmt.Errorf("--clients: %w", err)
	}
	switch {
	case f.engine != "sqlite" && f.engine != "postgres":
		return fmt.Errorf("--engine must be sqlite or postgres, not %q", f.engine)
	case f.engine == "postgres" && f.databaseURL == "" && f.url == "":
		return errors.New("--engine postgres needs --database-url")
	case f.inventory != "groupcommit" && f.inventory != "rowlock":
		return fmt.Errorf("--inventory must be groupcommit or rowlock, not %q", f.inventory)
	case f.units < 1 || f.units > hawker.MaxOnHand:
		return fmt.Errorf("--units must be 1..%d", hawker.MaxOnHand)
	case f.buyers < 1 || f.buyers > 1_000_000:
		return errors.New("--buyers must be 1..1000000")
	case slices.Max(f.clients) > flashMaxClients || f.overload && slices.Max(f.clients)*flashOverloadX > flashMaxClients:
		return fmt.Errorf("at most %d clients (also for --overload: %d× the largest count)", flashMaxClients, flashOverloadX)
	case f.queue < 0:
		return errors.New("--queue must be 0 or more")
	case f.backoff < 0:
		return errors.New("--backoff must be 0 or more")
	case f.maxDuration <= 0 || f.maxDuration > benchMaxDuration:
		return fmt.Errorf("--max-duration must be above 0 and at most %v", benchMaxDuration)
	case f.url != "" && f.adminKey == "":
		return errors.New("--url needs --admin-key")
	case f.url != "" && (f.compare || f.overload || f.pprofDir != ""):
		return errors.New("--compare, --overload and --pprof start servers of their own: not with --url")
	}
	if f.pprofDir != "" {
		if err := os.MkdirAll(f.pprofDir, 0o750); err != nil {
			return err
		}
		if f.pprofDir, err = filepath.Abs(f.pprofDir); err != nil {
			return err
		}
	}
	benchHeader(stdout, "flashsale")
	rep, err := flashBench(ctx, &f, stdout)
	if err != nil {
		return err
	}
	if len(rep) > 0 {
		fmt.Fprintf(stdout, "FAIL: %s\n", strings.Join(rep, "; "))
		return errBenchViolation
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// flashBench sets up the store and the target, runs every engine and
// client count, prints the figures, and returns the violated checks.
func flashBench(ctx context.Context, f *flashFlags, stdout io.Writer) ([]string, error) {
	hc := newBenchClient(flashCheckParallel)
	defer hc.CloseIdleConnections()
	var tgt *flashTarget
	var bs *benchDB
	setupStart := time.Now()
	if f.url != "" {
		var err error
		if tgt, err = remoteFlashTarget(ctx, hc, strings.TrimRight(f.url, "/"), f.adminKey, f.buyers); err != nil {
			return nil, err
		}
	} else {
		var err error
		if bs, err = newBenchDB(ctx, f.engine, f.databaseURL, f.dataDir, f.keep, stdout); err != nil {
			return nil, err
		}
		defer bs.cleanup()
		db, err := openStore(ctx, &bs.sf, false, nil)
		if err != nil {
			return nil, err
		}
		tgt, err = seedFlashTarget(ctx, db, market.Default(), f.buyers)
		db.Close()
		if err != nil {
			return nil, err
		}
	}
	where := f.engine
	if f.url != "" {
		where = f.url
	}
	honour := "Retry-After honoured"
	if !f.retryAfter {
		honour = "Retry-After ignored"
	}
	fmt.Fprintf(stdout, "store %s; %d units per run, %d buyers, clients %v, 429 backoff: %s + up to %v; setup %.1fs\n",
		where, f.units, f.buyers, f.clients, honour, f.backoff, time.Since(setupStart).Seconds())

	kinds := []string{f.inventory}
	if f.compare {
		kinds = []string{"groupcommit", "rowlock"}
	}
	var results []*flashResult
	var fails []string
	logDir := os.TempDir()
	if bs != nil {
		logDir = bs.sf.dataDir
	}
	runAll := func(kind string, queue int, counts []int, overload bool) error {
		srv := &flashServer{url: strings.TrimRight(f.url, "/"), trivial: true}
		if f.url != "" {
			st, _, err := apiCall(ctx, hc, "GET", srv.url+benchTrivialPath, "", nil, nil, nil)
			srv.trivial = err == nil && st == http.StatusOK
		} else {
			args := append(bs.serveArgs(), "--addr", "127.0.0.1:0", "--auth-rate", "0", "--inventory", kind)
			if queue > 0 {
				args = append(args, "--inventory-queue", strconv.Itoa(queue))
			}
			logPath := filepath.Join(logDir, fmt.Sprintf("server-%s-%d.log", kind, time.Now().UnixNano()))
			child, err := startServeChild(ctx, args, logPath)
			if err != nil {
				return err
			}
			defer child.stop()
			srv.url, srv.child = child.url, child
			fmt.Fprintf(stdout, "server: %s engine, queue %s, pid %d, log %s\n", kind, queueName(queue), child.pid(), logPath)
		}
		for _, c := range counts {
			r, err := flashRun(ctx, f, tgt, srv, hc, kind, c, queue)
			if err != nil {
				return err
			}
			r.overload = overload
			r.print(stdout)
			results = append(results, r)
			for _, v := range r.violations {
				fails = append(fails, fmt.Sprintf("%s %d clients: %s", kind, c, v))
			}
		}
		return nil
	}
	for _, kind := range kinds {
		if err := runAll(kind, f.queue, f.clients, false); err != nil {
			return nil, err
		}
	}
	if f.overload {
		q := f.queue
		if q == 0 {
			q = flashOverloadQueue
		}
		if err := runAll("groupcommit", q, []int{slices.Max(f.clients) * flashOverloadX}, true); err != nil {
			return nil, err
		}
	}
	flashSummary(stdout, results)
	flashTargets(stdout, results)
	return fails, nil
}

func queueName(q int) string {
	if q == 0 {
		return "default"
	}
	return strconv.Itoa(q)
}

// flashAck is an acknowledged (201) order of a run.
type flashAck struct {
	key     string
	buyer   int
	orderID string
	body    []byte
}

// flashResult is one run's figures and findings.
type flashResult struct {
	kind            string
	clients, queue  int
	units           int
	overload        bool
	accepted        int64
	soldOut, busy   int64
	failed          int64
	firstFail       string
	sellOut         time.Duration // start → the last 201
	window          time.Duration // start → every client done
	acc, rej, bsy   *latencyHist
	srvCores        float64
	genCores        float64
	pgCores         float64 // every postgres process of the machine; 0 on SQLite
	hasServerCPU    bool
	trivialRate     float64
	trivialSrvCores float64
	trivialGenCores float64
	trivialFailed   int64
	load            string
	audit           string
	violations      []string
	profile         string
	// srvRefusals counts the 4xx answers (429 and 409) of POST
	// /api/v1/orders in the run by the server's own histogram, and
	// srvRefusalsFast those it answered within 5 ms of reading the
	// request: how fast it refuses, without the time requests wait for a
	// CPU in the kernel and the scheduler of a saturated machine.
	srvRefusals, srvRefusalsFast float64
}

// pct is a quantile of h, at most its maximum (quantile answers the upper
// bound of a bucket).
func pct(h *latencyHist, q float64) time.Duration { return min(h.quantile(q), h.maxLatency()) }

func (r *flashResult) rate() float64 {
	if r.sellOut <= 0 {
		return 0
	}
	return float64(r.accepted) / r.sellOut.Seconds()
}

func (r *flashResult) answers() int64 { return r.accepted + r.soldOut + r.busy + r.failed }

func (r *flashResult) print(w io.Writer) {
	label := ""
	if r.overload {
		label = " (overload)"
	}
	fmt.Fprintf(w, "== %s, %d clients%s, queue %s: %d units\n", r.kind, r.clients, label, queueName(r.queue), r.units)
	fmt.Fprintf(w, "accepted: %d durable orders, sold out in %.3f s: %.0f orders/s\n", r.accepted, r.sellOut.Seconds(), r.rate())
	fmt.Fprintf(w, "latency accepted (201): p50 %s ms, p99 %s ms, max %s ms\n", ms(pct(r.acc, 0.5)), ms(pct(r.acc, 0.99)), ms(r.acc.maxLatency()))
	fmt.Fprintf(w, "latency rejected (409 sold_out, %d): p50 %s ms, p99 %s ms, max %s ms\n", r.soldOut, ms(pct(r.rej, 0.5)), ms(pct(r.rej, 0.99)), ms(r.rej.maxLatency()))
	share := 0.0
	if n := r.answers(); n > 0 {
		share = 100 * float64(r.busy) / float64(n)
	}
	fmt.Fprintf(w, "busy (429): %d of %d answers (%.1f %%): p50 %s ms, p99 %s ms, max %s ms\n", r.busy, r.answers(), share,
		ms(pct(r.bsy, 0.5)), ms(pct(r.bsy, 0.99)), ms(r.bsy.maxLatency()))
	if r.srvRefusals > 0 {
		fmt.Fprintf(w, "server side (its own histogram, from reading the request to the answer): %.1f %% of %.0f refusals (4xx) answered within 5 ms\n",
			100*r.srvRefusalsFast/r.srvRefusals, r.srvRefusals)
	}
	if r.failed > 0 {
		fmt.Fprintf(w, "failed: %d requests (first: %s)\n", r.failed, r.firstFail)
	}
	srv := "n/a (--url)"
	if r.hasServerCPU {
		srv = fmt.Sprintf("%.2f cores", r.srvCores)
	}
	pg := ""
	if r.pgCores > 0 {
		pg = fmt.Sprintf(", PostgreSQL %.2f cores", r.pgCores)
	}
	fmt.Fprintf(w, "CPU: server %s, generator %.2f cores%s (%d CPUs); load average %s\n", srv, r.genCores, pg, runtime.NumCPU(), r.load)
	if r.trivialRate > 0 {
		fmt.Fprintf(w, "trivial handler: %.0f req/s (server %.2f cores, generator %.2f cores): engine/trivial %.2f\n",
			r.trivialRate, r.trivialSrvCores, r.trivialGenCores, r.rate()/r.trivialRate)
	} else {
		fmt.Fprintf(w, "trivial handler: n/a (the server at --url is not a bench server)\n")
	}
	fmt.Fprintf(w, "audit: %s\n", r.audit)
	if r.profile != "" {
		fmt.Fprintf(w, "server CPU profile: %s\n", r.profile)
	}
}

// flashRun sells one fresh SKU out with the clients and checks the result.
func flashRun(ctx context.Context, f *flashFlags, tgt *flashTarget, srv *flashServer, hc *http.Client, kind string, clients, queue int) (*flashResult, error) {
	sku, err := tgt.createSKU(ctx, hc, srv.url, f.units, fmt.Sprintf("Flash sale %s %d", kind, clients))
	if err != nil {
		return nil, err
	}
	r := &flashResult{kind: kind, clients: clients, queue: queue, units: f.units,
		acc: &latencyHist{}, rej: &latencyHist{}, bsy: &latencyHist{}, hasServerCPU: srv.child != nil}
	gc := newBenchClient(clients)
	defer gc.CloseIdleConnections()
	// Warm up: every client's connection is open and the server's
	// handlers have run before the clock starts.
	warm := srv.url + benchTrivialPath
	if !srv.trivial {
		warm = srv.url + "/healthz"
	}
	flashTrivial(ctx, gc, warm, clients, flashWarmup)

	if f.pprofDir != "" && srv.child != nil {
		r.profile = filepath.Join(f.pprofDir, fmt.Sprintf("%s-%s-%d.pprof", f.engine, kind, clients))
		if st, b, err := apiCall(ctx, hc, "POST", srv.url+benchProfilePath+"?file="+url.QueryEscape(r.profile), "", nil, nil, nil); err != nil || st != http.StatusNoContent {
			return nil, fmt.Errorf("start the server's CPU profile: %d %v %s", st, err, b)
		}
	}

	body := []byte(`{"market":"US","lines":[{"sku_id":"` + sku + `","quantity":1}]}`)
	orderURL := srv.url + "/api/v1/orders"
	runID := strings.ToLower(hawker.NewID("x")[2:])
	acks := make([][]flashAck, clients)
	var stopAll atomic.Bool
	var accepted, soldOut, busy, failed, lastAccept atomic.Int64
	var firstFail atomic.Pointer[string]
	fail := func(s string) {
		failed.Add(1)
		firstFail.CompareAndSwap(nil, &s)
	}
	runCtx, cancel := context.WithTimeout(ctx, f.maxDuration)
	defer cancel()
	srv0, gen0, pg0 := srv.usage(), selfUsage(), postgresUsage()
	fast0, all0, _ := orderRefusalsFast(ctx, hc, srv.url)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(i), uint64(start.UnixNano())))
			var buf bytes.Buffer
			for j := 0; !stopAll.Load(); j++ {
				b := (i + j*clients) % len(tgt.buyers)
				key := "fs-" + runID + "-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
				for {
					t0 := time.Now()
					st, retryAfter, err := postOrderRetry(runCtx, gc, orderURL, tgt.buyers[b].token, key, body, &buf)
					d := time.Since(t0)
					if err != nil {
						if runCtx.Err() != nil {
							return
						}
						fail(err.Error())
						break
					}
					switch {
					case st == http.StatusCreated:
						accepted.Add(1)
						r.acc.add(d)
						at := int64(time.Since(start))
						for {
							m := lastAccept.Load()
							if at <= m || lastAccept.CompareAndSwap(m, at) {
								break
							}
						}
						acks[i] = append(acks[i], flashAck{key: key, buyer: b, orderID: orderIDOf(buf.Bytes()), body: bytes.Clone(buf.Bytes())})
					case st == http.StatusConflict && bytes.Contains(buf.Bytes(), []byte(`"code":"sold_out"`)):
						soldOut.Add(1)
						r.rej.add(d)
						return // sold out: this client is done
					case st == http.StatusTooManyRequests:
						busy.Add(1)
						r.bsy.add(d)
						wait := time.Duration(0)
						if f.backoff > 0 {
							wait = time.Duration(rng.Int64N(int64(f.backoff) + 1))
						}
						if f.retryAfter {
							wait += retryAfter
						}
						if wait > 0 && !sleepCtx(runCtx, wait) {
							return
						}
						continue // a refusal before a decision: the key is free
					default:
						fail(fmt.Sprintf("%d %.200s", st, buf.Bytes()))
					}
					break
				}
			}
		})
	}
	wg.Wait()
	end := time.Now()
	srv1, gen1, pg1 := srv.usage(), selfUsage(), postgresUsage()
	if fast1, all1, err := orderRefusalsFast(ctx, hc, srv.url); err == nil && all1 > all0 {
		r.srvRefusals, r.srvRefusalsFast = all1-all0, fast1-fast0
	}
	if r.profile != "" {
		if st, b, err := apiCall(ctx, hc, "DELETE", srv.url+benchProfilePath, "", nil, nil, nil); err != nil || st != http.StatusNoContent {
			return nil, fmt.Errorf("stop the server's CPU profile: %d %v %s", st, err, b)
		}
	}
	if runCtx.Err() != nil && ctx.Err() == nil {
		r.violations = append(r.violations, fmt.Sprintf("not sold out after --max-duration %v", f.maxDuration))
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	r.accepted, r.soldOut, r.busy, r.failed = accepted.Load(), soldOut.Load(), busy.Load(), failed.Load()
	if p := firstFail.Load(); p != nil {
		r.firstFail = *p
	}
	r.sellOut, r.window = time.Duration(lastAccept.Load()), end.Sub(start)
	r.srvCores, r.genCores = cores(srv0, srv1), cores(gen0, gen1)
	if f.engine == "postgres" && f.url == "" {
		r.pgCores = cores(pg0, pg1)
	}
	r.load = loadAverage()

	// The trivial handler, same server and generator, for about as long.
	if srv.trivial {
		d := min(max(r.window, flashTrivialMin), flashTrivialMax)
		srvT0, genT0 := srv.usage(), selfUsage()
		n, failedT, elapsed := flashTrivial(ctx, gc, srv.url+benchTrivialPath, clients, d)
		srvT1, genT1 := srv.usage(), selfUsage()
		r.trivialRate = float64(n) / elapsed.Seconds()
		r.trivialSrvCores, r.trivialGenCores, r.trivialFailed = cores(srvT0, srvT1), cores(genT0, genT1), failedT
	}

	var all []flashAck
	for _, a := range acks {
		all = append(all, a...)
	}
	r.audit, r.violations = flashVerify(ctx, hc, srv.url, tgt, sku, body, int64(f.units), r, all, r.violations)
	return r, nil
}

// postOrder places one order and reads the answer into buf.
func postOrder(ctx context.Context, hc *http.Client, u, token, key string, body []byte, buf *bytes.Buffer) (int, error) {
	st, _, err := postOrderRetry(ctx, hc, u, token, key, body, buf)
	return st, err
}

// postOrderRetry is postOrder that also returns a 429's Retry-After.
func postOrderRetry(ctx context.Context, hc *http.Client, u, token, key string, body []byte, buf *bytes.Buffer) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", u, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Authorization"] = []string{"Bearer " + token}
	req.Header["Idempotency-Key"] = []string{key}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	var after time.Duration
	if n, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && n > 0 {
		after = time.Duration(n) * time.Second
	}
	return resp.StatusCode, after, err
}

// orderIDOf finds the order id in a 201 answer without decoding it all:
// the first "id" of {"order":{"id":…}}.
func orderIDOf(b []byte) string {
	const marker = `"id":"`
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		return ""
	}
	rest := b[i+len(marker):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// flashTrivial has the clients GET u (the trivial handler) for d; it
// returns the answers, the failures and the time taken.
func flashTrivial(ctx context.Context, hc *http.Client, u string, clients int, d time.Duration) (int64, int64, time.Duration) {
	var n, failed atomic.Int64
	start := time.Now()
	until := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for time.Now().Before(until) && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
				resp, err := hc.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return n.Load(), failed.Load(), time.Since(start)
}

// flashVerify checks a run: exactly the units sold, each 201 an order
// that exists as it was answered, replays equal to the first answers, and
// the store's audit clean. It returns the audit line and the violations.
func flashVerify(ctx context.Context, hc *http.Client, base string, tgt *flashTarget, sku string, body []byte, units int64, r *flashResult, acks []flashAck, fails []string) (string, []string) {
	bad := func(format string, a ...any) { fails = append(fails, fmt.Sprintf(format, a...)) }
	if r.failed > 0 {
		bad("%d requests failed (first: %s)", r.failed, r.firstFail)
	}
	if r.trivialFailed > 0 {
		bad("%d trivial requests failed", r.trivialFailed)
	}
	var stock hawker.Stock
	if st, b, err := apiCall(ctx, hc, "GET", base+"/api/v1/skus/"+sku+"/stock", tgt.adminKey, nil, nil, &stock); err != nil || st != http.StatusOK {
		bad("read stock: %d %v %.200s", st, err, b)
		return "stock unreadable", fails
	}
	held := stock.Reserved + stock.Sold
	switch {
	case held > stock.OnHand || r.accepted > units:
		bad("OVERSOLD: %d accepted, reserved %d + sold %d, on_hand %d", r.accepted, stock.Reserved, stock.Sold, stock.OnHand)
	case held < r.accepted:
		bad("LOST: %d accepted but reserved %d + sold %d", r.accepted, stock.Reserved, stock.Sold)
	case held > r.accepted+r.failed:
		bad("%d units held by orders nobody was told about (%d accepted, reserved %d + sold %d)", held-r.accepted, r.accepted, stock.Reserved, stock.Sold)
	}
	if r.soldOut > 0 && r.accepted < units {
		bad("sold_out answered with %d of %d units acknowledged", r.accepted, units)
	}
	if r.accepted != units {
		bad("%d orders accepted, want exactly %d", r.accepted, units)
	}
	ids := map[string]bool{}
	for _, a := range acks {
		if a.orderID == "" || ids[a.orderID] {
			bad("201 with a missing or repeated order id %q", a.orderID)
			break
		}
		ids[a.orderID] = true
	}

	// Every acknowledged order exists, as it was answered.
	var missing, wrong atomic.Int64
	var firstWrong atomic.Pointer[string]
	var next atomic.Int64
	var wg sync.WaitGroup
	for range flashCheckParallel {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(acks) || ctx.Err() != nil {
					return
				}
				a := acks[i]
				var o struct{ Order hawker.Order }
				st, b, err := apiCall(ctx, hc, "GET", base+"/api/v1/orders/"+a.orderID, tgt.adminKey, nil, nil, &o)
				switch {
				case err != nil || st == http.StatusNotFound:
					missing.Add(1)
				case st != http.StatusOK || o.Order.BuyerID != tgt.buyers[a.buyer].id || len(o.Order.Lines) != 1 ||
					o.Order.Lines[0].SKUID != sku || o.Order.Lines[0].Quantity != 1:
					wrong.Add(1)
					s := fmt.Sprintf("%d %.300s", st, b)
					firstWrong.CompareAndSwap(nil, &s)
				}
			}
		})
	}
	wg.Wait()
	if n := missing.Load(); n > 0 {
		bad("LOST: %d acknowledged orders not found", n)
	}
	if n := wrong.Load(); n > 0 {
		bad("%d acknowledged orders differ from their answers (first: %s)", n, *firstWrong.Load())
	}

	// Replays of a sample of keys give the first answer byte for byte.
	step := max(1, len(acks)/flashReplaySample)
	var replayed, differ int
	var buf bytes.Buffer
	for i := 0; i < len(acks); i += step {
		a := acks[i]
		st, err := postOrder(ctx, hc, base+"/api/v1/orders", tgt.buyers[a.buyer].token, a.key, body, &buf)
		replayed++
		if err != nil || st != http.StatusCreated || !bytes.Equal(buf.Bytes(), a.body) {
			differ++
		}
	}
	if differ > 0 {
		bad("%d of %d replayed keys answered differently from the first time", differ, replayed)
	}

	var audit struct {
		OK         bool
		Violations []struct {
			SKUID   string `json:"sku_id"`
			DealID  string `json:"deal_id"`
			Problem string
		}
		PaymentViolations []struct {
			Invariant string
			OrderID   string `json:"order_id"`
			PaymentID string `json:"payment_id"`
			Problem   string
		} `json:"payment_violations"`
	}
	storeAudit := "store audit clean"
	if st, b, err := apiCall(ctx, hc, "GET", base+"/api/v1/admin/audit", tgt.adminKey, nil, nil, &audit); err != nil || st != http.StatusOK {
		bad("store audit: %d %v %.200s", st, err, b)
		storeAudit = "store audit unavailable"
	} else if !audit.OK {
		for _, v := range audit.Violations {
			bad("store audit: SKU %s %s: %s", v.SKUID, v.DealID, v.Problem)
		}
		for _, v := range audit.PaymentViolations {
			bad("store audit: order %s %s: %s [%s]", v.OrderID, v.PaymentID, v.Problem, v.Invariant)
		}
		storeAudit = fmt.Sprintf("store audit: %d violations", len(audit.Violations)+len(audit.PaymentViolations))
	}
	verdict := "OK"
	if len(fails) > 0 {
		verdict = "FAILED"
	}
	return fmt.Sprintf("%s: %d accepted, reserved %d + sold %d of on_hand %d; %d of %d orders found as answered; %d replays equal; %s",
		verdict, r.accepted, stock.Reserved, stock.Sold, stock.OnHand, int64(len(acks))-missing.Load()-wrong.Load(), len(acks),
		replayed-differ, storeAudit), fails
}

// flashSummary prints one line per run and the ratios the issue asks for.
func flashSummary(w io.Writer, results []*flashResult) {
	fmt.Fprintln(w, "== summary")
	fmt.Fprintf(w, "%-12s %8s %6s %10s %8s %8s %10s %6s %8s %6s %6s\n",
		"engine", "clients", "queue", "orders/s", "p99 ms", "429 %", "trivial/s", "ratio", "429p99", "srv", "gen")
	var peak float64
	for _, r := range results {
		share, ratio := 0.0, 0.0
		if n := r.answers(); n > 0 {
			share = 100 * float64(r.busy) / float64(n)
		}
		if r.trivialRate > 0 {
			ratio = r.rate() / r.trivialRate
		}
		name := r.kind
		if r.overload {
			name += "*"
		}
		fmt.Fprintf(w, "%-12s %8d %6s %10.0f %8s %8.1f %10.0f %6.2f %8s %6.2f %6.2f\n",
			name, r.clients, queueName(r.queue), r.rate(), ms(pct(r.acc, 0.99)), share, r.trivialRate, ratio,
			ms(pct(r.bsy, 0.99)), r.srvCores, r.genCores)
	}
	for _, r := range results {
		if r.kind == "groupcommit" && !r.overload {
			peak = max(peak, r.rate())
		}
	}
	for _, g := range results {
		if g.kind != "groupcommit" || g.overload {
			continue
		}
		for _, rl := range results {
			if rl.kind == "rowlock" && rl.clients == g.clients && rl.rate() > 0 {
				fmt.Fprintf(w, "groupcommit/rowlock at %d clients: %.1f×\n", g.clients, g.rate()/rl.rate())
			}
		}
	}
	for _, r := range results {
		if r.overload && peak > 0 {
			fmt.Fprintf(w, "overload (%d clients, queue %s): %.0f orders/s = %.2f of the peak %.0f; 429s p99 %s ms, max %s ms\n",
				r.clients, queueName(r.queue), r.rate(), r.rate()/peak, peak, ms(pct(r.bsy, 0.99)), ms(r.bsy.maxLatency()))
		}
	}
}

// orderRefusalsFast reads the server's /metrics: how many 4xx answers
// POST /api/v1/orders has given so far, and how many of them within 5 ms
// (the histogram's 0.005 bucket).
func orderRefusalsFast(ctx context.Context, hc *http.Client, base string) (fast, all float64, err error) {
	st, b, err := apiCall(ctx, hc, "GET", base+"/metrics", "", nil, nil, nil)
	if err != nil || st != http.StatusOK {
		return 0, 0, fmt.Errorf("metrics: %d %v", st, err)
	}
	const series = `http_request_duration_seconds_bucket{route="POST /api/v1/orders",status="4xx",le="`
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, series)
		if !ok {
			continue
		}
		le, n, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		v, perr := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if perr != nil {
			continue
		}
		switch le {
		case "0.005":
			fast = v
		case "+Inf":
			all = v
		}
	}
	return fast, all, nil
}

// flashTargets prints the targets (2-core machine, generator
// included) beside the figures. They inform; only the invariants fail the
// bench, since a shared machine may miss a rate for reasons of its own.
func flashTargets(w io.Writer, results []*flashResult) {
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	var peak float64
	rowlock := map[int]float64{}
	for _, r := range results {
		switch {
		case r.kind == "groupcommit" && !r.overload:
			peak = max(peak, r.rate())
		case r.kind == "rowlock":
			rowlock[r.clients] = r.rate()
		}
	}
	fmt.Fprintln(w, "== targets of issue 4 (informative)")
	for _, r := range results {
		if r.kind != "groupcommit" {
			continue
		}
		if r.overload {
			if peak > 0 {
				fmt.Fprintf(w, "overload: >= 0.90 of the peak: %.2f %s; 429 within 5 ms (p99): %s ms %s\n", r.rate()/peak,
					mark(r.rate() >= 0.9*peak), ms(pct(r.bsy, 0.99)), mark(pct(r.bsy, 0.99) <= 5*time.Millisecond))
			}
			continue
		}
		var rate float64
		var p99 time.Duration
		var x float64
		switch r.clients {
		case 64:
			rate, p99, x = 15_000, 10*time.Millisecond, 16
		case 256:
			rate, p99, x = 18_000, 35*time.Millisecond, 20
		default:
			continue
		}
		line := fmt.Sprintf("%d clients: >= %.0f orders/s: %.0f %s; p99 <= %s ms: %s ms %s", r.clients, rate, r.rate(), mark(r.rate() >= rate),
			ms(p99), ms(pct(r.acc, 0.99)), mark(pct(r.acc, 0.99) <= p99))
		if r.trivialRate > 0 {
			line += fmt.Sprintf("; >= 0.6 of trivial: %.2f %s", r.rate()/r.trivialRate, mark(r.rate() >= 0.6*r.trivialRate))
		}
		if rl := rowlock[r.clients]; rl > 0 {
			line += fmt.Sprintf("; >= %.0f× rowlock (PostgreSQL): %.1f× %s", x, r.rate()/rl, mark(r.rate() >= x*rl))
		}
		fmt.Fprintln(w, line)
	}
}
