package realtime

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"

	"hawker"
	"hawker/moderation"
)

// Channel namespaces: every channel is "<namespace>:<show id>".
const (
	nsShow  = "show"
	nsChat  = "chat"
	nsLikes = "likes"
)

// ShowChannel is the channel of a show's state, pin, deals, stock,
// purchases and viewer count.
func ShowChannel(showID string) string { return nsShow + ":" + showID }

// ChatChannel is the channel of a show's chat messages and removals.
func ChatChannel(showID string) string { return nsChat + ":" + showID }

// LikesChannel is the channel of a show's like count.
func LikesChannel(showID string) string { return nsLikes + ":" + showID }

// parseChannel splits "ns:id"; ok only for the three namespaces and a
// show id.
func parseChannel(ch string) (ns, showID string, ok bool) {
	ns, showID, ok = strings.Cut(ch, ":")
	if !ok || (ns != nsShow && ns != nsChat && ns != nsLikes) || !hawker.ValidID(hawker.PrefixShow, showID) {
		return "", "", false
	}
	return ns, showID, true
}

// Defaults and limits.
const (
	DefaultChatCoalesce    = 250 * time.Millisecond
	DefaultEventInterval   = 250 * time.Millisecond // likes, and stock per SKU: at most 4/s
	DefaultViewersInterval = 2 * time.Second
	DefaultHistorySize     = 200
	DefaultHistoryTTL      = 10 * time.Minute
	MinHistorySize         = 100
	MinHistoryTTL          = 5 * time.Minute
	// LikesHistoryTTL keeps a show's like total this long after the last
	// like (the total lives in the likes channel's history).
	LikesHistoryTTL           = 24 * time.Hour
	DefaultClientQueueMaxSize = 256 << 10
	// MaxChatBatch is the most messages one channel holds between two
	// publications; beyond it messages are dropped and logged.
	MaxChatBatch = 500
	// PublishQueueSize bounds each publisher shard's queue.
	PublishQueueSize = 8192
	publishShards    = 4
	showCacheTTL     = 2 * time.Second
	storeTimeout     = 5 * time.Second
	// MaxLikesPerCall bounds the count of one like RPC.
	MaxLikesPerCall = 50
	// maxMessageSize bounds one frame from a client (a chat message is at
	// most 300 runes).
	maxMessageSize = 8 << 10
	// CommandRate and CommandBurst bound the commands (RPCs, subscribes)
	// of one connection; beyond, commands get "too many requests" (111)
	// and cost the server nothing more.
	CommandRate  = 20.0
	CommandBurst = 50
	// maxConnections bounds the connections the command limiter tracks.
	maxConnections = 200_000
)

