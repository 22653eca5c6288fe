package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"

	"hawker/media"
)

// sdpOffer returns an SDP offer that sends (publisher) or receives
// (viewer) H.264 video.
func sdpOffer(t *testing.T, dir webrtc.RTPTransceiverDirection) string {
	t.Helper()
	api, err := benchWebRTCAPI()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	if dir == webrtc.RTPTransceiverDirectionSendonly {
		track, err := webrtc.NewTrackLocalStaticRTP(benchH264, "video", "hawker-test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
			t.Fatal(err)
		}
	} else if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return offer.SDP
}

// postOffer posts an SDP offer and returns the status and body.
func postOffer(t *testing.T, url, key, offer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", media.ContentTypeSDP)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeMedia runs the whole binary: the demo seller makes a stream key
// for a demo show through the API; WHIP refuses a wrong key (401) and WHEP
// refuses the scheduled show, which has no publisher yet (409). Then a pion
// publisher with the key makes the show live, and its leaving ends it.
func TestServeMedia(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startServe(t, env, "--demo", "--auth-rate", "0", "--publisher-grace", "1s")
			api := s.url + "/api/v1"
			var login struct{ Token string }
			email := "seller.us@" + demoEmailDomain
			call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
			seller := login.Token
			var shops struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shops", seller, nil, 200, &shops)
			var shows struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shows?shop_id="+shops.Items[0].ID, seller, nil, 200, &shows)
			if len(shows.Items) == 0 {
				t.Fatal("the demo shop has no show")
			}
			showID := shows.Items[0].ID

			var key struct {
				StreamKey string `json:"stream_key"`
				WHIPURL   string `json:"whip_url"`
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", seller, nil, 201, &key)
			if !strings.HasPrefix(key.StreamKey, "hsk_") || key.WHIPURL != s.url+"/whip/"+showID {
				t.Fatalf("stream key answer = %+v", key)
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", "", nil, 401, nil)

			pub := sdpOffer(t, webrtc.RTPTransceiverDirectionSendonly)
			if st, body := postOffer(t, key.WHIPURL, "hsk_wrong", pub); st != http.StatusUnauthorized {
				t.Errorf("WHIP with a wrong key: %d %s, want 401", st, body)
			}
			if st, body := postOffer(t, key.WHIPURL, "", pub); st != http.StatusUnauthorized {
				t.Errorf("WHIP without a key: %d %s, want 401", st, body)
			}
			view := sdpOffer(t, webrtc.RTPTransceiverDirectionRecvonly)
			if st, body := postOffer(t, s.url+"/whep/"+showID, "", view); st != http.StatusConflict {
				t.Errorf("WHEP of the scheduled show: %d %s, want 409", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/shw_01jbz3n8q4m2x7c5v6w9t0r1ys", "", view); st != http.StatusNotFound {
				t.Errorf("WHEP of an unknown show: %d %s, want 404", st, body)
			}

			// A real publisher makes the show live (--go-live=auto), a
			// viewer may then watch, and when the publisher leaves for the
			// grace period the show ends and takes no publisher again.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			wrtc, err := benchWebRTCAPI()
			if err != nil {
				t.Fatal(err)
			}
			p, err := startBenchPublisher(ctx, wrtc, mediaInfo{URL: s.url, Key: key.StreamKey, Show: showID}, 300_000)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			defer p.stop()
			state := func() string {
				var out struct{ Show struct{ State string } }
				if st := getJSON(t, api+"/shows/"+showID, "", &out); st != 200 {
					t.Fatalf("GET show: %d", st)
				}
				return out.Show.State
			}
			waitFor(t, 15*time.Second, "the show to go live", func() bool { return state() == "live" })
			if st, body := postOffer(t, s.url+"/whep/"+showID, "", view); st != http.StatusCreated {
				t.Errorf("WHEP of the live show: %d %s, want 201", st, body)
			}
			p.stop()
			waitFor(t, 15*time.Second, "the show to end", func() bool { return state() == "ended" })
			if st, body := postOffer(t, key.WHIPURL, key.StreamKey, pub); st != http.StatusConflict {
				t.Errorf("WHIP of the ended show: %d %s, want 409", st, body)
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", seller, nil, 409, nil)

			// A rehearsal is for the shop's team only: others get 404, the
			// seller 409 while nothing is published.
			var created struct{ Show struct{ ID string } }
			call(t, "POST", api+"/shows", seller, map[string]any{"shop_id": shops.Items[0].ID, "title": "Rehearsal"}, 201, &created)
			call(t, "POST", api+"/shows/"+created.Show.ID+"/rehearse", seller, nil, 200, nil)
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, "", view); st != http.StatusNotFound {
				t.Errorf("anonymous WHEP of a rehearsal: %d %s, want 404", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, seller, view); st != http.StatusConflict {
				t.Errorf("the seller's WHEP of a rehearsal: %d %s, want 409", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, "hss_bogus", view); st != http.StatusUnauthorized {
				t.Errorf("WHEP of a rehearsal with a bad token: %d %s, want 401", st, body)
			}
			// Publishing into a rehearsal keeps it a rehearsal (auto mode
			// only takes scheduled shows live): the team watches, nobody
			// else does.
			var rkey struct {
				StreamKey string `json:"stream_key"`
			}
			call(t, "POST", api+"/shows/"+created.Show.ID+"/stream-key", seller, nil, 201, &rkey)
			rp, err := startBenchPublisher(ctx, wrtc, mediaInfo{URL: s.url, Key: rkey.StreamKey, Show: created.Show.ID}, 300_000)
			if err != nil {
				t.Fatalf("publish the rehearsal: %v", err)
			}
			defer rp.stop()
			waitFor(t, 15*time.Second, "the rehearsal's media", func() bool {
				st, _ := postOffer(t, s.url+"/whep/"+created.Show.ID, seller, view)
				return st == http.StatusCreated
			})
			var rs struct{ Show struct{ State string } }
			call(t, "GET", api+"/shows/"+created.Show.ID, seller, nil, 200, &rs)
			if rs.Show.State != "rehearsal" {
				t.Errorf("publishing into a rehearsal made it %q", rs.Show.State)
			}
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, "", view); st != http.StatusNotFound {
				t.Errorf("anonymous WHEP of a rehearsal being published: %d %s, want 404", st, body)
			}
			if err := s.stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
		})
	}
}

// TestRecordFlags: --hls, --record and the retention flags take on/off,
// sizes with units and ages in days; serve refuses anything else.
func TestRecordFlags(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "500MiB": 500 << 20, "20GiB": 20 << 30, "1.5GB": 1_500_000_000, "2g": 2 << 30, "10 KB": 10_000} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "lots", "5XB", "1e30GiB", "NaN"} {
		if _, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) took it", in)
		}
	}
	for in, want := range map[string]time.Duration{"0": 0, "30d": 30 * 24 * time.Hour, "72h": 72 * time.Hour, "1.5d": 36 * time.Hour} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1h", "forever", "-2d", "xd"} {
		if _, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) took it", in)
		}
	}
	for _, args := range [][]string{{"--hls", "maybe"}, {"--record", "yes"}, {"--recordings-max-bytes", "big"}, {"--recordings-max-age", "soon"}} {
		err := run(context.Background(), append([]string{"hawker", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...),
			func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[0], "--")) {
			t.Errorf("serve %v: %v, want an error naming the flag", args, err)
		}
	}
}

