package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const benchUsage = `usage: hawker bench <program> [flags]

Self-checking load programs: the server runs in a child process (so its CPU
and memory are measured apart from the load generator), the clients run in
this one, on loopback. Each exits non-zero when an invariant or a target is
violated.

programs:
  media    publish a synthetic 1 Mbps stream through WHIP, watch it with N
           pion WHEP viewers: forwarding rate, loss, latency, SFU cost
  fanout   N WebSocket viewers of one live show's chat: delivery rate,
           latency, exactly-once delivery, memory per connection
  flashsale C clients buy out one SKU of N units through POST
           /api/v1/orders: durable orders/s, latency, 429s, CPU, no
           oversell, no lost order; --compare groupcommit with rowlock
  crash    a flash sale against a server killed with SIGKILL at random
           moments and restarted: every acknowledged order kept, nothing
           oversold, replays equal

Run "hawker bench <program> -h" for its flags.
`

// benchChildEnv marks the server process of a bench (the test binary,
// re-executed, looks for it before running tests).
const benchChildEnv = "HAWKER_BENCH_CHILD"

// Bench limits.
const (
	benchChildStartTimeout = 30 * time.Second
	benchMaxDuration       = 10 * time.Minute
	clockTicks             = 100 // USER_HZ on Linux: /proc/PID/stat times are in 1/100 s
)

// errBenchViolation is returned when a bench ran but a check failed.
var errBenchViolation = errors.New("bench: checks failed")

// runBench runs `hawker bench <program>`.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return errors.New("bench: no program given")
	}
	switch args[0] {
	case "media":
		return runBenchMedia(ctx, args[1:], stdout, stderr)
	case "fanout":
		return runBenchFanout(ctx, args[1:], stdout, stderr)
	case "flashsale":
		return runBenchFlashsale(ctx, args[1:], stdout, stderr)
	case "crash":
		return runBenchCrash(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, benchUsage)
		return nil
	}
	fmt.Fprint(stderr, benchUsage)
	return fmt.Errorf("bench: unknown program %q", args[0])
}

// runBenchServer runs the hidden `hawker bench-server <program>`: the server
// side of a bench, started by the bench itself. It prints one JSON line
// describing itself on stdout and serves until stdin closes.
func runBenchServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("bench-server: no program given")
	}
	raiseNoFile()
	// The parent closes stdin to stop us; a parent that died closes it too.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	switch args[0] {
	case "media":
		return serveBenchMedia(ctx, args[1:], stdout, stderr)
	case "fanout":
		return serveBenchFanout(ctx, args[1:], stdout, stderr)
	case "serve": // hawker serve with the bench routes (flashsale, crash)
		return serveBench(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("bench-server: unknown program %q", args[0])
}

// raiseNoFile raises the soft limit of open files to the hard limit: each
// viewer is a socket on both sides.
func raiseNoFile() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}

// benchChild is the server process of a bench.
type benchChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
}

// startBenchChild re-executes this binary as `bench-server <program> args…`
// and decodes the JSON line it prints when ready into info.
func startBenchChild(ctx context.Context, program string, args []string, stderr io.Writer, info any) (*benchChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find own binary: %w", err)
	}
	cmd := exec.Command(exe, append([]string{"bench-server", program}, args...)...)
	cmd.Env = append(os.Environ(), benchChildEnv+"=1")
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	c := &benchChild{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
		c.done <- cmd.Wait()
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			c.stop()
			return nil, errors.New("bench: the server exited before it was ready")
		}
		if err := json.Unmarshal([]byte(line), info); err != nil {
			c.stop()
			return nil, fmt.Errorf("bench: server said %q: %w", line, err)
		}
		return c, nil
	case <-time.After(benchChildStartTimeout):
	case <-ctx.Done():
	}
	c.stop()
	return nil, errors.New("bench: the server did not get ready")
}

