// Package hawkerhttp is hawker's JSON API over HTTP: routes, authentication,
// decoding and encoding, errors, metrics. Import it as
//
//	hawkerhttp "hawker/http"
package hawkerhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hawker"
)

// Config tunes the server. The zero Config is usable.
type Config struct {
	// AuthRate limits signups and logins per client address and per
	// account: "20/min", "5/s", "100/h"; "0" turns the limit off. Empty
	// means DefaultAuthRate.
	AuthRate string
	// TrustProxy takes the client address from X-Forwarded-For (the entry
	// the nearest proxy appended) instead of the connection.
	TrustProxy bool
	// Version is served by /healthz.
	Version string
	// NoAuthCache resolves every request's credentials in the store
	// instead of reusing them for up to AuthCacheTTL (see authCache).
	NoAuthCache bool
	// Registry receives the HTTP and Go runtime metrics and is served at
	// /metrics; nil means a new registry.
	Registry *prometheus.Registry
	// Pages serves the web UI: GET and HEAD requests outside /api/ that no
	// API route matches. Nil means none.
	Pages http.Handler
	// Realtime is the live channel to viewers (package realtime's Hub).
	// Nil turns realtime off: the token and moderation-changing routes
	// answer 503 unavailable, and show changes are stored without being
	// announced.
	Realtime Realtime
	// TokenRate limits GET /api/v1/realtime/token per client address, in
	// AuthRate's form; empty means DefaultTokenRate, "0" turns it off.
	TokenRate string
	// ClusterSecret authenticates the hawker nodes that share one
	// PostgreSQL database to each other: with it, an order for a SKU that
	// another node decides (inventory.NotOwnerError) is forwarded to that
	// node's POST /internal/v1/orders, which answers only requests that
	// carry it. Empty: no forwarding, and the internal route is 404.
	ClusterSecret string
	// Checkout is the inventory engine behind the order routes, and
	// Orders reads orders. Nil (either) turns the order routes off: they
	// answer 503 unavailable.
	Checkout Checkout
	Orders   OrderFinder
	// Payments takes the money for orders (package payment's Service):
	// POST /api/v1/orders/{id}/pay, the payment routes and the Stripe
	// webhook. Nil turns them off (503 unavailable).
	Payments Payments
	// Media answers GET /api/v1/shows/{id}/media: how clients reach a
	// show's video (embedded SFU or LiveKit). Nil: EmbeddedMedia{}.
	Media MediaInfo
	// Auditor runs the stock audit of GET /api/v1/admin/audit. Nil means
	// the store, when it implements Auditor; otherwise the route answers
	// 503 unavailable.
	Auditor Auditor
	// Deals is told of each flash deal the API makes or ends, so that its
	// start and end reach viewers on time (package live). Nil: none.
	Deals DealWatcher
	// Replays finds the recordings of ended shows (the media recorder)
	// for GET /api/v1/shows/{id}/replay and /replays/{show}/{file}. Nil:
	// the server records nothing and both answer 404.
	Replays Replays
}

// DefaultAuthRate is the signup and login rate when Config.AuthRate is empty.
const DefaultAuthRate = "20/min"

// DefaultTokenRate is the realtime token rate when Config.TokenRate is
// empty: enough for a household of viewers behind one address that
// reconnect now and then.
const DefaultTokenRate = "60/min"

// Server is the HTTP API. It is an http.Handler; the binary puts it behind
// an http.Server with its timeouts.
type Server struct {
	logger  *slog.Logger
	store   hawker.Store
	markets hawker.Markets
	blobs   hawker.BlobStore
	cfg     Config

	mux      *http.ServeMux
	patterns []string // every registered pattern, in registration order
	handler  http.Handler
	auth     *authCache   // resolved credentials; nil when Config.NoAuthCache
	limiter  *authLimiter // nil when the auth rate is off
	tokens   *authLimiter // realtime tokens per address; nil when off
	metrics  *metrics
}

