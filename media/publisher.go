package media

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// publisher is one WHIP session: a peer connection sending a show's media.
type publisher struct {
	srv  *Server
	show *show
	id   string // session id, the last segment of its Location
	pc   *webrtc.PeerConnection
	// offered says which kinds the offer carries; the publisher is ready
	// once each has a track.
	offered [2]bool

	isReady atomic.Bool
	// layers is the video tracks in quality order, lowest first; replaced
	// when a track starts and once a second as bitrates are measured.
	layers atomic.Pointer[[]*pubTrack]

	done chan struct{} // closed by close
	wg   sync.WaitGroup

	mu      sync.Mutex // guards the fields below
	tracks  []*pubTrack
	started bool // PublisherStarted emitted
	closed  bool
	// connectTimer closes a session whose peer never connects.
	connectTimer *time.Timer
	once         sync.Once
}

// pubTrack is one incoming stream: audio, video, or one simulcast layer.
type pubTrack struct {
	pub   *publisher
	kind  int // kindAudio or kindVideo
	codec webrtc.RTPCodecParameters
	rid   string
	ssrc  uint32
	order int // position among the publisher's tracks

	bytes   atomic.Uint64 // payload bytes since the last bitrate sample
	bitrate atomic.Uint64 // bits per second, sampled once a second
	lastPLI atomic.Int64  // unix nanos of the last keyframe request
}

const (
	kindAudio = 0
	kindVideo = 1
)

var kinds = [2]webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo}

func kindIndex(k webrtc.RTPCodecType) int {
	if k == webrtc.RTPCodecTypeVideo {
		return kindVideo
	}
	return kindAudio
}

// packet is one RTP packet of a publisher, shared by every subscriber. It is
// never modified after fan-out: subscribers copy the header and share the
// payload.
type packet struct {
	track    *pubTrack
	rtp      *rtp.Packet
	keyframe bool  // a decoder can start here
	at       int64 // arrival, unix nanos
}

func (p *publisher) ready() bool { return p.isReady.Load() }

// videoLayers returns the video tracks in quality order, lowest first.
func (p *publisher) videoLayers() []*pubTrack {
	if l := p.layers.Load(); l != nil {
		return *l
	}
	return nil
}

// audioTrack returns the first audio track, or nil.
func (p *publisher) audioTrack() *pubTrack {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tracks {
		if t.kind == kindAudio {
			return t
		}
	}
	return nil
}

