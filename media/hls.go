package media

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/codecs"
	"github.com/pion/webrtc/v4"

	"hawker"
)

// LL-HLS settings. gohlslib cuts a segment at the first keyframe after
// hlsSegmentMin; keyframes are asked for every hlsKeyframeEvery (WebRTC
// encoders rarely make them unasked), so segments last about 2 s and
// parts 200 ms: a player 3 parts behind is about a second late.
const (
	hlsSegmentMin    = time.Second
	hlsKeyframeEvery = 2 * time.Second
	hlsPartMin       = 200 * time.Millisecond
	// hlsSegmentCount is gohlslib's minimum for LL-HLS; with ~2 s
	// segments a muxer keeps ~14 s of media in memory.
	hlsSegmentCount = 7
	// hlsSegmentMax bounds one segment's bytes (memory) when a publisher
	// stops sending keyframes.
	hlsSegmentMax = 16 << 20
	// hlsWarmup is how long the request that starts a muxer waits for its
	// first segment before answering 409 with Retry-After.
	hlsWarmup = 10 * time.Second
	// hlsIdle stops a muxer nobody requested for this long.
	hlsIdle = time.Minute
	// hlsStall stops a muxer that got no video for this long (the
	// publisher left); blocked playlist requests then end, and the next
	// request starts a fresh muxer once media flows again.
	hlsStall = 5 * time.Second
	// hlsTokenParam carries the muxer's access token from the playlist to
	// the URIs in it, so that only playlist loads call AuthorizeView.
	hlsTokenParam = "hk"

	maxHLSNameLen = 128
)

