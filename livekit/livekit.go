// Package livekit is hawker's scale-out media tier: when one node's
// bandwidth is not enough, a LiveKit cluster carries the video instead of
// the embedded SFU (package media). hawker keeps the shows; LiveKit gets a
// room per show (named by the show's id) while the show is on air, and
// clients get LiveKit access tokens minted here: a publisher token for who
// may run the show, viewer tokens (subscribe only) for everyone else.
//
// The SDK (server-sdk-go) pulls in a large tree (grpc, zap, nats, cel-go),
// so it stays behind this one package. The package shares its name with
// the protocol's generated package, imported here as lkproto.
package livekit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/twitchtv/twirp"

	"hawker"
)

// Limits and defaults.
const (
	// MaxTokenTTL bounds how long a minted token may be used to join. A
	// participant that joined stays (LiveKit refreshes its token), so a
	// short life only limits how long a leaked token is worth anything.
	MaxTokenTTL = time.Hour
	// DefaultRequestTimeout bounds one room API call.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultEmptyTimeout is how long LiveKit keeps a room nobody joined
	// or everybody left. hawker deletes a show's room when the show ends;
	// this only cleans up after a hawker that could not (crashed, or
	// LiveKit unreachable then), and gives a host time to reconnect.
	DefaultEmptyTimeout = 10 * time.Minute
	// QueueSize bounds the room changes waiting for the worker. A change
	// that finds the queue full is dropped and logged: a room then lives
	// until its empty timeout, or LiveKit makes it on the first join.
	QueueSize = 256
)

// Config configures an [Adapter].
type Config struct {
	// URL is the LiveKit server clients connect to: wss://host (ws:// and
	// http(s):// are accepted; the room API is reached over http(s) at the
	// same address).
	URL string
	// APIKey and APISecret sign tokens and API calls (never logged).
	APIKey, APISecret string
	// TokenTTL is how long minted tokens may be used to join, at most
	// [MaxTokenTTL] (the default).
	TokenTTL time.Duration
	// RequestTimeout bounds one room call ([DefaultRequestTimeout]).
	RequestTimeout time.Duration
	// EmptyTimeout is given to rooms at creation ([DefaultEmptyTimeout]).
	EmptyTimeout time.Duration
	// Logger receives the adapter's logs (slog.Default()).
	Logger *slog.Logger
}

// ShowFinder reads shows; the store implements it.
type ShowFinder interface {
	FindShowByID(ctx context.Context, id string) (*hawker.Show, error)
}

// Token is a minted access token and what it lets its holder do.
type Token struct {
	JWT       string
	Identity  string // the participant's identity in the room
	Room      string
	ExpiresAt time.Time
}

// Adapter creates and deletes rooms and mints tokens. Create it with [New]
// and stop it with Close.
type Adapter struct {
	cfg       Config
	clientURL string
	rooms     *lksdk.RoomServiceClient
	shows     ShowFinder
	log       *slog.Logger

	jobs   chan roomJob
	ctx    context.Context // cancelled by Close: the worker stops
	cancel context.CancelFunc
	done   chan struct{} // closed when the worker has stopped

	mu     sync.Mutex // guards closed, and sends on jobs against Close
	closed bool
}

type roomJob struct {
	showID string
	state  hawker.ShowState
}

