package media

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// countWriter stands in for a viewer's SRTP write stream: the benchmark
// measures the SFU's own forwarding cost, not encryption or the network.
type countWriter struct{ n atomic.Int64 }

func (w *countWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.n.Add(1)
	return h.MarshalSize() + len(payload), nil
}

func (w *countWriter) Write(b []byte) (int, error) { w.n.Add(1); return len(b), nil }

// BenchmarkFanout pushes one publisher track's packets through the real
// fan-out (publisher offer → subscription queue → writer goroutine →
// viewer WritePacket → track writer) to N viewers in-process. One op is
// one packet delivered to all N viewers; ns/pkt-viewer and
// allocs/pkt-viewer are the per-viewer cost the issue 6 budget is about.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("viewers=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, viewers int) {
	const queue = 1024
	srv, err := New(Config{QueueSize: queue, PLIInterval: time.Hour, Logger: testLogger(nil)}, Hooks{
		AuthorizePublish: func(context.Context, string, string) error { return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()

	codec := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000},
		PayloadType:        102,
	}
	pub := &publisher{srv: srv}
	track := &pubTrack{pub: pub, kind: kindVideo, codec: codec}
	track.lastPLI.Store(1 << 62) // no keyframe requests: no peer connection

	writers := make([]*countWriter, viewers)
	subs := make([]*Subscription, viewers)
	for i := range viewers {
		w := &countWriter{}
		d := &downTrack{kind: webrtc.RTPCodecTypeVideo, codec: codec.RTPCodecCapability}
		d.bound.Store(&binding{ssrc: uint32(1000 + i), pt: 96, mime: strings.ToLower(codec.MimeType), w: w, codec: codec})
		v := &viewer{srv: srv, tracks: [2]*downTrack{nil, d}}
		sub, err := srv.subscribe("bench", v, SubscribeOptions{QueueSize: queue}, true, true)
		if err != nil {
			b.Fatal(err)
		}
		v.sub = sub
		sub.want[kindVideo].Store(track)
		writers[i], subs[i] = w, sub
	}
	sh := subs[0].show

	payload := make([]byte, 1200)
	payload[0] = 0x65 // H.264 IDR slice: the first packet starts the stream
	seq, ts := uint16(0), uint32(0)
	send := func(key bool) {
		seq++
		if seq%30 == 0 {
			ts += 3000
		}
		// A fresh packet per read, as ReadRTP hands out.
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 102, SequenceNumber: seq, Timestamp: ts, SSRC: 42, Marker: seq%30 == 29}, Payload: payload}
		fp := &packet{track: track, rtp: pkt, keyframe: key, at: time.Now().UnixNano()}
		for _, sub := range sh.subscribers() {
			sub.offer(fp)
		}
	}
	// wait until every viewer wrote want packets; polling keeps the
	// producer within the queues so nothing is dropped.
	wait := func(want int64) {
		deadline := time.Now().Add(30 * time.Second)
		for _, w := range writers {
			for w.n.Load() < want {
				if time.Now().After(deadline) {
					b.Fatalf("viewer stuck at %d of %d packets", w.n.Load(), want)
				}
				runtime.Gosched()
			}
		}
	}
	send(true)
	wait(1)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	sent := int64(1)
	for i := 0; i < b.N; i++ {
		send(false)
		sent++
		if sent%(queue/2) == 0 {
			wait(sent)
		}
	}
	wait(sent)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	for _, sub := range subs {
		if d := sub.Dropped(); d != 0 {
			b.Fatalf("dropped %d packets: the benchmark must not overrun the queues", d)
		}
	}
	per := float64(b.N) * float64(viewers)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/pkt-viewer")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/pkt-viewer")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/pkt-viewer")
}
