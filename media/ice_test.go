package media

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// linkServer is one RFC 9725 Link header of an answer.
type linkServer struct{ url, username, credential string }

var linkRE = regexp.MustCompile(`^<([^>]+)>; rel="ice-server"(?:; username="((?:[^"\\]|\\.)*)"; credential="((?:[^"\\]|\\.)*)"; credential-type="password")?$`)

func parseLinks(t *testing.T, h http.Header) []linkServer {
	t.Helper()
	var out []linkServer
	for _, l := range h.Values("Link") {
		m := linkRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("Link header %q is not an RFC 9725 ice-server link", l)
		}
		unq := strings.NewReplacer(`\"`, `"`, `\\`, `\`)
		out = append(out, linkServer{url: m[1], username: unq.Replace(m[2]), credential: unq.Replace(m[3])})
	}
	return out
}

// iceClient is a pion client that publishes (sendonly H.264 + Opus, no
// media needed) through WHIP with its own ICE settings.
func iceClient(t *testing.T, se webrtc.SettingEngine, cfg webrtc.Configuration) *webrtc.PeerConnection {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)).NewPeerConnection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	for _, mime := range []string{webrtc.MimeTypeH264, webrtc.MimeTypeOpus} {
		tr, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: mime}, strings.ToLower(mime), "pub")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatal(err)
		}
	}
	return pc
}

// selectedPair waits for pc to connect and returns its selected pair.
func selectedPair(t *testing.T, pc *webrtc.PeerConnection) *webrtc.ICECandidatePair {
	t.Helper()
	waitFor(t, 15*time.Second, "the client to connect", func() bool {
		return pc.ConnectionState() == webrtc.PeerConnectionStateConnected
	})
	pair, err := pc.GetTransceivers()[0].Sender().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("selected pair: %v, %v", pair, err)
	}
	return pair
}

// fakeSTUN answers binding requests on loopback with a fixed mapped
// address, as a STUN server on the internet would tell a host behind NAT
// its public address.
func fakeSTUN(t *testing.T, mapped net.IP) (addr string, requests *atomic.Int64) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	requests = &atomic.Int64{}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if req.Decode() != nil || req.Type != stun.BindingRequest {
				continue
			}
			requests.Add(1)
			port := from.(*net.UDPAddr).Port
			res, err := stun.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
				&stun.XORMappedAddress{IP: mapped, Port: port}, stun.Fingerprint)
			if err == nil {
				_, _ = conn.WriteTo(res.Raw, from)
			}
		}
	}()
	return conn.LocalAddr().String(), requests
}

// TestServerSTUN: with ServerSTUN the server asks the configured STUN
// server for its outside address and announces it as a server-reflexive
// candidate; without it the same configuration asks no one.
func TestServerSTUN(t *testing.T) {
	checkGoroutines(t)
	public := net.ParseIP("203.0.113.9")
	addr, requests := fakeSTUN(t, public)
	servers := []ICEServer{{URLs: []string{"stun:" + addr}}}

	ts := newTestServer(t, Config{ICE: ICEConfig{Servers: servers, ServerSTUN: true}})
	st, body, _ := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	if !regexp.MustCompile(`a=candidate:\S+ 1 udp \d+ 203\.0\.113\.9 \d+ typ srflx`).MatchString(body) {
		t.Errorf("answer has no server-reflexive candidate with the STUN-mapped address:\n%s", body)
	}
	if !strings.Contains(body, "127.0.0.1") {
		t.Errorf("host candidates are gone:\n%s", body)
	}
	asked := requests.Load()
	if asked == 0 {
		t.Fatal("the STUN server was never asked")
	}

	quiet := newTestServer(t, Config{ICE: ICEConfig{Servers: servers}})
	st, body, _ = doRequest(t, "POST", quiet.URL+"/whep/show1", ContentTypeSDP, clientOffer(t, false), nil)
	if st != http.StatusConflict { // not streaming: the server stops before ICE
		t.Fatalf("WHEP POST: %d %s", st, body)
	}
	st, body, _ = doRequest(t, "POST", quiet.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	if strings.Contains(body, "typ srflx") || requests.Load() != asked {
		t.Errorf("without ServerSTUN the server asked the STUN server (%d → %d requests):\n%s", asked, requests.Load(), body)
	}

	if _, err := New(Config{ICE: ICEConfig{ServerSTUN: true, Servers: []ICEServer{{URLs: []string{"turn:t.example:3478"}, Username: "u", Credential: "p"}}}},
		Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }}); err == nil {
		t.Error("ServerSTUN without a stun: URL accepted")
	}
}

// TestTURNRESTCredentials: minted credentials are what a TURN server
// checking the TURN REST convention expects (pion/turn's handler, an
// implementation independent of ours, derives the same key), expire TTL
// after now, and replace only missing credentials of TURN servers.
func TestTURNRESTCredentials(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := ICEConfig{
		Servers: []ICEServer{
			{URLs: []string{"stun:stun.example.net:3478"}},
			{URLs: []string{"turn:turn.example.net:3478?transport=udp", "turns:turn.example.net:5349"}},
			{URLs: []string{"turn:static.example.net:3478"}, Username: "fixed", Credential: "pw"},
		},
		TURNSecret: "s3cret",
		TURNTTL:    2 * time.Hour,
	}
	got := c.ClientServers("usr_1:x", now)
	if len(got) != 3 {
		t.Fatalf("servers: %+v", got)
	}
	if got[0].Username != "" || got[0].Credential != "" {
		t.Errorf("a STUN server got credentials: %+v", got[0])
	}
	if got[2].Username != "fixed" || got[2].Credential != "pw" {
		t.Errorf("static credentials replaced: %+v", got[2])
	}
	minted := got[1]
	wantUser := strconv.FormatInt(now.Add(2*time.Hour).Unix(), 10) + ":usr_1_x"
	if minted.Username != wantUser {
		t.Errorf("username %q, want %q", minted.Username, wantUser)
	}
	if raw, err := base64.StdEncoding.DecodeString(minted.Credential); err != nil || len(raw) != 20 {
		t.Errorf("credential %q is not a base64 HMAC-SHA1", minted.Credential)
	}
	// pion/turn's TURN REST handler rejects expired usernames by the wall
	// clock: check a credential minted now.
	user, cred := TURNRESTCredentials("s3cret", "viewer", time.Now().Add(time.Hour))
	_, key, ok := turn.LongTermTURNRESTAuthHandler("s3cret", nil)(&turn.RequestAttributes{Username: user, Realm: "hawker"})
	if !ok || string(key) != string(turn.GenerateAuthKey(user, "hawker", cred)) {
		t.Errorf("pion/turn does not accept %q / %q", user, cred)
	}
	if _, key, _ := turn.LongTermTURNRESTAuthHandler("another", nil)(&turn.RequestAttributes{Username: user, Realm: "hawker"}); string(key) == string(turn.GenerateAuthKey(user, "hawker", cred)) {
		t.Errorf("a TURN server with another secret accepts the credential")
	}
	if _, err := New(Config{ICE: ICEConfig{Servers: []ICEServer{{URLs: []string{"turn:t.example:3478"}}}}},
		Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }}); err == nil {
		t.Error("a TURN server without credentials or secret accepted")
	}
	if _, err := New(Config{ICE: ICEConfig{Servers: []ICEServer{{URLs: []string{"http://nope"}}}}},
		Hooks{AuthorizePublish: func(context.Context, string, string) error { return nil }}); err == nil {
		t.Error("a non-ICE URL accepted")
	}
}

// turnServer runs pion's TURN server on loopback, checking TURN REST
// credentials under secret.
func turnServer(t *testing.T, secret string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:       "hawker.test",
		AuthHandler: turn.LongTermTURNRESTAuthHandler(secret, nil),
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return conn.LocalAddr().String()
}

// TestTURNRelay: a client that may only use a TURN relay (a network that
// blocks direct UDP) connects with the credentials the WHIP answer's Link
// headers minted for it; the same client against a TURN server with
// another secret gets no relay at all.
func TestTURNRelay(t *testing.T) {
	checkGoroutines(t)
	addr := turnServer(t, "relay-secret")
	ts := newTestServer(t, Config{ICE: ICEConfig{
		Servers:    []ICEServer{{URLs: []string{"turn:" + addr + "?transport=udp"}}},
		TURNSecret: "relay-secret",
	}})
	// The answer's Link headers are the client's ICE servers (RFC 9725
	// 4.6): read them from a first answer.
	st, body, hdr := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	links := parseLinks(t, hdr)
	if len(links) != 1 || links[0].username == "" || !strings.HasSuffix(links[0].username, ":whip-show1") {
		t.Fatalf("Link headers: %+v", links)
	}
	if st, _, _ := doRequest(t, "DELETE", ts.URL+hdr.Get("Location"), "", "", nil); st != http.StatusOK {
		t.Fatalf("DELETE: %d", st)
	}

	relayOnly := func(cred string) webrtc.Configuration {
		return webrtc.Configuration{
			ICETransportPolicy: webrtc.ICETransportPolicyRelay,
			ICEServers:         []webrtc.ICEServer{{URLs: []string{links[0].url}, Username: links[0].username, Credential: cred}},
		}
	}
	pc := iceClient(t, webrtc.SettingEngine{}, relayOnly(links[0].credential))
	resp, body, err := negotiate(pc, ts.URL+"/whip/show1", testKey)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP: %v %v %s", err, resp, body)
	}
	if !strings.Contains(pc.LocalDescription().SDP, "typ relay") {
		t.Fatalf("the client got no relay candidate:\n%s", pc.LocalDescription().SDP)
	}
	pair := selectedPair(t, pc)
	if pair.Local.Typ != webrtc.ICECandidateTypeRelay {
		t.Errorf("selected local candidate is %s, want relay", pair.Local.Typ)
	}

	// Credentials from another secret get no allocation.
	wrong := iceClient(t, webrtc.SettingEngine{}, relayOnly(base64.StdEncoding.EncodeToString(make([]byte, 20))))
	offer, err := wrong.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(wrong)
	if err := wrong.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	if strings.Contains(wrong.LocalDescription().SDP, "typ relay") {
		t.Errorf("a wrong credential got a relay")
	}
}

// TestICETCPOnly: a client that cannot use UDP at all connects over
// ICE-TCP to the server's TCP port.
func TestICETCPOnly(t *testing.T) {
	checkGoroutines(t)
	tcp := freePort(t, "tcp")
	ts := newTestServer(t, Config{ICE: ICEConfig{TCPPort: tcp}})
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
	se.SetIncludeLoopbackCandidate(true)
	pc := iceClient(t, se, webrtc.Configuration{})
	resp, body, err := negotiate(pc, ts.URL+"/whip/show1", testKey)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP: %v %v %s", err, resp, body)
	}
	pair := selectedPair(t, pc)
	if pair.Local.Protocol != webrtc.ICEProtocolTCP || pair.Remote.Port != uint16(tcp) {
		t.Errorf("selected pair %s, want TCP to port %d", pair, tcp)
	}
}

// TestLinkHeadersMinted: with a TURN secret each answer carries
// credentials minted for its show and direction; STUN servers carry none.
func TestLinkHeadersMinted(t *testing.T) {
	checkGoroutines(t)
	ts := newTestServer(t, Config{ICE: ICEConfig{
		Servers: []ICEServer{
			{URLs: []string{"stun:stun.example.net:3478"}},
			{URLs: []string{"turns:turn.example.net:5349"}},
		},
		TURNSecret: "s3cret",
		TURNTTL:    time.Hour,
	}})
	before := time.Now()
	st, body, hdr := doRequest(t, "POST", ts.URL+"/whip/show1", ContentTypeSDP, clientOffer(t, true),
		map[string]string{"Authorization": "Bearer " + testKey})
	if st != http.StatusCreated {
		t.Fatalf("POST: %d %s", st, body)
	}
	links := parseLinks(t, hdr)
	if len(links) != 2 || links[0].url != "stun:stun.example.net:3478" || links[0].username != "" {
		t.Fatalf("links: %+v", links)
	}
	expiry, user, _ := strings.Cut(links[1].username, ":")
	exp, err := strconv.ParseInt(expiry, 10, 64)
	if err != nil || user != "whip-show1" {
		t.Fatalf("minted username %q", links[1].username)
	}
	if d := time.Unix(exp, 0).Sub(before); d < time.Hour-2*time.Second || d > time.Hour+2*time.Second {
		t.Errorf("credentials expire in %s, want 1h", d)
	}
	if _, cred := TURNRESTCredentials("s3cret", user, time.Unix(exp, 0)); cred != links[1].credential {
		t.Errorf("credential %q, want %q", links[1].credential, cred)
	}
}
