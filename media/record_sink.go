package media

import (
	"bytes"
	"math"
	"sync"
	"sync/atomic"
	"time"

	mch264 "github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
	mp4codecs "github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"
	"github.com/pion/webrtc/v4"
)

const (
	videoRate = 90000
	audioRate = 48000
	// defaultFrameTicks is a video sample's duration when the next one
	// cannot tell it (the last before a gap): one frame at 30 fps.
	defaultFrameTicks = videoRate / 30
	// defaultOpusTicks is an Opus packet's duration when its TOC byte
	// cannot tell it: 20 ms.
	defaultOpusTicks = audioRate / 50
)

// recordSink writes a subscription's media into a recording as fMP4
// segments. An epoch is a run of segments sharing one init (its tracks
// and H.264 parameters): a new one starts when the parameters change or
// audio appears; a gap in the timestamps (the publisher was away) starts
// the next segment after a discontinuity.
type recordSink struct {
	rec    *recording
	srv    *Server
	origin time.Time // the recording's start: time 0 of its tracks
	sub    atomic.Pointer[Subscription]

	mu     sync.Mutex // guards the fields below; taken before rec.fileMu
	closed bool
	seq    uint32 // fMP4 fragment sequence number
	asm    auAssembler
	vclock mediaClock
	aclock mediaClock
	dtsx   *mch264.DTSExtractor
	errs   int

	epoch     bool
	withVideo bool
	withAudio bool
	sps, pps  []byte // the epoch's H.264 parameters
	initData  []byte // the epoch's init, until a segment carried it
	lastSPS   []byte // the stream's latest parameters
	lastPPS   []byte
	needKey   bool // video waits for a keyframe
	wantAudio bool // audio came that the epoch has no track for
	audioSeen bool
	discont   bool  // the next segment follows a gap
	lastAt    int64 // the latest sample time of any track, 90 kHz
	haveAt    bool
	vp8Logged bool

	video     []*rsample // the segment's video
	audio     []*rsample // audio not in a segment yet
	segHas    bool
	segStart  int64 // 90 kHz
	segBytes  int
	lastVideo *rsample
	lastAudio *rsample
	frameDur  uint32 // the last measured video sample duration

	lastKey    time.Time
	lastKeyReq time.Time
}

// rsample is one sample: t is its decode time in its track's clock.
type rsample struct {
	t      int64
	ptsOff int32
	sync   bool
	data   []byte
	dur    uint32
}

// newRecordSink makes the sink of a recording (rec.mu held).
func newRecordSink(rec *recording, srv *Server) *recordSink {
	return &recordSink{
		rec: rec, srv: srv, origin: rec.meta.StartedAt,
		seq:      uint32(rec.nextSeg),
		vclock:   mediaClock{rate: videoRate},
		aclock:   mediaClock{rate: audioRate},
		needKey:  true,
		frameDur: defaultFrameTicks,
	}
}

// WritePacket records one packet (the subscription's goroutine).
func (s *recordSink) WritePacket(p *Packet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errSinkClosed
	}
	now := s.rec.r.now()
	since := now.Sub(s.origin)
	if p.Kind == webrtc.RTPCodecTypeVideo {
		if !isH264(p.Codec) {
			if !s.vp8Logged {
				s.vp8Logged = true
				s.rec.r.log.Warn("recording: only H.264 video is recorded; this show's video is left out", "show", s.rec.id, "codec", p.Codec.MimeType)
			}
			return nil
		}
		s.asm.push(p.RTP, func(au [][]byte, ts uint32) { s.writeVideo(au, ts, since, now) })
		if (s.needKey || now.Sub(s.lastKey) >= recKeyframeEvery) && now.Sub(s.lastKeyReq) >= time.Second {
			s.lastKeyReq = now
			if sub := s.sub.Load(); sub != nil {
				sub.askKeyframe()
			}
		}
		return nil
	}
	if isOpus(p.Codec) && len(p.RTP.Payload) > 0 {
		s.writeAudio(p.RTP.Payload, s.aclock.ticks(p.RTP.Timestamp, since))
	}
	return nil
}