// pid is the server's process id.
func (c *benchChild) pid() int { return c.cmd.Process.Pid }

// stop closes the server's stdin, which ends it, and waits; it is killed
// after 10 s.
func (c *benchChild) stop() {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// procUsage is a process's CPU time and resident memory.
type procUsage struct {
	at  time.Time
	cpu time.Duration // user + system
	rss int64         // bytes
}

// childUsage reads /proc/PID/stat and /proc/PID/status.
func childUsage(pid int) procUsage {
	u := procUsage{at: time.Now()}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The command name may hold spaces: fields start after the last ')'.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			// f[0] is field 3 (state); utime and stime are fields 14 and 15.
			if len(f) > 12 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				u.cpu = time.Duration(ut+st) * time.Second / clockTicks
			}
		}
	}
	u.rss = vmRSS(fmt.Sprintf("/proc/%d/status", pid))
	return u
}

// selfUsage measures this process (the load generator).
func selfUsage() procUsage {
	u := procUsage{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	u.rss = vmRSS("/proc/self/status")
	return u
}

func vmRSS(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cores is the CPU used between a and b, in cores (1.0 = one core busy).
func cores(a, b procUsage) float64 {
	wall := b.at.Sub(a.at)
	if wall <= 0 {
		return 0
	}
	return float64(b.cpu-a.cpu) / float64(wall)
}

// udpRcvbufErrors is the host's count of UDP datagrams dropped because a
// receiving socket's buffer was full (/proc/net/snmp): loss in the
// kernel, before pion or the SFU saw the packet. Other processes' sockets
// count too.
func udpRcvbufErrors() int64 {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "Udp: ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "RcvbufErrors" && i < len(f) {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				return v
			}
		}
	}
	return 0
}

// loadAverage is the first line of /proc/loadavg, for the report.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// benchHeader is the first line of every bench's output.
func benchHeader(w io.Writer, name string) {
	fmt.Fprintf(w, "# hawker bench %s: %d CPUs, GOMAXPROCS %d, load average %s, open files %d\n",
		name, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), raiseNoFile())
}

// latencyHist records latencies from many goroutines: 10 µs buckets up
// to 10 ms, 1 ms buckets up to a minute.
type latencyHist struct {
	buckets [latFine + latCoarse]atomic.Uint64
	n       atomic.Uint64
	max     atomic.Int64
}

const (
	latFine   = 1000  // × 10 µs
	latCoarse = 60000 // × 1 ms, from 10 ms
)

func (h *latencyHist) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	var i int
	if d < 10*time.Millisecond {
		i = int(d / (10 * time.Microsecond))
	} else {
		i = latFine + min(int((d-10*time.Millisecond)/time.Millisecond), latCoarse-1)
	}
	h.buckets[i].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *latencyHist) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= want {
			if i < latFine {
				return time.Duration(i+1) * 10 * time.Microsecond
			}
			return 10*time.Millisecond + time.Duration(i-latFine+1)*time.Millisecond
		}
	}
	return time.Duration(h.max.Load())
}

func (h *latencyHist) maxLatency() time.Duration { return time.Duration(h.max.Load()) }

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }

// mib formats bytes in MiB.
func mib(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) }

// parseBitrate reads "1M", "500k", "2500000".
func parseBitrate(s string) (int, error) {
	mult := 1.0
	t := strings.TrimSpace(strings.ToLower(s))
	t = strings.TrimSuffix(t, "bps")
	switch {
	case strings.HasSuffix(t, "m"):
		mult, t = 1e6, strings.TrimSuffix(t, "m")
	case strings.HasSuffix(t, "k"):
		mult, t = 1e3, strings.TrimSuffix(t, "k")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad bitrate %q (want e.g. 1M or 500k)", s)
	}
	return int(v * mult), nil
}

// parseCounts reads "100,200,300".
func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad count %q in %q", f, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// sleepCtx waits d or until ctx is done; false when ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
