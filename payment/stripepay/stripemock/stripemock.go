// Package stripemock starts stripe-mock (Stripe's official API mock,
// `go install github.com/stripe/stripe-mock@v0.203.0`) for a test, behind
// a recording proxy.
//
// stripe-mock checks every request against Stripe's OpenAPI description —
// paths, parameter names and types — and answers with fixtures. It is
// stateless: a PaymentIntent it "creates" is not kept, its status is always
// the fixture's (requires_payment_method), and it never declines a card or
// asks for 3-D Secure. So what the tests can verify against it is the
// request side (shapes, amounts, currencies, idempotency keys, metadata)
// and how answers are read; the proxy patches or replaces answers to
// reach the other statuses and the error paths. What no mock shows —
// real declines, real 3-D Secure, the timing of real webhooks — needs a
// Stripe test-mode account.
package stripemock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"go/build"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variable: "1" makes a missing stripe-mock fail the test
// instead of skipping it (CI sets it).
const EnvRequire = "HAWKER_TEST_REQUIRE_STRIPE"

// Request is one request the proxy saw.
type Request struct {
	Method         string
	Path           string
	Form           url.Values
	IdempotencyKey string
	Authorization  string
}

// Mock is a running stripe-mock behind a recording proxy.
type Mock struct {
	// URL is the proxy's address: give it to the provider as its API URL.
	URL string

	mu     sync.Mutex // guards the following
	reqs   []Request
	answer func(r Request) (status int, body any, ok bool)
	patch  func(r Request, body map[string]any)
}

// Binary finds stripe-mock on PATH or in $(go env GOPATH)/bin; "" if
// neither has it.
func Binary() string {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "stripe-mock")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// Start runs stripe-mock for the test (stopped when it ends) and returns
// the proxy in front of it. Without stripe-mock the test is skipped, or
// fails when HAWKER_TEST_REQUIRE_STRIPE=1.
func Start(t testing.TB) *Mock {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "stripe-mock not found on PATH or in $(go env GOPATH)/bin (go install github.com/stripe/stripe-mock@v0.203.0)"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg + " but " + EnvRequire + "=1: the Stripe tests must run")
		}
		t.Skip(msg + ": skipping the Stripe tests")
	}
	// Both listeners on ephemeral loopback ports: stripe-mock's default
	// HTTPS port would clash between parallel tests.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	addr := make(chan string, 1)
	var out bytes.Buffer
	var outMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			outMu.Lock()
			out.WriteString(line + "\n")
			outMu.Unlock()
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok {
				select {
				case addr <- strings.TrimSpace(a):
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		pw.Close()
	})
	var upstream string
	select {
	case upstream = <-addr:
	case <-time.After(30 * time.Second):
		outMu.Lock()
		defer outMu.Unlock()
		t.Fatalf("stripe-mock did not say where it listens within 30s:\n%s", out.String())
	}

	m := &Mock{}
	target := "http://" + upstream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, target)
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

func (m *Mock) serve(w http.ResponseWriter, r *http.Request, target string) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	if r.Method == http.MethodGet {
		form = r.URL.Query()
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Form: form,
		IdempotencyKey: r.Header.Get("Idempotency-Key"), Authorization: r.Header.Get("Authorization")}
	m.mu.Lock()
	m.reqs = append(m.reqs, req)
	answer, patch := m.answer, m.patch
	m.mu.Unlock()

	if answer != nil {
		if status, b, ok := answer(req); ok {
			writeJSON(w, status, b)
			return
		}
	}
	up, err := http.NewRequest(r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	up.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(up)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if patch != nil && resp.StatusCode == http.StatusOK {
		var obj map[string]any
		if json.Unmarshal(got, &obj) == nil {
			patch(req, obj)
			writeJSON(w, resp.StatusCode, obj)
			return
		}
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(got)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_stripemock")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Requests returns the requests seen so far.
func (m *Mock) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.reqs...)
}

// Reset forgets the requests seen and the answer and patch set.
func (m *Mock) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs, m.answer, m.patch = nil, nil, nil
}

// Answer makes the proxy answer the requests fn accepts (ok) itself,
// instead of stripe-mock: to reach error paths stripe-mock never takes.
func (m *Mock) Answer(fn func(r Request) (status int, body any, ok bool)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answer = fn
}

// Patch lets fn change stripe-mock's successful JSON answers: to reach
// the statuses its fixtures never have (requires_capture,
// requires_action).
func (m *Mock) Patch(fn func(r Request, body map[string]any)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patch = fn
}
