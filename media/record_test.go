package media

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
)

func newTestRecorder(t *testing.T, cfg RecorderConfig) *Recorder {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	r, err := NewRecorder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// TestRecording: a pion publisher sends H.264 + Opus; the show is
// recorded while it is live, through a reconnect of the publisher. After
// the show ends the recording is an HLS VOD: a playlist with
// EXT-X-PLAYLIST-TYPE:VOD, EXT-X-DISCONTINUITY at the reconnect and
// EXT-X-ENDLIST whose duration matches what was published, fMP4 that
// decodes as H.264 and Opus, and a timeline of the show's events with
// their times since the recording started (the product pinned before it
// started included). Nothing is served before the end.
func TestRecording(t *testing.T) {
	checkGoroutines(t)
	c := wholeFrameClip(t)
	ts := newTestServer(t, Config{GracePeriod: time.Minute})
	rec := newTestRecorder(t, RecorderConfig{})
	rec.Attach(ts.Server)
	const show = "shw_rec1"

	// Pinned before the show goes live: the replay starts with it.
	rec.ShowEvent(show, []byte(`{"type":"pinned","product":{"id":"prd_1","title":"Mug"}}`))

	// The first publisher: the show goes live (the event starts the
	// recording, as the realtime hub's hook does).
	p1 := publish(t, ts, show, c)
	<-ts.live
	waitFor(t, 5*time.Second, "show live", func() bool { return ts.Live(show) })
	rec.ShowEvent(show, []byte(`{"type":"state","state":"live"}`))
	waitFor(t, 5*time.Second, "the recording to start", func() bool { return ts.Stats(show).Subscribers == 1 })
	from := p1.frames.Load()
	rec.ShowEvent(show, []byte(`{"type":"deal_started","deal":{"id":"deal_1","price":{"amount":900,"currency":"USD"}},"now":"2026-01-01T00:00:00Z"}`))
	waitFor(t, 20*time.Second, "6 s of video", func() bool { return p1.frames.Load()-from >= 6*30 })
	if _, err := rec.Open(show, PlaylistFile); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("playlist served while recording: %v", err)
	}
	p1.stop()
	published := time.Duration(p1.frames.Load()-from) * time.Second / 30
	rec.ShowEvent(show, []byte(`{"type":"purchase","buyer":"Ann","product_id":"prd_1"}`))

	// The publisher reconnects after a pause (within the grace period):
	// the same recording goes on after a discontinuity. Record again (the
	// PublisherStarted hook) is harmless.
	time.Sleep(1500 * time.Millisecond) // the publisher's pause, not a wait for a condition
	p2 := publish(t, ts, show, c)
	<-ts.live
	if err := rec.Record(show); err != nil {
		t.Fatal(err)
	}
	from = p2.frames.Load()
	waitFor(t, 20*time.Second, "4 s more video", func() bool { return p2.frames.Load()-from >= 4*30 })
	p2.stop()
	published += time.Duration(p2.frames.Load()-from) * time.Second / 30

	// The show ends: the "ended" state event finishes the recording.
	rec.ShowEvent(show, []byte(`{"type":"state","state":"ended"}`))
	waitFor(t, 10*time.Second, "the recording to finish", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		_, ok := rec.ended[show]
		return ok
	})
	replay, err := rec.Replay(show)
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(rec.cfg.Dir, show)
	pl, err := os.ReadFile(filepath.Join(dir, PlaylistFile))
	if err != nil {
		t.Fatal(err)
	}
	playlist := string(pl)
	for _, want := range []string{"#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST", "#EXT-X-DISCONTINUITY", `#EXT-X-MAP:URI="init1.mp4"`, "#EXT-X-PROGRAM-DATE-TIME:"} {
		if !strings.Contains(playlist, want) {
			t.Errorf("playlist lacks %s:\n%s", want, playlist)
		}
	}
	segs, total := playlistSegments(t, playlist)
	t.Logf("published %v, recorded %v in %d segments (replay says %v)", published, total, len(segs), replay.Duration)
	// The recording starts at the first keyframe after it subscribed (the
	// test clip has one a second) and ends with the last packet.
	if diff := total - published; diff > 500*time.Millisecond || diff < -2500*time.Millisecond {
		t.Errorf("recorded %v of %v published", total, published)
	}
	if d := replay.Duration - total; d > 10*time.Millisecond || d < -10*time.Millisecond {
		t.Errorf("Replay.Duration %v, playlist %v", replay.Duration, total)
	}
	if replay.EndedAt.IsZero() || replay.Bytes <= 0 {
		t.Errorf("replay = %+v", replay)
	}

	// The files decode: the init and every segment, as a player reads them.
	var data []byte
	for _, name := range append([]string{"init1.mp4"}, segs...) {
		f, err := rec.Open(show, name)
		if err != nil {
			t.Fatalf("Open %s: %v", name, err)
		}
		st, _ := f.Stat()
		b := make([]byte, st.Size())
		if _, err := f.ReadAt(b, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
		data = append(data, b...)
	}
	path := filepath.Join(t.TempDir(), "replay.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	info := probe(t, path)
	if errs := decodeErrors(t, path); errs != "" {
		t.Errorf("recording does not decode cleanly:\n%.2000s", errs)
	}
	if strings.Join(info.streams, ",") != "h264,opus" || info.frames < 30*8 {
		t.Errorf("recording decodes as %v with %d video frames; want h264,opus and the published frames", info.streams, info.frames)
	}

	// The timeline: every event since the recording started, in order.
	b, err := os.ReadFile(filepath.Join(dir, TimelineFile))
	if err != nil {
		t.Fatal(err)
	}
	var tl timelineFile
	if err := json.Unmarshal(b, &tl); err != nil {
		t.Fatalf("timeline: %v\n%s", err, b)
	}
	var types []string
	last := -1.0
	for _, e := range tl.Events {
		var head struct{ Type, State string }
		_ = json.Unmarshal(e.Event, &head)
		types = append(types, strings.TrimSuffix(head.Type+":"+head.State, ":"))
		if e.T < last {
			t.Errorf("timeline goes back: %v after %v", e.T, last)
		}
		last = e.T
	}
	want := "pinned,state:live,deal_started,purchase,state:ended"
	if got := strings.Join(types, ","); got != want {
		t.Errorf("timeline events %s, want %s\n%s", got, want, b)
	}
	if tl.ShowID != show || tl.Events[len(tl.Events)-1].T < 8 {
		t.Errorf("timeline %s", b)
	}

	// Finished is final: no restart, and no file outside the fixed names.
	if err := rec.Record(show); err != nil {
		t.Fatal(err)
	}
	if ts.Stats(show).Subscribers != 0 {
		t.Errorf("a finished recording started again")
	}
	for _, name := range []string{metaFile, "../" + show + "/" + PlaylistFile, "seg1.m4s", "init1.mp4/..", ""} {
		if _, err := rec.Open(show, name); hawker.ErrorCode(err) != hawker.ENOTFOUND {
			t.Errorf("Open(%q): %v, want ENOTFOUND", name, err)
		}
	}
	if _, err := rec.Open("..", PlaylistFile); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("Open of ..: %v", err)
	}
}

