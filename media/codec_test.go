package media

import (
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

func TestH264Keyframe(t *testing.T) {
	for _, tc := range []struct {
		name          string
		payload       []byte
		sps, idrStart bool
	}{
		{"empty", nil, false, false},
		{"single IDR", []byte{0x65, 1, 2}, false, true},
		{"single SPS", []byte{0x67, 1, 2}, true, false},
		{"non-IDR slice", []byte{0x41, 1, 2}, false, false},
		{"STAP-A SPS PPS", []byte{0x78, 0, 2, 0x67, 1, 0, 2, 0x68, 1}, true, false},
		{"STAP-A SPS PPS IDR", []byte{0x78, 0, 2, 0x67, 1, 0, 2, 0x68, 1, 0, 2, 0x65, 1}, true, true},
		{"STAP-A truncated", []byte{0x78, 0, 9, 0x67}, false, false},
		{"FU-A IDR start", []byte{0x7c, 0x85, 1}, false, true},
		{"FU-A IDR middle", []byte{0x7c, 0x05, 1}, false, false},
		{"FU-A non-IDR start", []byte{0x7c, 0x81, 1}, false, false},
		{"FU-A short", []byte{0x7c}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sps, idr := h264Keyframe(tc.payload)
			if sps != tc.sps || idr != tc.idrStart {
				t.Fatalf("h264Keyframe = %v, %v; want %v, %v", sps, idr, tc.sps, tc.idrStart)
			}
		})
	}
}

// TestKeyframeStart: the switch point is the first packet of a keyframe:
// the SPS when parameter sets precede the IDR at the same timestamp.
func TestKeyframeStart(t *testing.T) {
	k := keyframeDetector{codec: "video/h264"}
	if !k.start([]byte{0x78, 0, 2, 0x67, 1, 0, 2, 0x68, 1}, 100) {
		t.Fatal("SPS/PPS packet is not a start")
	}
	if k.start([]byte{0x7c, 0x85, 1}, 100) {
		t.Fatal("IDR after SPS at the same timestamp is a second start")
	}
	if k.start([]byte{0x7c, 0x45, 1}, 100) {
		t.Fatal("FU-A end is a start")
	}
	if !k.start([]byte{0x7c, 0x85, 1}, 200) {
		t.Fatal("IDR without SPS is not a start")
	}
	if !(&keyframeDetector{codec: "audio/opus"}).start([]byte{1}, 0) {
		t.Fatal("Opus packet is not a start")
	}
}

func TestVP8Keyframe(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		want    bool
	}{
		{"empty", nil, false},
		{"key, no extension", []byte{0x10, 0x00}, true},
		{"inter frame", []byte{0x10, 0x01}, false},
		{"not a start", []byte{0x00, 0x00}, false},
		{"key, 15-bit picture id", []byte{0x90, 0x80, 0x81, 0x02, 0x00}, true},
		{"key, 7-bit picture id, tl0, tid", []byte{0x90, 0xe0, 0x05, 0x01, 0x20, 0x00}, true},
		{"truncated extension", []byte{0x90, 0x80}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vp8Keyframe(tc.payload); got != tc.want {
				t.Fatalf("vp8Keyframe = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchCodec(t *testing.T) {
	have := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "video/VP8"}, PayloadType: 96},
		{RTPCodecCapability: h264("42001f"), PayloadType: 102},
		{RTPCodecCapability: h264("42e01f"), PayloadType: 106},
	}
	c, ok := matchCodec(h264("42e01f"), have)
	if !ok || c.PayloadType != 106 {
		t.Fatalf("same profile: %v %v", c.PayloadType, ok)
	}
	c, ok = matchCodec(h264("64001f"), have)
	if !ok || c.PayloadType != 102 {
		t.Fatalf("other profile falls back to the first H.264: %v %v", c.PayloadType, ok)
	}
	if _, ok := matchCodec(webrtc.RTPCodecCapability{MimeType: "audio/opus"}, have); ok {
		t.Fatal("opus matched a video list")
	}
}

// captureSink keeps the packets it gets.
type captureSink struct{ got []*Packet }

func (s *captureSink) WritePacket(p *Packet) error { s.got = append(s.got, p); return nil }

