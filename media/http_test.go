package media

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

const noMediaSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"

const dataOnlySDP = noMediaSDP + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n"

// clientOffer returns a pion client's offer: sending H.264 + Opus (publish)
// or receiving them (view).
func clientOffer(t testing.TB, publish bool) string {
	t.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		dir := webrtc.RTPTransceiverDirectionRecvonly
		if publish {
			dir = webrtc.RTPTransceiverDirectionSendonly
		}
		if publish {
			mime := webrtc.MimeTypeOpus
			if k == webrtc.RTPCodecTypeVideo {
				mime = webrtc.MimeTypeH264
			}
			tr, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: mime}, k.String(), "pub")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return offer.SDP
}

func TestBadRequests(t *testing.T) {
	checkGoroutines(t)
	ts := newTestServer(t, Config{MaxSDPSize: 16 << 10})
	pubOffer := clientOffer(t, true)
	viewOffer := clientOffer(t, false)
	auth := map[string]string{"Authorization": "Bearer " + testKey}

	for _, tc := range []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		hdr         map[string]string
		status      int
		code        string
	}{
		{"wrong content type", "POST", "/whip/show1", "text/plain", pubOffer, auth, 415, "unsupported_media_type"},
		{"no content type", "POST", "/whip/show1", "", pubOffer, auth, 415, "unsupported_media_type"},
		{"no key", "POST", "/whip/show1", ContentTypeSDP, pubOffer, nil, 401, "unauthenticated"},
		{"wrong key", "POST", "/whip/show1", ContentTypeSDP, pubOffer, map[string]string{"Authorization": "Bearer nope"}, 401, "unauthenticated"},
		{"basic auth", "POST", "/whip/show1", ContentTypeSDP, pubOffer, map[string]string{"Authorization": "Basic " + testKey}, 401, "unauthenticated"},
		{"ended show", "POST", "/whip/ended", ContentTypeSDP, pubOffer, auth, 409, "invalid_state"},
		{"huge SDP", "POST", "/whip/show1", ContentTypeSDP, pubOffer + strings.Repeat("a=x-pad:0123456789abcdef\r\n", 1000), auth, 413, "too_large"},
		{"malformed SDP", "POST", "/whip/show1", ContentTypeSDP, "hello, I am not SDP", auth, 400, "bad_request"},
		{"empty body", "POST", "/whip/show1", ContentTypeSDP, "", auth, 400, "bad_request"},
		{"no media", "POST", "/whip/show1", ContentTypeSDP, noMediaSDP, auth, 422, "invalid"},
		{"data channel only", "POST", "/whip/show1", ContentTypeSDP, dataOnlySDP, auth, 422, "invalid"},
		{"publish a receive-only offer", "POST", "/whip/show1", ContentTypeSDP, viewOffer, auth, 422, "invalid"},
		{"bad show id", "POST", "/whip/no!such", ContentTypeSDP, pubOffer, auth, 404, "not_found"},
		{"long show id", "POST", "/whip/" + strings.Repeat("s", 65), ContentTypeSDP, pubOffer, auth, 404, "not_found"},
		{"view without publisher", "POST", "/whep/show1", ContentTypeSDP, viewOffer, nil, 409, "invalid_state"},
		{"view a hidden show", "POST", "/whep/secret", ContentTypeSDP, viewOffer, nil, 404, "not_found"},
		{"view wrong content type", "POST", "/whep/show1", "application/json", viewOffer, nil, 415, "unsupported_media_type"},
		{"view malformed", "POST", "/whep/show1", ContentTypeSDP, "v=0\r\nbroken", nil, 400, "bad_request"},
		{"view no media", "POST", "/whep/show1", ContentTypeSDP, noMediaSDP, nil, 422, "invalid"},
		{"delete unknown publisher", "DELETE", "/whip/show1/0123456789abcdef", "", "", nil, 404, "not_found"},
		{"delete unknown viewer", "DELETE", "/whep/show1/0123456789abcdef", "", "", nil, 404, "not_found"},
		{"patch unknown", "PATCH", "/whip/show1/0123456789abcdef", ContentTypeTrickle, "a=end-of-candidates\r\n", nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body, hdr := doRequest(t, tc.method, ts.URL+tc.path, tc.contentType, tc.body, tc.hdr)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, body)
			}
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if e.Error.Code != tc.code || e.Error.Message == "" {
				t.Fatalf("error %+v, want code %q", e.Error, tc.code)
			}
			if st == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if st == 409 && tc.path == "/whep/show1" && hdr.Get("Retry-After") == "" {
				t.Error("409 without Retry-After")
			}
		})
	}
	if st, _, _ := doRequest(t, "GET", ts.URL+"/whip/show1", "", "", nil); st != http.StatusMethodNotAllowed {
		t.Errorf("GET /whip/show1: %d, want 405", st)
	}
}

