package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"hawker/media"
)

// parseMediaFlags parses serve's media flags from args and env.
func parseMediaFlags(args []string, env map[string]string) (*mediaOptions, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o, parse := registerMediaFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return o, parse()
}

func TestICEFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    []media.ICEServer
		secret  string
		tcp     int
		stun    bool
		wantErr string
	}{
		{name: "none"},
		{name: "STUN only", args: []string{"--ice-servers", "stun:stun.example.net:3478, stun:stun2.example.net"},
			want: []media.ICEServer{{URLs: []string{"stun:stun.example.net:3478", "stun:stun2.example.net"}}}},
		{name: "static TURN", args: []string{"--ice-servers", "stun:s.example:3478,turn:t.example:3478?transport=udp,turns:t.example:5349",
			"--turn-username", "hawker", "--turn-credential", "pw"},
			want: []media.ICEServer{{URLs: []string{"stun:s.example:3478"}},
				{URLs: []string{"turn:t.example:3478?transport=udp", "turns:t.example:5349"}, Username: "hawker", Credential: "pw"}}},
		{name: "TURN secret from the environment",
			env:    map[string]string{"HAWKER_ICE_SERVERS": "turn:t.example:3478", "HAWKER_TURN_SECRET": "s3cret", "HAWKER_TCP_PORT": "8443"},
			want:   []media.ICEServer{{URLs: []string{"turn:t.example:3478"}}},
			secret: "s3cret", tcp: 8443},
		{name: "server STUN", args: []string{"--ice-servers", "stun:s.example:3478", "--server-stun", "1"},
			want: []media.ICEServer{{URLs: []string{"stun:s.example:3478"}}}, stun: true},
		{name: "not an ICE URL", args: []string{"--ice-servers", "https://stun.example.net"}, wantErr: "is not a stun:"},
		{name: "bad host", args: []string{"--ice-servers", "stun:"}, wantErr: "--ice-servers"},
		{name: "TURN without credentials", args: []string{"--ice-servers", "turn:t.example:3478"}, wantErr: "set --turn-secret"},
		{name: "both kinds of credentials", args: []string{"--ice-servers", "turn:t.example", "--turn-secret", "s", "--turn-username", "u", "--turn-credential", "c"}, wantErr: "not both"},
		{name: "username alone", args: []string{"--ice-servers", "turn:t.example", "--turn-username", "u"}, wantErr: "go together"},
		{name: "credentials without TURN", args: []string{"--ice-servers", "stun:s.example", "--turn-secret", "s"}, wantErr: "no turn:"},
		{name: "server STUN without STUN", args: []string{"--server-stun", "1"}, wantErr: "no stun: URL"},
		{name: "server STUN not a bool", args: []string{"--server-stun", "yes"}, wantErr: "--server-stun"},
		{name: "TCP port out of range", args: []string{"--tcp-port", "70000"}, wantErr: "--tcp-port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseMediaFlags(tc.args, tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ice media.ICEConfig
			if err := o.ice.apply(&ice); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ice.Servers) != fmt.Sprint(tc.want) || ice.TURNSecret != tc.secret || ice.TCPPort != tc.tcp || ice.ServerSTUN != tc.stun {
				t.Errorf("ICE config %+v", ice)
			}
		})
	}
}

