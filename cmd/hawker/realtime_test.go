package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"

	"hawker/realtime"
)

// call sends a JSON request and decodes a JSON answer, failing the test
// unless the status is want.
func call(t *testing.T, method, url, token string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, data, err)
		}
	}
}

// demoPassword finds a demo account's password in serve's first-start
// output.
func demoPassword(t *testing.T, out, email string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(email) + `\s+(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password for %s in:\n%s", email, out)
	}
	return m[1]
}

// events records what a subscription receives.
type events struct {
	mu   sync.Mutex
	list []map[string]any
}

func (e *events) add(p centrifugego.PublicationEvent) {
	var ev map[string]any
	if err := json.Unmarshal(p.Data, &ev); err != nil {
		ev = map[string]any{"type": "bad json", "raw": string(p.Data)}
	}
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

// stateful returns the events other than viewer counts.
func (e *events) stateful() []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []map[string]any
	for _, ev := range e.list {
		if ev["type"] != "viewers" {
			out = append(out, ev)
		}
	}
	return out
}

// TestServeRealtime runs the whole binary: a real centrifuge-go client
// subscribes to a demo show with a token from the API, the demo seller
// starts the show and pins a product through the API, and the client
// receives both events, in order. With HAWKER_TEST_REDIS_URL set the
// PostgreSQL run uses the Redis broker.
func TestServeRealtime(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			if r := os.Getenv("HAWKER_TEST_REDIS_URL"); r != "" && name == "postgres" {
				env["HAWKER_REDIS_URL"] = r
			}
			s := startServe(t, env, "--demo", "--auth-rate", "0")
			api := s.url + "/api/v1"
			wantBroker := "broker=memory"
			if env["HAWKER_REDIS_URL"] != "" {
				wantBroker = "broker=redis"
			}
			if !strings.Contains(s.stderr.String(), wantBroker) {
				t.Errorf("log does not say %s:\n%s", wantBroker, s.stderr)
			}
			if want := "write_delay=" + defaultRealtimeWriteDelay.String(); !strings.Contains(s.stderr.String(), want) {
				t.Errorf("log does not say %s:\n%s", want, s.stderr)
			}

			// The token secret is made once and kept private.
			keyFile := filepath.Join(env["HAWKER_DATA_DIR"], realtimeKeyFile)
			st, err := os.Stat(keyFile)
			if err != nil {
				t.Fatalf("realtime key: %v", err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", keyFile, st.Mode().Perm())
			}
			key, _ := os.ReadFile(keyFile)

			var login struct{ Token string }
			email := "seller.us@" + demoEmailDomain
			call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
			seller := login.Token

			var shops struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shops", seller, nil, 200, &shops)
			if len(shops.Items) != 1 {
				t.Fatalf("the demo seller has %d shops", len(shops.Items))
			}
			shopID := shops.Items[0].ID
			var shows struct {
				Items []struct {
					ID     string
					ShopID string `json:"shop_id"`
				}
			}
			call(t, "GET", api+"/shows?shop_id="+shopID, seller, nil, 200, &shows)
			if len(shows.Items) == 0 {
				t.Fatal("the demo shop has no show")
			}
			showID := shows.Items[0].ID
			var products struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shops/"+shopID+"/products", "", nil, 200, &products)
			productID := products.Items[0].ID

			// A viewer without an account subscribes with an anonymous token.
			var tok struct {
				Token     string
				ExpiresAt time.Time `json:"expires_at"`
			}
			call(t, "GET", api+"/realtime/token", "", nil, 200, &tok)
			if time.Until(tok.ExpiresAt) < 10*time.Minute {
				t.Errorf("token expires at %v, in under 10 minutes", tok.ExpiresAt)
			}
			client := centrifugego.NewJsonClient("ws"+strings.TrimPrefix(s.url, "http")+websocketPath, centrifugego.Config{Token: tok.Token})
			t.Cleanup(client.Close)
			sub, err := client.NewSubscription("show:" + showID)
			if err != nil {
				t.Fatal(err)
			}
			var got events
			var subscribed sync.Once
			ready := make(chan struct{})
			sub.OnPublication(got.add)
			sub.OnSubscribed(func(centrifugego.SubscribedEvent) { subscribed.Do(func() { close(ready) }) })
			if err := client.Connect(); err != nil {
				t.Fatal(err)
			}
			if err := sub.Subscribe(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ready:
			case <-time.After(10 * time.Second):
				t.Fatal("not subscribed within 10 s")
			}

			call(t, "PUT", api+"/shows/"+showID+"/products", seller, map[string]any{"product_ids": []string{productID}}, 200, nil)
			call(t, "POST", api+"/shows/"+showID+"/start", seller, nil, 200, nil)
			call(t, "POST", api+"/shows/"+showID+"/pin", seller, map[string]any{"product_id": productID}, 200, nil)

			waitFor(t, 10*time.Second, "the state and pinned events", func() bool { return len(got.stateful()) >= 2 })
			evs := got.stateful()
			if evs[0]["type"] != "state" || evs[0]["state"] != "live" {
				t.Errorf("first event = %v, want state live", evs[0])
			}
			if evs[1]["type"] != "pinned" {
				t.Fatalf("second event = %v, want pinned", evs[1])
			}
			if p, _ := evs[1]["product"].(map[string]any); p == nil || p["id"] != productID {
				t.Errorf("pinned event carries %v, want product %s", evs[1]["product"], productID)
			}

			// The show's state is the truth for viewers who come later.
			waitFor(t, 10*time.Second, "the viewer to be counted", func() bool {
				var show struct {
					Show struct {
						State           string
						PinnedProductID string `json:"pinned_product_id"`
						ViewerCount     int    `json:"viewer_count"`
					}
				}
				call(t, "GET", api+"/shows/"+showID, "", nil, 200, &show)
				if show.Show.State != "live" || show.Show.PinnedProductID != productID {
					t.Fatalf("GET show after start and pin: %+v", show.Show)
				}
				return show.Show.ViewerCount >= 1
			})

			// A mute outlives a restart: the store keeps it and the hub
			// of the next process loads it.
			buyerEmail, modEmail := "buyer@"+demoEmailDomain, "moderator@"+demoEmailDomain
			call(t, "POST", api+"/auth/login", "", map[string]any{"email": buyerEmail, "password": demoPassword(t, s.stdout.String(), buyerEmail)}, 200, &login)
			buyer := login.Token
			call(t, "POST", api+"/auth/login", "", map[string]any{"email": modEmail, "password": demoPassword(t, s.stdout.String(), modEmail)}, 200, &login)
			moderator := login.Token
			var me struct{ User struct{ ID string } }
			call(t, "GET", api+"/me", buyer, nil, 200, &me)
			call(t, "POST", api+"/shows/"+showID+"/mutes/"+me.User.ID, moderator, nil, 204, nil)

			client.Close()
			if err := s.stop(); err != nil {
				t.Fatalf("serve did not stop cleanly: %v", err)
			}
			if len(key) > 0 && strings.Contains(s.stderr.String(), strings.TrimSpace(string(key))) {
				t.Fatal("the realtime key leaked into the log")
			}

			s2 := startServe(t, env, "--auth-rate", "0")
			chat := func(token string) error {
				t.Helper()
				var tok struct{ Token string }
				call(t, "GET", s2.url+"/api/v1/realtime/token", token, nil, 200, &tok)
				c := centrifugego.NewJsonClient("ws"+strings.TrimPrefix(s2.url, "http")+websocketPath, centrifugego.Config{Token: tok.Token})
				defer c.Close()
				if err := c.Connect(); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err := c.RPC(ctx, "chat.send", []byte(`{"show_id":"`+showID+`","text":"hello"}`))
				return err
			}
			var e *centrifugego.Error
			if err := chat(buyer); !errors.As(err, &e) || e.Message != "muted" {
				t.Errorf("muted buyer's chat.send after a restart: %v, want muted", err)
			}
			if err := chat(moderator); err != nil {
				t.Errorf("moderator's chat.send: %v", err)
			}
			var mod struct {
				Muted []string
				Audit struct {
					Items []struct{ Action, UserID string }
				}
			}
			call(t, "GET", s2.url+"/api/v1/shows/"+showID+"/moderation", moderator, nil, 200, &mod)
			if len(mod.Muted) != 1 || mod.Muted[0] != me.User.ID || len(mod.Audit.Items) != 1 || mod.Audit.Items[0].Action != "mute" {
				t.Errorf("moderation after restart: %+v", mod)
			}
		})
	}
}

// TestRealtimeWriteDelayFlag: --realtime-write-delay takes a duration from
// 0 to 1s, from the flag or HAWKER_REALTIME_WRITE_DELAY (the flag wins),
// defaulting to defaultRealtimeWriteDelay; serve refuses anything else
// before it opens the store.
func TestRealtimeWriteDelayFlag(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		args      []string
		want      time.Duration
		bad       bool
	}{
		{name: "default", want: defaultRealtimeWriteDelay},
		{name: "flag", args: []string{"--realtime-write-delay", "50ms"}, want: 50 * time.Millisecond},
		{name: "off", args: []string{"--realtime-write-delay", "0"}, want: 0},
		{name: "env", env: "100ms", want: 100 * time.Millisecond},
		{name: "flag wins", env: "100ms", args: []string{"--realtime-write-delay=10ms"}, want: 10 * time.Millisecond},
		{name: "negative", args: []string{"--realtime-write-delay", "-1ms"}, bad: true},
		{name: "too long", args: []string{"--realtime-write-delay", "2s"}, bad: true},
		{name: "no unit", args: []string{"--realtime-write-delay", "25"}, bad: true},
		{name: "bad env", env: "soon", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "HAWKER_REALTIME_WRITE_DELAY" {
					return tc.env
				}
				return ""
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			o, parse := registerRealtimeFlags(fs, getenv)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := parse()
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "--realtime-write-delay") {
					t.Fatalf("parse = %v, want an error naming the flag", err)
				}
				// serve says so before it touches the data dir.
				dir := filepath.Join(t.TempDir(), "data")
				err := runServe(t.Context(), append([]string{"--data", dir}, tc.args...), getenv, io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "--realtime-write-delay") {
					t.Errorf("serve = %v, want the flag's error", err)
				}
				if _, statErr := os.Stat(dir); statErr == nil {
					t.Errorf("serve made the data dir before refusing the flag")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cfg realtime.Config
			o.apply(&cfg)
			if cfg.WriteDelay != tc.want {
				t.Errorf("WriteDelay = %v, want %v", cfg.WriteDelay, tc.want)
			}
		})
	}
}
