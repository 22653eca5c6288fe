package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"hawker"
)

// Defaults and limits.
const (
	// DefaultQueueSize is how many packets may wait for one subscriber
	// (viewer, recorder) before its own packets are dropped: about one
	// second of a 1 Mbps stream with audio, so a slow viewer never falls
	// further behind than that.
	DefaultQueueSize = 128
	// DefaultGracePeriod is how long a show may lack its publisher before
	// [Hooks.PublisherGone] is called.
	DefaultGracePeriod = 30 * time.Second
	// DefaultMaxSDPSize bounds an offer or a trickle-ICE fragment. Browser
	// offers with simulcast are ~10 KB.
	DefaultMaxSDPSize = 64 << 10
	// DefaultNACKBuffer is how many sent video packets each viewer keeps
	// for retransmission: ~2.8 s at 90 packets/s. Pion's default (1024
	// copied packets) measured ~1.8 MB per viewer; ours keeps references
	// to the publisher's packets (shared by all viewers), ~67 KB.
	DefaultNACKBuffer = 256
	// DefaultPLIInterval rate-limits keyframe requests sent to a publisher,
	// per source stream, however many viewers ask.
	DefaultPLIInterval = 500 * time.Millisecond
	// DefaultGatherTimeout bounds ICE gathering before an answer is sent.
	DefaultGatherTimeout = 5 * time.Second
	// DefaultConnectTimeout is how long a session may stay unconnected
	// after its answer before it is closed.
	DefaultConnectTimeout = 30 * time.Second

	maxShowIDLen = 64
)