// TestRecordingResume: the server stops during a show; the segments
// written so far stay (an EVENT playlist without ENDLIST), and the next
// run finishes that recording when asked for its replay.
func TestRecordingResume(t *testing.T) {
	checkGoroutines(t)
	c := testClips(t)
	dir := t.TempDir()
	const show = "shw_resume"
	func() {
		ts := newTestServer(t, Config{})
		r, err := NewRecorder(RecorderConfig{Dir: dir, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		r.Attach(ts.Server)
		p := publish(t, ts, show, c)
		<-ts.live
		if err := r.Record(show); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 20*time.Second, "two segments on disk", func() bool {
			b, _ := os.ReadFile(filepath.Join(dir, show, PlaylistFile))
			return strings.Count(string(b), "#EXTINF") >= 2
		})
		p.stop()
		// Shutdown order of the binary: the media server, then the
		// recorder.
		if err := ts.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	b, err := os.ReadFile(filepath.Join(dir, show, PlaylistFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "#EXT-X-PLAYLIST-TYPE:EVENT") || strings.Contains(string(b), "ENDLIST") {
		t.Fatalf("playlist of an unfinished recording:\n%s", b)
	}
	before, _ := playlistSegments(t, string(b))

	r := newTestRecorder(t, RecorderConfig{Dir: dir})
	replay, err := r.Replay(show)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, show, PlaylistFile))
	after, total := playlistSegments(t, string(b))
	if !strings.Contains(string(b), "#EXT-X-ENDLIST") || len(after) != len(before) || replay.Duration != total || total < 4*time.Second {
		t.Errorf("resumed recording: %d segments before, %d after, %v (replay %v)\n%s", len(before), len(after), total, replay.Duration, b)
	}
	if _, err := r.Replay("shw_never"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("Replay of a show without recording: %v", err)
	}
}

// TestRecordingRetention: over --recordings-max-bytes the oldest
// recordings of ended shows are deleted first, and past
// --recordings-max-age all ended ones and unfinished ones nobody writes;
// the recording being written is never deleted, however old and big.
func TestRecordingRetention(t *testing.T) {
	checkGoroutines(t)
	dir := t.TempDir()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	now := t0
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	day := 24 * time.Hour
	fake := func(id string, ended *time.Time, updated time.Time, bytes int) {
		d := filepath.Join(dir, id)
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
		m := recordingMeta{ShowID: id, StartedAt: updated.Add(-time.Hour), EndedAt: ended, UpdatedAt: updated, Duration: 60, Segments: 1, Bytes: int64(bytes)}
		mb, _ := json.Marshal(m)
		pl := "#EXTM3U\n#EXT-X-MAP:URI=\"init1.mp4\"\n#EXTINF:60.000,\nseg000001.m4s\n"
		for name, b := range map[string][]byte{metaFile: mb, PlaylistFile: []byte(pl), "init1.mp4": {0}, "seg000001.m4s": make([]byte, bytes)} {
			if err := os.WriteFile(filepath.Join(d, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	fake("shw_old1", at(-3*day), t0.Add(-3*day), 400)
	fake("shw_old2", at(-2*day), t0.Add(-2*day), 400)
	fake("shw_new", at(-1*day), t0.Add(-1*day), 400)
	fake("shw_live", nil, t0, 500)  // unfinished: continues when its show's publisher is back
	fake("shw_stale", nil, t0, 100) // unfinished, nobody writes it
	exists := func(id string) bool { _, err := os.Stat(filepath.Join(dir, id)); return err == nil }

	ts := newTestServer(t, Config{})
	r := newTestRecorder(t, RecorderConfig{Dir: dir, MaxBytes: 1500, MaxAge: 30 * day, Now: clock})
	r.Attach(ts.Server)
	// The live show's publisher is back: its recording is being written.
	if err := r.Record("shw_live"); err != nil {
		t.Fatal(err)
	}
	// 1800 bytes > 1500: the oldest ended recording goes, and that is
	// enough; the larger live one stays.
	r.Sweep()
	for id, want := range map[string]bool{"shw_old1": false, "shw_old2": true, "shw_new": true, "shw_live": true, "shw_stale": true} {
		if exists(id) != want {
			t.Errorf("after the byte limit: %s exists = %v, want %v", id, exists(id), want)
		}
	}
	if _, err := r.Replay("shw_old1"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("Replay of a deleted recording: %v", err)
	}

	// A month later: every ended recording is past the age limit, and so
	// is the unfinished one nobody writes; the one being written stays.
	clockMu.Lock()
	now = t0.Add(31 * day)
	clockMu.Unlock()
	r.Sweep()
	for id, want := range map[string]bool{"shw_old2": false, "shw_new": false, "shw_stale": false, "shw_live": true} {
		if exists(id) != want {
			t.Errorf("after the age limit: %s exists = %v, want %v", id, exists(id), want)
		}
	}

	// Unbounded limits keep everything.
	fake("shw_keep", at(-400*day), t0.Add(-400*day), 1<<20)
	r2 := newTestRecorder(t, RecorderConfig{Dir: dir, MaxBytes: -1, MaxAge: -1, Logger: testLogger(t), Now: clock})
	r2.Sweep()
	if !exists("shw_keep") {
		t.Errorf("no limits deleted a recording")
	}
}

// playlistSegments returns a playlist's segment names and total duration.
func playlistSegments(t *testing.T, pl string) ([]string, time.Duration) {
	t.Helper()
	var names []string
	var total float64
	for _, line := range strings.Split(pl, "\n") {
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			d, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(line, "#EXTINF:"), ","), 64)
			if err != nil {
				t.Fatalf("EXTINF %q", line)
			}
			total += d
		case line != "" && !strings.HasPrefix(line, "#"):
			names = append(names, line)
		}
	}
	return names, time.Duration(math.Round(total*1000)) * time.Millisecond
}
