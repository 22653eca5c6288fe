package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"

	"hawker"
)

// TestHLSLive: a pion publisher sends H.264 + Opus through WHIP; an HLS
// client reads the LL-HLS multivariant and media playlists (with
// EXT-X-PART parts and blocking reloads), and the init and segments it
// gets decode as H.264 video and Opus audio (ffprobe). Segment requests
// carry the playlist's token, so only playlist loads call AuthorizeView.
// When the show closes, the muxer stops: the next playlist load is 409.
func TestHLSLive(t *testing.T) {
	checkGoroutines(t)
	c := wholeFrameClip(t)
	var deny atomic.Bool
	ts := newTestServerHooks(t, Config{}, func(h *Hooks) {
		h.AuthorizeView = func(_ context.Context, showID string, _ *http.Request) error {
			if showID == "secret" || deny.Load() {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			}
			return nil
		}
	})
	srv := httptest.NewServer(ts.HLSHandler())
	t.Cleanup(srv.Close)

	// Before anything is published: 409, not a broken playlist.
	if st, body, _ := get(t, srv.URL+"/hls/show1/index.m3u8"); st != http.StatusConflict {
		t.Fatalf("HLS before publishing: %d %s, want 409", st, body)
	}
	if st, body, _ := get(t, srv.URL+"/hls/secret/index.m3u8"); st != http.StatusNotFound {
		t.Fatalf("HLS of a show the caller may not see: %d %s, want 404", st, body)
	}
	for _, bad := range []string{"/hls/show1/..%2Fx.m3u8", "/hls/show1/index.txt", "/hls/bad%20id/index.m3u8", "/hls/show1/nope.mp4"} {
		if st, body, _ := get(t, srv.URL+bad); st != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 404", bad, st, body)
		}
	}

	publish(t, ts, "show1", c)
	<-ts.live
	waitFor(t, 5*time.Second, "show live", func() bool { return ts.Live("show1") })

	// The first load starts the muxer and waits for its first segment.
	start := time.Now()
	st, body, hdr := get(t, srv.URL+"/hls/show1/index.m3u8")
	if st != http.StatusOK {
		t.Fatalf("multivariant playlist: %d %s", st, body)
	}
	t.Logf("first playlist after %v (warm-up)", time.Since(start).Round(10*time.Millisecond))
	if ct := hdr.Get("Content-Type"); !strings.Contains(ct, "mpegurl") {
		t.Errorf("Content-Type %q", ct)
	}
	pl, err := playlist.Unmarshal([]byte(body))
	if err != nil {
		t.Fatalf("multivariant playlist: %v\n%s", err, body)
	}
	mv, ok := pl.(*playlist.Multivariant)
	if !ok || len(mv.Variants) != 1 {
		t.Fatalf("not a multivariant playlist with one variant:\n%s", body)
	}
	if got := strings.Join(mv.Variants[0].Codecs, ","); !strings.Contains(got, "avc1") || !strings.Contains(got, "opus") {
		t.Errorf("codecs %q, want avc1 and opus", got)
	}
	if mv.Variants[0].Resolution != "640x360" {
		t.Errorf("resolution %q", mv.Variants[0].Resolution)
	}
	videoURI := mv.Variants[0].URI
	var audioURI string
	for _, r := range mv.Renditions {
		if r.URI != nil {
			audioURI = *r.URI
		}
	}
	if !strings.Contains(videoURI, hlsTokenParam+"=") || audioURI == "" {
		t.Fatalf("media playlist URIs %q, %q: want the token and an audio rendition", videoURI, audioURI)
	}
	base := srv.URL + "/hls/show1/"

	video := mediaPlaylist(t, base+videoURI)
	if video.PartInf == nil || video.ServerControl == nil || !video.ServerControl.CanBlockReload {
		t.Fatalf("not a low-latency playlist: %+v", video)
	}
	if len(video.Parts) == 0 && lastSegment(video) != nil && len(lastSegment(video).Parts) == 0 {
		t.Fatalf("no EXT-X-PART in the playlist")
	}
	if video.Map == nil || lastSegment(video) == nil {
		t.Fatalf("no init or segment in the playlist")
	}

	// A blocking reload for the next part answers once it exists.
	next := url.Values{"_HLS_msn": {fmt.Sprint(video.MediaSequence + len(video.Segments))}, "_HLS_part": {fmt.Sprint(len(video.Parts))}}
	u, _ := url.Parse(base + videoURI)
	q := u.Query()
	for k, v := range next {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	start = time.Now()
	if st, body, _ := get(t, u.String()); st != http.StatusOK || !strings.Contains(body, "#EXT-X-PART:") {
		t.Fatalf("blocking reload: %d %s", st, body)
	}
	t.Logf("blocking reload answered after %v", time.Since(start).Round(time.Millisecond))

	// Parts and segments are served with the token without asking
	// AuthorizeView again: they still play when it would say no (a
	// viewer who got the playlist keeps watching; the token changes with
	// the muxer).
	deny.Store(true)
	partURI := ""
	if len(video.Parts) > 0 {
		partURI = video.Parts[0].URI
	} else {
		partURI = lastSegment(video).Parts[0].URI
	}
	if st, body, _ := get(t, base+partURI); st != http.StatusOK || len(body) == 0 {
		t.Fatalf("part %s: %d (%d bytes)", partURI, st, len(body))
	}
	// Without the token (or with a wrong one) the hook decides.
	if st, _, _ := get(t, base+strings.Split(partURI, "?")[0]); st != http.StatusNotFound {
		t.Errorf("part without the token while AuthorizeView refuses: %d, want 404", st)
	}
	if st, _, _ := get(t, base+strings.Split(partURI, "?")[0]+"?"+hlsTokenParam+"=wrong"); st != http.StatusNotFound {
		t.Errorf("part with a wrong token while AuthorizeView refuses: %d, want 404", st)
	}
	if st, _, _ := get(t, base+"index.m3u8"); st != http.StatusNotFound {
		t.Errorf("playlist while AuthorizeView refuses: %d, want 404", st)
	}

	videoFile := fetchInitAndSegment(t, base, video)
	audio := mediaPlaylist(t, base+audioURI)
	audioFile := fetchInitAndSegment(t, base, audio)
	if info := probe(t, videoFile); info.codec != "h264" || info.frames == 0 {
		t.Errorf("video segment: codec %q, %d frames decoded; want h264 frames", info.codec, info.frames)
	}
	if errs := decodeErrors(t, videoFile); errs != "" {
		t.Errorf("video segment does not decode cleanly:\n%.2000s", errs)
	}
	if info := probe(t, audioFile); info.codec != "opus" || info.frames == 0 {
		t.Errorf("audio segment: codec %q, %d frames decoded; want opus frames", info.codec, info.frames)
	}

	// A name that is not the muxer's is 404; without the token, the hook
	// authorizes (players that drop the query still play).
	deny.Store(false)
	if st, body, _ := get(t, base+"nope_video1_part1.mp4?"+hlsTokenParam+"=x"); st != http.StatusNotFound {
		t.Errorf("unknown part: %d %s", st, body)
	}
	if st, _, _ := get(t, base+strings.Split(partURI, "?")[0]); st != http.StatusOK {
		t.Errorf("part without the token: %d", st)
	}

	// The show closes: the muxer stops, and with no publisher the next
	// load is 409 again.
	ts.CloseShow("show1")
	waitFor(t, 5*time.Second, "the muxer to stop", func() bool {
		st, _, _ := get(t, base+"index.m3u8")
		return st == http.StatusConflict
	})
}