// Config sets up a [Hub]. Start from [DefaultConfig]; zero durations and
// sizes mean the default named beside each field unless said otherwise.
type Config struct {
	// Secret signs connection tokens; at least [MinSecretLen] bytes. Every
	// node of a cluster needs the same secret.
	Secret []byte
	// AllowedOrigins are the browser origins ("https://shop.example")
	// allowed besides the server's own host. When empty, localhost,
	// 127.0.0.1 and [::1] on the server's port are allowed too.
	AllowedOrigins []string
	// ChatCoalesce gathers each chat channel's messages into at most one
	// publication per interval. 0 publishes every message at once
	// (DefaultConfig sets [DefaultChatCoalesce]).
	ChatCoalesce time.Duration
	// EventInterval is the least time between two like counts of a show,
	// and between two stock updates of a SKU ([DefaultEventInterval]).
	EventInterval time.Duration
	// ViewersInterval is how often viewer counts are published
	// ([DefaultViewersInterval]).
	ViewersInterval time.Duration
	// HistorySize and HistoryTTL keep each channel's recent publications
	// so a reconnecting viewer recovers what it missed (at least
	// [MinHistorySize] and [MinHistoryTTL]).
	HistorySize int
	HistoryTTL  time.Duration
	// HistoryMetaTTL keeps a channel's stream position (and so the like
	// total) after its last publication (0 = centrifuge's 30 days).
	HistoryMetaTTL time.Duration
	// ClientQueueMaxSize bounds, in bytes, what waits to be written to one
	// connection; a reader that falls further behind is disconnected
	// ([DefaultClientQueueMaxSize]).
	ClientQueueMaxSize int
	// WriteDelay gathers frames per connection for this long before a
	// write (0 = write at once; 50–100 ms for big audiences, STACK.md).
	// With a delay, writes are scheduled by a timer rather than by a
	// writer goroutine per connection: measured with `hawker bench
	// fanout`, ~20% less server CPU per frame and ~2–5 KB less memory per
	// connection than the goroutine.
	WriteDelay time.Duration
	// MaxMessagesInFrame bounds the messages in one frame when WriteDelay
	// is set (0 = centrifuge's 16, -1 = no limit).
	MaxMessagesInFrame int
	// WriteTimeout bounds one write to a connection (0 = centrifuge's 1 s).
	WriteTimeout time.Duration
	// ProcessCommandsOffReadLoop trades a little latency for less memory
	// per idle connection (centrifuge WebsocketConfig).
	ProcessCommandsOffReadLoop bool
	// RedisURL ("redis://host:6379/0"), when set, makes the hub use
	// centrifuge's Redis broker and presence manager so that several
	// nodes share channels, history and presence.
	RedisURL string
	// RedisPrefix prefixes the hub's Redis keys ("hawker").
	RedisPrefix string
	// NodeName names this node in logs (the host name).
	NodeName string
	// Logger receives the hub's and centrifuge's logs (slog.Default()).
	Logger *slog.Logger
	// Clock is the server's time (hawker.Now).
	Clock hawker.Clock
	// OnShowEvent, when set, is called on this node with every event the
	// hub published on a show:{id} channel through publishNow (state, pin,
	// deal, purchase), in publication order per show, after the broker
	// took it: the recorder keeps a replay's shoppable timeline with it.
	// It runs on the show's shard goroutine and must not block.
	OnShowEvent func(showID string, event []byte)
}

// DefaultConfig returns the defaults with the given secret.
func DefaultConfig(secret []byte) Config {
	return Config{
		Secret:          secret,
		ChatCoalesce:    DefaultChatCoalesce,
		EventInterval:   DefaultEventInterval,
		ViewersInterval: DefaultViewersInterval,
		HistorySize:     DefaultHistorySize,
		HistoryTTL:      DefaultHistoryTTL,
	}
}

func (c *Config) setDefaults() error {
	if len(c.Secret) < MinSecretLen {
		return fmt.Errorf("realtime: the token secret needs at least %d bytes", MinSecretLen)
	}
	if c.ChatCoalesce < 0 {
		return errors.New("realtime: negative ChatCoalesce")
	}
	if c.EventInterval <= 0 {
		c.EventInterval = DefaultEventInterval
	}
	if c.ViewersInterval <= 0 {
		c.ViewersInterval = DefaultViewersInterval
	}
	c.HistorySize = max(c.HistorySize, MinHistorySize)
	c.HistoryTTL = max(c.HistoryTTL, MinHistoryTTL)
	if c.ClientQueueMaxSize <= 0 {
		c.ClientQueueMaxSize = DefaultClientQueueMaxSize
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = "hawker"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = hawker.Now
	}
	return nil
}

// Store is what the hub reads: shows, and who may see a show in rehearsal
// (the shop's team and admins). hawker.Store satisfies it.
type Store interface {
	FindShowByID(ctx context.Context, id string) (*hawker.Show, error)
	FindUserByID(ctx context.Context, id string) (*hawker.User, error)
	FindMemberships(ctx context.Context, userID string) ([]hawker.ShopMember, error)
}

// ModerationLoader may be implemented by the Store: the hub then loads a
// show's saved settings and muted users the first time it needs them on
// this node. Without it a show starts with hawker.DefaultModeration and no
// mutes, and learns changes made on other nodes as they happen — so a node
// started later, or a show unused for 6 hours, forgets earlier mutes.
type ModerationLoader interface {
	FindShowModeration(ctx context.Context, showID string) (settings hawker.Moderation, muted []string, err error)
}