// TestSessionLifecycle: a publisher session answers with a Location and
// Link headers, takes trickle candidates, refuses an ICE restart, and ends
// with DELETE (then 404). No ffmpeg needed: no media flows.
func TestSessionLifecycle(t *testing.T) {
	checkGoroutines(t)
	ts := newTestServer(t, Config{ICE: ICEConfig{Servers: []ICEServer{
		{URLs: []string{"stun:stun.example.net:3478"}},
		{URLs: []string{"turn:turn.example.net:3478?transport=udp"}, Username: "u", Credential: `p"w`},
	}}})
	st, body, hdr := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	if ct := hdr.Get("Content-Type"); ct != ContentTypeSDP {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(body, "a=candidate:") {
		t.Errorf("answer has no candidates:\n%s", body)
	}
	if !strings.Contains(body, "127.0.0.1") {
		t.Errorf("answer has no loopback candidate:\n%s", body)
	}
	loc := hdr.Get("Location")
	if !strings.HasPrefix(loc, "/whip/show1/") {
		t.Fatalf("Location %q", loc)
	}
	links := hdr.Values("Link")
	want := []string{
		`<stun:stun.example.net:3478>; rel="ice-server"`,
		`<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="u"; credential="p\"w"; credential-type="password"`,
	}
	if strings.Join(links, "\n") != strings.Join(want, "\n") {
		t.Errorf("Link headers:\n%s\nwant:\n%s", strings.Join(links, "\n"), strings.Join(want, "\n"))
	}

	frag := "a=ice-ufrag:" + ufragOf(t, ts, loc) + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n" +
		"a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n"
	if st, body, _ := doRequest(t, "PATCH", ts.URL+loc, ContentTypeTrickle, frag, nil); st != http.StatusNoContent {
		t.Errorf("PATCH: %d %s", st, body)
	}
	if st, _, _ := doRequest(t, "PATCH", ts.URL+loc, ContentTypeSDP, frag, nil); st != http.StatusUnsupportedMediaType {
		t.Errorf("PATCH wrong type: %d", st)
	}
	restart := "a=ice-ufrag:brandnew\r\na=ice-pwd:brandnewbrandnewbrandnew\r\n"
	if st, _, _ := doRequest(t, "PATCH", ts.URL+loc, ContentTypeTrickle, restart, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("PATCH ICE restart: %d, want 422", st)
	}
	if st, _, _ := doRequest(t, "PATCH", ts.URL+loc, ContentTypeTrickle, "a=candidate:garbage\r\n", nil); st != http.StatusBadRequest {
		t.Errorf("PATCH bad candidate: %d, want 400", st)
	}
	if st, _, _ := doRequest(t, "DELETE", ts.URL+loc, "", "", nil); st != http.StatusOK {
		t.Errorf("DELETE: %d", st)
	}
	if st, _, _ := doRequest(t, "DELETE", ts.URL+loc, "", "", nil); st != http.StatusNotFound {
		t.Errorf("repeated DELETE: %d, want 404", st)
	}
	// Another show's path does not reach the session.
	if st, _, _ := doRequest(t, "DELETE", ts.URL+strings.Replace(loc, "show1", "show2", 1), "", "", nil); st != http.StatusNotFound {
		t.Errorf("DELETE via another show: %d, want 404", st)
	}
}

// ufragOf returns the ICE ufrag the client offered for a session.
func ufragOf(t *testing.T, ts *testServer, loc string) string {
	t.Helper()
	id := loc[strings.LastIndex(loc, "/")+1:]
	ts.mu.Lock()
	p := ts.whip[id]
	ts.mu.Unlock()
	if p == nil {
		t.Fatalf("no session %s", id)
	}
	sd, err := p.pc.RemoteDescription().Unmarshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, md := range sd.MediaDescriptions {
		if u, ok := md.Attribute("ice-ufrag"); ok {
			return u
		}
	}
	u, _ := sd.Attribute("ice-ufrag")
	return u
}

func TestErrorHandlerHook(t *testing.T) {
	var got error
	srv, err := New(Config{
		Logger: testLogger(t),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(499)
		},
	}, Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := httptest.NewRecorder()
	srv.WHIPHandler().ServeHTTP(rec, httptest.NewRequest("POST", "/whip/show1", strings.NewReader("x")))
	if rec.Code != 499 || got == nil {
		t.Fatalf("ErrorHandler not used: %d %v", rec.Code, got)
	}
}

func TestNewRequiresAuthorizePublish(t *testing.T) {
	if _, err := New(Config{}, Hooks{}); err == nil {
		t.Fatal("New without AuthorizePublish succeeded")
	}
	if _, err := New(Config{NACKBuffer: 100}, Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }}); err == nil {
		t.Fatal("NACKBuffer 100 accepted")
	}
}