// TestHLSVP8: a VP8 publisher gets a clear 415 for HLS instead of a
// broken playlist, and its video is not recorded (fMP4 here is H.264):
// a show with nothing else has no replay.
func TestHLSVP8(t *testing.T) {
	checkGoroutines(t)
	ts := newTestServer(t, Config{})
	srv := httptest.NewServer(ts.HLSHandler())
	t.Cleanup(srv.Close)
	rec := newTestRecorder(t, RecorderConfig{})
	rec.Attach(ts.Server)
	publishVP8(t, ts, "vp8show")
	waitFor(t, 10*time.Second, "VP8 show live", func() bool { return ts.Live("vp8show") })
	st, body, _ := get(t, srv.URL+"/hls/vp8show/index.m3u8")
	if st != http.StatusUnsupportedMediaType || !strings.Contains(body, "unsupported_media_type") || !strings.Contains(body, "VP8") {
		t.Fatalf("HLS of a VP8 show: %d %s, want 415 naming VP8", st, body)
	}

	if err := rec.Record("vp8show"); err != nil {
		t.Fatal(err)
	}
	forwarded := ts.Stats("vp8show").Forwarded
	waitFor(t, 10*time.Second, "VP8 packets to the recorder", func() bool { return ts.Stats("vp8show").Forwarded > forwarded+60 })
	if err := rec.Finish("vp8show"); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Replay("vp8show"); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("replay of a VP8-only show: %v, want ENOTFOUND", err)
	}
	if _, err := os.Stat(filepath.Join(rec.cfg.Dir, "vp8show")); err == nil {
		t.Errorf("a recording without media left a directory")
	}
}

