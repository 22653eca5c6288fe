//go:build unix

package realtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"

	"hawker"
)

// A stalled reader must not hold up anyone: centrifuge queues per
// connection and drops the connection when its queue or a write stalls.
// (Unix only: the test shrinks the stalled client's socket buffer.)
func TestStalledClientDoesNotBlockOthers(t *testing.T) {
	cfg := testConfig()
	cfg.ClientQueueMaxSize = 512 << 10
	ts := startHub(t, cfg, newMemStore())
	show := ts.store.addShow(hawker.ShowLive)
	good := connect(t, ts, nil)
	events := good.subscribe(ShowChannel(show.ID), true)

	// The stalled client subscribes, then never reads again; its socket
	// buffer is tiny so the server notices soon.
	small := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	d := websocket.Dialer{NetDialContext: small.DialContext}
	ws, _, err := d.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	tok, _ := ts.hub.Token(nil, 0)
	cmds := fmt.Sprintf(`{"id":1,"connect":{"token":%q}}`+"\n"+`{"id":2,"subscribe":{"channel":%q}}`, tok, ShowChannel(show.ID))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "stalled client subscribed", func() bool { return ts.hub.node.Hub().NumSubscribers(ShowChannel(show.ID)) == 2 })

	ctx := context.Background()
	big := strings.Repeat("x", 8000)
	const n = 400 // 3.2 MB: more than the queue and the socket buffers hold
	for i := range n {
		p := &hawker.Product{ID: hawker.NewID(hawker.PrefixProduct), Title: fmt.Sprint("p", i), Description: big}
		if err := ts.hub.Pinned(ctx, show.ID, p); err != nil {
			t.Fatal(err)
		}
		if i%20 == 19 { // the good client keeps up, in steps well below its queue limit
			waitFor(t, "good client keeps up", func() bool { return len(events.types()) == i+1 })
		}
	}
	waitFor(t, "good client got everything", func() bool {
		return events.has(func(e map[string]any) bool {
			p, _ := e["product"].(map[string]any)
			return p != nil && p["title"] == fmt.Sprint("p", n-1)
		})
	})
	if got := len(events.types()); got != n {
		t.Fatalf("good client got %d events, want %d", got, n)
	}
	waitFor(t, "stalled client disconnected", func() bool { return ts.hub.node.Hub().NumClients() == 1 })
	good.mu.Lock()
	defer good.mu.Unlock()
	if len(good.disconnects) != 0 {
		t.Fatalf("the good client was disconnected: %v", good.disconnects)
	}
}