// TestUnconnectedSessionsClose: a publisher that takes its answer and never
// connects is closed after ConnectTimeout, and the show's grace period
// then ends in PublisherGone.
func TestUnconnectedSessionsClose(t *testing.T) {
	checkGoroutines(t)
	ts := newTestServer(t, Config{ConnectTimeout: 200 * time.Millisecond, GracePeriod: 100 * time.Millisecond})
	st, body, hdr := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	loc := hdr.Get("Location")
	waitFor(t, 5*time.Second, "unconnected session closed", func() bool {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		return len(ts.whip) == 0
	})
	select {
	case id := <-ts.gone:
		if id != "show1" {
			t.Fatalf("PublisherGone(%q)", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("PublisherGone not called")
	}
	if st, _, _ := doRequest(t, "DELETE", ts.URL+loc, "", "", nil); st != http.StatusNotFound {
		t.Fatalf("DELETE a closed session: %d, want 404", st)
	}
	waitFor(t, 5*time.Second, "idle show forgotten", func() bool {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		return len(ts.shows) == 0
	})
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestICEConfig: one UDP port for every peer, ICE-TCP, and a public IP
// announced in place of the host's addresses.
func TestICEConfig(t *testing.T) {
	checkGoroutines(t)
	udp, tcp := freePort(t, "udp"), freePort(t, "tcp")
	ts := newTestServer(t, Config{ICE: ICEConfig{UDPPort: udp, TCPPort: tcp}})
	for i := 0; i < 2; i++ {
		st, body, _ := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
			map[string]string{"Authorization": "Bearer " + testKey})
		if st != http.StatusCreated {
			t.Fatalf("POST: %d %s", st, body)
		}
		if !strings.Contains(body, fmt.Sprintf("127.0.0.1 %d typ host", udp)) {
			t.Errorf("answer %d has no loopback UDP candidate on port %d:\n%s", i, udp, body)
		}
		if !strings.Contains(body, fmt.Sprintf(" %d typ host tcptype passive", tcp)) {
			t.Errorf("answer %d has no passive TCP candidate on port %d:\n%s", i, tcp, body)
		}
	}

	pub := newTestServer(t, Config{ICE: ICEConfig{PublicIPs: []string{"203.0.113.7"}, NoLoopback: true}})
	st, body, _ := doRequest(t, "POST", pub.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	if !strings.Contains(body, "203.0.113.7") || strings.Contains(body, "127.0.0.1 ") {
		t.Errorf("answer does not announce only the public IP:\n%s", body)
	}
	if _, err := New(Config{ICE: ICEConfig{PublicIPs: []string{"not-an-ip"}}}, Hooks{
		AuthorizePublish: func(context.Context, string, string) error { return nil },
	}); err == nil {
		t.Error("bad public IP accepted")
	}
}