// publishVP8 publishes a video-only VP8 track of dummy frames (enough
// for the server to see the codec).
func publishVP8(t *testing.T, ts *testServer, show string) {
	t.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "vp8")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		t.Fatal(err)
	}
	resp, body, err := negotiate(pc, ts.URL+"/whip/"+show, testKey)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP VP8: %v %v %s", err, resp, body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		frame := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = track.WriteSample(pmedia.Sample{Data: frame, Duration: time.Second / 30})
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = pc.Close()
	})
}

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func mediaPlaylist(t *testing.T, u string) *playlist.Media {
	t.Helper()
	st, body, _ := get(t, u)
	if st != http.StatusOK {
		t.Fatalf("media playlist %s: %d %s", u, st, body)
	}
	pl, err := playlist.Unmarshal([]byte(body))
	if err != nil {
		t.Fatalf("media playlist: %v\n%s", err, body)
	}
	m, ok := pl.(*playlist.Media)
	if !ok {
		t.Fatalf("not a media playlist:\n%s", body)
	}
	return m
}

// lastSegment returns the playlist's last segment that is not a gap.
func lastSegment(m *playlist.Media) *playlist.MediaSegment {
	for i := len(m.Segments) - 1; i >= 0; i-- {
		if !m.Segments[i].Gap {
			return m.Segments[i]
		}
	}
	return nil
}

// fetchInitAndSegment writes the playlist's init followed by its last
// complete segment to a file, as a player would feed a decoder.
func fetchInitAndSegment(t *testing.T, base string, m *playlist.Media) string {
	t.Helper()
	var data []byte
	for _, uri := range []string{m.Map.URI, lastSegment(m).URI} {
		st, body, _ := get(t, base+uri)
		if st != http.StatusOK || len(body) == 0 {
			t.Fatalf("GET %s: %d (%d bytes)", uri, st, len(body))
		}
		data = append(data, body...)
	}
	path := filepath.Join(t.TempDir(), "media.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// probed is what ffprobe says of a file's first stream.
type probed struct {
	codec    string
	frames   int
	duration float64
	streams  []string
}

// probe decodes a file with ffprobe (shipped with ffmpeg, which the media
// tests need anyway).
func probe(t *testing.T, path string) probed {
	t.Helper()
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		testClips(t) // the same skip or failure as without ffmpeg
		t.Fatal("ffprobe not found beside ffmpeg")
	}
	out, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_name,nb_read_frames:format=duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var res struct {
		Streams []struct {
			CodecName    string `json:"codec_name"`
			NbReadFrames string `json:"nb_read_frames"`
		}
		Format struct{ Duration string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	var p probed
	for i, s := range res.Streams {
		p.streams = append(p.streams, s.CodecName)
		if i == 0 {
			p.codec = s.CodecName
			fmt.Sscan(s.NbReadFrames, &p.frames)
		}
	}
	fmt.Sscan(res.Format.Duration, &p.duration)
	return p
}

// newTestServerHooks is newTestServer with hooks the test changes.
func newTestServerHooks(t *testing.T, cfg Config, change func(*Hooks)) *testServer {
	t.Helper()
	ts := &testServer{gone: make(chan string, 16), live: make(chan string, 16)}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	hooks := Hooks{
		AuthorizePublish: func(_ context.Context, _, key string) error {
			if key != testKey {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong stream key.")
			}
			return nil
		},
		PublisherStarted: func(id string) { ts.live <- id },
		PublisherGone:    func(id string) { ts.gone <- id },
	}
	change(&hooks)
	srv, err := New(cfg, hooks)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	mux := http.NewServeMux()
	mux.Handle("/whip/", srv.WHIPHandler())
	hs := httptest.NewServer(mux)
	ts.URL = hs.URL
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return ts
}

var (
	wholeOnce sync.Once
	wholePath string
	wholeErr  error
)

// wholeFrameClip is the test video with one slice per frame. The shared
// clip's encoder splits each frame into two slices, which the test
// publisher sends as two frames with their own timestamps; a decoder
// reading those back complains about its reference pictures. The decode
// checks of HLS and recordings use this clip, so that any complaint is
// about the muxing.
func wholeFrameClip(t *testing.T) clips {
	t.Helper()
	c := testClips(t)
	wholeOnce.Do(func() {
		wholePath = filepath.Join(filepath.Dir(c.h264), "whole.h264")
		var stderr bytes.Buffer
		cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
			"-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", "4",
			"-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-tune", "zerolatency",
			"-x264-params", "sliced-threads=0", "-b:v", "1M", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-bf", "0",
			"-bsf:v", "h264_mp4toannexb", wholePath)
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			wholeErr = fmt.Errorf("ffmpeg: %v: %s", err, stderr.String())
		}
	})
	if wholeErr != nil {
		t.Fatal(wholeErr)
	}
	c.h264 = wholePath
	return c
}

// decodeErrors decodes a file's video with ffmpeg and returns what it
// complains about (empty: it decoded cleanly). Audio is left out: the
// test publisher sends the clip's Ogg pages as they are, the OpusHead and
// OpusTags pages included, which no decoder takes for audio.
func decodeErrors(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:v", "-f", "null", "-").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%v: %s", err, out)
	}
	return string(out)
}
