package media

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"hawker"
)

// Packet is one RTP packet delivered to a [Sink].
type Packet struct {
	Kind  webrtc.RTPCodecType
	Codec webrtc.RTPCodecParameters // the publisher's codec (it may change when a publisher reconnects)
	RID   string                    // simulcast layer, "" without simulcast
	// Keyframe marks the first packet of a video keyframe (every audio
	// packet is true): a decoder or muxer can start here.
	Keyframe bool
	// RTP has a header of this subscription's own: sequence numbers and
	// timestamps stay continuous across layer switches and publisher
	// reconnects, header extensions are removed. The sink may change and
	// keep the header (each packet gets a new one). The payload is shared
	// with every other subscriber: read it, never write to it.
	RTP *rtp.Packet
}

// Sink consumes a show's media: a WHEP viewer's tracks, or later a
// recorder or an HLS muxer.
type Sink interface {
	// WritePacket is called from the subscription's own goroutine, one
	// packet at a time, in order within each kind. Video starts at a
	// keyframe. A slow WritePacket only delays this subscription: its
	// queue fills and its own packets are dropped (then video resumes at
	// the next keyframe). An error ends the subscription.
	WritePacket(p *Packet) error
}

// LayerPolicy chooses a subscription's simulcast layer.
type LayerPolicy int

const (
	// LayerAdaptive starts at the lowest layer and moves by the viewer's
	// bandwidth (WHEP viewers).
	LayerAdaptive LayerPolicy = iota
	// LayerHighest always takes the best layer (recording, HLS).
	LayerHighest
)

// SubscribeOptions configure [Server.Subscribe].
type SubscribeOptions struct {
	Layer LayerPolicy
	// QueueSize bounds the packets waiting for the sink (default
	// Config.QueueSize).
	QueueSize int
	// OnClose, when set, is called once when the subscription ends (sink
	// error, show closed, server closed, or Close).
	OnClose func()
}

// Subscription is one consumer of a show's packets. Its goroutine takes
// packets from a bounded queue and writes them to the sink; the publisher
// never waits for it.
type Subscription struct {
	srv    *Server
	show   *show
	sink   Sink
	policy LayerPolicy
	viewer bool // a WHEP viewer (counted in ShowStats.Viewers)

	queue chan *packet
	// cur is the track each kind is forwarded from; want the one to switch
	// to at its next keyframe. Written by the writer goroutine (cur) and by
	// follow/setQuality (want); read by the publisher's readers.
	cur, want [2]atomic.Pointer[pubTrack]
	// quality is the index of the wanted video layer (LayerAdaptive).
	quality atomic.Int32
	gap     atomic.Bool // packets were dropped; video waits for a keyframe
	dropped atomic.Uint64

	// state is guarded by show.mu.
	state subState

	// out is owned by the writer goroutine.
	out [2]rewriter

	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	onClose func()
}

type subState int

const (
	subNew subState = iota
	subPending
	subAttached
	subDetached
)

// rewriter keeps one kind's outgoing sequence numbers and timestamps
// continuous. Owned by the subscription's writer goroutine.
type rewriter struct {
	src     *pubTrack
	started bool
	needKey bool // after dropped packets: wait for a keyframe
	seqOff  uint16
	tsOff   uint32
	lastSeq uint16
	lastTS  uint32
	lastAt  int64
}

// Subscribe attaches a sink to the show's media: packets of the current
// publisher and of every later one (reconnects), until Close or CloseShow.
// A show without a publisher yet is fine: packets start when one does.
// Returns ENOTFOUND for an invalid show id, EBUSY after the server closed.
func (s *Server) Subscribe(showID string, sink Sink, opts SubscribeOptions) (*Subscription, error) {
	if !validShowID(showID) {
		return nil, errf(hawker.ENOTFOUND, "No such show.")
	}
	return s.subscribe(showID, sink, opts, false, true)
}

// subscribe starts a subscription; with attach false the caller attaches
// it to the show later (a viewer, once its connection is up).
func (s *Server) subscribe(showID string, sink Sink, opts SubscribeOptions, viewer, attach bool) (*Subscription, error) {
	n := opts.QueueSize
	if n <= 0 {
		n = s.cfg.QueueSize
	}
	sub := &Subscription{
		srv:     s,
		sink:    sink,
		policy:  opts.Layer,
		viewer:  viewer,
		queue:   make(chan *packet, n),
		done:    make(chan struct{}),
		onClose: opts.OnClose,
	}
	sh := s.showFor(showID)
	if sh == nil {
		return nil, errf(hawker.EBUSY, "The media server is shutting down.")
	}
	sub.show = sh
	if !s.addTracked() {
		return nil, errf(hawker.EBUSY, "The media server is shutting down.")
	}
	sub.wg.Add(1)
	go sub.run()
	if attach {
		sh.attach(sub)
	} else {
		sh.reserve(sub)
	}
	return sub, nil
}

// Dropped returns how many packets this subscription dropped because its
// queue was full.
func (sub *Subscription) Dropped() uint64 { return sub.dropped.Load() }

