package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hawker"
)

// browserResult is what testdata/browser/run.mjs measured.
type browserResult struct {
	FirstFrameMs int64        `json:"firstFrameMs"`
	First        browserStats `json:"first"`
	Second       browserStats `json:"second"`
	Publisher    browserStats `json:"publisher"`
}

type browserStats struct {
	State            string   `json:"state"`
	VideoWidth       int      `json:"videoWidth"`
	VideoHeight      int      `json:"videoHeight"`
	CurrentTime      float64  `json:"currentTime"`
	TotalVideoFrames int      `json:"totalVideoFrames"`
	Codec            string   `json:"codec"`
	FramesDecoded    int      `json:"framesDecoded"`
	FramesEncoded    int      `json:"framesEncoded"`
	PacketsLost      int      `json:"packetsLost"`
	JitterBufferMs   *float64 `json:"jitterBufferMs"`
	RTTMs            *float64 `json:"rttMs"`
}

// mediaBrowserTools finds chromium, node and playwright-core (from
// web/node_modules), or skips — fails with HAWKER_TEST_REQUIRE_BROWSER set.
func mediaBrowserTools(t *testing.T) (chromium, node, playwright string) {
	t.Helper()
	missing := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("HAWKER_TEST_REQUIRE_BROWSER") != "" {
			t.Fatalf("HAWKER_TEST_REQUIRE_BROWSER is set but %s", msg)
		}
		t.Skipf("SKIPPED browser WHIP→WHEP test: %s (set HAWKER_TEST_REQUIRE_BROWSER=1 to make this a failure)", msg)
	}
	chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if chromium, err = exec.LookPath("chromium"); err != nil {
			missing("no chromium (apt-get install -y chromium)")
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node on PATH")
	}
	playwright, err = filepath.Abs(filepath.Join("..", "web", "node_modules", "playwright-core", "index.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(playwright); err != nil {
		missing("web/node_modules has no playwright-core (run: cd web && npm ci)")
	}
	return chromium, node, playwright
}

// TestBrowserWHIPToWHEP: headless Chromium publishes its fake camera and
// microphone through WHIP to a real media server on loopback, and a second
// page plays the show through WHEP. The viewer's <video> must show a
// picture (videoWidth > 0) and keep playing (currentTime and decoded
// frames advancing). Once with the browser's own codec choice (VP8), once
// with H.264 first, as OBS and the HLS path need. The delay figures (time
// to first frame, jitter buffer) are logged, not asserted: they depend on
// the machine.
func TestBrowserWHIPToWHEP(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, node, playwright := mediaBrowserTools(t)
	for _, tc := range []struct{ name, codec string }{
		{name: "default codec"},
		{name: "H.264", codec: "video/H264"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			res := runBrowserPair(t, chromium, node, playwright, tc.codec)
			if res.Second.VideoWidth <= 0 || res.Second.VideoHeight <= 0 {
				t.Errorf("the viewer shows no picture: %+v", res.Second)
			}
			if res.Second.CurrentTime < res.First.CurrentTime+1 {
				t.Errorf("playback does not advance: currentTime %.2f → %.2f", res.First.CurrentTime, res.Second.CurrentTime)
			}
			if res.Second.TotalVideoFrames < res.First.TotalVideoFrames+15 {
				t.Errorf("frames are not being decoded: %d → %d", res.First.TotalVideoFrames, res.Second.TotalVideoFrames)
			}
			if tc.codec != "" && !strings.EqualFold(res.Second.Codec, tc.codec) {
				t.Errorf("the viewer decodes %q, want %q", res.Second.Codec, tc.codec)
			}
			t.Logf("browser WHIP→WHEP: publisher %s %dx%d encoded %d; viewer %s %dx%d, first frame %d ms after the page opened, "+
				"%d frames decoded, %d packets lost, jitter buffer %s, RTT %s",
				res.Publisher.Codec, res.Publisher.VideoWidth, res.Publisher.VideoHeight, res.Publisher.FramesEncoded,
				res.Second.Codec, res.Second.VideoWidth, res.Second.VideoHeight, res.FirstFrameMs,
				res.Second.FramesDecoded, res.Second.PacketsLost, ms(res.Second.JitterBufferMs), ms(res.Second.RTTMs))
		})
	}
}

// runBrowserPair starts a media server and the test page beside it, runs
// testdata/browser/run.mjs against them and returns what it measured.
func runBrowserPair(t *testing.T, chromium, node, playwright, codec string) browserResult {
	t.Helper()
	const show = "shw_browser"
	live := make(chan string, 4)
	srv, err := New(Config{Logger: testLogger(t)}, Hooks{
		AuthorizePublish: func(_ context.Context, showID, key string) error {
			if key != testKey || showID != show {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "Wrong stream key.")
			}
			return nil
		},
		PublisherStarted: func(id string) { live <- id },
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/whip/", srv.WHIPHandler())
	mux.Handle("/whep/", srv.WHEPHandler())
	mux.Handle("/", http.FileServer(http.Dir(filepath.Join("testdata", "browser"))))
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "browser", "run.mjs"))
	cmd.Env = append(os.Environ(),
		"HAWKER_MEDIA_URL="+hs.URL,
		"HAWKER_MEDIA_SHOW="+show,
		"HAWKER_MEDIA_KEY="+testKey,
		"HAWKER_MEDIA_CODEC="+codec,
		"HAWKER_CHROMIUM="+chromium,
		"HAWKER_PLAYWRIGHT_CORE="+playwright,
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	var res browserResult
	var found bool
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			found = json.Unmarshal([]byte(line), &res) == nil
		}
	}
	if runErr != nil || !found {
		t.Fatalf("run.mjs: %v\n%s", runErr, out.String())
	}
	select {
	case id := <-live:
		if id != show {
			t.Errorf("PublisherStarted(%q)", id)
		}
	default:
		t.Error("the browser's media never reached the server (no PublisherStarted)")
	}
	return res
}

func ms(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f ms", *v)
}