// Hub is the realtime engine of one node. It implements
// [hawker.ShowEvents]. Create it with [New], serve [Hub.Handler] on
// /connection/websocket, and [Hub.Close] it on shutdown.
type Hub struct {
	cfg     Config
	node    *centrifuge.Node
	redis   *centrifuge.RedisShard // nil with the memory broker
	store   Store
	audit   hawker.ModerationLog
	origins *originChecker
	handler http.Handler
	log     *slog.Logger
	secret  []byte
	shards  []*shard
	// commands limits each connection's commands, by client id.
	commands *moderation.Limiter

	cancel context.CancelFunc
	wg     sync.WaitGroup // the shards and the viewers loop

	mu          sync.Mutex // guards the fields below; never held while calling the store or the broker
	shows       map[string]cachedShow
	chats       map[string]*chatState
	marketWords map[string][]string
	closed      bool
}

var _ hawker.ShowEvents = (*Hub)(nil)

type cachedShow struct {
	show    hawker.Show
	fetched time.Time
}

// chatState is a show's moderation state on this node.
type chatState struct {
	chat    *moderation.Chat
	likes   *moderation.Limiter // per-user like rate
	markets []string
	used    time.Time // guarded by Hub.mu
}

// New makes a hub and starts its node and loops. audit keeps the
// moderation log; nil keeps it in memory ([NewMemoryAudit]).
func New(cfg Config, store Store, audit hawker.ModerationLog) (*Hub, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("realtime: a store is required")
	}
	origins, err := newOriginChecker(cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	if audit == nil {
		audit = NewMemoryAudit()
	}
	h := &Hub{
		cfg:         cfg,
		store:       store,
		audit:       audit,
		origins:     origins,
		log:         cfg.Logger.With("component", "realtime"),
		secret:      append([]byte(nil), cfg.Secret...),
		shows:       map[string]cachedShow{},
		chats:       map[string]*chatState{},
		marketWords: map[string][]string{},
		commands:    moderation.NewLimiter(maxConnections),
	}
	node, err := centrifuge.New(centrifuge.Config{
		Name:               cfg.NodeName,
		Version:            hawker.Version,
		LogLevel:           centrifuge.LogLevelWarn,
		LogHandler:         h.centrifugeLog,
		ClientQueueMaxSize: cfg.ClientQueueMaxSize,
		ClientChannelLimit: 32,
		UseSingleFlight:    true,
		HistoryMetaTTL:     cfg.HistoryMetaTTL,
		// What a client's history call may ask for (history.go trims
		// further, by messages).
		HistoryMaxPublicationLimit: MaxChatHistory,
	})
	if err != nil {
		return nil, fmt.Errorf("realtime: %w", err)
	}
	h.node = node
	if cfg.RedisURL != "" {
		if err := h.useRedis(); err != nil {
			return nil, err
		}
	}
	node.OnConnecting(h.connecting)
	node.OnConnect(h.connected)
	node.OnCommandRead(h.commandRead)
	node.OnNotification(h.notified)
	if err := node.Run(); err != nil {
		h.closeRedis()
		return nil, fmt.Errorf("realtime: run node: %w", err)
	}
	h.handler = centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		CheckOrigin:                h.origins.check,
		ReadBufferSize:             1024,
		WriteBufferSize:            1024,
		UseWriteBufferPool:         true,
		MessageSizeLimit:           maxMessageSize,
		WriteTimeout:               cfg.WriteTimeout,
		ProcessCommandsOffReadLoop: cfg.ProcessCommandsOffReadLoop,
	})

	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.shards = make([]*shard, publishShards)
	for i := range h.shards {
		h.shards[i] = newShard(h)
		h.wg.Go(func() { h.shards[i].run(ctx) })
	}
	h.wg.Go(func() { h.viewersLoop(ctx) })
	return h, nil
}

func (h *Hub) useRedis() error {
	shard, err := centrifuge.NewRedisShard(h.node, centrifuge.RedisShardConfig{Address: h.cfg.RedisURL})
	if err != nil {
		return fmt.Errorf("realtime: redis: %w", err)
	}
	h.redis = shard
	broker, err := centrifuge.NewRedisBroker(h.node, centrifuge.RedisBrokerConfig{
		Prefix: h.cfg.RedisPrefix,
		Shards: []*centrifuge.RedisShard{shard},
	})
	if err != nil {
		h.closeRedis()
		return fmt.Errorf("realtime: redis broker: %w", err)
	}
	h.node.SetBroker(broker)
	presence, err := centrifuge.NewRedisPresenceManager(h.node, centrifuge.RedisPresenceManagerConfig{
		Prefix: h.cfg.RedisPrefix,
		Shards: []*centrifuge.RedisShard{shard},
	})
	if err != nil {
		h.closeRedis()
		return fmt.Errorf("realtime: redis presence: %w", err)
	}
	h.node.SetPresenceManager(presence)
	return nil
}

