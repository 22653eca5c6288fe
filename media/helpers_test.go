package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"

	"hawker"
)

const testKey = "sk_test_key"

// waitFor polls cond every 10 ms until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkGoroutines fails the test if goroutines started after it was called
// are still running once the test's cleanups ran (polled).
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("goroutine leak: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// testServer is a media server behind an httptest server.
type testServer struct {
	*Server
	URL  string
	gone chan string
	live chan string
}

func newTestServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	ts := &testServer{gone: make(chan string, 16), live: make(chan string, 16)}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	srv, err := New(cfg, Hooks{
		AuthorizePublish: func(ctx context.Context, showID, key string) error {
			if key != testKey {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong stream key.")
			}
			if showID == "ended" {
				return hawker.Errorf(hawker.ESTATE, "The show has ended.")
			}
			return nil
		},
		AuthorizeView: func(ctx context.Context, showID string, r *http.Request) error {
			if showID == "secret" {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			}
			return nil
		},
		PublisherStarted: func(id string) { ts.live <- id },
		PublisherGone:    func(id string) { ts.gone <- id },
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	mux := http.NewServeMux()
	mux.Handle("/whip/", srv.WHIPHandler())
	mux.Handle("/whep/", srv.WHEPHandler())
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

// clips are the test video (H.264 Annex B) and audio (Opus in Ogg).
type clips struct{ h264, low, ogg string }

var (
	clipOnce sync.Once
	clipDir  string
	clipErr  error
)

// testClips makes the clips with ffmpeg once per test binary. Without
// ffmpeg the test is skipped, or fails when HAWKER_TEST_REQUIRE_MEDIA is set.
func testClips(t *testing.T) clips {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		msg := "ffmpeg not installed: media integration tests need it (apt-get install -y ffmpeg)"
		if os.Getenv("HAWKER_TEST_REQUIRE_MEDIA") != "" {
			t.Fatal(msg + "; HAWKER_TEST_REQUIRE_MEDIA is set")
		}
		t.Skip(msg + "; set HAWKER_TEST_REQUIRE_MEDIA=1 to fail instead")
	}
	clipOnce.Do(func() {
		clipDir, clipErr = os.MkdirTemp("", "hawker-media-clips")
		if clipErr != nil {
			return
		}
		run := func(args ...string) error {
			cmd := exec.Command(ffmpeg, append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("ffmpeg %s: %v: %s", strings.Join(args, " "), err, stderr.String())
			}
			return nil
		}
		clipErr = run("-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", "4",
			"-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-tune", "zerolatency",
			"-b:v", "1M", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-bf", "0",
			"-bsf:v", "h264_mp4toannexb", filepath.Join(clipDir, "out.h264"))
		if clipErr != nil {
			return
		}
		// A low simulcast layer: smaller and cheaper.
		clipErr = run("-f", "lavfi", "-i", "testsrc=size=320x180:rate=30", "-t", "4",
			"-c:v", "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-tune", "zerolatency",
			"-b:v", "150k", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-bf", "0",
			"-bsf:v", "h264_mp4toannexb", filepath.Join(clipDir, "low.h264"))
		if clipErr != nil {
			return
		}
		clipErr = run("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4",
			"-c:a", "libopus", "-page_duration", "20000", "-b:a", "48k", filepath.Join(clipDir, "out.ogg"))
	})
	if clipErr != nil {
		t.Fatal(clipErr)
	}
	return clips{h264: filepath.Join(clipDir, "out.h264"), low: filepath.Join(clipDir, "low.h264"), ogg: filepath.Join(clipDir, "out.ogg")}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if clipDir != "" {
		_ = os.RemoveAll(clipDir)
	}
	os.Exit(code)
}

// testPublisher is a pion client publishing the clips through WHIP.
type testPublisher struct {
	pc       *webrtc.PeerConnection
	location string
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	frames   atomic.Int64
	plis     atomic.Int64 // keyframe requests received on the video sender
}

func postSDP(ctx context.Context, url, key, offer string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(offer))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", ContentTypeSDP)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// negotiate creates the offer, POSTs it and applies the answer.
func negotiate(pc *webrtc.PeerConnection, url, key string) (*http.Response, string, error) {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return nil, "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return nil, "", err
	}
	<-gathered
	resp, body, err := postSDP(context.Background(), url, key, pc.LocalDescription().SDP)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return resp, body, nil
	}
	err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body})
	return resp, body, err
}