// NewServer returns the API server over the store. Call Close when done
// with it to stop its background work.
func NewServer(logger *slog.Logger, store hawker.Store, markets hawker.Markets, blobs hawker.BlobStore, cfg Config) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if store == nil || markets == nil || blobs == nil {
		return nil, errors.New("hawkerhttp: NewServer needs a store, markets and a blob store")
	}
	if cfg.AuthRate == "" {
		cfg.AuthRate = DefaultAuthRate
	}
	if cfg.Version == "" {
		cfg.Version = hawker.Version
	}
	if cfg.TokenRate == "" {
		cfg.TokenRate = DefaultTokenRate
	}
	if oaOnce.Do(func() { oaDoc, oaErr = buildOpenAPI() }); oaErr != nil {
		return nil, fmt.Errorf("hawkerhttp: OpenAPI document: %w", oaErr)
	}
	limit, burst, err := parseRate(cfg.AuthRate)
	if err != nil {
		return nil, err
	}
	tokenLimit, tokenBurst, err := parseRate(cfg.TokenRate)
	if err != nil {
		return nil, fmt.Errorf("token rate: %w", err)
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{
		logger:  logger,
		store:   store,
		markets: markets,
		blobs:   blobs,
		cfg:     cfg,
		mux:     http.NewServeMux(),
		metrics: m,
	}
	if !cfg.NoAuthCache {
		s.auth = newAuthCache(AuthCacheTTL)
	}
	if burst > 0 {
		s.limiter = newAuthLimiter(limit, burst)
	}
	if tokenBurst > 0 {
		s.tokens = newAuthLimiter(tokenLimit, tokenBurst)
	}
	s.routes()
	// The chain, outermost first: security headers, logging and metrics,
	// CORS for the embeddable player (public reads only), panic recovery,
	// credentials, then the routes.
	s.handler = s.securityHeaders(s.observe(PublicCORS(s.recoverPanics(s.authenticate(http.HandlerFunc(s.dispatch))))))
	return s, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns every registered pattern, such as
// "GET /api/v1/products/{id}".
func (s *Server) Routes() []string { return append([]string(nil), s.patterns...) }

// Close stops the server's background goroutines. It does not close the
// store.
func (s *Server) Close() {
	if s.limiter != nil {
		s.limiter.Close()
	}
	if s.tokens != nil {
		s.tokens.Close()
	}
}

// handle registers h for the pattern and records the pattern for Routes.
func (s *Server) handle(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, route(h))
}

// dispatch hands the request to the mux. Requests no pattern matches get a
// JSON 404, or a JSON 405 with Allow when another method would match.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	if s.cfg.Pages != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(r.URL.Path, "/api/") {
		s.cfg.Pages.ServeHTTP(pagesWriter(w, s.cfg.Payments), r)
		return
	}
	// No pattern: the mux would answer a plain-text 404 or 405, or
	// redirect to a cleaned path. Capture what it says and turn errors into
	// JSON.
	c := &captureWriter{header: http.Header{}}
	h.ServeHTTP(c, r)
	switch c.status {
	case http.StatusNotFound:
		Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such resource: %s.", r.URL.Path))
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", c.header.Get("Allow"))
		Error(w, r, hawker.Errorf(codeMethodNotAllowed, "%s is not allowed here; use %s.", r.Method, c.header.Get("Allow")))
	default:
		for k, v := range c.header {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body.Bytes())
	}
}

// captureWriter records a small answer of the mux's own handlers.
type captureWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// requestInfo travels in the request context; inner layers fill it for the
// logging and metrics layer.
type requestInfo struct {
	logger  *slog.Logger
	pattern string // the matched route pattern, "" when none matched
	errCode string // the error code answered, if any
}

type ctxKey int

const (
	infoKey ctxKey = iota
	authKey
)

func infoFrom(r *http.Request) *requestInfo {
	info, _ := r.Context().Value(infoKey).(*requestInfo)
	return info
}

// statusWriter records the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through for streaming answers.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe logs every request (method, route pattern, status, duration —
// never headers, cookies or bodies) and records its duration by route.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{logger: s.logger}
		r = r.WithContext(context.WithValue(r.Context(), infoKey, info))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			route := info.pattern
			if route == "" {
				route = "unmatched"
			}
			s.metrics.observe(route, status, d)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.Int64("bytes", sw.bytes),
			}
			if info.errCode != "" {
				attrs = append(attrs, slog.String("error_code", info.errCode))
			}
			s.logger.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverPanics turns a handler's panic into a logged stack and a 500
// answer without details. http.ErrAbortHandler keeps its meaning.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				// The answer has started; all we can do is cut it off.
				panic(http.ErrAbortHandler)
			}
			// Drop headers a handler may have set before panicking.
			for k := range w.Header() {
				if !isSecurityHeader(k) {
					delete(w.Header(), k)
				}
			}
			Error(w, r, hawker.Errorf(hawker.EINTERNAL, "Internal error."))
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every answer carries. JSON answers are
// never cached; handlers that serve cacheable bytes override Cache-Control.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		}
		next.ServeHTTP(w, r)
	})
}

func isSecurityHeader(k string) bool {
	switch k {
	case "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Cache-Control", "Content-Security-Policy":
		return true
	}
	return false
}

// route wraps a route's handler so that the logging layer learns the
// pattern that matched (r.Pattern, set by the mux).
func route(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r); info != nil {
			info.pattern = r.Pattern
		}
		h.ServeHTTP(w, r)
	})
}