// Config configures a [Server]. The zero value works for a laptop demo.
type Config struct {
	ICE ICEConfig

	// QueueSize is the bound of each subscriber's packet queue
	// (default [DefaultQueueSize]).
	QueueSize int
	// GracePeriod is how long a publisher may be gone before
	// [Hooks.PublisherGone] (default [DefaultGracePeriod]).
	GracePeriod time.Duration
	// MaxSDPSize bounds request bodies (default [DefaultMaxSDPSize]).
	MaxSDPSize int64
	// NACKBuffer is the per-viewer retransmission buffer in packets, a
	// power of two (default [DefaultNACKBuffer]).
	NACKBuffer uint16
	// PLIInterval is the minimum time between keyframe requests to a
	// publisher's stream (default [DefaultPLIInterval]).
	PLIInterval time.Duration
	// GatherTimeout bounds ICE gathering (default [DefaultGatherTimeout]).
	GatherTimeout time.Duration
	// ConnectTimeout closes sessions whose peer has not connected this
	// long after the answer (default [DefaultConnectTimeout]). A publisher
	// closed so starts the grace period like one that left.
	ConnectTimeout time.Duration

	// Logger receives the server's logs (default slog.Default()).
	Logger *slog.Logger
	// ErrorHandler, when set, writes every error response, so the binary
	// can map codes to statuses in its one table. By default the server
	// writes {"error":{"code","message"}} with the status of [HTTPStatus].
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// ICEConfig is how peers reach the server.
type ICEConfig struct {
	// NoLoopback leaves loopback addresses out of the host candidates. By
	// default they are included so a laptop demo works with no network.
	NoLoopback bool
	// PublicIPs are announced instead of the host's own addresses (NAT 1:1
	// mapping, e.g. a cloud VM's public address).
	PublicIPs []string
	// UDPPort, when not 0, makes all peers share one UDP port on every
	// interface (one firewall rule). 0 uses an ephemeral port per peer.
	UDPPort int
	// TCPPort, when not 0, accepts ICE over TCP on that port as a fallback
	// for networks that block UDP.
	TCPPort int
	// Servers are STUN/TURN servers for clients, sent in Link headers of
	// WHIP and WHEP answers (RFC 9725 section 4.6) and listed by
	// [ICEConfig.ClientServers]. The server itself uses only their STUN
	// URLs, and only with ServerSTUN.
	Servers []ICEServer
	// TURNSecret, when set, is the TURN servers' shared secret (coturn's
	// static-auth-secret): each client gets time-limited credentials
	// minted for it instead of a TURN server's Username and Credential.
	TURNSecret string
	// TURNTTL is how long minted TURN credentials stay valid (default
	// [DefaultTURNTTL]).
	TURNTTL time.Duration
	// ServerSTUN makes the server gather server-reflexive candidates
	// through the stun: URLs of Servers (its address as seen from outside,
	// for a server behind NAT whose PublicIPs are not known). Off, the
	// server asks no one and answers never wait on an outside server.
	ServerSTUN bool
}

// ICEServer is a STUN or TURN server offered to clients.
type ICEServer struct {
	URLs       []string // stun:host:port, turn:host:port?transport=udp, turns:…
	Username   string
	Credential string
}

// Hooks connect the server to the binary. Each may be called from any
// goroutine; PublisherStarted and PublisherGone are called in order, one at a
// time, from one goroutine of the server, never while it holds a lock.
type Hooks struct {
	// AuthorizePublish checks a WHIP request's bearer stream key for the
	// show (required). Return a *hawker.Error: EUNAUTHENTICATED for a
	// wrong, expired or revoked key, ENOTFOUND for an unknown show, ESTATE
	// for a show that may no longer be published (ended).
	AuthorizePublish func(ctx context.Context, showID, streamKey string) error
	// AuthorizeView decides whether a WHEP request may watch the show:
	// live shows for everyone, rehearsals for the shop's team. Return
	// ENOTFOUND for shows the caller may not see and ESTATE for shows not
	// live yet. Nil lets everyone watch.
	AuthorizeView func(ctx context.Context, showID string, r *http.Request) error
	// PublisherStarted is called when a publisher's media starts flowing,
	// again after each reconnect (so it must be idempotent). The binary
	// makes a scheduled show live here when --go-live=auto.
	PublisherStarted func(showID string)
	// PublisherGone is called when a show has had no publisher for the
	// grace period. The binary ends the show (and may call CloseShow) if
	// it is live: it can also come for a show whose publisher never got
	// media through (no PublisherStarted before).
	PublisherGone func(showID string)
}

// Server is the embedded SFU. Create it with [New]; stop it with Close.
type Server struct {
	cfg   Config
	hooks Hooks
	log   *slog.Logger

	pubAPI  *webrtc.API // for publishers: receive, NACK generator, TWCC feedback
	viewAPI *webrtc.API // for viewers: send, small NACK responder, SR

	udpMux *ice.MultiUDPMuxDefault // nil unless ICE.UDPPort
	tcpMux ice.TCPMux              // nil unless ICE.TCPPort
	tcpLn  net.Listener

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the server starts; Add only through addTracked

	wgMu     sync.Mutex // guards draining
	draining bool       // Close is waiting for wg: no more goroutines

	events chan func() // hook calls, run in order by eventLoop

	mu sync.Mutex // guards the fields below
	// shows by id; a show exists while it has a publisher, subscribers or
	// a pending grace timer.
	shows    map[string]*show
	whip     map[string]*publisher // by session id
	whep     map[string]*viewer    // by session id
	closed   bool
	closeErr error
}

// New returns a running server. It opens the UDP and TCP ports of cfg.ICE
// when set; Close releases them.
func New(cfg Config, hooks Hooks) (*Server, error) {
	if hooks.AuthorizePublish == nil {
		return nil, errors.New("media.New: Hooks.AuthorizePublish is required")
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.GracePeriod <= 0 {
		cfg.GracePeriod = DefaultGracePeriod
	}
	if cfg.MaxSDPSize <= 0 {
		cfg.MaxSDPSize = DefaultMaxSDPSize
	}
	if cfg.NACKBuffer == 0 {
		cfg.NACKBuffer = DefaultNACKBuffer
	}
	if cfg.NACKBuffer&(cfg.NACKBuffer-1) != 0 {
		return nil, fmt.Errorf("media.New: NACKBuffer %d is not a power of two", cfg.NACKBuffer)
	}
	if cfg.PLIInterval <= 0 {
		cfg.PLIInterval = DefaultPLIInterval
	}
	if cfg.GatherTimeout <= 0 {
		cfg.GatherTimeout = DefaultGatherTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for _, ip := range cfg.ICE.PublicIPs {
		if net.ParseIP(ip) == nil {
			return nil, fmt.Errorf("media.New: public IP %q is not an IP address", ip)
		}
	}
	if err := cfg.ICE.Validate(); err != nil {
		return nil, fmt.Errorf("media.New: %w", err)
	}
	s := &Server{
		cfg:    cfg,
		hooks:  hooks,
		log:    cfg.Logger.With("pkg", "media"),
		events: make(chan func(), 64),
		shows:  map[string]*show{},
		whip:   map[string]*publisher{},
		whep:   map[string]*viewer{},
	}
	if err := s.openICE(); err != nil {
		s.closeICE()
		return nil, err
	}
	var err error
	if s.pubAPI, err = s.newAPI(false); err != nil {
		s.closeICE()
		return nil, err
	}
	if s.viewAPI, err = s.newAPI(true); err != nil {
		s.closeICE()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.eventLoop()
	return s, nil
}

func (s *Server) openICE() error {
	if p := s.cfg.ICE.UDPPort; p != 0 {
		var opts []ice.UDPMuxFromPortOption
		if !s.cfg.ICE.NoLoopback {
			opts = append(opts, ice.UDPMuxFromPortWithLoopback())
		}
		m, err := ice.NewMultiUDPMuxFromPort(p, opts...)
		if err != nil {
			return fmt.Errorf("media: UDP port %d: %w", p, err)
		}
		s.udpMux = m
	}
	if p := s.cfg.ICE.TCPPort; p != 0 {
		ln, err := net.ListenTCP("tcp", &net.TCPAddr{Port: p})
		if err != nil {
			return fmt.Errorf("media: TCP port %d: %w", p, err)
		}
		s.tcpLn = ln
		s.tcpMux = webrtc.NewICETCPMux(nil, ln, 8)
	}
	return nil
}

func (s *Server) closeICE() {
	if s.udpMux != nil {
		_ = s.udpMux.Close()
	}
	if s.tcpMux != nil {
		_ = s.tcpMux.Close()
	} else if s.tcpLn != nil {
		_ = s.tcpLn.Close()
	}
}

// Close stops every publisher, viewer and subscription and waits for the
// server's goroutines. Hooks are not called after Close returns.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	s.closed = true
	shows := make([]*show, 0, len(s.shows))
	for _, sh := range s.shows {
		shows = append(shows, sh)
	}
	var pubs []*publisher
	for _, p := range s.whip {
		pubs = append(pubs, p)
	}
	var views []*viewer
	for _, v := range s.whep {
		views = append(views, v)
	}
	s.mu.Unlock()

	for _, p := range pubs {
		p.close(false)
	}
	for _, v := range views {
		v.close()
	}
	for _, sh := range shows {
		s.closeShow(sh)
	}
	s.wgMu.Lock()
	s.draining = true
	s.wgMu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.closeICE()
	return nil
}

// CloseShow disconnects the show's publisher, viewers and subscriptions (the
// show ended). It does not call PublisherGone.
func (s *Server) CloseShow(showID string) {
	s.mu.Lock()
	sh := s.shows[showID]
	var views []*viewer
	for _, v := range s.whep {
		if v.show.id == showID {
			views = append(views, v) // including viewers still connecting
		}
	}
	s.mu.Unlock()
	for _, v := range views {
		v.close()
	}
	if sh != nil {
		s.closeShow(sh)
	}
}

// Live reports whether the show has a publisher whose media is flowing, so
// WHEP would accept a viewer.
func (s *Server) Live(showID string) bool {
	s.mu.Lock()
	sh := s.shows[showID]
	s.mu.Unlock()
	return sh != nil && sh.ready()
}

// ShowStats is a snapshot of one show's media.
type ShowStats struct {
	Publishing  bool   // a publisher's media is flowing
	Viewers     int    // WHEP viewers
	Subscribers int    // viewers and other subscriptions (recorders)
	Layers      int    // simulcast video layers received (1 without simulcast)
	Forwarded   uint64 // packets written to subscribers
	Dropped     uint64 // packets dropped because a subscriber's queue was full
}

// Stats returns a snapshot of the show's media; zero for unknown shows.
func (s *Server) Stats(showID string) ShowStats {
	s.mu.Lock()
	sh := s.shows[showID]
	s.mu.Unlock()
	if sh == nil {
		return ShowStats{}
	}
	return sh.stats()
}

// emit queues a hook call; hooks run in order on the event loop.
func (s *Server) emit(f func()) {
	select {
	case s.events <- f:
	case <-s.ctx.Done():
	}
}

func (s *Server) eventLoop() {
	defer s.wg.Done()
	for {
		select {
		case f := <-s.events:
			f()
		case <-s.ctx.Done():
			return
		}
	}
}

// addTracked counts a goroutine Close will wait for; false once Close is
// waiting (everything was closed before, so the work is not needed).
func (s *Server) addTracked() bool {
	s.wgMu.Lock()
	defer s.wgMu.Unlock()
	if s.draining {
		return false
	}
	s.wg.Add(1)
	return true
}

// goTracked runs f on a goroutine that Close waits for. After Close
// started waiting, f is not run: every session is already closed.
func (s *Server) goTracked(f func()) {
	if !s.addTracked() {
		return
	}
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// showFor returns the show, creating it, or nil after Close.
func (s *Server) showFor(id string) *show {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	sh := s.shows[id]
	if sh == nil {
		sh = newShow(s, id)
		s.shows[id] = sh
	}
	return sh
}

// maybeForget drops an idle show from the map.
func (s *Server) maybeForget(sh *show) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shows[sh.id] == sh && sh.idle() {
		delete(s.shows, sh.id)
	}
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validShowID accepts ids made of letters, digits, '_' and '-'.
func validShowID(id string) bool {
	if id == "" || len(id) > maxShowIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// errf returns a *hawker.Error.
func errf(code, format string, args ...any) error { return hawker.Errorf(code, format, args...) }
