package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hawker"
	"hawker/fsblob"
	hawkerhttp "hawker/http"
	"hawker/inventory"
	"hawker/live"
	"hawker/market"
	"hawker/web"
)

// Server timeouts. Long-lived connections (WebSocket, WHEP) set their own
// deadlines per handler, so there is no global WriteTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second // image uploads on slow phones
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return serve(ctx, args, getenv, stdout, stderr, nil)
}

// serve is `hawker serve`; mount, when not nil, adds routes beside the API
// (the hidden routes of the bench server, `bench-server serve`).
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, mount func(*http.ServeMux)) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "HAWKER_ADDR", ":8080"), "address to listen on (env HAWKER_ADDR)")
	demo := fs.Bool("demo", getenv("HAWKER_DEMO") == "1", "seed demo shops, products, users and a show on first start (env HAWKER_DEMO=1)")
	marketsFile := fs.String("markets", getenv("HAWKER_MARKETS"), "YAML file of markets replacing the built-in ones (env HAWKER_MARKETS)")
	authRate := fs.String("auth-rate", envOr(getenv, "HAWKER_AUTH_RATE", "20/min"), "signup/login attempts per client address and per account, e.g. 20/min; 0 turns the limit off (env HAWKER_AUTH_RATE)")
	trustProxy := fs.Bool("trust-proxy", getenv("HAWKER_TRUST_PROXY") == "1", "take the client address from X-Forwarded-For (only behind a proxy you run)")
	allowedOrigins := fs.String("allowed-origins", getenv("HAWKER_ALLOWED_ORIGINS"), "comma-separated browser origins (https://shop.example) allowed to open the realtime WebSocket besides the server's own; empty allows localhost on the server's port (env HAWKER_ALLOWED_ORIGINS)")
	redisURL := fs.String("redis-url", getenv("HAWKER_REDIS_URL"), "redis://host:6379/0 to share realtime channels, history and presence between nodes; empty keeps them in this process (env HAWKER_REDIS_URL)")
	realtimeSecret := fs.String("realtime-secret", getenv("HAWKER_REALTIME_SECRET"), "key (32+ bytes) signing realtime connection tokens, the same on every node; empty keeps a generated one in <data>/realtime.key (env HAWKER_REALTIME_SECRET, preferred over the flag)")
	rtOpts, parseRealtime := registerRealtimeFlags(fs, getenv)
	mediaOpts, parseMedia := registerMediaFlags(fs, getenv)
	lkOpts := registerLiveKitFlags(fs, getenv)
	payOpts := registerPaymentFlags(fs, getenv)
	engineKind := fs.String("inventory", envOr(getenv, "HAWKER_INVENTORY", "groupcommit"), "inventory engine: groupcommit (owner per SKU, one commit per batch) or rowlock (one transaction per order; the reference design, for comparison) (env HAWKER_INVENTORY)")
	inventoryQueue := fs.String("inventory-queue", getenv("HAWKER_INVENTORY_QUEUE"), "requests each SKU's owner may queue before answering 429 busy (groupcommit); empty or 0 for the engine's default (env HAWKER_INVENTORY_QUEUE)")
	clusterSecret := fs.String("cluster-secret", getenv("HAWKER_CLUSTER_SECRET"), "secret (16+ characters) shared by the hawker nodes on one PostgreSQL database: each SKU is then decided by one node (a lease in the database) and the others forward its orders to it; empty: every node decides, contending through the version fence (env HAWKER_CLUSTER_SECRET: better than the flag, which other local users can see in the process list)")
	advertiseURL := fs.String("advertise-url", getenv("HAWKER_ADVERTISE_URL"), "this node's base URL for the other nodes of the cluster (http://10.0.0.5:8080); empty: from --addr (env HAWKER_ADVERTISE_URL)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if err := parseRealtime(); err != nil {
		return err
	}
	if err := parseMedia(); err != nil {
		return err
	}
	if *engineKind != "groupcommit" && *engineKind != "rowlock" {
		return fmt.Errorf("--inventory must be groupcommit or rowlock, not %q", *engineKind)
	}
	queueSize := 0
	if *inventoryQueue != "" {
		n, err := strconv.Atoi(*inventoryQueue)
		if err != nil || n < 0 {
			return fmt.Errorf("--inventory-queue must be a count (0 for the default), not %q", *inventoryQueue)
		}
		queueSize = n
	}
	if *clusterSecret != "" && len(*clusterSecret) < minClusterSecret {
		return fmt.Errorf("--cluster-secret must be at least %d characters", minClusterSecret)
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}

	markets := market.Default()
	if *marketsFile != "" {
		if markets, err = market.LoadFile(*marketsFile); err != nil {
			return fmt.Errorf("--markets: %w", err)
		}
	}

	reg := prometheus.NewRegistry()
	db, err := openStore(ctx, &sf, false, storeObserver(reg))
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, err := fsblob.New(filepath.Join(sf.dataDir, "uploads"))
	if err != nil {
		return fmt.Errorf("uploads dir: %w", err)
	}

	if *demo {
		if err := seedDemo(ctx, db, blobs, markets, stdout, log); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	// Recordings: fed by the hub (timelines) and the SFU, served by the
	// API; closed after the SFU (defers run last-in first-out).
	rec, err := openRecorder(sf.dataDir, mediaOpts.rec, log)
	if err != nil {
		return err
	}
	defer closeRecorder(rec, log)

	hub, err := startRealtime(ctx, db, log, sf.dataDir, *realtimeSecret, *allowedOrigins, *redisURL, rtOpts.apply, recorderEvents(rec))
	if err != nil {
		return err
	}
	// Closed after the HTTP drain below; this one covers early returns.
	// The hub stops before the store closes (defers run last-in first-out).
	defer closeRealtime(context.WithoutCancel(ctx), hub, log)

	// Deals, stock and purchases for viewers: fed by the engine and the
	// API, it stops after the engine and before the hub (defers run
	// last-in first-out).
	lv, err := startLive(ctx, db, hub, log)
	if err != nil {
		return err
	}
	defer lv.Close()

	// Listening before the engine starts gives it this node's address
	// for the other nodes of a cluster.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	cl, err := clusterOf(&sf, *engineKind, *clusterSecret, *advertiseURL, ln.Addr(), log)
	if err != nil {
		return err
	}
	engine, orders, err := startInventory(db, *engineKind, queueSize, markets, log, lv, cl.apply)
	if err != nil {
		return err
	}
	// Closed after the HTTP drain below (it answers what is queued with
	// busy); this one covers early returns. It stops before the store
	// closes (defers run last-in first-out).
	defer engine.Close()
	defer startHousekeeping(ctx, db, log)()
	// Payments confirm orders with the engine: their reconcile loop stops
	// before it (defers run last-in first-out).
	pay, err := startPayments(ctx, db, engine, markets, log, *payOpts)
	if err != nil {
		return err
	}
	defer pay.stop()

	// With --livekit-url shows' video goes through LiveKit rooms.
	lk, err := startLiveKit(*lkOpts, db, log)
	if err != nil {
		return err
	}
	defer closeLiveKit(lk)
	showMedia, err := showMediaInfo(mediaOpts, lk, false)
	if err != nil {
		return err
	}

	api, err := hawkerhttp.NewServer(log, db, markets, blobs, hawkerhttp.Config{
		AuthRate:   *authRate,
		TrustProxy: *trustProxy,
		Version:    hawker.Version,
		Registry:   reg,
		Pages:      web.Handler(),
		Realtime:   withLiveKitRooms(hub, lk),
		Checkout:   pay.checkout(engine),
		Orders:     orders,
		Payments:   pay.api(),
		Deals:      lv,
		Media:      showMedia,
		Replays:    replaysFor(rec),

		ClusterSecret: cl.secret,
	})
	if err != nil {
		return err
	}
	defer api.Close()

	sfu, err := startMedia(ctx, db, hub, api, log, *mediaOpts, rec)
	if err != nil {
		return err
	}
	// Closed after the HTTP drain below; this one covers early returns.
	// It stops before the hub and the store (defers run last-in first-out).
	defer closeMedia(sfu, log)

	// The WebSocket endpoint sits beside the API: it authenticates with
	// its own connection tokens and checks origins itself. So do WHIP
	// (stream keys) and WHEP (live shows are public), at their full paths.
	root := http.NewServeMux()
	root.Handle(websocketPath, hub.Handler())
	root.Handle(whipPath, sfu.WHIPHandler())
	// Embeds on other sites play WHEP: it answers CORS like the public
	// API reads (no credentials).
	root.Handle(whepPath, hawkerhttp.PublicCORS(sfu.WHEPHandler()))
	root.Handle(hlsPath, hlsHandler(sfu, mediaOpts.rec))
	if mount != nil {
		mount(root)
	}
	root.Handle("/", api)

	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	url := "http://" + displayAddr(ln.Addr())
	log.Info("hawker serving", "url", url, "version", hawker.Version, "engine", engineName(&sf), "inventory", *engineKind)
	fmt.Fprintf(stdout, "hawker is serving at %s\n", url)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining HTTP")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("HTTP drain incomplete", "err", err)
	}
	// Publishers and viewers are WebRTC sessions Shutdown does not wait
	// for: close them (and their hooks) before the hub and the store.
	closeMedia(sfu, log)
	// WebSockets are hijacked connections Shutdown does not wait for: the
	// hub disconnects them, before the store closes. Nothing announces
	// on it any more.
	lv.Close()
	closeRealtime(sctx, hub, log)
	// Every order request has been answered: stop the engine's owners and
	// janitor before the store closes.
	pay.stop()
	if err := engine.Close(); err != nil {
		log.Warn("inventory engine close", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startInventory starts the inventory engine of the kind over the store
// (both the SQLite and the PostgreSQL store implement the engines' store
// interfaces) and returns it with the store's order reader.
func startInventory(db hawker.Store, kind string, queueSize int, markets hawker.Markets, log *slog.Logger, lv *live.Events, opts ...func(*inventory.Config)) (inventory.Engine, hawkerhttp.OrderFinder, error) {
	cfg := inventory.Config{Markets: markets, Logger: log, QueueSize: queueSize}
	liveHooks(&cfg, lv)
	for _, o := range opts {
		o(&cfg)
	}
	orders, ok := db.(hawkerhttp.OrderFinder)
	if !ok {
		return nil, nil, fmt.Errorf("the %T store cannot read orders", db)
	}
	switch kind {
	case "groupcommit":
		st, ok := db.(inventory.Store)
		if !ok {
			return nil, nil, fmt.Errorf("--inventory=groupcommit: the %T store has no inventory support", db)
		}
		return inventory.New(st, cfg), orders, nil
	case "rowlock":
		st, ok := db.(inventory.RowLockStore)
		if !ok {
			return nil, nil, fmt.Errorf("--inventory=rowlock: the %T store has no row-lock support", db)
		}
		return inventory.NewRowLock(st, cfg), orders, nil
	}
	return nil, nil, fmt.Errorf("--inventory must be groupcommit or rowlock, not %q", kind)
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func engineName(sf *storeFlags) string {
	if sf.databaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

// minClusterSecret is the shortest --cluster-secret accepted.
const minClusterSecret = 16

// cluster is this node's part in a cluster of hawker processes on one
// PostgreSQL database; the zero cluster is a lone node.
type cluster struct {
	secret string // "" when not clustered
	node   string // this process's id in the SKU leases
	addr   string // this node's base URL for the others
}

// clusterOf decides whether this node forwards orders to the SKU leases'
// holders: only on PostgreSQL, with the group-commit engine and a cluster
// secret. It never logs the secret.
func clusterOf(sf *storeFlags, kind, secret, advertise string, listen net.Addr, log *slog.Logger) (*cluster, error) {
	if engineName(sf) != "postgres" {
		if secret != "" {
			log.Warn("--cluster-secret is ignored on SQLite: one process serves a SQLite file")
		}
		return &cluster{}, nil
	}
	if secret == "" {
		log.Info("no --cluster-secret: several hawker processes on this database each decide every SKU they are asked for and contend through the version fence; set the same --cluster-secret on every node to have one node decide each SKU")
		return &cluster{}, nil
	}
	if kind != "groupcommit" {
		log.Info("--cluster-secret is not needed with --inventory=" + kind + ": every order is its own row-locked transaction")
		return &cluster{}, nil
	}
	if advertise == "" {
		host, port, err := net.SplitHostPort(listen.String())
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			if host, err = os.Hostname(); err != nil {
				return nil, fmt.Errorf("--advertise-url is needed: %w", err)
			}
		}
		advertise = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(advertise)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--advertise-url must be an http(s) base URL such as http://10.0.0.5:8080, not %q", advertise)
	}
	c := &cluster{secret: secret, node: hawker.NewID("node"), addr: strings.TrimRight(advertise, "/")}
	log.Info("cluster: SKU leases on; orders for SKUs other nodes decide are forwarded to them", "node", c.node, "advertise", c.addr)
	return c, nil
}

// apply turns the SKU leases on in the engine's config when clustered.
func (c *cluster) apply(cfg *inventory.Config) {
	if c.secret != "" {
		cfg.Node, cfg.Addr = c.node, c.addr
	}
}
