package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"
	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"hawker"
	"hawker/realtime"
)

// Fan-out bench limits.
const (
	fanoutMaxViewers   = 19_000 // below the usual hard limit of open files (20,000)
	fanoutDialParallel = 64
	fanoutSenderRate   = 5.0 // messages/s per sender: under realtime.CommandRate
	fanoutDrainTimeout = 15 * time.Second
	fanoutReplyTimeout = 30 * time.Second
	fanoutInFlight     = 16 // chat.send calls awaiting a reply, per sender
)

// fanoutInfo is what the fan-out server tells the bench.
type fanoutInfo struct {
	URL          string   `json:"url"` // ws://…/connection/websocket
	Show         string   `json:"show"`
	ViewerToken  string   `json:"viewer_token"`
	SenderTokens []string `json:"sender_tokens"`
	// ProfileURL, with --cpuprofile, starts the server's CPU profile:
	// POST it with ?seconds=N; it answers when the profile is written.
	ProfileURL string `json:"profile_url,omitempty"`
}

// benchStore is the realtime store of the fan-out server: one live show,
// its chat senders, and moderation settings that let each sender chat at
// the bench's rate.
type benchStore struct {
	show  hawker.Show
	users map[string]*hawker.User
}

func (s *benchStore) FindShowByID(_ context.Context, id string) (*hawker.Show, error) {
	if id != s.show.ID {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no such show")
	}
	c := s.show
	return &c, nil
}

func (s *benchStore) FindUserByID(_ context.Context, id string) (*hawker.User, error) {
	u, ok := s.users[id]
	if !ok {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "no such user")
	}
	c := *u
	return &c, nil
}

func (s *benchStore) FindMemberships(context.Context, string) ([]hawker.ShopMember, error) {
	return nil, nil
}

func (s *benchStore) FindShowModeration(context.Context, string) (hawker.Moderation, []string, error) {
	m := hawker.DefaultModeration()
	m.RatePerSecond, m.Burst = hawker.MaxChatRate, hawker.MaxChatBurst
	return m, nil, nil
}

var _ realtime.ModerationLoader = (*benchStore)(nil)

// serveBenchFanout is the server side: a realtime hub with one live show.
func serveBenchFanout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench-server fanout", flag.ContinueOnError)
	coalesce := fs.Duration("coalesce", realtime.DefaultChatCoalesce, "chat coalescing interval (0 = none)")
	writeDelay := fs.Duration("write-delay", defaultRealtimeWriteDelay, "centrifuge WriteDelay per connection")
	redisURL := fs.String("redis-url", "", "Redis broker")
	senders := fs.Int("senders", 1, "chat senders to make tokens for")
	cpuProfile := fs.String("cpuprofile", "", "file the CPU profile goes to when the bench asks for it")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	st := &benchStore{
		show: hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: hawker.NewID(hawker.PrefixShop),
			Title: "Bench show", State: hawker.ShowLive, CreatedAt: time.Now()},
		users: map[string]*hawker.User{},
	}
	cfg := realtime.DefaultConfig(secret)
	cfg.ChatCoalesce = *coalesce
	cfg.WriteDelay = *writeDelay
	cfg.RedisURL = *redisURL
	cfg.RedisPrefix = "hawker-bench-" + st.show.ID
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	hub, err := realtime.New(cfg, st, nil)
	if err != nil {
		return err
	}
	info := fanoutInfo{Show: st.show.ID}
	info.ViewerToken, _ = hub.Token(nil, time.Hour)
	for i := range *senders {
		u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Name: fmt.Sprintf("sender %d", i+1)}
		st.users[u.ID] = u
		tok, _ := hub.Token(u, time.Hour)
		info.SenderTokens = append(info.SenderTokens, tok)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = hub.Close(context.Background())
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(websocketPath, hub.Handler())
	if *cpuProfile != "" {
		mux.Handle("POST /bench/cpuprofile", cpuProfileHandler(*cpuProfile))
		info.ProfileURL = "http://" + ln.Addr().String() + "/bench/cpuprofile"
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	info.URL = "ws://" + ln.Addr().String() + websocketPath
	b, _ := json.Marshal(info)
	fmt.Fprintf(stdout, "%s\n", b)

	<-ctx.Done()
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hub.Close(cctx)
	return srv.Shutdown(cctx)
}