func publish(t *testing.T, ts *testServer, show string, c clips) *testPublisher {
	t.Helper()
	return publishLayers(t, ts, show, c.ogg, layerClip{path: c.h264})
}

// layerClip is one video stream a test publisher sends; rid is set for
// simulcast layers.
type layerClip struct{ rid, path string }

func publishLayers(t *testing.T, ts *testServer, show, ogg string, layers ...layerClip) *testPublisher {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		t.Fatal(err)
	}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &testPublisher{pc: pc}
	readRTCP := func(sender *webrtc.RTPSender, rid string) {
		defer p.wg.Done()
		for {
			var pkts []rtcp.Packet
			var err error
			if rid != "" {
				pkts, _, err = sender.ReadSimulcastRTCP(rid)
			} else {
				pkts, _, err = sender.ReadRTCP()
			}
			if err != nil {
				return
			}
			for _, pkt := range pkts {
				if _, ok := pkt.(*rtcp.PictureLossIndication); ok {
					p.plis.Add(1)
				}
			}
		}
	}
	var videos []sampleWriter
	var sender *webrtc.RTPSender
	for i, l := range layers {
		var video webrtc.TrackLocal
		if l.rid == "" {
			s, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264}, "video", "pub")
			if err != nil {
				t.Fatal(err)
			}
			video = s
			videos = append(videos, s)
		} else {
			// Pion does not stamp mid and rid on simulcast packets (a
			// browser does); this track packetizes and stamps them.
			r, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264}, "video", "pub", webrtc.WithRTPStreamID(l.rid))
			if err != nil {
				t.Fatal(err)
			}
			video = r
			sw := &ridTrack{track: r, rid: l.rid,
				pk: rtp.NewPacketizer(1200, 0, 0, &codecs.H264Payloader{}, rtp.NewRandomSequencer(), 90000)}
			videos = append(videos, sw)
		}
		if i == 0 {
			if sender, err = pc.AddTrack(video); err != nil {
				t.Fatal(err)
			}
		} else if err := sender.AddEncoding(video); err != nil {
			t.Fatal(err)
		}
	}
	audio, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", "pub")
	if err != nil {
		t.Fatal(err)
	}
	audioSender, err := pc.AddTrack(audio)
	if err != nil {
		t.Fatal(err)
	}
	p.wg.Add(1 + len(layers))
	go readRTCP(audioSender, "")
	for _, l := range layers {
		go readRTCP(sender, l.rid)
	}
	resp, body, err := negotiate(pc, ts.URL+"/whip/"+show, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP POST: %d %s", resp.StatusCode, body)
	}
	p.location = resp.Header.Get("Location")
	for _, v := range videos {
		if r, ok := v.(*ridTrack); ok {
			r.setExtensions(pc, sender)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	for i, l := range layers {
		p.wg.Add(1)
		go func() { defer p.wg.Done(); p.sendVideo(ctx, t, videos[i], l.path) }()
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.sendAudio(ctx, t, audio, ogg) }()
	t.Cleanup(p.stop)
	return p
}

func (p *testPublisher) stop() {
	p.cancel()
	_ = p.pc.Close()
	p.wg.Wait()
}

// sampleWriter takes media samples: a TrackLocalStaticSample or a ridTrack.
type sampleWriter interface {
	WriteSample(pmedia.Sample) error
}

// ridTrack packetizes H.264 and stamps each packet with the mid and rid
// header extensions, as a browser's simulcast sender does.
type ridTrack struct {
	track        *webrtc.TrackLocalStaticRTP
	rid          string
	pk           rtp.Packetizer
	midID, ridID atomic.Int32
	mid          atomic.Pointer[string]
}

// setExtensions takes the negotiated extension ids and mid.
func (r *ridTrack) setExtensions(pc *webrtc.PeerConnection, s *webrtc.RTPSender) {
	for _, e := range s.GetParameters().HeaderExtensions {
		switch e.URI {
		case sdp.SDESMidURI:
			r.midID.Store(int32(e.ID))
		case sdp.SDESRTPStreamIDURI:
			r.ridID.Store(int32(e.ID))
		}
	}
	for _, tr := range pc.GetTransceivers() {
		if tr.Sender() == s {
			mid := tr.Mid()
			r.mid.Store(&mid)
		}
	}
}

func (r *ridTrack) WriteSample(s pmedia.Sample) error {
	for _, pkt := range r.pk.Packetize(s.Data, uint32(s.Duration.Seconds()*90000)) {
		if mid := r.mid.Load(); mid != nil {
			_ = pkt.Header.SetExtension(uint8(r.midID.Load()), []byte(*mid))
		}
		_ = pkt.Header.SetExtension(uint8(r.ridID.Load()), []byte(r.rid))
		if err := r.track.WriteRTP(pkt); err != nil {
			return err
		}
	}
	return nil
}

// sendVideo writes one access unit per tick (30 fps), looping the clip.
func (p *testPublisher) sendVideo(ctx context.Context, t *testing.T, tr sampleWriter, path string) {
	tick := time.NewTicker(time.Second / 30)
	defer tick.Stop()
	for {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		r, err := h264reader.NewReader(f)
		if err != nil {
			f.Close()
			t.Error(err)
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
				f.Close()
				return
			case <-tick.C:
			}
			if err := tr.WriteSample(pmedia.Sample{Data: frame, Duration: time.Second / 30}); err != nil {
				f.Close()
				return
			}
			p.frames.Add(1)
			frame = nil
		}
		f.Close()
	}
}