// Close ends the subscription and waits for its goroutine. Safe to call
// more than once and from any goroutine but the sink's.
func (sub *Subscription) Close() {
	sub.stop()
	sub.wg.Wait()
}

// stop ends the subscription without waiting (usable from the sink).
func (sub *Subscription) stop() {
	sub.once.Do(func() {
		close(sub.done)
		sub.show.detach(sub)
		if sub.onClose != nil {
			sub.srv.goTracked(sub.onClose)
		}
	})
}

// offer queues a packet if the subscription wants its track. Called by the
// publisher's readers; never blocks.
func (sub *Subscription) offer(p *packet) {
	k := p.track.kind
	if p.track != sub.cur[k].Load() && p.track != sub.want[k].Load() {
		return
	}
	select {
	case sub.queue <- p:
		sub.show.forwarded.Add(1)
	default:
		sub.dropped.Add(1)
		sub.show.dropped.Add(1)
		sub.gap.Store(true)
	}
}

// follow points the subscription at the publisher's tracks (a new or
// reconnected publisher, or a new simulcast layer).
func (sub *Subscription) follow(p *publisher) {
	if a := p.audioTrack(); a != nil && sub.want[kindAudio].Load() != a {
		sub.want[kindAudio].Store(a)
	}
	sub.pickVideo(p)
}

// pickVideo sets the wanted video layer from the policy and quality.
func (sub *Subscription) pickVideo(p *publisher) {
	layers := p.videoLayers()
	if len(layers) == 0 {
		return
	}
	i := len(layers) - 1
	if sub.policy == LayerAdaptive {
		i = min(int(sub.quality.Load()), len(layers)-1)
	}
	t := layers[i]
	if sub.want[kindVideo].Swap(t) != t || sub.cur[kindVideo].Load() != t {
		t.requestKeyframe()
	}
}

func (sub *Subscription) run() {
	defer sub.srv.wg.Done()
	defer sub.wg.Done()
	for {
		select {
		case <-sub.done:
			return
		case <-sub.srv.ctx.Done():
			sub.stop()
			return
		case p := <-sub.queue:
			if err := sub.handle(p); err != nil {
				if !errors.Is(err, errSinkClosed) {
					sub.srv.log.Debug("subscription ended", "show", sub.show.id, "err", err)
				}
				sub.stop()
				return
			}
		}
	}
}

var errSinkClosed = errors.New("sink closed")

// handle forwards one packet: switching layers at keyframes, waiting for a
// keyframe after drops, and rewriting the header.
func (sub *Subscription) handle(p *packet) error {
	if sub.gap.Swap(false) {
		sub.out[kindVideo].needKey = true
	}
	k := p.track.kind
	w := &sub.out[k]
	if cur := sub.cur[k].Load(); p.track != cur {
		if p.track != sub.want[k].Load() {
			return nil // stale: the subscription moved on
		}
		if !p.keyframe {
			if k == kindVideo {
				p.track.requestKeyframe()
			}
			return nil // keep forwarding cur until want has a keyframe
		}
		sub.cur[k].Store(p.track)
	}
	if k == kindVideo && w.needKey {
		if !p.keyframe {
			p.track.requestKeyframe()
			return nil
		}
		w.needKey = false
		w.resync(p, false)
	}
	if w.src != p.track {
		w.resync(p, true)
		w.src = p.track
	}
	// One allocation per packet per subscriber: the Packet and its
	// rewritten header share it. It must stay fresh per write because
	// sinks may keep it (the viewer's NACK buffer keeps the header).
	o := &outPacket{
		Packet: Packet{
			Kind:     kinds[p.track.kind],
			Codec:    p.track.codec,
			RID:      p.track.rid,
			Keyframe: p.keyframe,
		},
		rtp: rtp.Packet{Header: p.rtp.Header, Payload: p.rtp.Payload, PaddingSize: p.rtp.PaddingSize},
	}
	o.RTP = &o.rtp
	o.rtp.SequenceNumber += w.seqOff
	o.rtp.Timestamp += w.tsOff
	w.lastSeq, w.lastTS, w.lastAt, w.started = o.rtp.SequenceNumber, o.rtp.Timestamp, p.at, true
	return sub.sink.WritePacket(&o.Packet)
}

// outPacket holds a delivered Packet and the RTP packet it points to, so
// forwarding allocates once instead of twice.
type outPacket struct {
	Packet
	rtp rtp.Packet
}

// resync makes p follow the last packet sent: the next sequence number,
// and (for a new source) a timestamp advanced by the wall time between them.
func (w *rewriter) resync(p *packet, newSource bool) {
	if !w.started {
		return // the first packet keeps its own numbers
	}
	w.seqOff = w.lastSeq + 1 - p.rtp.SequenceNumber
	if newSource {
		clock := uint64(p.track.codec.ClockRate)
		ticks := uint32(1)
		if d := p.at - w.lastAt; d > 0 && clock > 0 {
			ticks = max(1, uint32(uint64(d)*clock/1e9))
		}
		w.tsOff = w.lastTS + ticks - p.rtp.Timestamp
	}
}
