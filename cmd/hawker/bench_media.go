package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/sync/errgroup"

	"hawker"
	"hawker/media"
)

// Media bench limits.
const (
	mediaMaxViewers    = 2000
	mediaDialParallel  = 8
	mediaPacketSize    = 1200 // RTP payload bytes
	mediaFPS           = 30
	mediaKeyframeEvery = 2 * time.Second
	mediaReadyTimeout  = 60 * time.Second
	mediaDrain         = time.Second // for late packets and retransmissions
	mediaShow          = "bench"
	// mediaStamp is where a payload carries its packet index and send time
	// (after the FU-A indicator and header).
	mediaStamp = 2
)

// mediaInfo is what the media server tells the bench.
type mediaInfo struct {
	URL string `json:"url"` // http://127.0.0.1:port
	Key string `json:"key"` // stream key
	// Show is the show to publish and watch; "" is mediaShow.
	Show string `json:"show,omitempty"`
}

// show returns the show the bench publishes and watches.
func (i mediaInfo) show() string {
	if i.Show != "" {
		return i.Show
	}
	return mediaShow
}

// serveBenchMedia is the server side: the SFU with WHIP, WHEP and a stats
// route.
func serveBenchMedia(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench-server media", flag.ContinueOnError)
	queue := fs.Int("queue", 0, "media.Config.QueueSize (0 = default)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	raw := make([]byte, 16)
	rand.Read(raw)
	key := hex.EncodeToString(raw)
	srv, err := media.New(media.Config{
		QueueSize: *queue,
		Logger:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}, media.Hooks{
		AuthorizePublish: func(_ context.Context, _, streamKey string) error {
			if streamKey != key {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong stream key.")
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/whip/", srv.WHIPHandler())
	mux.Handle("/whep/", srv.WHEPHandler())
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(srv.Stats(r.URL.Query().Get("show")))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	b, _ := json.Marshal(mediaInfo{URL: "http://" + ln.Addr().String(), Key: key})
	fmt.Fprintf(stdout, "%s\n", b)

	<-ctx.Done()
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(cctx)
	return srv.Close()
}

type mediaFlags struct {
	viewers  []int
	bitrate  int
	duration time.Duration
	maxLoss  float64 // percent
	maxP99   time.Duration
	queue    int
}

func runBenchMedia(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench media", flag.ContinueOnError)
	viewers := fs.Int("viewers", 100, "WHEP viewers")
	sweep := fs.String("sweep", "", "viewer counts to run one after another, e.g. 100,200,300,400 (one row each)")
	bitrate := fs.String("bitrate", "1M", "video bitrate (packets of 1,200 bytes, 30 frames/s)")
	var f mediaFlags
	fs.DurationVar(&f.duration, "duration", 20*time.Second, "measured time, after every viewer receives")
	fs.Float64Var(&f.maxLoss, "max-loss", 0.1, "fail above this loss, percent of packets (all viewers)")
	fs.DurationVar(&f.maxP99, "max-p99", 30*time.Millisecond, "fail above this p99 forwarding latency")
	fs.IntVar(&f.queue, "queue", 0, "server per-subscriber queue (media.Config.QueueSize; 0 = default)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	var err error
	if f.bitrate, err = parseBitrate(*bitrate); err != nil {
		return err
	}
	f.viewers = []int{*viewers}
	if *sweep != "" {
		if f.viewers, err = parseCounts(*sweep); err != nil {
			return fmt.Errorf("--sweep: %w", err)
		}
	}
	for _, n := range f.viewers {
		if n > mediaMaxViewers {
			return fmt.Errorf("at most %d viewers", mediaMaxViewers)
		}
	}
	if f.duration <= 0 || f.duration > benchMaxDuration {
		return fmt.Errorf("--duration must be above 0 and at most %v", benchMaxDuration)
	}
	benchHeader(stdout, "media")
	pps := benchPPS(f.bitrate)
	fmt.Fprintf(stdout, "bitrate %d bit/s: %d packets/s of %d bytes at %d frames/s, keyframe every %v; duration %v; limits: loss %.3g %%, p99 %v\n",
		f.bitrate, pps, mediaPacketSize, mediaFPS, mediaKeyframeEvery, f.duration, f.maxLoss, f.maxP99)
	fmt.Fprintf(stdout, "%8s %10s %10s %9s %9s %8s %8s %8s %12s %10s %9s %9s %s\n",
		"viewers", "fwd pkt/s", "recv pkt/s", "loss %", "worst %", "p50 ms", "p99 ms", "max ms",
		"SFU %/viewer", "SFU cores", "gen cores", "SFU MiB", "result")
	var failed []string
	firstLoss, firstFail := 0, 0
	for _, n := range f.viewers {
		row, err := mediaOnce(ctx, f, n, stderr)
		if err != nil {
			return fmt.Errorf("%d viewers: %w", n, err)
		}
		var fails []string
		if row.lossPct > f.maxLoss {
			fails = append(fails, fmt.Sprintf("loss %.3f %% > %.3g %%", row.lossPct, f.maxLoss))
		}
		if row.deaf > 0 {
			fails = append(fails, fmt.Sprintf("%d viewers received nothing", row.deaf))
		}
		if row.p99 > f.maxP99 {
			fails = append(fails, fmt.Sprintf("p99 %s ms > %v", ms(row.p99), f.maxP99))
		}
		if row.lost > 0 && firstLoss == 0 {
			firstLoss = n
		}
		if len(fails) > 0 && firstFail == 0 {
			firstFail = n
		}
		result := "ok"
		if len(fails) > 0 {
			result = "FAIL: " + strings.Join(fails, ", ")
			failed = append(failed, fmt.Sprintf("%d viewers: %s", n, strings.Join(fails, ", ")))
		}
		fmt.Fprintf(stdout, "%8d %10.0f %10.0f %9.3f %9.3f %8s %8s %8s %12.3f %10.2f %9.2f %9s %s\n",
			n, row.fwdRate, row.recvRate, row.lossPct, row.worstPct, ms(row.p50), ms(row.p99), ms(row.max),
			100*row.sfuCores/float64(n), row.sfuCores, row.genCores, mib(row.sfuRSS), result)
		if row.dropped > 0 || row.plis > 0 || row.udpDrops > 0 {
			fmt.Fprintf(stdout, "%8s SFU queue drops %d; UDP datagrams dropped by full socket buffers (host-wide) %d; keyframe requests reaching the publisher %d\n",
				"", row.dropped, row.udpDrops, row.plis)
		}
	}
	fmt.Fprintf(stdout, "load average now %s\n", loadAverage())
	if len(f.viewers) > 1 {
		if firstLoss > 0 {
			fmt.Fprintf(stdout, "loss begins at %d viewers\n", firstLoss)
		} else {
			fmt.Fprintln(stdout, "no loss at any viewer count")
		}
		if firstFail > 0 {
			fmt.Fprintf(stdout, "limits first exceeded at %d viewers\n", firstFail)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(stdout, "FAIL: %s\n", strings.Join(failed, "; "))
		return errBenchViolation
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// mediaRow is one run's figures.
type mediaRow struct {
	fwdRate, recvRate  float64
	lossPct, worstPct  float64
	lost               int64
	deaf               int
	p50, p99, max      time.Duration
	sfuCores, genCores float64
	sfuRSS             int64
	dropped            uint64
	plis               int64
	udpDrops           int64
}

// mediaOnce runs the SFU in a child process with n viewers for f.duration.
func mediaOnce(ctx context.Context, f mediaFlags, n int, stderr io.Writer) (mediaRow, error) {
	var row mediaRow
	var info mediaInfo
	child, err := startBenchChild(ctx, "media", []string{"--queue", fmt.Sprint(f.queue)}, stderr, &info)
	if err != nil {
		return row, err
	}
	defer child.stop()

	api, err := benchWebRTCAPI()
	if err != nil {
		return row, err
	}
	pub, err := startBenchPublisher(ctx, api, info, f.bitrate)
	if err != nil {
		return row, err
	}
	defer pub.stop()
	if err := waitStats(ctx, info, func(s media.ShowStats) bool { return s.Publishing }); err != nil {
		return row, fmt.Errorf("publisher: %w", err)
	}

	lat := &latencyHist{}
	window := int(float64(f.bitrate)/8/mediaPacketSize*f.duration.Seconds()*1.5) + 4096
	viewers := make([]*benchViewer, n)
	defer func() {
		for _, v := range viewers {
			if v != nil {
				v.close()
			}
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(mediaDialParallel)
	for i := range viewers {
		g.Go(func() error {
			v, err := startBenchViewer(gctx, api, info, pub, lat, window)
			if err != nil {
				return fmt.Errorf("viewer %d: %w", i, err)
			}
			viewers[i] = v
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return row, err
	}
	// Measure once every viewer receives.
	deadline := time.Now().Add(mediaReadyTimeout)
	for _, v := range viewers {
		for v.packets.Load() == 0 {
			if time.Now().After(deadline) {
				return row, errors.New("viewers receive nothing")
			}
			if !sleepCtx(ctx, 10*time.Millisecond) {
				return row, ctx.Err()
			}
		}
	}
	lat.reset()
	st0, err := fetchStats(ctx, info)
	if err != nil {
		return row, err
	}
	recv0 := sumPackets(viewers)
	srv0, gen0 := childUsage(child.pid()), selfUsage()
	start := pub.next.Load()
	pub.windowStart.Store(start)
	plis0 := pub.plis.Load()
	udp0 := udpRcvbufErrors()
	if !sleepCtx(ctx, f.duration) {
		return row, ctx.Err()
	}
	end := pub.next.Load() // first index not in the window
	srv1, gen1 := childUsage(child.pid()), selfUsage()
	st1, err := fetchStats(ctx, info)
	if err != nil {
		return row, err
	}
	recv1 := sumPackets(viewers)
	row.plis = pub.plis.Load() - plis0
	sleepCtx(ctx, mediaDrain)
	row.udpDrops = udpRcvbufErrors() - udp0
	for _, v := range viewers {
		v.close()
	}

	sec := srv1.at.Sub(srv0.at).Seconds()
	row.fwdRate = float64(st1.Forwarded-st0.Forwarded) / sec
	row.recvRate = float64(recv1-recv0) / sec
	row.dropped = st1.Dropped - st0.Dropped
	want := int64(end - start)
	var got int64
	for _, v := range viewers {
		c := v.countWindow(int(want))
		got += c
		if c == 0 {
			row.deaf++
		}
		if want > 0 {
			row.worstPct = max(row.worstPct, 100*float64(want-c)/float64(want))
		}
	}
	row.lost = want*int64(n) - got
	if want > 0 {
		row.lossPct = 100 * float64(row.lost) / float64(want*int64(n))
	}
	row.p50, row.p99, row.max = lat.quantile(0.5), lat.quantile(0.99), lat.maxLatency()
	row.sfuCores, row.genCores = cores(srv0, srv1), cores(gen0, gen1)
	row.sfuRSS = srv1.rss
	return row, nil
}

func (h *latencyHist) reset() {
	for i := range h.buckets {
		h.buckets[i].Store(0)
	}
	h.n.Store(0)
	h.max.Store(0)
}

func sumPackets(vs []*benchViewer) int64 {
	var n int64
	for _, v := range vs {
		n += v.packets.Load()
	}
	return n
}

func fetchStats(ctx context.Context, info mediaInfo) (media.ShowStats, error) {
	var s media.ShowStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.URL+"/bench/stats?show="+mediaShow, nil)
	if err != nil {
		return s, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

func waitStats(ctx context.Context, info mediaInfo, cond func(media.ShowStats) bool) error {
	deadline := time.Now().Add(mediaReadyTimeout)
	for {
		s, err := fetchStats(ctx, info)
		if err == nil && cond(s) {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		if !sleepCtx(ctx, 20*time.Millisecond) {
			return ctx.Err()
		}
	}
}

var benchH264 = webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
	SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
	RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}},
}

// benchWebRTCAPI is the clients' pion API: H.264 only, NACK and receiver
// reports as a browser sends them, ICE over loopback only.
func benchWebRTCAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: benchH264, PayloadType: 102}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureNack(m, reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// negotiateWHIP posts the offer (after ICE gathering) and applies the answer.
func negotiateWHIP(ctx context.Context, pc *webrtc.PeerConnection, url, key string) error {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(pc.LocalDescription().SDP))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", media.ContentTypeSDP)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, body)
	}
	return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)})
}

// benchPublisher sends a synthetic H.264 stream: each frame is one NAL
// unit in FU-A fragments of mediaPacketSize bytes, an IDR slice every
// mediaKeyframeEvery and after each keyframe request, so the SFU's
// keyframe logic runs. Each payload carries its packet index and send time.
type benchPublisher struct {
	pc          *webrtc.PeerConnection
	track       *webrtc.TrackLocalStaticRTP
	next        atomic.Uint64 // index of the next packet
	windowStart atomic.Uint64 // packets from this index are counted
	plis        atomic.Int64
	forceKey    atomic.Bool
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

func startBenchPublisher(ctx context.Context, api *webrtc.API, info mediaInfo, bitrate int) (*benchPublisher, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	track, err := webrtc.NewTrackLocalStaticRTP(benchH264, "video", "hawker-bench")
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	sender, err := pc.AddTrack(track)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	p := &benchPublisher{pc: pc, track: track}
	p.windowStart.Store(math.MaxUint64)
	p.wg.Go(func() {
		for {
			pkts, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			for _, pkt := range pkts {
				switch pkt.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					p.plis.Add(1)
					p.forceKey.Store(true)
				}
			}
		}
	})
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	nctx, cancel := context.WithTimeout(ctx, mediaReadyTimeout)
	defer cancel()
	if err := negotiateWHIP(nctx, pc, info.URL+"/whip/"+info.show(), info.Key); err != nil {
		_ = pc.Close()
		p.wg.Wait()
		return nil, err
	}
	select {
	case <-connected:
	case <-nctx.Done():
		_ = pc.Close()
		p.wg.Wait()
		return nil, errors.New("publisher did not connect")
	}
	sctx, stop := context.WithCancel(context.Background())
	p.cancel = stop
	p.wg.Go(func() { p.send(sctx, bitrate) })
	return p, nil
}

// send paces packets of mediaPacketSize evenly at the bitrate; packet k
// belongs to frame k·fps/pps, so frames are 3–4 packets at 1 Mbps.
func (p *benchPublisher) send(ctx context.Context, bitrate int) {
	pps := benchPPS(bitrate)
	gap := time.Second / time.Duration(pps)
	frameOf := func(k int) int { return k * mediaFPS / pps }
	buf := make([]byte, mediaPacketSize)
	begin := time.Now()
	var lastKey time.Time
	nalType := byte(1)
	for k := 0; ; k++ {
		if d := time.Until(begin.Add(time.Duration(k) * gap)); d > 0 {
			if !sleepCtx(ctx, d) {
				return
			}
		} else if ctx.Err() != nil {
			return
		}
		frame := frameOf(k)
		first := k == 0 || frameOf(k-1) != frame
		last := frameOf(k+1) != frame
		if first {
			nalType = 1
			if p.forceKey.Swap(false) || time.Since(lastKey) >= mediaKeyframeEvery {
				nalType, lastKey = 5, time.Now()
			}
		}
		hdr := nalType
		if first {
			hdr |= 0x80
		}
		if last {
			hdr |= 0x40
		}
		buf[0] = 0x60 | 28 // FU-A, NRI 3
		buf[1] = hdr
		idx := p.next.Load()
		binary.BigEndian.PutUint64(buf[mediaStamp:], idx)
		binary.BigEndian.PutUint64(buf[mediaStamp+8:], uint64(time.Now().UnixNano()))
		_ = p.track.WriteRTP(&rtp.Packet{
			Header: rtp.Header{Version: 2, Marker: last, SequenceNumber: uint16(k),
				Timestamp: uint32(frame * 90000 / mediaFPS)},
			Payload: buf,
		})
		p.next.Add(1)
	}
}

// benchPPS is the packet rate of the bitrate in packets of mediaPacketSize.
func benchPPS(bitrate int) int {
	return max(mediaFPS, int(math.Round(float64(bitrate)/8/mediaPacketSize)))
}

func (p *benchPublisher) stop() {
	if p.cancel != nil {
		p.cancel()
	}
	_ = p.pc.Close()
	p.wg.Wait()
}

// benchViewer is a pion WHEP viewer that checks every packet of the
// window arrives and measures each packet's latency.
type benchViewer struct {
	pc      *webrtc.PeerConnection
	pub     *benchPublisher
	packets atomic.Int64
	// seen marks the window's packets by index − windowStart; owned by
	// the track reader until wg is done.
	seen    []uint64
	tracked atomic.Bool   // a track reader started
	done    chan struct{} // closed when the track reader ends
	once    sync.Once
}

func startBenchViewer(ctx context.Context, api *webrtc.API, info mediaInfo, pub *benchPublisher, lat *latencyHist, window int) (*benchViewer, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	v := &benchViewer{pc: pc, pub: pub, seen: make([]uint64, (window+63)/64), done: make(chan struct{})}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		_ = pc.Close()
		return nil, err
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		if v.tracked.Swap(true) {
			return
		}
		defer close(v.done)
		go func() {
			for {
				if _, _, err := recv.ReadRTCP(); err != nil {
					return
				}
			}
		}()
		buf := make([]byte, 1500)
		var pkt rtp.Packet
		for {
			n, _, err := tr.Read(buf)
			if err != nil {
				return
			}
			now := time.Now()
			if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) < mediaStamp+16 {
				continue
			}
			idx := binary.BigEndian.Uint64(pkt.Payload[mediaStamp:])
			sent := int64(binary.BigEndian.Uint64(pkt.Payload[mediaStamp+8:]))
			v.packets.Add(1)
			if st := pub.windowStart.Load(); idx >= st {
				if off := idx - st; off < uint64(len(v.seen))*64 {
					v.seen[off/64] |= 1 << (off % 64)
				}
				lat.add(now.Sub(time.Unix(0, sent)))
			}
		}
	})
	nctx, cancel := context.WithTimeout(ctx, mediaReadyTimeout)
	defer cancel()
	if err := negotiateWHIP(nctx, pc, info.URL+"/whep/"+info.show(), ""); err != nil {
		_ = pc.Close()
		return nil, err
	}
	return v, nil
}

// close ends the viewer and waits for its reader (a viewer that never got
// a track has none).
func (v *benchViewer) close() {
	v.once.Do(func() {
		_ = v.pc.Close()
		if v.tracked.Load() {
			<-v.done
		}
	})
}

// countWindow counts the distinct packets of the first want window
// indexes received.
func (v *benchViewer) countWindow(want int) int64 {
	var c int64
	for i := 0; i < want && i/64 < len(v.seen); i++ {
		if v.seen[i/64]&(1<<(i%64)) != 0 {
			c++
		}
	}
	return c
}