// TestServeICE runs the whole binary with STUN and TURN servers, a TURN
// secret and a TCP port: the show media route hands each caller the
// servers with TURN credentials minted for it (checked against the
// secret), WHIP answers carry the same servers in Link headers, and the
// answer offers ICE over TCP on the port.
func TestServeICE(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcpPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	const secret = "turn-rest-secret"
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir(), "HAWKER_TURN_SECRET": secret}
	s := startServe(t, env, "--demo", "--auth-rate", "0",
		"--ice-servers", "stun:stun.example.net:3478,turn:turn.example.net:3478?transport=udp",
		"--tcp-port", strconv.Itoa(tcpPort))
	api := s.url + "/api/v1"
	var login struct{ Token string }
	email := "seller.us@" + demoEmailDomain
	call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
	var me struct{ User struct{ ID string } }
	call(t, "GET", api+"/me", login.Token, nil, 200, &me)
	var shops struct{ Items []struct{ ID string } }
	call(t, "GET", api+"/shops", login.Token, nil, 200, &shops)
	var shows struct{ Items []struct{ ID string } }
	call(t, "GET", api+"/shows?shop_id="+shops.Items[0].ID, login.Token, nil, 200, &shows)
	showID := shows.Items[0].ID

	type iceServer struct {
		URLs       []string `json:"urls"`
		Username   string   `json:"username"`
		Credential string   `json:"credential"`
	}
	checkTURN := func(who string, srv iceServer, user string) {
		t.Helper()
		expiry, u, ok := strings.Cut(srv.Username, ":")
		exp, err := strconv.ParseInt(expiry, 10, 64)
		if !ok || err != nil || u != user {
			t.Errorf("%s: TURN username %q, want <expiry>:%s", who, srv.Username, user)
		}
		if d := time.Until(time.Unix(exp, 0)); d < media.DefaultTURNTTL-time.Minute || d > media.DefaultTURNTTL+time.Minute {
			t.Errorf("%s: TURN credentials expire in %s", who, d)
		}
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write([]byte(srv.Username))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); srv.Credential != want {
			t.Errorf("%s: TURN credential %q, want HMAC-SHA1 of the username: %q", who, srv.Credential, want)
		}
	}
	for _, tc := range []struct {
		who, token, user string
		whip             bool
	}{
		{"anonymous", "", "anon", false},
		{"seller", login.Token, me.User.ID, true},
	} {
		var out struct {
			Media struct {
				Mode       string      `json:"mode"`
				WHEPURL    string      `json:"whep_url"`
				WHIPURL    string      `json:"whip_url"`
				ICEServers []iceServer `json:"ice_servers"`
			} `json:"media"`
		}
		call(t, "GET", api+"/shows/"+showID+"/media", tc.token, nil, 200, &out)
		m := out.Media
		if m.Mode != "embedded" || m.WHEPURL != s.url+"/whep/"+showID || (m.WHIPURL != "") != tc.whip {
			t.Errorf("%s: media %+v", tc.who, m)
		}
		if len(m.ICEServers) != 2 || fmt.Sprint(m.ICEServers[0].URLs) != "[stun:stun.example.net:3478]" || m.ICEServers[0].Username != "" ||
			fmt.Sprint(m.ICEServers[1].URLs) != "[turn:turn.example.net:3478?transport=udp]" {
			t.Fatalf("%s: ice_servers %+v", tc.who, m.ICEServers)
		}
		checkTURN(tc.who, m.ICEServers[1], tc.user)
	}

	var key struct {
		StreamKey string `json:"stream_key"`
		WHIPURL   string `json:"whip_url"`
	}
	call(t, "POST", api+"/shows/"+showID+"/stream-key", login.Token, nil, 201, &key)
	req, err := http.NewRequest("POST", key.WHIPURL, strings.NewReader(sdpOffer(t, webrtc.RTPTransceiverDirectionSendonly)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", media.ContentTypeSDP)
	req.Header.Set("Authorization", "Bearer "+key.StreamKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP: %d %s", resp.StatusCode, answer)
	}
	links := resp.Header.Values("Link")
	if len(links) != 2 || links[0] != `<stun:stun.example.net:3478>; rel="ice-server"` ||
		!strings.HasPrefix(links[1], `<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="`) {
		t.Errorf("Link headers %q", links)
	}
	if !strings.Contains(string(answer), fmt.Sprintf(" %d typ host tcptype passive", tcpPort)) {
		t.Errorf("the WHIP answer offers no ICE-TCP on port %d:\n%s", tcpPort, answer)
	}
}