func (s *recordSink) writeVideo(au [][]byte, ts uint32, since time.Duration, now time.Time) {
	idr, slice, sps, pps := auInfo(au)
	if sps != nil {
		s.lastSPS = sps
	}
	if pps != nil {
		s.lastPPS = pps
	}
	if !slice {
		return
	}
	pts := s.vclock.ticks(ts, since)
	if idr {
		s.lastKey = now
	}
	s.noteTime(pts)
	if s.needKey {
		if !idr || s.lastSPS == nil || s.lastPPS == nil {
			return
		}
		s.needKey = false
		s.dtsx = &mch264.DTSExtractor{}
		s.dtsx.Initialize()
	}
	dts, err := s.dtsx.Extract(au, pts)
	if err != nil {
		s.needKey = true
		return
	}
	dts = max(dts, 0)
	if idr {
		changed := s.epoch && s.withVideo && (!bytes.Equal(s.lastSPS, s.sps) || !bytes.Equal(s.lastPPS, s.pps))
		fresh := !s.epoch || !s.withVideo || changed || (s.wantAudio && !s.withAudio)
		if s.segHas && (fresh || dts-s.segStart >= durationTicks(recSegmentMin, videoRate)) {
			s.cut(dts)
		}
		if fresh {
			if s.epoch {
				s.discont = true
			}
			s.startEpoch(true)
		}
	} else if !s.epoch || !s.withVideo {
		return
	} else if s.segHas && (dts-s.segStart >= durationTicks(recSegmentMax, videoRate) || s.segBytes >= recSegmentMaxBytes) {
		s.cut(dts) // no keyframe for too long: the segment cannot wait
	}
	data, err := mch264.AVCC(au).Marshal()
	if err != nil {
		s.needKey = true
		return
	}
	s.endVideoSample(dts)
	smp := &rsample{t: dts, ptsOff: int32(pts - dts), sync: idr, data: data}
	if !s.segHas {
		s.segHas, s.segStart = true, dts
	}
	s.video = append(s.video, smp)
	s.segBytes += len(data)
	s.lastVideo = smp
}

// endVideoSample sets the last video sample's duration from the next
// sample's decode time (math.MaxInt64: none, or after a gap). Within a
// segment durations are the real distances, so that the samples keep
// their times: a pause of the camera while audio goes on becomes a
// longer frame.
func (s *recordSink) endVideoSample(next int64) {
	last := s.lastVideo
	if last == nil || last.dur != 0 {
		return
	}
	d := next - last.t
	if next == math.MaxInt64 || d <= 0 || d > math.MaxUint32 {
		last.dur = s.frameDur
		return
	}
	last.dur = uint32(d)
	if d <= durationTicks(recMaxGap, videoRate) {
		s.frameDur = last.dur
	}
}

// noteTime notes a sample's time (90 kHz). A jump of more than recMaxGap
// past every track's latest sample means the publisher was away: what
// came before becomes a segment, and what follows starts after a
// discontinuity, its video at a keyframe.
func (s *recordSink) noteTime(t int64) {
	if s.haveAt && t-s.lastAt > durationTicks(recMaxGap, videoRate) && s.epoch {
		if last := s.lastAudio; last != nil && last.dur == 0 {
			last.dur = opusTicks(last.data)
		}
		s.endVideoSample(math.MaxInt64)
		s.cut(math.MaxInt64)
		s.discont = true
		if s.withVideo {
			s.needKey = true
		}
	}
	if !s.haveAt || t > s.lastAt {
		s.lastAt, s.haveAt = t, true
	}
}

func (s *recordSink) writeAudio(payload []byte, pts int64) {
	s.audioSeen = true
	if !s.epoch {
		// With H.264 video, an epoch starts at its keyframe.
		if video, _, hasVideo, _, ok := s.srv.showCodecs(s.rec.id); ok && hasVideo && isH264(video) {
			return
		}
		s.startEpoch(false)
	}
	if !s.withAudio {
		s.wantAudio = true
		return
	}
	pts90 := pts * videoRate / audioRate
	s.noteTime(pts90)
	if s.withVideo && !s.segHas {
		return // a segment with video starts at its keyframe, audio after it
	}
	if last := s.lastAudio; last != nil && last.dur == 0 {
		d := pts - last.t
		if d <= 0 {
			return // a duplicate, or a packet from before: the timeline keeps going forward
		}
		last.dur = uint32(min(d, math.MaxUint32))
	}
	// The payload is shared by every subscriber and never changes: the
	// segment writes it as is.
	smp := &rsample{t: pts, sync: true, data: payload}
	s.audio = append(s.audio, smp)
	s.lastAudio = smp
	switch {
	case !s.withVideo && !s.segHas:
		s.segHas, s.segStart = true, pts90
	case !s.withVideo && pts90-s.segStart >= durationTicks(recSegmentMin, videoRate):
		s.cut(pts90 + 1)
	case s.withVideo && s.segHas && pts90-s.segStart >= 2*durationTicks(recSegmentMax, videoRate):
		// The video stalled: audio alone keeps the segments going.
		s.cut(pts90 + 1)
		s.segHas, s.segStart = true, pts90+1
	}
}

func opusTicks(pkt []byte) uint32 {
	if d := opus.PacketDuration2(pkt); d > 0 {
		return uint32(d)
	}
	return defaultOpusTicks
}

