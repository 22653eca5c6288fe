package media

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// viewer is one WHEP session: a peer connection receiving a show.
type viewer struct {
	srv  *Server
	show *show
	id   string
	pc   *webrtc.PeerConnection
	sub  *Subscription
	// tracks by kind; nil when the publisher has no such kind.
	tracks [2]*downTrack

	// Bandwidth estimate, written by the RTCP readers.
	remb     atomic.Uint64 // last REMB in bits/s, 0 when none
	rembAt   atomic.Int64
	goodRRs  atomic.Int32 // consecutive receiver reports with little loss
	lastMove atomic.Int64

	// connectTimer closes a session whose peer never connects.
	connectTimer atomic.Pointer[time.Timer]

	wg   sync.WaitGroup
	once sync.Once
}

// Layer selection without REMB: move up after this many low-loss receiver
// reports (about one a second), down at once on heavy loss.
const (
	upAfterGoodReports = 3
	lowLoss            = 5  // of 256: ~2 %
	highLoss           = 26 // of 256: ~10 %
	rembHeadroom       = 0.85
	rembFresh          = 5 * time.Second
	minLayerHold       = 2 * time.Second
)

// downTrack is a viewer's own outgoing track: a webrtc.TrackLocal that
// writes the subscription's rewritten packets with this viewer's SSRC and
// payload type.
type downTrack struct {
	id, streamID string
	kind         webrtc.RTPCodecType
	codec        webrtc.RTPCodecCapability // the publisher's
	bound        atomic.Pointer[binding]
}

type binding struct {
	ssrc  uint32
	pt    uint8
	mime  string
	w     webrtc.TrackLocalWriter
	codec webrtc.RTPCodecParameters
}

var _ webrtc.TrackLocal = (*downTrack)(nil)

func (d *downTrack) Bind(c webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, ok := matchCodec(d.codec, c.CodecParameters())
	if !ok {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	d.bound.Store(&binding{
		ssrc: uint32(c.SSRC()), pt: uint8(codec.PayloadType), mime: strings.ToLower(codec.MimeType),
		w: c.WriteStream(), codec: codec,
	})
	return codec, nil
}

func (d *downTrack) Unbind(webrtc.TrackLocalContext) error {
	d.bound.Store(nil)
	return nil
}

func (d *downTrack) ID() string                { return d.id }
func (d *downTrack) RID() string               { return "" }
func (d *downTrack) StreamID() string          { return d.streamID }
func (d *downTrack) Kind() webrtc.RTPCodecType { return d.kind }

// WritePacket implements Sink for the viewer: each packet goes to the
// track of its kind. Packets before negotiation completes are dropped.
func (v *viewer) WritePacket(p *Packet) error {
	d := v.tracks[kindIndex(p.Kind)]
	if d == nil {
		return nil
	}
	b := d.bound.Load()
	if b == nil {
		return nil
	}
	if !strings.EqualFold(p.Codec.MimeType, b.mime) {
		// A reconnected publisher changed codec: this viewer cannot follow.
		return fmt.Errorf("publisher codec changed to %s", p.Codec.MimeType)
	}
	// The NACK responder keeps the header it is given (DisableCopy), so it
	// must be fresh per write: the subscription's own per-packet header
	// is, and nothing reads it after this sink, so it is rewritten in
	// place rather than copied.
	h := &p.RTP.Header
	h.SSRC = b.ssrc
	h.PayloadType = b.pt
	h.PaddingSize = p.RTP.PaddingSize
	// A failed write drops this packet only: a viewer that is really gone
	// is closed by its connection state.
	_, _ = b.w.WriteRTP(h, p.RTP.Payload)
	return nil
}

// readRTCP reads one sender's RTCP so interceptors (NACK) run, forwards
// keyframe requests to the publisher and feeds the layer choice.
func (v *viewer) readRTCP(s *webrtc.RTPSender, kind int) {
	defer v.wg.Done()
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		if kind != kindVideo {
			continue
		}
		for _, pkt := range pkts {
			switch pkt := pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				v.sub.cur[kindVideo].Load().requestKeyframe()
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				v.remb.Store(uint64(pkt.Bitrate))
				v.rembAt.Store(time.Now().UnixNano())
				v.adapt(-1)
			case *rtcp.ReceiverReport:
				for _, r := range pkt.Reports {
					v.adapt(int(r.FractionLost))
				}
			}
		}
	}
}

// adapt moves the viewer between simulcast layers: by REMB when the
// viewer sends it, else up after a few low-loss reports and down on heavy
// loss (lost = -1 for a REMB update). The switch itself happens at the new
// layer's next keyframe.
func (v *viewer) adapt(lost int) {
	p := v.show.publisher()
	if p == nil {
		return
	}
	layers := p.videoLayers()
	if len(layers) < 2 {
		return
	}
	q := int(v.sub.quality.Load())
	now := time.Now().UnixNano()
	next := q
	if remb := v.remb.Load(); remb > 0 && now-v.rembAt.Load() < int64(rembFresh) {
		next = 0
		for i, t := range layers {
			if float64(t.bitrate.Load()) <= rembHeadroom*float64(remb) {
				next = i
			}
		}
	} else if lost >= 0 {
		switch {
		case lost >= highLoss:
			next = max(0, q-1)
			v.goodRRs.Store(0)
		case lost <= lowLoss:
			if v.goodRRs.Add(1) >= upAfterGoodReports {
				next = min(len(layers)-1, q+1)
			}
		default:
			v.goodRRs.Store(0)
		}
	}
	if next == q {
		return
	}
	if next > q && now-v.lastMove.Load() < int64(minLayerHold) {
		return
	}
	v.lastMove.Store(now)
	v.goodRRs.Store(0)
	v.sub.quality.Store(int32(next))
	v.sub.pickVideo(p)
}

// close ends the session. Never call it from the viewer's own goroutines.
func (v *viewer) close() {
	v.once.Do(func() {
		if t := v.connectTimer.Load(); t != nil {
			t.Stop()
		}
		_ = v.pc.Close()
		v.wg.Wait()
		v.sub.Close()
		v.srv.mu.Lock()
		if v.srv.whep[v.id] == v {
			delete(v.srv.whep, v.id)
		}
		v.srv.mu.Unlock()
	})
}