// fanoutFlags are the bench's settings.
type fanoutFlags struct {
	viewers    int
	chatRate   float64
	duration   time.Duration
	coalesce   time.Duration
	writeDelay time.Duration
	redisURL   string
	maxP99     time.Duration
	realPct    float64
	senders    int
	cpuProfile string
}

func runBenchFanout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench fanout", flag.ContinueOnError)
	var f fanoutFlags
	fs.IntVar(&f.viewers, "viewers", 10_000, "WebSocket viewers of the show's chat")
	fs.Float64Var(&f.chatRate, "chat-rate", 20, "chat messages per second, sent through the chat.send RPC")
	fs.DurationVar(&f.duration, "duration", 30*time.Second, "how long chat is sent")
	fs.DurationVar(&f.coalesce, "coalesce", realtime.DefaultChatCoalesce, "server chat coalescing interval (0 = one publication per message)")
	fs.DurationVar(&f.writeDelay, "write-delay", defaultRealtimeWriteDelay, "server centrifuge WriteDelay: frames gathered per connection, as serve's --realtime-write-delay")
	fs.StringVar(&f.redisURL, "redis-url", "", "use the Redis broker at this URL (redis://127.0.0.1:6379/0)")
	fs.DurationVar(&f.maxP99, "max-p99", 0, "fail above this p99 send → receive latency (default 400ms coalesced, 250ms uncoalesced)")
	fs.Float64Var(&f.realPct, "real-clients", 1, "percent of viewers that are real centrifuge-go clients (the rest are lean frame readers)")
	fs.IntVar(&f.senders, "senders", 0, "logged-in chat senders (default: one per 5 msg/s)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write the server's CPU profile over the sending window to this file (go tool pprof)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case f.viewers < 1 || f.viewers > fanoutMaxViewers:
		return fmt.Errorf("--viewers must be 1..%d", fanoutMaxViewers)
	case f.chatRate <= 0 || f.chatRate > 1000:
		return errors.New("--chat-rate must be above 0 and at most 1000")
	case f.duration <= 0 || f.duration > benchMaxDuration:
		return fmt.Errorf("--duration must be above 0 and at most %v", benchMaxDuration)
	case f.realPct < 0 || f.realPct > 100:
		return errors.New("--real-clients must be 0..100")
	}
	if f.maxP99 == 0 {
		f.maxP99 = 400 * time.Millisecond
		if f.coalesce == 0 {
			f.maxP99 = 250 * time.Millisecond
		}
	}
	if f.senders <= 0 {
		f.senders = max(1, int(math.Ceil(f.chatRate/fanoutSenderRate)))
	}
	benchHeader(stdout, "fanout")
	res, err := fanoutOnce(ctx, f, stdout, stderr)
	if err != nil {
		return err
	}
	if len(res) > 0 {
		fmt.Fprintf(stdout, "FAIL: %s\n", strings.Join(res, "; "))
		return errBenchViolation
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// fanoutViewer is one viewer's record of the chat.
type fanoutViewer struct {
	mu   sync.Mutex
	seen []uint8 // deliveries by message sequence number

	frames, msgs atomic.Int64
	gone         atomic.Bool // the connection ended before the bench did
}

// record notes the bench messages in one frame or publication.
func (v *fanoutViewer) record(data []byte, now time.Time, lat *latencyHist) {
	n := 0
	v.mu.Lock()
	scanBenchMessages(data, func(seq, sentNs int64) {
		if seq >= 0 && seq < int64(len(v.seen)) && v.seen[seq] < math.MaxUint8 {
			v.seen[seq]++
		}
		lat.add(now.Sub(time.Unix(0, sentNs)))
		n++
	})
	v.mu.Unlock()
	v.msgs.Add(int64(n))
}

// benchText is a chat message of the bench: its sequence number and send
// time, digits only (no link, no blocked word).
func benchText(seq int64, sent time.Time) string {
	return "bench " + strconv.FormatInt(seq, 10) + " " + strconv.FormatInt(sent.UnixNano(), 10)
}

var benchMarker = []byte(`"text":"bench `)

// scanBenchMessages finds the bench messages in JSON (a frame of
// newline-separated replies, or one publication's data).
func scanBenchMessages(b []byte, fn func(seq, sentNs int64)) {
	for {
		i := bytes.Index(b, benchMarker)
		if i < 0 {
			return
		}
		b = b[i+len(benchMarker):]
		seq, rest, ok1 := leadingInt(b)
		if !ok1 || len(rest) == 0 || rest[0] != ' ' {
			continue
		}
		sent, rest, ok2 := leadingInt(rest[1:])
		if !ok2 {
			continue
		}
		b = rest
		fn(seq, sent)
	}
}

func leadingInt(b []byte) (int64, []byte, bool) {
	var n int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9' && i < 19; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	return n, b[i:], i > 0
}

// fanoutOnce runs one bench and prints its figures; it returns the
// violated checks.
func fanoutOnce(ctx context.Context, f fanoutFlags, stdout, stderr io.Writer) ([]string, error) {
	childArgs := []string{"--coalesce", f.coalesce.String(), "--write-delay", f.writeDelay.String(),
		"--senders", strconv.Itoa(f.senders)}
	if f.redisURL != "" {
		childArgs = append(childArgs, "--redis-url", f.redisURL)
	}
	if f.cpuProfile != "" {
		abs, err := filepath.Abs(f.cpuProfile)
		if err != nil {
			return nil, err
		}
		childArgs = append(childArgs, "--cpuprofile", abs)
	}
	var info fanoutInfo
	child, err := startBenchChild(ctx, "fanout", childArgs, stderr, &info)
	if err != nil {
		return nil, err
	}
	defer child.stop()
	broker := "memory"
	if f.redisURL != "" {
		broker = "redis"
	}
	coalesce := "off"
	if f.coalesce > 0 {
		coalesce = f.coalesce.String()
	}
	fmt.Fprintf(stdout, "viewers %d, chat %.4g msg/s by %d senders, duration %v, coalesce %s, write delay %v, broker %s, server pid %d\n",
		f.viewers, f.chatRate, f.senders, f.duration, coalesce, f.writeDelay, broker, child.pid())

	base := childUsage(child.pid())
	maxMsgs := int(f.chatRate*f.duration.Seconds()) + 1
	viewers := make([]*fanoutViewer, f.viewers)
	for i := range viewers {
		viewers[i] = &fanoutViewer{seen: make([]uint8, maxMsgs)}
	}
	lat := &latencyHist{}
	channel := realtime.ChatChannel(info.Show)

	// Connect every viewer and subscribe it.
	runCtx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	var readers sync.WaitGroup
	defer readers.Wait()
	nReal := int(math.Round(float64(f.viewers) * f.realPct / 100))
	var closers []func()
	var closersMu sync.Mutex
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	addCloser := func(c func()) { closersMu.Lock(); closers = append(closers, c); closersMu.Unlock() }
	connStart := time.Now()
	g, gctx := errgroup.WithContext(runCtx)
	g.SetLimit(fanoutDialParallel)
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i, v := range viewers {
		real := i < nReal
		g.Go(func() error {
			if real {
				c, err := dialRealViewer(gctx, info, channel, v, lat)
				if err != nil {
					return fmt.Errorf("viewer %d (centrifuge-go): %w", i, err)
				}
				addCloser(c.Close)
				return nil
			}
			conn, err := dialLeanViewer(gctx, dialer, info, channel)
			if err != nil {
				return fmt.Errorf("viewer %d: %w", i, err)
			}
			addCloser(func() { _ = conn.Close() })
			readers.Add(1)
			go func() {
				defer readers.Done()
				leanRead(runCtx, conn, v, lat)
			}()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("connect viewers: %w", err)
	}
	connTime := time.Since(connStart)
	connected := childUsage(child.pid())
	fmt.Fprintf(stdout, "connected %d viewers (%d centrifuge-go) in %.1fs; server RSS %s MiB before, %s MiB after\n",
		f.viewers, nReal, connTime.Seconds(), mib(base.rss), mib(connected.rss))

	// Senders: logged-in centrifuge-go clients calling chat.send.
	var senders []*centrifugego.Client
	for _, tok := range info.SenderTokens {
		c := centrifugego.NewJsonClient(info.URL, centrifugego.Config{Token: tok,
			HandshakeTimeout: fanoutReplyTimeout, ReadTimeout: fanoutReplyTimeout, WriteTimeout: fanoutReplyTimeout})
		if err := connectClient(ctx, c); err != nil {
			c.Close()
			return nil, fmt.Errorf("sender: %w", err)
		}
		senders = append(senders, c)
		addCloser(c.Close)
	}

	accepted := make([]bool, maxMsgs)
	var acceptedMu sync.Mutex
	var nextSeq, sendErrs atomic.Int64
	var firstErr atomic.Pointer[string]
	sumCounts := func() (frames, msgs int64) {
		for _, v := range viewers {
			frames += v.frames.Load()
			msgs += v.msgs.Load()
		}
		return
	}
	profiled := make(chan error, 1)
	if info.ProfileURL != "" {
		go func() { profiled <- fetchProfile(ctx, info.ProfileURL, f.duration) }()
	} else {
		profiled <- nil
	}
	srv0, gen0 := childUsage(child.pid()), selfUsage()
	frames0, msgs0 := sumCounts()
	sendCtx, stopSend := context.WithTimeout(ctx, f.duration)
	var sg sync.WaitGroup
	interval := time.Duration(float64(time.Second) * float64(len(senders)) / f.chatRate)
	for i, c := range senders {
		sg.Go(func() {
			// Stagger the senders evenly over one interval.
			if !sleepCtx(sendCtx, interval*time.Duration(i)/time.Duration(len(senders))) {
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			// Calls run concurrently, so a slow reply does not slow the
			// rate; at most fanoutInFlight wait per sender.
			inFlight := make(chan struct{}, fanoutInFlight)
			var calls sync.WaitGroup
			defer calls.Wait()
			for {
				seq := nextSeq.Add(1) - 1
				if seq >= int64(maxMsgs) {
					return
				}
				select {
				case inFlight <- struct{}{}:
				case <-sendCtx.Done():
					return
				}
				req, _ := json.Marshal(map[string]string{"show_id": info.Show, "text": benchText(seq, time.Now())})
				calls.Go(func() {
					defer func() { <-inFlight }()
					rctx, cancel := context.WithTimeout(ctx, fanoutReplyTimeout)
					_, err := c.RPC(rctx, realtime.MethodChatSend, req)
					cancel()
					if err != nil {
						sendErrs.Add(1)
						s := err.Error()
						firstErr.CompareAndSwap(nil, &s)
						return
					}
					acceptedMu.Lock()
					accepted[seq] = true
					acceptedMu.Unlock()
				})
				select {
				case <-sendCtx.Done():
					return
				case <-tick.C:
				}
			}
		})
	}
	<-sendCtx.Done()
	stopSend()
	sg.Wait()
	if err := <-profiled; err != nil {
		fmt.Fprintf(stderr, "bench: server CPU profile: %v\n", err)
	} else if f.cpuProfile != "" {
		fmt.Fprintf(stdout, "server CPU profile of the sending window: %s\n", f.cpuProfile)
	}
	srv1, gen1 := childUsage(child.pid()), selfUsage()
	frames1, msgs1 := sumCounts()
	window := srv1.at.Sub(srv0.at)

	acceptedMu.Lock()
	var nAccepted int64
	for _, ok := range accepted {
		if ok {
			nAccepted++
		}
	}
	acceptedMu.Unlock()
	// Drain: wait until every viewer has every accepted message.
	drainUntil := time.Now().Add(f.coalesce + fanoutDrainTimeout)
	for time.Now().Before(drainUntil) {
		_, m := sumCounts()
		if m >= nAccepted*int64(f.viewers) {
			break
		}
		if !sleepCtx(ctx, 50*time.Millisecond) {
			break
		}
	}
	held := 0
	for _, v := range viewers {
		if !v.gone.Load() {
			held++
		}
	}
	end := childUsage(child.pid())
	framesEnd, msgsEnd := sumCounts()
	stopReaders()
	for _, c := range closers {
		c()
	}
	closers = nil
	readers.Wait()

	var lost, dups int64
	var short int
	for _, v := range viewers {
		v.mu.Lock()
		var missing int64
		for seq, ok := range accepted {
			switch {
			case !ok:
			case v.seen[seq] == 0:
				missing++
			case v.seen[seq] > 1:
				dups += int64(v.seen[seq] - 1)
			}
		}
		v.mu.Unlock()
		if missing > 0 {
			short++
			lost += missing
		}
	}

	sec := window.Seconds()
	fmt.Fprintf(stdout, "connections held: %d of %d\n", held, f.viewers)
	fmt.Fprintf(stdout, "chat sent: %d accepted (%.1f/s), %d send errors", nAccepted, float64(nAccepted)/sec, sendErrs.Load())
	if p := firstErr.Load(); p != nil {
		fmt.Fprintf(stdout, " (first: %s)", *p)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "delivered: %.0f frames/s, %.0f messages/s\n", float64(frames1-frames0)/sec, float64(msgs1-msgs0)/sec)
	p99 := lat.quantile(0.99)
	fmt.Fprintf(stdout, "latency send→receive: p50 %s ms, p99 %s ms, max %s ms (%d deliveries)\n",
		ms(lat.quantile(0.5)), ms(p99), ms(lat.maxLatency()), lat.n.Load())
	perConn := float64(end.rss-base.rss) / float64(f.viewers) / 1024
	fmt.Fprintf(stdout, "server RSS: %s MiB (%s MiB before viewers): %.1f KB per connection\n", mib(end.rss), mib(base.rss), perConn)
	fmt.Fprintf(stdout, "CPU: server %.2f cores, generator %.2f cores (%d CPUs; load average now %s)\n",
		cores(srv0, srv1), cores(gen0, gen1), runtime.NumCPU(), loadAverage())
	// The server's CPU time for the work, from the first send to the end
	// of the drain: unlike cores, it does not shrink when other processes
	// take the CPU and delivery falls behind.
	if msgsEnd > msgs0 && framesEnd > frames0 {
		work := end.cpu - srv0.cpu
		fmt.Fprintf(stdout, "server CPU per delivery: %.2f µs per message, %.1f µs per frame (%.1f CPU s sending and draining)\n",
			float64(work.Microseconds())/float64(msgsEnd-msgs0), float64(work.Microseconds())/float64(framesEnd-frames0), work.Seconds())
	}
	fmt.Fprintf(stdout, "lost: %d messages (%d viewers short; not received %.0fs after the last send), duplicated: %d\n",
		lost, short, (f.coalesce + fanoutDrainTimeout).Seconds(), dups)

	var fails []string
	if held < f.viewers {
		fails = append(fails, fmt.Sprintf("%d connections dropped", f.viewers-held))
	}
	if sendErrs.Load() > 0 {
		fails = append(fails, fmt.Sprintf("%d chat sends refused", sendErrs.Load()))
	}
	if nAccepted == 0 {
		fails = append(fails, "no chat message was accepted")
	}
	if lost > 0 {
		fails = append(fails, fmt.Sprintf("%d messages lost", lost))
	}
	if dups > 0 {
		fails = append(fails, fmt.Sprintf("%d messages delivered twice", dups))
	}
	if p99 > f.maxP99 {
		fails = append(fails, fmt.Sprintf("p99 %s ms above --max-p99 %v", ms(p99), f.maxP99))
	}
	return fails, nil
}

// connectClient connects a centrifuge-go client and waits until connected.
func connectClient(ctx context.Context, c *centrifugego.Client) error {
	connected := make(chan struct{})
	var once sync.Once
	c.OnConnected(func(centrifugego.ConnectedEvent) { once.Do(func() { close(connected) }) })
	if err := c.Connect(); err != nil {
		return err
	}
	select {
	case <-connected:
		return nil
	case <-time.After(fanoutReplyTimeout):
		return errors.New("not connected in time")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dialRealViewer connects a centrifuge-go client and subscribes it.
func dialRealViewer(ctx context.Context, info fanoutInfo, channel string, v *fanoutViewer, lat *latencyHist) (*centrifugego.Client, error) {
	c := centrifugego.NewJsonClient(info.URL, centrifugego.Config{Token: info.ViewerToken,
		HandshakeTimeout: fanoutReplyTimeout, ReadTimeout: fanoutReplyTimeout, WriteTimeout: fanoutReplyTimeout})
	c.OnDisconnected(func(centrifugego.DisconnectedEvent) { v.gone.Store(true) })
	if err := connectClient(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	sub, err := c.NewSubscription(channel)
	if err != nil {
		c.Close()
		return nil, err
	}
	sub.OnPublication(func(e centrifugego.PublicationEvent) {
		v.frames.Add(1)
		v.record(e.Data, time.Now(), lat)
	})
	subscribed := make(chan struct{})
	var once sync.Once
	sub.OnSubscribed(func(centrifugego.SubscribedEvent) { once.Do(func() { close(subscribed) }) })
	if err := sub.Subscribe(); err != nil {
		c.Close()
		return nil, err
	}
	select {
	case <-subscribed:
		return c, nil
	case <-time.After(fanoutReplyTimeout):
	case <-ctx.Done():
	}
	c.Close()
	return nil, errors.New("not subscribed in time")
}

// dialLeanViewer opens a WebSocket and speaks just enough of the
// centrifuge JSON protocol: connect with the token, subscribe.
func dialLeanViewer(ctx context.Context, d *websocket.Dialer, info fanoutInfo, channel string) (*websocket.Conn, error) {
	conn, _, err := d.DialContext(ctx, info.URL, nil)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(fanoutReplyTimeout))
	cmds := []string{
		fmt.Sprintf(`{"id":1,"connect":{"token":%q,"name":"hawker-bench"}}`, info.ViewerToken),
		fmt.Sprintf(`{"id":2,"subscribe":{"channel":%q}}`, channel),
	}
	for i, cmd := range cmds {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
			conn.Close()
			return nil, err
		}
		want := fmt.Sprintf(`"id":%d`, i+1)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				conn.Close()
				return nil, err
			}
			if !bytes.Contains(msg, []byte(want)) {
				continue // a ping or a push
			}
			if bytes.Contains(msg, []byte(`"error"`)) {
				conn.Close()
				return nil, fmt.Errorf("server said %s", msg)
			}
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	return conn, nil
}

// leanRead reads one viewer's frames until the connection ends, answering
// pings ({}) with pongs.
func leanRead(ctx context.Context, conn *websocket.Conn, v *fanoutViewer, lat *latencyHist) {
	buf := make([]byte, 0, 4096)
	pong := []byte("{}")
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			if ctx.Err() == nil {
				v.gone.Store(true)
			}
			return
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				break
			}
		}
		now := time.Now()
		v.frames.Add(1)
		if bytes.Contains(buf, benchMarker) {
			v.record(buf, now, lat)
		}
		for line := range bytes.SplitSeq(buf, []byte("\n")) {
			if bytes.Equal(bytes.TrimSpace(line), pong) {
				_ = conn.WriteMessage(websocket.TextMessage, pong)
			}
		}
	}
}

// cpuProfileHandler profiles the bench server's CPU for ?seconds=N into
// path (one profile at a time) and answers when the file is written.
func cpuProfileHandler(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secs, err := strconv.Atoi(r.URL.Query().Get("seconds"))
		if err != nil || secs < 1 || secs > int(benchMaxDuration.Seconds()) {
			http.Error(w, "seconds: 1 to the bench's longest duration", http.StatusBadRequest)
			return
		}
		f, err := os.Create(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		t := time.NewTimer(time.Duration(secs) * time.Second)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// fetchProfile asks the bench server for a CPU profile of the next d.
func fetchProfile(ctx context.Context, url string, d time.Duration) error {
	secs := max(1, int(d.Round(time.Second).Seconds()))
	req, err := http.NewRequestWithContext(ctx, "POST", url+"?seconds="+strconv.Itoa(secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return nil
}
