package media

import (
	"sync"
	"sync/atomic"
	"time"
)

// show is one show's media: its publisher and its subscribers.
type show struct {
	srv *Server
	id  string

	// subsSnap is the subscriber list the publisher's readers range over
	// on every packet, without a lock. Replaced (copy on write) under mu.
	subsSnap  atomic.Pointer[[]*Subscription]
	forwarded atomic.Uint64
	dropped   atomic.Uint64

	mu   sync.Mutex // guards the fields below; never held while calling pion or hooks
	pub  *publisher // the current publisher, nil when none
	subs map[*Subscription]struct{}
	// pending counts subscriptions made but not attached yet (viewers
	// still connecting); the show is kept while there are any.
	pending int
	grace   *time.Timer // pending PublisherGone, nil when none
	// graceGen identifies the pending timer, so a stopped timer that fires
	// anyway does nothing.
	graceGen uint64
}

func newShow(s *Server, id string) *show {
	sh := &show{srv: s, id: id, subs: map[*Subscription]struct{}{}}
	sh.subsSnap.Store(&[]*Subscription{})
	return sh
}

// idle reports whether nothing refers to the show any more.
func (sh *show) idle() bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.pub == nil && len(sh.subs) == 0 && sh.pending == 0 && sh.grace == nil
}

func (sh *show) publisher() *publisher {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.pub
}

func (sh *show) ready() bool {
	p := sh.publisher()
	return p != nil && p.ready()
}

func (sh *show) stats() ShowStats {
	sh.mu.Lock()
	st := ShowStats{Subscribers: len(sh.subs)}
	for sub := range sh.subs {
		if sub.viewer {
			st.Viewers++
		}
	}
	p := sh.pub
	sh.mu.Unlock()
	if p != nil && p.ready() {
		st.Publishing = true
		st.Layers = len(p.videoLayers())
	}
	st.Forwarded = sh.forwarded.Load()
	st.Dropped = sh.dropped.Load()
	return st
}

// setPublisher makes p the show's publisher and returns the one it
// replaces (to be closed by the caller). A pending grace timer stops.
func (sh *show) setPublisher(p *publisher) (old *publisher) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, sh.pub = sh.pub, p
	if sh.grace != nil {
		sh.grace.Stop()
		sh.grace = nil
	}
	return old
}

// publisherLeft is called when p is closed (DELETE, ICE failure, replaced,
// server closing). If p was the current publisher, the grace period starts.
func (sh *show) publisherLeft(p *publisher, startGrace bool) {
	sh.mu.Lock()
	if sh.pub == p {
		sh.pub = nil
		if startGrace && sh.grace == nil {
			sh.graceGen++
			gen := sh.graceGen
			sh.grace = time.AfterFunc(sh.srv.cfg.GracePeriod, func() { sh.graceOver(gen) })
		}
	}
	sh.mu.Unlock()
	sh.srv.maybeForget(sh)
}

func (sh *show) graceOver(gen uint64) {
	sh.mu.Lock()
	if sh.grace == nil || sh.graceGen != gen {
		sh.mu.Unlock()
		return
	}
	sh.grace = nil
	sh.mu.Unlock()
	if f := sh.srv.hooks.PublisherGone; f != nil {
		id := sh.id
		sh.srv.emit(func() { f(id) })
	}
	sh.srv.maybeForget(sh)
}

// reserve counts a subscription that will attach later.
func (sh *show) reserve(sub *Subscription) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sub.state = subPending
	sh.pending++
}

// attach adds a subscription and points it at the current publisher's
// tracks. A subscription that already ended is not added.
func (sh *show) attach(sub *Subscription) {
	sh.mu.Lock()
	switch sub.state {
	case subDetached, subAttached:
		sh.mu.Unlock()
		return
	case subPending:
		sh.pending--
	}
	sub.state = subAttached
	sh.subs[sub] = struct{}{}
	sh.publishSubsLocked()
	p := sh.pub
	sh.mu.Unlock()
	if p != nil {
		sub.follow(p)
	}
}

func (sh *show) detach(sub *Subscription) {
	sh.mu.Lock()
	if sub.state == subPending {
		sh.pending--
	}
	sub.state = subDetached
	delete(sh.subs, sub)
	sh.publishSubsLocked()
	sh.mu.Unlock()
	sh.srv.maybeForget(sh)
}

func (sh *show) publishSubsLocked() {
	list := make([]*Subscription, 0, len(sh.subs))
	for sub := range sh.subs {
		list = append(list, sub)
	}
	sh.subsSnap.Store(&list)
}

// subscribers returns the current subscriptions.
func (sh *show) subscribers() []*Subscription {
	return *sh.subsSnap.Load()
}

// closeShow closes the publisher and every subscription of the show.
func (s *Server) closeShow(sh *show) {
	sh.mu.Lock()
	p := sh.pub
	if sh.grace != nil {
		sh.grace.Stop()
		sh.grace = nil
	}
	subs := make([]*Subscription, 0, len(sh.subs))
	for sub := range sh.subs {
		subs = append(subs, sub)
	}
	sh.mu.Unlock()
	if p != nil {
		p.close(false)
	}
	for _, sub := range subs {
		sub.Close()
	}
	s.maybeForget(sh)
}
