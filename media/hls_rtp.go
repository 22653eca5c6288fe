package media

import (
	"encoding/binary"
	"strings"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// maxAccessUnit bounds one H.264 access unit being assembled: a publisher
// that never sends a marker bit cannot make a sink buffer without end.
const maxAccessUnit = 8 << 20

// H.264 NAL unit types the sinks look at.
const (
	naluNonIDR = 1
	naluIDR    = 5
	naluSPS    = 7
	naluPPS    = 8
	naluAUD    = 9
	naluFiller = 12
)

// auAssembler turns a subscription's H.264 RTP packets into access units
// (RFC 6184, packetization mode 1: single NAL units, STAP-A, FU-A) with
// pion's depacketizer. Lost packets drop the access unit they belong to;
// the sink then waits for the next keyframe. Owned by one sink.
type auAssembler struct {
	dp      codecs.H264Packet
	nalus   [][]byte
	size    int
	ts      uint32
	started bool // an access unit is being assembled
	broken  bool // it lost a packet: dropped when complete
	lastSeq uint16
	haveSeq bool
}

// push adds one packet and calls emit with each access unit it
// completes: on the marker bit, or when a packet of a new timestamp shows
// the previous unit ended without one. The NAL units are copies: the
// shared packet payload is never kept.
func (a *auAssembler) push(pkt *rtp.Packet, emit func(au [][]byte, ts uint32)) {
	if a.haveSeq && pkt.SequenceNumber != a.lastSeq+1 {
		a.broken = true
		a.dp = codecs.H264Packet{} // forget a half-received FU-A
	}
	a.lastSeq, a.haveSeq = pkt.SequenceNumber, true
	if a.started && pkt.Timestamp != a.ts {
		a.complete(emit)
	}
	if !a.started {
		a.started, a.ts = true, pkt.Timestamp
	}
	// The bound counts payload bytes, so FU-A fragments still in pion's
	// buffer count too.
	a.size += len(pkt.Payload)
	a.dp.IsAVC = true
	out, err := a.dp.Unmarshal(pkt.Payload)
	if err != nil {
		a.broken = true
		a.dp = codecs.H264Packet{}
	}
	// IsAVC output: NAL units, each after a 4-byte big-endian length.
	for len(out) >= 4 {
		n := int(binary.BigEndian.Uint32(out))
		if n == 0 || n > len(out)-4 {
			a.broken = true
			break
		}
		nalu := out[4 : 4+n : 4+n]
		out = out[4+n:]
		switch nalu[0] & 0x1f {
		case naluAUD, naluFiller:
			continue
		}
		a.nalus = append(a.nalus, nalu)
	}
	if a.size > maxAccessUnit {
		a.broken = true
		a.nalus = nil
		a.dp = codecs.H264Packet{}
	}
	if pkt.Marker {
		a.complete(emit)
	}
}

func (a *auAssembler) complete(emit func(au [][]byte, ts uint32)) {
	if !a.broken && len(a.nalus) > 0 {
		emit(a.nalus, a.ts)
	}
	a.nalus, a.size, a.started, a.broken = nil, 0, false, false
	a.dp = codecs.H264Packet{} // an FU-A never spans access units
}

// auInfo says what an access unit carries.
func auInfo(au [][]byte) (idr, slice bool, sps, pps []byte) {
	for _, n := range au {
		switch n[0] & 0x1f {
		case naluIDR:
			idr, slice = true, true
		case naluNonIDR:
			slice = true
		case naluSPS:
			sps = n
		case naluPPS:
			pps = n
		}
	}
	return idr, slice, sps, pps
}

// mediaClock maps one kind's RTP timestamps to ticks of its clock since a
// start shared by audio and video. The first packet is placed at its
// arrival time since the start; later packets follow the RTP clock (the
// subscription keeps timestamps continuous across reconnects). Audio and
// video RTP clocks have unrelated random origins, so arrival is what lines
// them up: within the network's jitter. Owned by one sink.
type mediaClock struct {
	rate    int64
	started bool
	base    int64
	last    uint32
	ext     int64
}

func (c *mediaClock) ticks(ts uint32, sinceStart time.Duration) int64 {
	if !c.started {
		c.started, c.last = true, ts
		c.base = durationTicks(max(sinceStart, 0), c.rate)
		return c.base
	}
	// int32 arithmetic unwraps the 32-bit timestamp and tolerates a
	// slightly reordered packet.
	c.ext += int64(int32(ts - c.last))
	c.last = ts
	return c.base + c.ext
}

func durationTicks(d time.Duration, rate int64) int64 {
	return int64(d/time.Second)*rate + int64(d%time.Second)*rate/int64(time.Second)
}

func ticksDuration(t, rate int64) time.Duration {
	return time.Duration(t/rate)*time.Second + time.Duration(t%rate)*time.Second/time.Duration(rate)
}

func isH264(c webrtc.RTPCodecParameters) bool {
	return strings.EqualFold(c.MimeType, webrtc.MimeTypeH264)
}

func isOpus(c webrtc.RTPCodecParameters) bool {
	return strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus)
}

// askKeyframe asks the publisher of the video this subscription forwards
// for a keyframe (rate-limited per stream by Config.PLIInterval). HLS and
// recordings cut segments at keyframes, and WebRTC encoders make them
// mostly on request.
func (sub *Subscription) askKeyframe() {
	t := sub.cur[kindVideo].Load()
	if t == nil {
		t = sub.want[kindVideo].Load()
	}
	t.requestKeyframe()
}

// showCodecs returns the codecs of the show's current publisher, if its
// media flows.
func (s *Server) showCodecs(showID string) (video, audio webrtc.RTPCodecParameters, hasVideo, hasAudio, ok bool) {
	s.mu.Lock()
	sh := s.shows[showID]
	s.mu.Unlock()
	if sh == nil {
		return
	}
	p := sh.publisher()
	if p == nil || !p.ready() {
		return
	}
	video, hasVideo = p.codec(kindVideo)
	audio, hasAudio = p.codec(kindAudio)
	return video, audio, hasVideo, hasAudio, true
}
