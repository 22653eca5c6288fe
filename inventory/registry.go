package inventory

import (
	"sync"

	"hawker"
)

// flight is one idempotency key's decision in the making: the first
// request with the key (the leader) is decided; requests with the same key
// that arrive meanwhile wait on done and get the same decision.
type flight struct {
	key  Key
	req  *hawker.OrderRequest
	fp   string
	done chan struct{} // closed when dec or err is set
	dec  *Decision     // without Order, so cached decisions pin no orders
	err  error
	// order is the order of a fresh decision, for the leader only.
	order *hawker.Order
}

// registry holds the keys in flight in this process and the most recent
// decided ones. It makes a key's decision unique within the process (a
// second owner never decides a key another owner is deciding); the store's
// unique (buyer, key) makes it unique across processes.
type registry struct {
	max int

	mu      sync.Mutex // guards the following
	flights map[Key]*flight
	decided []Key // decided keys in flights, oldest first, for eviction
}

func newRegistry(max int) *registry {
	return &registry{max: max, flights: map[Key]*flight{}}
}

// join returns the key's flight, and whether the caller leads it (and must
// dispatch it).
func (r *registry) join(k Key, req *hawker.OrderRequest, fp string) (*flight, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.flights[k]; f != nil {
		return f, false
	}
	f := &flight{key: k, req: req, fp: fp, done: make(chan struct{})}
	r.flights[k] = f
	return f, true
}

// finish ends the flight. A decision stays for replays (until evicted); a
// refusal leaves so that the next request with the key is decided afresh.
func (r *registry) finish(f *flight, dec *Decision, err error) {
	if dec == nil && err == nil {
		err = hawker.Errorf(hawker.EINTERNAL, "no decision") // a bug; never hang the waiters
	}
	if dec != nil && dec.Order != nil {
		c := *dec
		f.order, c.Order = dec.Order, nil
		dec = &c
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	f.dec, f.err = dec, err
	close(f.done)
	if err != nil {
		if r.flights[f.key] == f {
			delete(r.flights, f.key)
		}
		return
	}
	r.decided = append(r.decided, f.key)
	for len(r.decided) > r.max {
		old := r.decided[0]
		r.decided[0] = Key{}
		r.decided = r.decided[1:]
		delete(r.flights, old)
	}
}