// New checks the configuration and starts the room worker. It does not
// contact LiveKit: a cluster that is down at start must not stop hawker.
func New(cfg Config, shows ShowFinder) (*Adapter, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("livekit: URL %q is not an absolute URL", cfg.URL)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return nil, fmt.Errorf("livekit: URL %q must start with wss://, ws://, https:// or http://", cfg.URL)
	}
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, errors.New("livekit: the API key and the API secret are required")
	}
	switch {
	case cfg.TokenTTL == 0:
		cfg.TokenTTL = MaxTokenTTL
	case cfg.TokenTTL < time.Minute || cfg.TokenTTL > MaxTokenTTL:
		return nil, fmt.Errorf("livekit: token TTL %s must be between 1m and %s", cfg.TokenTTL, MaxTokenTTL)
	}
	if shows == nil {
		return nil, errors.New("livekit.New: a ShowFinder is required")
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.EmptyTimeout <= 0 {
		cfg.EmptyTimeout = DefaultEmptyTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// The room API sits at the same host as the signalling endpoint.
	apiURL := strings.TrimSuffix(cfg.URL, "/")
	clientURL := apiURL
	switch u.Scheme {
	case "http":
		clientURL = "ws" + strings.TrimPrefix(clientURL, "http")
	case "https":
		clientURL = "wss" + strings.TrimPrefix(clientURL, "https")
	}
	a := &Adapter{
		cfg:       cfg,
		clientURL: clientURL,
		rooms:     lksdk.NewRoomServiceClient(apiURL, cfg.APIKey, cfg.APISecret),
		shows:     shows,
		log:       cfg.Logger.With("pkg", "livekit"),
		jobs:      make(chan roomJob, QueueSize),
		done:      make(chan struct{}),
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	go a.work()
	return a, nil
}

// URL is the address clients connect to (ws:// or wss://).
func (a *Adapter) URL() string { return a.clientURL }

// Close stops the worker. Room changes still queued are dropped (logged):
// the rooms' empty timeout cleans up after them.
func (a *Adapter) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	close(a.jobs)
	a.mu.Unlock()
	a.cancel()
	<-a.done
}

// ViewerToken mints a token that may only watch the show: subscribe, no
// publishing (media or data). userID is the viewer's user id, empty for
// an anonymous viewer. Each token gets its own identity (the user id, or
// "anon", and a random suffix): LiveKit disconnects a participant when
// another joins with its identity, and one user may watch in two tabs, or
// watch the show its studio page is publishing. Viewers are hidden from
// the room's participant list: thousands of them would otherwise each
// cause an update to everyone (the viewer count comes from hawker's
// realtime side).
func (a *Adapter) ViewerToken(showID, userID string) (Token, error) {
	who := userID
	if who == "" {
		who = "anon"
	}
	no, yes := false, true
	return a.mint(showID, who+":"+randomSuffix(), &auth.VideoGrant{
		RoomJoin:       true,
		Room:           showID,
		CanPublish:     &no,
		CanPublishData: &no,
		CanSubscribe:   &yes,
		Hidden:         true,
	})
}

// PublisherToken mints a token that may publish the show's media (and
// watch it). Its identity is the show's host (without one, userID, the
// caller's user id): one publisher identity per show, so a second publish
// replaces the first as a WHIP reconnect does. Callers authorize: only who
// may run the show gets one.
func (a *Adapter) PublisherToken(sh *hawker.Show, userID string) (Token, error) {
	identity := sh.HostID
	if identity == "" {
		identity = userID
	}
	if identity == "" {
		identity = "host-" + sh.ID
	}
	yes := true
	return a.mint(sh.ID, identity, &auth.VideoGrant{
		RoomJoin:       true,
		Room:           sh.ID,
		CanPublish:     &yes,
		CanPublishData: &yes,
		CanSubscribe:   &yes,
	})
}

func (a *Adapter) mint(room, identity string, grant *auth.VideoGrant) (Token, error) {
	if room == "" {
		return Token{}, errors.New("livekit: no room")
	}
	expires := time.Now().Add(a.cfg.TokenTTL)
	jwt, err := auth.NewAccessToken(a.cfg.APIKey, a.cfg.APISecret).
		SetIdentity(identity).
		SetValidFor(a.cfg.TokenTTL).
		SetVideoGrant(grant).
		ToJWT()
	if err != nil {
		return Token{}, fmt.Errorf("livekit: mint token: %w", err)
	}
	// The JWT's own expiry is whole seconds from the same clock reading.
	return Token{JWT: jwt, Identity: identity, Room: room, ExpiresAt: expires.Truncate(time.Second)}, nil
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// roomMetadata is what a show's room carries for LiveKit-side tools
// (egress templates, dashboards).
type roomMetadata struct {
	ShowID string `json:"show_id"`
	ShopID string `json:"shop_id"`
	Title  string `json:"title"`
}

// CreateRoom makes the show's room (named by its id) with the show's title
// in its metadata. LiveKit answers an existing room's name with that room,
// so it is safe to repeat.
func (a *Adapter) CreateRoom(ctx context.Context, sh *hawker.Show) error {
	md, err := json.Marshal(roomMetadata{ShowID: sh.ID, ShopID: sh.ShopID, Title: sh.Title})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	_, err = a.rooms.CreateRoom(ctx, &lkproto.CreateRoomRequest{
		Name:         sh.ID,
		EmptyTimeout: uint32(a.cfg.EmptyTimeout / time.Second),
		Metadata:     string(md),
	})
	if err != nil {
		return fmt.Errorf("livekit: create room %s: %w", sh.ID, err)
	}
	return nil
}

// DeleteRoom closes the show's room, disconnecting everyone in it. A room
// that is already gone is no error.
func (a *Adapter) DeleteRoom(ctx context.Context, showID string) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	_, err := a.rooms.DeleteRoom(ctx, &lkproto.DeleteRoomRequest{Room: showID})
	var te twirp.Error
	if errors.As(err, &te) && te.Code() == twirp.NotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("livekit: delete room %s: %w", showID, err)
	}
	return nil
}

// ShowState queues the room change a show's new state calls for: going on
// air (rehearsal or live) creates its room, ending deletes it. It never
// blocks: changes run in order on the adapter's worker, and failures are
// logged (LiveKit also makes a room on its first join, and its empty
// timeout removes one left behind).
func (a *Adapter) ShowState(showID string, state hawker.ShowState) {
	switch state {
	case hawker.ShowRehearsal, hawker.ShowLive, hawker.ShowEnded:
	default:
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	select {
	case a.jobs <- roomJob{showID: showID, state: state}:
	default:
		a.log.Warn("room change dropped: queue full", "show", showID, "state", state)
	}
}

func (a *Adapter) work() {
	defer close(a.done)
	for job := range a.jobs {
		if a.ctx.Err() != nil {
			a.log.Warn("room change dropped: shutting down", "show", job.showID, "state", job.state)
			continue
		}
		if err := a.apply(job); err != nil {
			a.log.Error("room change failed", "show", job.showID, "state", job.state, "err", err)
		}
	}
}

func (a *Adapter) apply(job roomJob) error {
	if job.state == hawker.ShowEnded {
		if err := a.DeleteRoom(a.ctx, job.showID); err != nil {
			return err
		}
		a.log.Info("room deleted", "show", job.showID)
		return nil
	}
	ctx, cancel := context.WithTimeout(a.ctx, a.cfg.RequestTimeout)
	defer cancel()
	sh, err := a.shows.FindShowByID(ctx, job.showID)
	if err != nil {
		return fmt.Errorf("find show: %w", err)
	}
	if sh.State == hawker.ShowEnded {
		return nil // ended meanwhile: its delete is queued behind
	}
	if err := a.CreateRoom(a.ctx, sh); err != nil {
		return err
	}
	a.log.Info("room ready", "show", job.showID, "state", job.state)
	return nil
}