func (h *Hub) closeRedis() {
	if h.redis != nil {
		h.redis.Close()
	}
}

// Handler serves the centrifuge WebSocket protocol; mount it on
// /connection/websocket. Browsers from other origins are refused (see
// Config.AllowedOrigins); clients without an Origin header are allowed.
func (h *Hub) Handler() http.Handler { return h.handler }

// Close publishes what the coalescers still hold, stops the hub's loops,
// disconnects every client and shuts the node down.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	err := h.node.Shutdown(ctx)
	h.closeRedis()
	return err
}

func (h *Hub) now() time.Time { return h.cfg.Clock() }

func (h *Hub) centrifugeLog(e centrifuge.LogEntry) {
	level := slog.LevelInfo
	switch {
	case e.Level >= centrifuge.LogLevelError:
		level = slog.LevelError
	case e.Level >= centrifuge.LogLevelWarn:
		level = slog.LevelWarn
	}
	attrs := make([]any, 0, 2*len(e.Fields))
	for k, v := range e.Fields {
		attrs = append(attrs, k, v)
	}
	h.log.Log(context.Background(), level, "centrifuge: "+e.Message, attrs...)
}

// connecting authenticates a connection by its token.
func (h *Hub) connecting(ctx context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
	c, err := verifyToken(h.secret, e.Token, h.now())
	if err != nil {
		return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
	}
	return centrifuge.ConnectReply{
		Credentials:        &centrifuge.Credentials{UserID: c.Sub, Info: []byte(c.Name)},
		WriteDelay:         h.cfg.WriteDelay,
		WriteWithTimer:     h.cfg.WriteDelay > 0,
		MaxMessagesInFrame: h.cfg.MaxMessagesInFrame,
	}, nil
}

// commandRead refuses the commands of a connection that floods.
func (h *Hub) commandRead(c *centrifuge.Client, _ centrifuge.CommandReadEvent) error {
	if h.commands.Take(c.ID(), h.now(), CommandRate, CommandBurst) != nil {
		return centrifuge.ErrorTooManyRequests
	}
	return nil
}

// connected sets the handlers of one connection. Clients never publish:
// without a publish handler centrifuge refuses their publications.
func (h *Hub) connected(c *centrifuge.Client) {
	c.OnDisconnect(func(centrifuge.DisconnectEvent) { h.commands.Forget(c.ID()) })
	c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
		cb(h.subscribe(c, e))
	})
	c.OnHistory(func(e centrifuge.HistoryEvent, cb centrifuge.HistoryCallback) {
		res, err := h.history(c, e)
		if err != nil {
			cb(centrifuge.HistoryReply{}, err)
			return
		}
		cb(centrifuge.HistoryReply{Result: &res}, nil)
	})
	c.OnRPC(func(e centrifuge.RPCEvent, cb centrifuge.RPCCallback) {
		data, err := h.rpc(c, e)
		if err != nil {
			cb(centrifuge.RPCReply{}, rpcError(err))
			return
		}
		cb(centrifuge.RPCReply{Data: data}, nil)
	})
}

// subscribe authorizes a subscription and sets its history options.
func (h *Hub) subscribe(c *centrifuge.Client, e centrifuge.SubscribeEvent) (centrifuge.SubscribeReply, error) {
	ns, showID, ok := parseChannel(e.Channel)
	if !ok || e.Type != centrifuge.SubscriptionTypeStream {
		return centrifuge.SubscribeReply{}, centrifuge.ErrorUnknownChannel
	}
	if err := h.mayWatch(c, showID); err != nil {
		return centrifuge.SubscribeReply{}, err
	}
	opts := centrifuge.SubscribeOptions{
		EnableRecovery: true,
		EmitPresence:   ns == nsShow, // viewer counts come from show channel presence
	}
	if ns == nsLikes {
		opts.RecoveryMode = centrifuge.RecoveryModeCache // a count: the latest is all a viewer needs
	}
	return centrifuge.SubscribeReply{Options: opts}, nil
}