// startEpoch starts a run of segments with a new init: video (H.264 with
// the stream's latest parameters) when withVideo, audio (Opus) when the
// publisher sends it.
func (s *recordSink) startEpoch(withVideo bool) {
	s.epoch, s.withVideo, s.wantAudio = true, withVideo, false
	s.withAudio = !withVideo || s.audioSeen
	if !s.audioSeen {
		if _, audio, _, hasAudio, ok := s.srv.showCodecs(s.rec.id); ok && hasAudio && isOpus(audio) {
			s.withAudio = true
		}
	}
	var init fmp4.Init
	id := 1
	if withVideo {
		s.sps, s.pps = s.lastSPS, s.lastPPS
		init.Tracks = append(init.Tracks, &fmp4.InitTrack{ID: id, TimeScale: videoRate,
			Codec: &mp4codecs.H264{SPS: s.sps, PPS: s.pps}})
		id++
	}
	if s.withAudio {
		init.Tracks = append(init.Tracks, &fmp4.InitTrack{ID: id, TimeScale: audioRate,
			Codec: &mp4codecs.Opus{ChannelCount: 2}})
	}
	var buf seekablebuffer.Buffer
	if err := init.Marshal(&buf); err != nil {
		s.fail(err)
		s.initData = nil
		return
	}
	s.initData = buf.Bytes()
}

// cut makes a segment of the video gathered and the audio before cut (90
// kHz; math.MaxInt64: all of it) and writes it.
func (s *recordSink) cut(cut int64) {
	s.endVideoSample(cut)
	n := 0
	for n < len(s.audio) && s.audio[n].t*videoRate/audioRate < cut {
		n++
	}
	audio := s.audio[:n:n]
	if n > 0 && audio[n-1].dur == 0 {
		if n < len(s.audio) && s.audio[n].t > audio[n-1].t {
			audio[n-1].dur = uint32(s.audio[n].t - audio[n-1].t)
		} else {
			audio[n-1].dur = opusTicks(audio[n-1].data)
		}
	}
	s.audio = append([]*rsample(nil), s.audio[n:]...)
	video := s.video
	s.video, s.segBytes, s.segHas = nil, 0, false
	if !s.withVideo && len(s.audio) > 0 {
		s.segHas, s.segStart = true, s.audio[0].t*videoRate/audioRate
	}
	if len(video) == 0 && len(audio) == 0 {
		return
	}

	var tracks []*fmp4.PartTrack
	var vdur, adur int64
	var first time.Duration
	id := 1
	if s.withVideo {
		if len(video) > 0 {
			pt := &fmp4.PartTrack{ID: id, BaseTime: uint64(video[0].t)}
			for _, v := range video {
				pt.Samples = append(pt.Samples, &fmp4.Sample{Duration: v.dur, PTSOffset: v.ptsOff, IsNonSyncSample: !v.sync, Payload: v.data})
				vdur += int64(v.dur)
			}
			tracks = append(tracks, pt)
			first = ticksDuration(video[0].t, videoRate)
		}
		id++
	}
	if s.withAudio && len(audio) > 0 {
		pt := &fmp4.PartTrack{ID: id, BaseTime: uint64(audio[0].t)}
		for _, a := range audio {
			pt.Samples = append(pt.Samples, &fmp4.Sample{Duration: a.dur, Payload: a.data})
			adur += int64(a.dur)
		}
		tracks = append(tracks, pt)
		if len(video) == 0 {
			first = ticksDuration(audio[0].t, audioRate)
		}
	}
	if len(tracks) == 0 {
		return
	}
	var buf seekablebuffer.Buffer
	if err := (fmp4.Part{SequenceNumber: s.seq, Tracks: tracks}).Marshal(&buf); err != nil {
		s.fail(err)
		return
	}
	s.seq++
	dur := max(ticksDuration(vdur, videoRate), ticksDuration(adur, audioRate))
	e := segEntry{
		duration: math.Round(dur.Seconds()*1000) / 1000,
		discont:  s.discont,
		at:       s.origin.Add(first),
	}
	if err := s.rec.addSegment(s.initData, buf.Bytes(), e); err != nil {
		// The segment is lost; the next one tries again (with the init
		// if this one had it).
		s.fail(err)
		return
	}
	s.initData, s.discont = nil, false
}

func (s *recordSink) fail(err error) {
	s.errs++
	if s.errs == 1 || s.errs%100 == 0 {
		s.rec.r.log.Error("recording: write failed", "show", s.rec.id, "err", err, "errors", s.errs)
	}
}

// close ends the sink: its subscription stops (waiting for its goroutine:
// never call it from there) and what it holds becomes a last segment.
func (s *recordSink) close() {
	if sub := s.sub.Load(); sub != nil {
		sub.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.segHas || len(s.video) > 0 || len(s.audio) > 0 {
		s.cut(math.MaxInt64)
	}
}
