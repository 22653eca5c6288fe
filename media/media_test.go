package media

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("HAWKER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// TestPublishAndWatch: a pion client publishes H.264 + Opus through WHIP;
// two WHEP viewers get keyframes and a steady flow; a stalled viewer does
// not slow the other; the publisher leaving calls PublisherGone after the
// grace period; DELETE twice is a 404.
func TestPublishAndWatch(t *testing.T) {
	checkGoroutines(t)
	c := testClips(t)
	ts := newTestServer(t, Config{GracePeriod: 300 * time.Millisecond})

	pub := publish(t, ts, "show1", c)
	select {
	case id := <-ts.live:
		if id != "show1" {
			t.Fatalf("PublisherStarted(%q)", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("PublisherStarted not called")
	}
	waitFor(t, 5*time.Second, "show live", func() bool { return ts.Live("show1") })

	plis := pub.plis.Load()
	a := watch(t, ts, "show1")
	// A new viewer asks the publisher for a keyframe so its picture
	// appears at once (the test publisher plays a file, so it cannot
	// answer; the clip has a keyframe every second).
	waitFor(t, 5*time.Second, "PLI for the new viewer", func() bool { return pub.plis.Load() > plis })
	b := watch(t, ts, "show1")
	for name, v := range map[string]*testViewer{"a": a, "b": b} {
		waitFor(t, 5*time.Second, "viewer "+name+" keyframe", func() bool { return v.idr.Load() > 0 })
		waitFor(t, 5*time.Second, "viewer "+name+" audio", func() bool { return v.audio.Load() > 10 })
	}
	if got := ts.Stats("show1").Viewers; got != 2 {
		t.Fatalf("Stats.Viewers = %d, want 2", got)
	}

	// Rates are in frames (marker bits): packets per second swing with
	// where the keyframes fall in the window.
	base := rate(&a.frames, 2*time.Second)
	if base < 20 {
		t.Fatalf("viewer a gets %.1f frames/s of a 30 fps stream, want a steady flow", base)
	}
	b.stall.Store(true)
	stalled := rate(&a.frames, 2*time.Second)
	t.Logf("viewer a: %.1f frames/s before, %.1f while b is stalled (%d video packets in all)", base, stalled, a.video.Load())
	if stalled < 0.8*base {
		t.Fatalf("viewer a slowed from %.1f to %.1f frames/s while b stalled", base, stalled)
	}

	// Bad requests against the running show change nothing.
	offer := clientOffer(t, true)
	for _, bad := range []struct {
		path, key, body string
		status          int
	}{
		{"/whip/show1", "wrong", offer, http.StatusUnauthorized},
		{"/whip/show1", testKey, "garbage", http.StatusBadRequest},
		{"/whip/show1", testKey, noMediaSDP, http.StatusUnprocessableEntity},
		{"/whep/show1", "", "garbage", http.StatusBadRequest},
	} {
		hdr := map[string]string{}
		if bad.key != "" {
			hdr["Authorization"] = "Bearer " + bad.key
		}
		if st, body, _ := doRequest(t, http.MethodPost, ts.URL+bad.path, ContentTypeSDP, bad.body, hdr); st != bad.status {
			t.Fatalf("POST %s: %d, want %d: %s", bad.path, st, bad.status, body)
		}
	}
	if !ts.Live("show1") {
		t.Fatal("bad requests stopped the show")
	}
	if after := rate(&a.frames, 2*time.Second); after < 0.8*base {
		t.Fatalf("viewer a slowed to %.1f frames/s after bad requests", after)
	}

	// A WHEP session ends with DELETE; again is 404.
	if st, body, _ := doRequest(t, http.MethodDelete, ts.URL+b.location, "", "", nil); st != http.StatusOK {
		t.Fatalf("DELETE viewer: %d %s", st, body)
	}
	if st, _, _ := doRequest(t, http.MethodDelete, ts.URL+b.location, "", "", nil); st != http.StatusNotFound {
		t.Fatalf("repeated DELETE viewer: %d, want 404", st)
	}
	waitFor(t, 5*time.Second, "one viewer left", func() bool { return ts.Stats("show1").Viewers == 1 })

	// The publisher stops: PublisherGone after the grace period.
	stoppedAt := time.Now()
	if st, body, _ := doRequest(t, http.MethodDelete, ts.URL+pub.location, "", "", nil); st != http.StatusOK {
		t.Fatalf("DELETE publisher: %d %s", st, body)
	}
	if st, _, _ := doRequest(t, http.MethodDelete, ts.URL+pub.location, "", "", nil); st != http.StatusNotFound {
		t.Fatalf("repeated DELETE publisher: %d, want 404", st)
	}
	select {
	case id := <-ts.gone:
		if id != "show1" {
			t.Fatalf("PublisherGone(%q)", id)
		}
		if d := time.Since(stoppedAt); d < 300*time.Millisecond {
			t.Fatalf("PublisherGone after %v, before the grace period", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("PublisherGone not called")
	}
	if ts.Live("show1") {
		t.Fatal("show still live after its publisher left")
	}
}

// TestReconnectKeepsViewers: a second publish with the right key replaces
// the first; the viewer keeps its session and gets the new publisher's
// keyframes; PublisherGone is not called.
func TestReconnectKeepsViewers(t *testing.T) {
	checkGoroutines(t)
	c := testClips(t)
	ts := newTestServer(t, Config{GracePeriod: 200 * time.Millisecond})
	first := publish(t, ts, "show2", c)
	waitFor(t, 10*time.Second, "show live", func() bool { return ts.Live("show2") })
	v := watch(t, ts, "show2")
	waitFor(t, 5*time.Second, "keyframe", func() bool { return v.idr.Load() > 0 })

	second := publish(t, ts, "show2", c)
	_ = second
	// The first publisher's session is gone once replaced.
	waitFor(t, 5*time.Second, "first session closed", func() bool {
		st, _, _ := doRequest(t, http.MethodDelete, ts.URL+first.location, "", "", nil)
		return st == http.StatusNotFound
	})
	first.stop()
	idr := v.idr.Load()
	waitFor(t, 5*time.Second, "keyframe from the new publisher", func() bool { return v.idr.Load() > idr })
	pkts := v.video.Load()
	waitFor(t, 5*time.Second, "video keeps flowing", func() bool { return v.video.Load() > pkts+50 })
	select {
	case id := <-ts.gone:
		t.Fatalf("PublisherGone(%q) on a reconnect", id)
	default:
	}
}

// blockingSink stalls until released: the slowest possible subscriber.
type blockingSink struct {
	release chan struct{}
	got     atomic.Int64
	once    sync.Once
}

func (s *blockingSink) WritePacket(*Packet) error {
	s.got.Add(1)
	<-s.release
	return nil
}

func (s *blockingSink) unblock() { s.once.Do(func() { close(s.release) }) }

// TestSlowSubscriberDropsOwnPackets: a subscriber that never returns fills
// its bounded queue and drops its own packets, while a viewer of the same
// show keeps its rate.
func TestSlowSubscriberDropsOwnPackets(t *testing.T) {
	checkGoroutines(t)
	c := testClips(t)
	ts := newTestServer(t, Config{QueueSize: 32})
	publish(t, ts, "show3", c)
	waitFor(t, 10*time.Second, "show live", func() bool { return ts.Live("show3") })
	v := watch(t, ts, "show3")
	waitFor(t, 5*time.Second, "keyframe", func() bool { return v.idr.Load() > 0 })
	base := rate(&v.frames, 2*time.Second)

	sink := &blockingSink{release: make(chan struct{})}
	sub, err := ts.Subscribe("show3", sink, SubscribeOptions{Layer: LayerHighest})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the blocked sink dropping packets", func() bool { return sub.Dropped() > 50 })
	during := rate(&v.frames, 2*time.Second)
	t.Logf("viewer: %.1f frames/s before, %.1f beside a blocked sink (%d dropped)", base, during, sub.Dropped())
	if during < 0.8*base {
		t.Fatalf("viewer slowed from %.1f to %.1f frames/s beside a blocked subscriber", base, during)
	}
	if sink.got.Load() != 1 {
		t.Fatalf("blocked sink got %d packets", sink.got.Load())
	}
	sink.unblock()
	sub.Close()
	if st := ts.Stats("show3"); st.Dropped < 50 || st.Subscribers != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestSimulcast: a publisher sends two layers (rid q and f); a new viewer
// starts on the low one and moves up to the high one on good receiver
// reports, switching at a keyframe; a recorder-like subscriber takes the
// highest layer at once.
func TestSimulcast(t *testing.T) {
	checkGoroutines(t)
	c := testClips(t)
	ts := newTestServer(t, Config{})
	publishLayers(t, ts, "show4", c.ogg, layerClip{rid: "f", path: c.h264}, layerClip{rid: "q", path: c.low})
	waitFor(t, 10*time.Second, "two layers", func() bool { return ts.Live("show4") && ts.Stats("show4").Layers == 2 })

	rec := &ridSink{}
	sub, err := ts.Subscribe("show4", rec, SubscribeOptions{Layer: LayerHighest})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	v := watch(t, ts, "show4")
	waitFor(t, 5*time.Second, "keyframe", func() bool { return v.idr.Load() > 0 })
	layer := func() string {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		for _, vw := range ts.whep {
			if cur := vw.sub.cur[kindVideo].Load(); cur != nil {
				return cur.rid
			}
		}
		return ""
	}
	if got := layer(); got != "q" {
		t.Fatalf("new viewer on layer %q, want the low one (q)", got)
	}
	waitFor(t, 20*time.Second, "viewer moving up to layer f", func() bool { return layer() == "f" })
	idr := v.idr.Load()
	waitFor(t, 5*time.Second, "keyframes on the new layer", func() bool { return v.idr.Load() > idr })
	if rids := rec.rids(); len(rids) != 1 || rids[0] != "f" {
		t.Fatalf("LayerHighest subscriber got layers %v, want [f]", rids)
	}
}

// ridSink records which layers it was given.
type ridSink struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (s *ridSink) WritePacket(p *Packet) error {
	if p.Kind.String() != "video" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[p.RID] = true
	return nil
}

func (s *ridSink) rids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for r := range s.seen {
		out = append(out, r)
	}
	return out
}