// TestServeReplay runs the whole binary with a real H.264 publisher (a
// clip made by ffmpeg): the live show plays over LL-HLS at
// /hls/{show}/index.m3u8; it is recorded, and once its publisher left for
// the grace period and it ended, GET /api/v1/shows/{id}/replay (404 until
// then) gives a VOD playlist and a timeline with the show's state changes
// and the product pinned during it. With --record=off --hls=off there are
// neither.
func TestServeReplay(t *testing.T) {
	clip := replayClip(t)
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir()}
	s := startServe(t, env, "--demo", "--auth-rate", "0", "--publisher-grace", "1s")
	api := s.url + "/api/v1"
	var login struct{ Token string }
	email := "seller.us@" + demoEmailDomain
	call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
	seller := login.Token
	var shops struct{ Items []struct{ ID string } }
	call(t, "GET", api+"/shops", seller, nil, 200, &shops)
	shop := shops.Items[0].ID
	var created struct{ Show struct{ ID string } }
	call(t, "POST", api+"/shows", seller, map[string]any{"shop_id": shop, "title": "Recorded show"}, 201, &created)
	show := created.Show.ID
	var products struct{ Items []struct{ ID string } }
	call(t, "GET", api+"/shops/"+shop+"/products", seller, nil, 200, &products)
	call(t, "PUT", api+"/shows/"+show+"/products", seller, map[string]any{"product_ids": []string{products.Items[0].ID}}, 200, nil)
	var key struct {
		StreamKey string `json:"stream_key"`
		WHIPURL   string `json:"whip_url"`
	}
	call(t, "POST", api+"/shows/"+show+"/stream-key", seller, nil, 201, &key)

	pub := publishClip(t, key.WHIPURL, key.StreamKey, clip)
	state := func() string {
		var out struct{ Show struct{ State string } }
		if st := getJSON(t, api+"/shows/"+show, "", &out); st != 200 {
			t.Fatalf("GET show: %d", st)
		}
		return out.Show.State
	}
	waitFor(t, 15*time.Second, "the show to go live", func() bool { return state() == "live" })
	call(t, "POST", api+"/shows/"+show+"/pin", seller, map[string]any{"product_id": products.Items[0].ID}, 200, nil)

	// LL-HLS of the live show.
	st, body := httpGet(t, s.url+"/hls/"+show+"/index.m3u8")
	if st != 200 || !strings.Contains(body, "avc1") || !strings.Contains(body, "hk=") {
		t.Errorf("HLS playlist: %d %s", st, body)
	}
	call(t, "GET", api+"/shows/"+show+"/replay", "", nil, 404, nil)

	waitFor(t, 20*time.Second, "5 s of video", func() bool { return pub.frames.Load() >= 5*30 })
	pub.stop()
	waitFor(t, 15*time.Second, "the show to end", func() bool { return state() == "ended" })

	var replay struct {
		Replay struct {
			PlaylistURL     string  `json:"playlist_url"`
			TimelineURL     string  `json:"timeline_url"`
			DurationSeconds float64 `json:"duration_seconds"`
		}
	}
	call(t, "GET", api+"/shows/"+show+"/replay", "", nil, 200, &replay)
	if d := replay.Replay.DurationSeconds; d < 3 || d > 7 {
		t.Errorf("replay of %.1f s of video lasts %.3f s", float64(pub.frames.Load())/30, d)
	}
	st, playlist := httpGet(t, s.url+replay.Replay.PlaylistURL)
	if st != 200 || !strings.Contains(playlist, "#EXT-X-PLAYLIST-TYPE:VOD") || !strings.Contains(playlist, "#EXT-X-ENDLIST") {
		t.Fatalf("replay playlist: %d\n%s", st, playlist)
	}
	for _, line := range strings.Split(playlist, "\n") {
		if strings.HasSuffix(line, ".m4s") {
			if st, seg := httpGet(t, s.url+"/replays/"+show+"/"+line); st != 200 || len(seg) == 0 {
				t.Errorf("segment %s: %d", line, st)
			}
		}
	}
	st, timeline := httpGet(t, s.url+replay.Replay.TimelineURL)
	if st != 200 {
		t.Fatalf("timeline: %d %s", st, timeline)
	}
	for _, want := range []string{`"type":"state","state":"live"`, `"type":"pinned"`, `"type":"state","state":"ended"`} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %s:\n%s", want, timeline)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// Off: no HLS, no recording.
	off := startServe(t, map[string]string{"HAWKER_DATA_DIR": t.TempDir()}, "--demo", "--auth-rate", "0", "--hls", "off", "--record", "off")
	if st, body := httpGet(t, off.url+"/hls/"+show+"/index.m3u8"); st != 404 || !strings.Contains(body, "HLS is off") {
		t.Errorf("--hls=off: %d %s", st, body)
	}
	offAPI := off.url + "/api/v1"
	call(t, "POST", offAPI+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, off.stdout.String(), email)}, 200, &login)
	call(t, "GET", offAPI+"/shops", login.Token, nil, 200, &shops)
	call(t, "POST", offAPI+"/shows", login.Token, map[string]any{"shop_id": shops.Items[0].ID, "title": "Not recorded"}, 201, &created)
	call(t, "POST", offAPI+"/shows/"+created.Show.ID+"/start", login.Token, nil, 200, nil)
	call(t, "POST", offAPI+"/shows/"+created.Show.ID+"/end", login.Token, nil, 200, nil)
	call(t, "GET", offAPI+"/shows/"+created.Show.ID+"/replay", "", nil, 404, nil)
	if err := off.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// replayClip makes a 2 s H.264 test clip (one slice per frame, a keyframe