// codec returns the codec of the publisher's first track of the kind.
func (p *publisher) codec(kind int) (webrtc.RTPCodecParameters, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.tracks {
		if t.kind == kind {
			return t.codec, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// onTrack starts reading a new incoming track (pion callback).
func (p *publisher) onTrack(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	t := &pubTrack{
		pub:   p,
		kind:  kindIndex(tr.Kind()),
		codec: tr.Codec(),
		rid:   tr.RID(),
		ssrc:  uint32(tr.SSRC()),
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	t.order = len(p.tracks)
	p.tracks = append(p.tracks, t)
	p.wg.Add(2)
	var kinds [2]bool
	for _, x := range p.tracks {
		kinds[x.kind] = true
	}
	nowReady := (kinds[kindAudio] || !p.offered[kindAudio]) && (kinds[kindVideo] || !p.offered[kindVideo])
	p.mu.Unlock()

	go p.readRTP(t, tr)
	go p.readRTCP(tr, recv)
	p.sortLayers()

	if nowReady && !p.isReady.Swap(true) {
		p.srv.log.Info("publisher started", "show", p.show.id, "session", p.id)
		if f := p.srv.hooks.PublisherStarted; f != nil {
			id := p.show.id
			p.srv.emit(func() { f(id) })
		}
	}
	if p.ready() && p.show.publisher() == p {
		for _, sub := range p.show.subscribers() {
			sub.follow(p)
		}
	}
}

// readRTP forwards one track's packets to every subscriber that wants them.
func (p *publisher) readRTP(t *pubTrack, tr *webrtc.TrackRemote) {
	defer p.wg.Done()
	kd := keyframeDetector{codec: strings.ToLower(t.codec.MimeType)}
	sh := p.show
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		// Header extensions are negotiated per peer connection; the
		// viewers' ids differ, so they are dropped here once.
		pkt.Header.Extension = false
		pkt.Header.Extensions = nil
		t.bytes.Add(uint64(len(pkt.Payload)))
		fp := &packet{track: t, rtp: pkt, keyframe: kd.start(pkt.Payload, pkt.Timestamp), at: time.Now().UnixNano()}
		for _, sub := range sh.subscribers() {
			sub.offer(fp)
		}
	}
}

// readRTCP drains the publisher's sender reports so interceptors run.
func (p *publisher) readRTCP(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	defer p.wg.Done()
	rid := tr.RID()
	for {
		var err error
		if rid != "" {
			_, _, err = recv.ReadSimulcastRTCP(rid)
		} else {
			_, _, err = recv.ReadRTCP()
		}
		if err != nil {
			return
		}
	}
}

// measure samples the tracks' bitrates once a second and re-sorts layers.
func (p *publisher) measure() {
	defer p.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
			p.mu.Lock()
			tracks := slices.Clone(p.tracks)
			p.mu.Unlock()
			for _, t := range tracks {
				t.bitrate.Store(t.bytes.Swap(0) * 8)
			}
			p.sortLayers()
		}
	}
}

// sortLayers orders the video tracks by measured bitrate once every layer
// has one, by the usual rid names before that (q/l < h/m < f), and by
// arrival otherwise.
func (p *publisher) sortLayers() {
	p.mu.Lock()
	var video []*pubTrack
	for _, t := range p.tracks {
		if t.kind == kindVideo {
			video = append(video, t)
		}
	}
	p.mu.Unlock()
	measured := true
	for _, t := range video {
		if t.bitrate.Load() == 0 {
			measured = false
		}
	}
	slices.SortStableFunc(video, func(a, b *pubTrack) int {
		if measured {
			return cmp.Compare(a.bitrate.Load(), b.bitrate.Load())
		}
		if c := cmp.Compare(ridRank(a.rid), ridRank(b.rid)); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	p.layers.Store(&video)
}

func ridRank(rid string) int {
	switch strings.ToLower(rid) {
	case "q", "l", "low", "lo", "0", "quarter":
		return 0
	case "h", "m", "mid", "medium", "1", "half":
		return 1
	case "f", "high", "hi", "2", "full":
		return 2
	}
	return 1
}

// requestKeyframe asks the publisher for a keyframe on the track, at most
// once per PLIInterval however many subscribers ask.
func (t *pubTrack) requestKeyframe() {
	if t == nil || t.kind != kindVideo {
		return
	}
	now := time.Now().UnixNano()
	last := t.lastPLI.Load()
	if now-last < int64(t.pub.srv.cfg.PLIInterval) || !t.lastPLI.CompareAndSwap(last, now) {
		return
	}
	_ = t.pub.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: t.ssrc}})
}

// close ends the session. With startGrace, the show's grace period starts
// if p was its publisher (the publisher went away rather than being
// replaced or shut down). Never call it from p's own goroutines.
func (p *publisher) close(startGrace bool) {
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		if p.connectTimer != nil {
			p.connectTimer.Stop()
		}
		p.mu.Unlock()
		close(p.done)
		_ = p.pc.Close()
		p.wg.Wait()
		p.srv.mu.Lock()
		if p.srv.whip[p.id] == p {
			delete(p.srv.whip, p.id)
		}
		p.srv.mu.Unlock()
		p.show.publisherLeft(p, startGrace)
		p.srv.log.Info("publisher stopped", "show", p.show.id, "session", p.id)
	})
}