// TestSubscriptionSwitching drives a subscription's writer by hand: it
// starts at a keyframe, keeps numbering continuous across a layer switch,
// waits for a keyframe after dropped packets, and never writes into the
// shared payload.
func TestSubscriptionSwitching(t *testing.T) {
	pub := &publisher{srv: &Server{cfg: Config{PLIInterval: 1 << 62}}}
	h264 := webrtc.RTPCodecParameters{RTPCodecCapability: h264("42e01f")}
	low := &pubTrack{pub: pub, kind: kindVideo, codec: h264, rid: "q"}
	high := &pubTrack{pub: pub, kind: kindVideo, codec: h264, rid: "f"}
	low.lastPLI.Store(1 << 62) // no keyframe requests: pub has no peer connection
	high.lastPLI.Store(1 << 62)
	sink := &captureSink{}
	sub := &Subscription{sink: sink, show: &show{}}
	sub.want[kindVideo].Store(low)

	payload := []byte{0x41, 9}
	pkt := func(tr *pubTrack, seq uint16, ts uint32, key bool, at int64) *packet {
		return &packet{track: tr, keyframe: key, at: at,
			rtp: &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts}, Payload: payload}}
	}
	steps := []*packet{
		pkt(low, 10, 1000, false, 0),      // dropped: not a keyframe
		pkt(low, 11, 4000, true, 1e6),     // start
		pkt(low, 12, 7000, false, 2e6),    // forwarded
		pkt(high, 500, 90000, false, 3e6), // not wanted yet: stale
	}
	for _, p := range steps {
		if err := sub.handle(p); err != nil {
			t.Fatal(err)
		}
	}
	sub.want[kindVideo].Store(high)
	for _, p := range []*packet{
		pkt(low, 13, 10000, false, 4e6),   // still on low until high has a keyframe
		pkt(high, 501, 93000, false, 5e6), // waiting for high's keyframe
		pkt(high, 502, 96000, true, 6e6),  // switch
		pkt(high, 503, 99000, false, 7e6), // forwarded
		pkt(low, 14, 13000, false, 8e6),   // stale layer
	} {
		if err := sub.handle(p); err != nil {
			t.Fatal(err)
		}
	}
	sub.gap.Store(true) // the queue overflowed
	for _, p := range []*packet{
		pkt(high, 510, 120000, false, 9e6), // dropped: waiting for a keyframe
		pkt(high, 511, 123000, true, 10e6), // resumes
	} {
		if err := sub.handle(p); err != nil {
			t.Fatal(err)
		}
	}

	var seqs []uint16
	var tss []uint32
	for _, p := range sink.got {
		seqs = append(seqs, p.RTP.SequenceNumber)
		tss = append(tss, p.RTP.Timestamp)
	}
	wantSeqs := []uint16{11, 12, 13, 14, 15, 16}
	if len(seqs) != len(wantSeqs) {
		t.Fatalf("sequence numbers %v, want %v", seqs, wantSeqs)
	}
	for i := range wantSeqs {
		if seqs[i] != wantSeqs[i] {
			t.Fatalf("sequence numbers %v, want %v", seqs, wantSeqs)
		}
	}
	// The switch to high at 6 ms continues low's clock: 10000 + 2 ms.
	if tss[3] != 10000+180 || tss[4] != tss[3]+3000 {
		t.Fatalf("timestamps %v: switch not continuous", tss)
	}
	// Within one source, timestamps keep their spacing across the gap.
	if tss[5] != tss[4]+24000 {
		t.Fatalf("timestamps %v: gap changed the source's clock", tss)
	}
	if sink.got[3].RID != "f" || !sink.got[3].Keyframe {
		t.Fatalf("switch packet %+v", sink.got[3])
	}
	if payload[0] != 0x41 || payload[1] != 9 {
		t.Fatal("shared payload modified")
	}
}

func TestRidRankOrder(t *testing.T) {
	p := &publisher{}
	for i, rid := range []string{"f", "q", "h"} {
		p.tracks = append(p.tracks, &pubTrack{kind: kindVideo, rid: rid, order: i})
	}
	p.sortLayers()
	var got []string
	for _, t := range p.videoLayers() {
		got = append(got, t.rid)
	}
	if len(got) != 3 || got[0] != "q" || got[1] != "h" || got[2] != "f" {
		t.Fatalf("layers by name %v", got)
	}
	// Measured bitrates win over names.
	p.tracks[0].bitrate.Store(100) // f
	p.tracks[1].bitrate.Store(900) // q
	p.tracks[2].bitrate.Store(500) // h
	p.sortLayers()
	got = got[:0]
	for _, t := range p.videoLayers() {
		got = append(got, t.rid)
	}
	if got[0] != "f" || got[1] != "h" || got[2] != "q" {
		t.Fatalf("layers by bitrate %v", got)
	}
}