// a second). Without ffmpeg the test is skipped, or fails when
// HAWKER_TEST_REQUIRE_MEDIA is set.
func replayClip(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		msg := "ffmpeg not installed: the replay test publishes a clip it makes (apt-get install -y ffmpeg)"
		if os.Getenv("HAWKER_TEST_REQUIRE_MEDIA") != "" {
			t.Fatal(msg + "; HAWKER_TEST_REQUIRE_MEDIA is set")
		}
		t.Skip(msg + "; set HAWKER_TEST_REQUIRE_MEDIA=1 to fail instead")
	}
	path := filepath.Join(t.TempDir(), "clip.h264")
	out, err := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=320x180:rate=30", "-t", "2",
		"-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-tune", "zerolatency",
		"-x264-params", "sliced-threads=0", "-b:v", "300k", "-g", "30", "-bf", "0",
		"-bsf:v", "h264_mp4toannexb", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return path
}

// clipPublisher publishes an H.264 clip through WHIP, looping it at 30
// frames a second.
type clipPublisher struct {
	pc     *webrtc.PeerConnection
	frames atomic.Int64
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func publishClip(t *testing.T, whipURL, key, clip string) *clipPublisher {
	t.Helper()
	api, err := benchWebRTCAPI()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	track, err := webrtc.NewTrackLocalStaticSample(benchH264, "video", "clip")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := pc.AddTrack(track)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &clipPublisher{pc: pc, cancel: cancel, done: make(chan struct{})}
	t.Cleanup(p.stop)
	nctx, ncancel := context.WithTimeout(ctx, 15*time.Second)
	defer ncancel()
	if err := negotiateWHIP(nctx, pc, whipURL, key); err != nil {
		t.Fatalf("publish: %v", err)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, _, err := sender.ReadRTCP(); err != nil {
				return
			}
		}
	}()
	go func() {
		defer close(p.done)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for {
			r, err := h264reader.NewReader(bytes.NewReader(data))
			if err != nil {
				return
			}
			var frame []byte
			for {
				nal, err := r.NextNAL()
				if err != nil {
					break
				}
				frame = append(frame, 0, 0, 0, 1)
				frame = append(frame, nal.Data...)
				if nal.UnitType != h264reader.NalUnitTypeCodedSliceIdr && nal.UnitType != h264reader.NalUnitTypeCodedSliceNonIdr {
					continue
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if err := track.WriteSample(pmedia.Sample{Data: frame, Duration: time.Second / 30}); err != nil {
					return
				}
				p.frames.Add(1)
				frame = nil
			}
		}
	}()
	return p
}

func (p *clipPublisher) stop() {
	p.once.Do(func() {
		p.cancel()
		<-p.done
		_ = p.pc.Close()
	})
}