// sendAudio writes one 20 ms Ogg page per tick, looping the clip.
func (p *testPublisher) sendAudio(ctx context.Context, t *testing.T, tr *webrtc.TrackLocalStaticSample, path string) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		ogg, _, err := oggreader.NewWith(f)
		if err != nil {
			f.Close()
			t.Error(err)
			return
		}
		var last uint64
		for {
			page, hdr, err := ogg.ParseNextPage()
			if err != nil {
				break
			}
			n := hdr.GranulePosition - last
			last = hdr.GranulePosition
			select {
			case <-ctx.Done():
				f.Close()
				return
			case <-tick.C:
			}
			if err := tr.WriteSample(pmedia.Sample{Data: page, Duration: time.Duration(n) * time.Second / 48000}); err != nil {
				f.Close()
				return
			}
		}
		f.Close()
	}
}

// testViewer is a pion client watching through WHEP.
type testViewer struct {
	pc       *webrtc.PeerConnection
	location string
	video    atomic.Int64 // RTP packets
	frames   atomic.Int64 // video access units (RTP marker bits): ~30/s, steadier than packets
	audio    atomic.Int64
	idr      atomic.Int64 // IDR NAL units in the depacketized video
	stall    atomic.Bool  // stop reading (the stalled viewer)
	wg       sync.WaitGroup
}

func watch(t *testing.T, ts *testServer, show string) *testViewer {
	t.Helper()
	v, resp, body := tryWatch(t, ts, show)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHEP POST: %d %s", resp.StatusCode, body)
	}
	return v
}

func tryWatch(t *testing.T, ts *testServer, show string) (*testViewer, *http.Response, string) {
	t.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	v := &testViewer{pc: pc}
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		v.wg.Add(1)
		defer v.wg.Done()
		var h264 codecs.H264Packet
		for {
			if v.stall.Load() {
				// A stalled viewer stops reading; pion's buffer fills.
				return
			}
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if tr.Kind() == webrtc.RTPCodecTypeAudio {
				v.audio.Add(1)
				continue
			}
			v.video.Add(1)
			if pkt.Marker {
				v.frames.Add(1)
			}
			au, err := h264.Unmarshal(pkt.Payload)
			if err != nil {
				continue
			}
			if hasIDR(au) {
				v.idr.Add(1)
			}
		}
	})
	resp, body, err := negotiate(pc, ts.URL+"/whep/"+show, "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		_ = pc.Close()
		return nil, resp, body
	}
	v.location = resp.Header.Get("Location")
	t.Cleanup(func() {
		_ = pc.Close()
		v.wg.Wait()
	})
	return v, resp, body
}

// hasIDR reports whether Annex B data holds an IDR slice (NAL type 5).
func hasIDR(b []byte) bool {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 && b[i+3]&0x1f == 5 {
			return true
		}
	}
	return false
}

// rate counts how many packets a counter gains during d.
func rate(c *atomic.Int64, d time.Duration) float64 {
	start := c.Load()
	time.Sleep(d) // measuring a rate over a window, not waiting for a condition
	return float64(c.Load()-start) / d.Seconds()
}

func doRequest(t *testing.T, method, url, contentType, body string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var errTestSink = errors.New("test sink closed")
