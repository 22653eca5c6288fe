package media

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// packetize makes the RTP packets of one access unit (Annex B NAL units)
// as a publisher would: STAP-A for small units, FU-A over the MTU.
func packetize(t *testing.T, seq *uint16, ts uint32, mtu uint16, nalus ...[]byte) []*rtp.Packet {
	t.Helper()
	var annexB []byte
	for _, n := range nalus {
		annexB = append(annexB, 0, 0, 0, 1)
		annexB = append(annexB, n...)
	}
	var out []*rtp.Packet
	payloads := (&codecs.H264Payloader{}).Payload(mtu, annexB)
	for i, p := range payloads {
		out = append(out, &rtp.Packet{Header: rtp.Header{SequenceNumber: *seq, Timestamp: ts, Marker: i == len(payloads)-1}, Payload: p})
		*seq++
	}
	return out
}

func nalu(typ byte, n int) []byte {
	b := bytes.Repeat([]byte{byte(n)}, n)
	b[0] = 0x60 | typ
	return b
}

// TestAUAssembler: access units come back whole from single NAL units,
// STAP-A and FU-A; a lost packet drops its unit only; a unit without a
// marker bit ends at the next timestamp; one over maxAccessUnit is
// dropped; the payloads handed out are copies.
func TestAUAssembler(t *testing.T) {
	var a auAssembler
	var got [][][]byte
	var stamps []uint32
	emit := func(au [][]byte, ts uint32) { got = append(got, au); stamps = append(stamps, ts) }
	var seq uint16 = 65530 // wraps on the way
	sps, pps, idr := nalu(naluSPS, 12), nalu(naluPPS, 5), nalu(naluIDR, 5000)
	pkts := packetize(t, &seq, 1000, 1200, sps, pps, idr)
	if len(pkts) < 5 {
		t.Fatalf("%d packets: want FU-A fragments", len(pkts))
	}
	for _, p := range pkts {
		a.push(p, emit)
	}
	if len(got) != 1 || len(got[0]) != 3 || !bytes.Equal(got[0][2], idr) || !bytes.Equal(got[0][0], sps) || stamps[0] != 1000 {
		t.Fatalf("keyframe AU: %d units", len(got))
	}

	// A lost fragment: that unit is dropped, the next one comes whole.
	got = nil
	lossy := packetize(t, &seq, 4000, 1200, nalu(naluNonIDR, 3000))
	for i, p := range lossy {
		if i != 1 {
			a.push(p, emit)
		}
	}
	next := nalu(naluNonIDR, 40)
	single := packetize(t, &seq, 7000, 1200, next)
	for _, p := range single {
		a.push(p, emit)
	}
	if len(got) != 1 || !bytes.Equal(got[0][0], next) {
		t.Fatalf("after a loss: %d units", len(got))
	}
	// The packet's payload is shared with every subscriber: the unit
	// must not point into it.
	single[0].Payload[len(single[0].Payload)-1] ^= 0xff
	if !bytes.Equal(got[0][0], next) {
		t.Errorf("the access unit shares the packet's payload")
	}

	// No marker bit: the unit ends when the timestamp changes.
	got, stamps = nil, nil
	p1 := packetize(t, &seq, 10000, 1200, nalu(naluNonIDR, 30))
	p1[0].Marker = false
	a.push(p1[0], emit)
	for _, p := range packetize(t, &seq, 13000, 1200, nalu(naluNonIDR, 31)) {
		a.push(p, emit)
	}
	if len(got) != 2 || stamps[0] != 10000 || stamps[1] != 13000 {
		t.Fatalf("without a marker: %d units at %v", len(got), stamps)
	}

	// Too big: dropped.
	got = nil
	for _, p := range packetize(t, &seq, 16000, 1200, nalu(naluIDR, maxAccessUnit+10)) {
		a.push(p, emit)
	}
	if len(got) != 0 {
		t.Fatalf("an access unit over the limit came out")
	}
	for _, p := range packetize(t, &seq, 19000, 1200, nalu(naluNonIDR, 20)) {
		a.push(p, emit)
	}
	if len(got) != 1 {
		t.Fatalf("after an oversized unit: %d units", len(got))
	}
}

// TestMediaClock: ticks start at the first packet's arrival and follow
// the RTP clock through its wrap.
func TestMediaClock(t *testing.T) {
	c := mediaClock{rate: 90000}
	if got := c.ticks(0xffffff00, 2*time.Second); got != 180000 {
		t.Fatalf("first = %d", got)
	}
	if got := c.ticks(0x00000100, time.Hour); got != 180000+0x200 {
		t.Fatalf("after the wrap = %d", got)
	}
	if got := c.ticks(0x000000ff, time.Hour); got != 180000+0x1ff {
		t.Fatalf("reordered = %d", got)
	}
	if d := ticksDuration(135000, 90000); d != 1500*time.Millisecond {
		t.Fatalf("ticksDuration = %v", d)
	}
}