// mayWatch checks that the client may see the show's channels:
// ErrorUnknownChannel for an unknown show, ErrorPermissionDenied for a
// rehearsal the client may not see.
func (h *Hub) mayWatch(c *centrifuge.Client, showID string) error {
	ctx, cancel := context.WithTimeout(c.Context(), storeTimeout)
	defer cancel()
	show, err := h.show(ctx, showID)
	if err != nil {
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			return centrifuge.ErrorUnknownChannel
		}
		h.log.Error("find show", "show", showID, "err", err)
		return centrifuge.ErrorInternal
	}
	if show.State == hawker.ShowRehearsal {
		team, err := h.onTeam(ctx, c.UserID(), &show)
		if err != nil {
			h.log.Error("rehearsal team", "show", showID, "err", err)
			return centrifuge.ErrorInternal
		}
		if !team {
			return centrifuge.ErrorPermissionDenied
		}
	}
	return nil
}

// onTeam reports whether the user may see the show in rehearsal: its host
// and its own team (co-hosts and moderators, who need not be on the shop's
// team), an admin, or a member of the shop's team.
func (h *Hub) onTeam(ctx context.Context, userID string, show *hawker.Show) (bool, error) {
	if userID == "" {
		return false, nil
	}
	if userID == show.HostID || show.TeamRole(userID) != "" {
		return true, nil
	}
	shopID := show.ShopID
	u, err := h.store.FindUserByID(ctx, userID)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if (&hawker.Actor{User: u}).IsAdmin() {
		return true, nil
	}
	ms, err := h.store.FindMemberships(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.ShopID == shopID {
			return true, nil
		}
	}
	return false, nil
}

// show returns the show, cached for a moment: subscribes and chat
// messages would otherwise each read the store.
func (h *Hub) show(ctx context.Context, id string) (hawker.Show, error) {
	now := time.Now()
	h.mu.Lock()
	cs, ok := h.shows[id]
	h.mu.Unlock()
	if ok && now.Sub(cs.fetched) < showCacheTTL {
		return cs.show, nil
	}
	s, err := h.store.FindShowByID(ctx, id)
	if err != nil {
		return hawker.Show{}, err
	}
	h.mu.Lock()
	h.shows[id] = cachedShow{show: *s, fetched: now}
	h.mu.Unlock()
	return *s, nil
}

// setCachedState records a state change announced through this node.
func (h *Hub) setCachedState(showID string, state hawker.ShowState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cs, ok := h.shows[showID]; ok {
		cs.show.State = state
		h.shows[showID] = cs
	}
}

// shardFor returns the publisher of a show's channels: one shard per show
// keeps each channel's publications in order.
func (h *Hub) shardFor(showID string) *shard {
	f := fnv.New32a()
	f.Write([]byte(showID))
	return h.shards[f.Sum32()%uint32(len(h.shards))]
}

// Viewers returns how many connections watch the show, on all nodes.
func (h *Hub) Viewers(showID string) (int, error) {
	st, err := h.node.PresenceStats(ShowChannel(showID))
	if err != nil {
		return 0, err
	}
	return st.NumClients, nil
}

// viewersLoop publishes the viewer count of every show watched on this
// node. With several nodes each publishes the same global count.
func (h *Hub) viewersLoop(ctx context.Context) {
	t := time.NewTicker(h.cfg.ViewersInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, ch := range h.node.Hub().Channels() {
			ns, showID, ok := parseChannel(ch)
			if !ok || ns != nsShow {
				continue
			}
			n, err := h.Viewers(showID)
			if err != nil {
				h.log.Warn("viewer count", "show", showID, "err", err)
				continue
			}
			data := mustJSON(viewersEvent{Type: "viewers", Count: n})
			// Without history: a stale count is worth nothing to a
			// reconnecting viewer, and it must not push events out of
			// the history window.
			if _, err := h.node.Publish(ch, data); err != nil {
				h.log.Warn("publish viewer count", "show", showID, "err", err)
			}
		}
		h.prune()
	}
}

// chatIdle is how long an unused show's moderation state stays loaded.
const chatIdle = 6 * time.Hour

// prune forgets cached shows and idle moderation states.
func (h *Hub) prune() {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, cs := range h.shows {
		if now.Sub(cs.fetched) > showCacheTTL {
			delete(h.shows, id)
		}
	}
	for id, st := range h.chats {
		if now.Sub(st.used) > chatIdle {
			delete(h.chats, id)
		}
	}
}