// HLSHandler serves LL-HLS (fMP4, H.264 + Opus) of live shows, made from
// the same ingest as WHEP:
//
//	GET /hls/{show}/index.m3u8        multivariant playlist
//	GET /hls/{show}/{name}            media playlists, init, segments, parts
//
// A show's muxer starts with the first request (its answer waits for the
// first segment, ~2 s) and stops when nobody asked for a minute, when the
// show's video stops for 5 s, or when the show closes: a laptop demo does
// no HLS work nobody watches, and a CDN in front gets the stream at its
// first request. Hooks.AuthorizeView decides who may watch, as for WHEP;
// the playlist hands the URIs in it a token of the muxer so that segment
// and part requests are not authorized again.
//
// Errors ({"error":{"code","message"}}): 404 not_found (unknown show, one
// the caller may not see, unknown file), 409 invalid_state with
// Retry-After (not streaming yet, or the first segment is not ready), 415
// unsupported_media_type (the publisher's video is not H.264: HLS here is
// H.264 only; watch with WHEP), 429 busy (shutting down). Call it once per
// server: each handler keeps its own muxers.
func (s *Server) HLSHandler() http.Handler {
	h := &hlsServer{srv: s, muxers: map[string]*hlsMuxer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hls/{show}/{name}", h.serve)
	return mux
}

type hlsServer struct {
	srv *Server

	mu     sync.Mutex // guards muxers
	muxers map[string]*hlsMuxer
}

// hlsMuxer is one show's LL-HLS muxer, fed by a LayerHighest subscription.
type hlsMuxer struct {
	h     *hlsServer
	show  string
	token string
	m     *gohlslib.Muxer
	video *gohlslib.Track
	audio *gohlslib.Track // nil when the publisher sends no Opus

	sub         atomic.Pointer[Subscription]
	ready       chan struct{} // closed once the first segment exists
	done        chan struct{} // closed by stop
	once        sync.Once
	lastRequest atomic.Int64 // unix nanos
	lastVideo   atomic.Int64 // unix nanos

	// Owned by the subscription's goroutine (WritePacket).
	start      time.Time
	asm        auAssembler
	vclock     mediaClock
	aclock     mediaClock
	firstIDR   int64
	haveIDR    bool
	isReady    bool
	lastKey    time.Time
	lastKeyReq time.Time
	errs       int
}

func (h *hlsServer) serve(w http.ResponseWriter, r *http.Request) {
	s := h.srv
	// Players embedded in other sites (hls.js) fetch cross-origin. A
	// wildcard origin never carries the viewer's cookies, so a rehearsal
	// stays for its team's own pages.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	showID, name := r.PathValue("show"), r.PathValue("name")
	if !validShowID(showID) || !validHLSName(name) {
		s.fail(w, r, errf(hawker.ENOTFOUND, "No such show."))
		return
	}
	mx := h.muxer(showID)
	token := r.URL.Query().Get(hlsTokenParam)
	if mx == nil || name == "index.m3u8" || subtle.ConstantTimeCompare([]byte(token), []byte(mx.token)) != 1 {
		if f := s.hooks.AuthorizeView; f != nil {
			if err := f(r.Context(), showID, r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if mx == nil {
		if name != "index.m3u8" {
			// A file of a muxer that stopped: players start over at
			// the multivariant playlist.
			s.fail(w, r, errf(hawker.ENOTFOUND, "No such file; load index.m3u8."))
			return
		}
		var err error
		if mx, err = h.start(showID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	mx.lastRequest.Store(time.Now().UnixNano())

	warm := time.NewTimer(hlsWarmup)
	defer warm.Stop()
	select {
	case <-mx.ready:
	case <-mx.done:
		s.fail(w, r, errf(hawker.ESTATE, "The show's stream stopped."))
		return
	case <-warm.C:
		s.fail(w, r, errf(hawker.ESTATE, "The stream is starting; retry."))
		return
	case <-r.Context().Done():
		return
	}

	r2 := r.Clone(r.Context())
	if name == "index.m3u8" {
		// The multivariant playlist passes its query to the media
		// playlists' URIs, and they to the segments' and parts'.
		r2.URL.RawQuery = hlsTokenParam + "=" + mx.token
	}
	mx.handle(w, r2)
}

// muxer returns the show's running muxer, or nil.
func (h *hlsServer) muxer(showID string) *hlsMuxer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.muxers[showID]
}

// start makes the show's muxer, or returns the one another request made.
func (h *hlsServer) start(showID string) (*hlsMuxer, error) {
	s := h.srv
	video, audio, hasVideo, hasAudio, ok := s.showCodecs(showID)
	if !ok {
		return nil, errf(hawker.ESTATE, "The show is not streaming yet.")
	}
	if !hasVideo || !isH264(video) {
		name := "no video"
		if hasVideo {
			name = strings.TrimPrefix(strings.ToUpper(video.MimeType), "VIDEO/")
		}
		return nil, errf(hawker.EUNSUPPORTED, "HLS carries H.264 video only; this show sends %s. Watch it with WHEP.", name)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if mx := h.muxers[showID]; mx != nil {
		return mx, nil
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	mx := &hlsMuxer{
		h: h, show: showID, token: hex.EncodeToString(tok[:]),
		ready: make(chan struct{}), done: make(chan struct{}),
		vclock: mediaClock{rate: 90000}, aclock: mediaClock{rate: 48000},
	}
	mx.video = &gohlslib.Track{Codec: &codecs.H264{}, ClockRate: 90000}
	tracks := []*gohlslib.Track{mx.video}
	if hasAudio && isOpus(audio) {
		mx.audio = &gohlslib.Track{Codec: &codecs.Opus{ChannelCount: 2}, ClockRate: 48000}
		tracks = append(tracks, mx.audio)
	}
	log := s.log.With("show", showID)
	mx.m = &gohlslib.Muxer{
		Tracks:             tracks,
		Variant:            gohlslib.MuxerVariantLowLatency,
		SegmentCount:       hlsSegmentCount,
		SegmentMinDuration: hlsSegmentMin,
		PartMinDuration:    hlsPartMin,
		SegmentMaxSize:     hlsSegmentMax,
		OnEncodeError:      func(err error) { log.Debug("hls: encode", "err", err) },
	}
	if err := mx.m.Start(); err != nil {
		return nil, err
	}
	now := time.Now().UnixNano()
	mx.lastRequest.Store(now)
	mx.lastVideo.Store(now)
	sub, err := s.Subscribe(showID, mx, SubscribeOptions{Layer: LayerHighest, OnClose: mx.stop})
	if err != nil {
		mx.m.Close()
		return nil, err
	}
	mx.sub.Store(sub)
	if !s.addTracked() {
		sub.Close()
		mx.m.Close()
		return nil, errf(hawker.EBUSY, "The media server is shutting down.")
	}
	go mx.watch()
	h.muxers[showID] = mx
	log.Info("hls: muxer started", "audio", mx.audio != nil)
	return mx, nil
}

// watch stops the muxer when it is idle, stalled, or the server closes.
func (mx *hlsMuxer) watch() {
	defer mx.h.srv.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-mx.done:
			return
		case <-mx.h.srv.ctx.Done():
			mx.stop()
			return
		case now := <-tick.C:
			switch {
			case now.Sub(time.Unix(0, mx.lastRequest.Load())) > hlsIdle:
				mx.h.srv.log.Info("hls: muxer idle", "show", mx.show)
				mx.stop()
			case now.Sub(time.Unix(0, mx.lastVideo.Load())) > hlsStall:
				mx.h.srv.log.Info("hls: no video, muxer stopped", "show", mx.show)
				mx.stop()
			}
		}
	}
}

// stop ends the muxer: its subscription, its HTTP paths and blocked
// requests. Safe from any goroutine but the sink's (OnClose, watch), more
// than once.
func (mx *hlsMuxer) stop() {
	mx.once.Do(func() {
		close(mx.done)
		mx.h.mu.Lock()
		if mx.h.muxers[mx.show] == mx {
			delete(mx.h.muxers, mx.show)
		}
		mx.h.mu.Unlock()
		// The muxer's writes are not safe against its Close: wait for
		// the subscription's goroutine first.
		if sub := mx.sub.Load(); sub != nil {
			sub.Close()
		}
		mx.m.Close()
	})
}

// WritePacket feeds the muxer (the subscription's goroutine).
func (mx *hlsMuxer) WritePacket(p *Packet) error {
	select {
	case <-mx.done:
		return errSinkClosed
	default:
	}
	now := time.Now()
	if mx.start.IsZero() {
		mx.start = now
	}
	if p.Kind == webrtc.RTPCodecTypeVideo {
		if !isH264(p.Codec) {
			// A reconnect with another codec: this muxer cannot go on.
			mx.h.srv.log.Info("hls: video codec changed, muxer stopped", "show", mx.show, "codec", p.Codec.MimeType)
			return errSinkClosed
		}
		mx.lastVideo.Store(now.UnixNano())
		mx.asm.push(p.RTP, func(au [][]byte, ts uint32) { mx.writeVideo(au, ts, now) })
		if now.Sub(mx.lastKey) >= hlsKeyframeEvery && now.Sub(mx.lastKeyReq) >= hlsKeyframeEvery/4 {
			mx.lastKeyReq = now
			if sub := mx.sub.Load(); sub != nil {
				sub.askKeyframe()
			}
		}
		return nil
	}
	if mx.audio == nil || !isOpus(p.Codec) || len(p.RTP.Payload) == 0 {
		return nil
	}
	pts := mx.aclock.ticks(p.RTP.Timestamp, now.Sub(mx.start))
	if !mx.haveIDR {
		return nil // audio joins with the video's first segment
	}
	// The payload is shared by every subscriber; the muxer only reads it.
	mx.check(mx.m.WriteOpus(mx.audio, mx.start.Add(ticksDuration(pts, 48000)), pts, [][]byte{p.RTP.Payload}))
	return nil
}

func (mx *hlsMuxer) writeVideo(au [][]byte, ts uint32, now time.Time) {
	idr, slice, _, _ := auInfo(au)
	if !slice {
		return
	}
	pts := mx.vclock.ticks(ts, now.Sub(mx.start))
	if idr {
		mx.lastKey = now
	}
	if !mx.haveIDR {
		if !idr {
			return
		}
		mx.haveIDR, mx.firstIDR = true, pts
	}
	mx.check(mx.m.WriteH264(mx.video, mx.start.Add(ticksDuration(pts, 90000)), pts, au))
	// gohlslib closes its first segment at a keyframe at least
	// SegmentMinDuration after the first one: playlists have content now,
	// or (when its DTS differ from these PTS) at the next keyframe, which
	// the request then waits for inside the muxer.
	if idr && !mx.isReady && pts-mx.firstIDR >= durationTicks(hlsSegmentMin, 90000) {
		mx.isReady = true
		close(mx.ready)
	}
}

// check logs the muxer's write errors (bad access units, a segment over
// its size): the muxer skips what it cannot use and goes on.
func (mx *hlsMuxer) check(err error) {
	if err == nil {
		return
	}
	mx.errs++
	if mx.errs == 1 || mx.errs%1000 == 0 {
		mx.h.srv.log.Warn("hls: write", "show", mx.show, "err", err, "errors", mx.errs)
	}
}

// handle runs gohlslib's handler, which may wait (blocking playlist
// reloads, preload hints) without looking at the request's context. It
// runs on a goroutine of its own writing through a detachable writer: when
// the client leaves first, the writer drops what comes after and the
// goroutine ends when the muxer next moves or stops.
func (mx *hlsMuxer) handle(w http.ResponseWriter, r *http.Request) {
	s := mx.h.srv
	if !s.addTracked() {
		s.fail(w, r, errf(hawker.EBUSY, "The media server is shutting down."))
		return
	}
	dw := &detachableWriter{w: w, hdr: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer s.wg.Done()
		defer close(done)
		mx.m.Handle(dw, r)
	}()
	select {
	case <-done:
	case <-r.Context().Done():
		dw.detach()
		return
	}
	if !dw.written() {
		// gohlslib answers nothing for names it does not know.
		s.fail(w, r, errf(hawker.ENOTFOUND, "No such file."))
	}
}

// detachableWriter passes an answer to the client until detach; after it,
// writes are dropped, so a goroutine may outlive its request safely.
type detachableWriter struct {
	hdr http.Header // used by the writing goroutine only

	mu       sync.Mutex // guards the fields below and every use of w
	w        http.ResponseWriter
	wrote    bool
	detached bool
}

func (d *detachableWriter) Header() http.Header { return d.hdr }

func (d *detachableWriter) WriteHeader(code int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writeHeaderLocked(code)
}

func (d *detachableWriter) writeHeaderLocked(code int) {
	if d.detached || d.wrote {
		return
	}
	d.wrote = true
	h := d.w.Header()
	for k, v := range d.hdr {
		h[k] = v
	}
	d.w.WriteHeader(code)
}

func (d *detachableWriter) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.detached {
		return 0, http.ErrHandlerTimeout
	}
	d.writeHeaderLocked(http.StatusOK)
	return d.w.Write(b)
}

func (d *detachableWriter) detach() {
	d.mu.Lock()
	d.detached = true
	d.mu.Unlock()
}

func (d *detachableWriter) written() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.wrote
}

// validHLSName accepts gohlslib's file names (index.m3u8,
// video1_stream.m3u8, <prefix>_video1_part3.mp4, …).
func validHLSName(name string) bool {
	if name == "" || len(name) > maxHLSNameLen || !(strings.HasSuffix(name, ".m3u8") || strings.HasSuffix(name, ".mp4")) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.Contains(name, "..")
}
