package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer the server writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type served struct {
	url    string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() error
}

var urlRe = regexp.MustCompile(`serving at (http://\S+)`)

// startServe runs `hawker serve` in-process on a free port and waits until
// /readyz answers.
func startServe(t *testing.T, env map[string]string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	errc := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		errc <- run(ctx, append([]string{"hawker", "serve", "--addr", "127.0.0.1:0"}, args...), getenv, s.stdout, s.stderr)
	}()
	var once sync.Once
	var runErr error
	s.stop = func() error {
		once.Do(func() { cancel(); runErr = <-errc })
		return runErr
	}
	t.Cleanup(func() { s.stop() })
	// Generous: with --demo the start hashes every demo account's password
	// (argon2id, 19 MiB each), which under the race detector on a busy
	// 2-core machine took 20-40 s.
	waitFor(t, 90*time.Second, "the server to print its URL", func() bool {
		select {
		case err := <-errc:
			t.Fatalf("serve exited early: %v\nstderr:\n%s", err, s.stderr)
		default:
		}
		m := urlRe.FindStringSubmatch(s.stdout.String())
		if m != nil {
			s.url = m[1]
		}
		return m != nil
	})
	waitFor(t, 10*time.Second, "/readyz", func() bool {
		resp, err := http.Get(s.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return s
}

func getJSON(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	return resp.StatusCode
}

// engines yields the store configurations to run whole-binary tests on:
// SQLite always, PostgreSQL when HAWKER_TEST_POSTGRES_URL is set.
func engines(t *testing.T) map[string]map[string]string {
	out := map[string]map[string]string{"sqlite": {"HAWKER_DATA_DIR": t.TempDir()}}
	if pg := os.Getenv("HAWKER_TEST_POSTGRES_URL"); pg != "" {
		out["postgres"] = map[string]string{"HAWKER_DATA_DIR": t.TempDir(), "HAWKER_DATABASE_URL": freshPostgresDB(t, pg)}
	} else if os.Getenv("HAWKER_TEST_REQUIRE_DB") != "" {
		t.Fatal("HAWKER_TEST_REQUIRE_DB is set but HAWKER_TEST_POSTGRES_URL is not")
	} else {
		t.Log("HAWKER_TEST_POSTGRES_URL not set: whole-binary tests run on SQLite only")
	}
	return out
}

func TestServeDemoAndCreateKeyWhileServing(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startServe(t, env, "--demo", "--auth-rate", "0")
			out := s.stdout.String()
			if !strings.Contains(out, "admin@"+demoEmailDomain) {
				t.Fatalf("demo passwords not printed on first start:\n%s", out)
			}

			var markets struct{ Items []struct{ Code string } }
			if code := getJSON(t, s.url+"/api/v1/markets", "", &markets); code != 200 || len(markets.Items) != 10 {
				t.Fatalf("GET markets = %d with %d items", code, len(markets.Items))
			}
			var shows struct{ Items []struct{ ID, State string } }
			if code := getJSON(t, s.url+"/api/v1/shows", "", &shows); code != 200 || len(shows.Items) == 0 {
				t.Fatalf("GET shows = %d with %d items; want the demo's scheduled shows", code, len(shows.Items))
			}

			// A key made by another process-like invocation on the same
			// store works at once, while serve runs.
			var keyOut, keyErr syncBuffer
			err := run(context.Background(), []string{"hawker", "admin", "create-key", "--role", "admin", "--name", "ci"},
				func(k string) string { return env[k] }, &keyOut, &keyErr)
			if err != nil {
				t.Fatalf("create-key: %v\n%s", err, keyErr.String())
			}
			lines := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
			key := lines[len(lines)-1]
			if !strings.HasPrefix(key, "hk_") {
				t.Fatalf("last line of stdout is %q, want the key", key)
			}
			if strings.Contains(keyErr.String(), key) {
				t.Fatal("the key leaked into stderr")
			}
			var me struct {
				APIKey struct{ Name, Role string } `json:"api_key"`
			}
			if code := getJSON(t, s.url+"/api/v1/me", key, &me); code != 200 || me.APIKey.Role != "admin" || me.APIKey.Name != "ci" {
				t.Fatalf("GET /me with the new key = %d %+v", code, me)
			}
			var shops struct{ Items []struct{ ID string } }
			if code := getJSON(t, s.url+"/api/v1/shops", key, &shops); code != 200 || len(shops.Items) != len(demoShops) {
				t.Fatalf("GET shops as admin = %d with %d items, want %d", code, len(shops.Items), len(demoShops))
			}
			resp, err := http.Get(s.url + "/")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(page), "<title>hawker") {
				t.Fatalf("GET / = %d, want the web UI's page", resp.StatusCode)
			}
			if code := getJSON(t, s.url+"/metrics", "", nil); code != 200 {
				t.Fatalf("GET /metrics = %d", code)
			}

			if err := s.stop(); err != nil {
				t.Fatalf("serve did not stop cleanly: %v", err)
			}
			if strings.Contains(s.stderr.String(), key) {
				t.Fatal("the key leaked into the server's log")
			}

			// A second start on the same store does not seed again.
			s2 := startServe(t, env, "--demo")
			if strings.Contains(s2.stdout.String(), "Demo accounts") {
				t.Fatal("demo seeded twice")
			}
			shops.Items = nil
			if code := getJSON(t, s2.url+"/api/v1/shops", key, &shops); code != 200 || len(shops.Items) != len(demoShops) {
				t.Fatalf("after restart GET shops = %d with %d items", code, len(shops.Items))
			}
		})
	}
}

func TestMigrateAndVersion(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			getenv := func(k string) string { return env[k] }
			var out, errOut syncBuffer
			if err := run(context.Background(), []string{"hawker", "migrate", "status"}, getenv, &out, &errOut); err != nil {
				t.Fatalf("migrate status: %v %s", err, errOut.String())
			}
			if !strings.Contains(out.String(), "pending") {
				t.Fatalf("fresh store shows no pending migration:\n%s", out.String())
			}
			out = syncBuffer{}
			if err := run(context.Background(), []string{"hawker", "migrate", "up"}, getenv, &out, &errOut); err != nil {
				t.Fatalf("migrate up: %v %s", err, errOut.String())
			}
			if strings.Contains(out.String(), "pending") {
				t.Fatalf("pending after up:\n%s", out.String())
			}
		})
	}
	var out syncBuffer
	if err := run(context.Background(), []string{"hawker", "version"}, os.Getenv, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "hawker ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

func TestBadCommandLines(t *testing.T) {
	env := map[string]string{"HAWKER_DATA_DIR": t.TempDir()}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"dance"}, "unknown command"},
		{"bad role", []string{"admin", "create-key", "--role", "king", "--name", "x"}, "--role"},
		{"no name", []string{"admin", "create-key", "--role", "admin"}, "--name"},
		{"bad database url", []string{"migrate", "--database-url", "mysql://x", "status"}, "postgres://"},
		{"bad migrate verb", []string{"migrate", "sideways"}, "up, status"},
		{"bad log format", []string{"serve", "--log-format", "xml"}, "log-format"},
		{"short realtime secret", []string{"serve", "--realtime-secret", "short"}, "--realtime-secret"},
		{"bad allowed origin", []string{"serve", "--allowed-origins", "shop.example"}, "allowed origin"},
		{"bad inventory engine", []string{"serve", "--inventory", "magic"}, "--inventory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"hawker"}, tc.args...), func(k string) string { return env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
