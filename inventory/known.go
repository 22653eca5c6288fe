package inventory

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultKnownKeys bounds [Config.KnownKeys].
const DefaultKnownKeys = 1_000_000

// KeyLister is a [Store] that can list the keys of its stored decisions.
// With it the engine keeps a set of every key that has a record and skips
// the store lookup (FindDecisions) for the keys outside it, which are
// nearly all of them in a flash sale: each tap brings a new key.
type KeyLister interface {
	// DecisionKeys calls fn with the key and creation time of every
	// record created at or after since, oldest first, read in one
	// snapshot. An error from fn stops the listing and is returned.
	DecisionKeys(ctx context.Context, since time.Time, fn func(k Key, created time.Time) error) error
}

// knownKeys is the set of idempotency keys that have (or may have) a
// stored decision, as 64-bit hashes. It only ever says "look it up" or
// "no record can exist"; the second answer must never be wrong for a key
// this process may decide, so:
//
//   - it is not trusted until the listing from the store finished
//     (complete), and every commit of this engine adds its records' keys
//     from the moment the engine starts, so nothing committed while the
//     listing runs is missed;
//   - a hash collision or an entry kept too long only costs a lookup;
//   - entries leave in the order they came (about oldest first), after
//     RecordRetention plus a margin or when the set is full. A key that left while its record is still in
//     the store is decided afresh and its commit fails on the unique
//     (buyer, key) index with ErrStale; the owner then decides again with
//     lookups (as it does when another process decided the key). That is
//     slower, never wrong.
type knownKeys struct {
	seed maphash.Seed
	max  int

	mu       sync.Mutex // guards the following
	complete bool
	set      map[uint64]struct{}
	fifo     []knownEntry // insertion order, for eviction
	head     int          // fifo[:head] are evicted
}

type knownEntry struct {
	h  uint64
	at int64 // unix seconds
}

// knownMargin is how long past RecordRetention a key stays known: records
// are purged some time after they turn RecordRetention old.
const knownMargin = 2 * time.Hour

func newKnownKeys(max int) *knownKeys {
	return &knownKeys{seed: maphash.MakeSeed(), max: max, set: map[uint64]struct{}{}}
}

func (s *knownKeys) hash(k Key) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(k.BuyerID)
	h.WriteByte(0)
	h.WriteString(k.Key)
	return h.Sum64()
}

// unknown returns the keys that may have a record: all of them until the
// set is complete (or without a set).
func (s *knownKeys) unknown(keys []Key) []Key {
	if s == nil {
		return keys
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.complete {
		return keys
	}
	var out []Key
	for _, k := range keys {
		if _, ok := s.set[s.hash(k)]; ok {
			out = append(out, k)
		}
	}
	return out
}

// add records the keys of committed records.
func (s *knownKeys) add(recs []*Record) {
	if s == nil || len(recs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		s.put(knownEntry{h: s.hash(Key{BuyerID: r.BuyerID, Key: r.Key}), at: r.CreatedAt.Unix()})
	}
}

func (s *knownKeys) put(e knownEntry) {
	if _, ok := s.set[e.h]; ok {
		return
	}
	s.set[e.h] = struct{}{}
	s.fifo = append(s.fifo, e)
	for len(s.set) > s.max {
		s.evict()
	}
}

func (s *knownKeys) evict() {
	delete(s.set, s.fifo[s.head].h)
	s.fifo[s.head] = knownEntry{}
	s.head++
	if s.head > len(s.fifo)/2 && s.head > 1024 {
		s.fifo = append(s.fifo[:0], s.fifo[s.head:]...)
		s.head = 0
	}
}

// prune drops the entries older than RecordRetention plus the margin.
func (s *knownKeys) prune(now time.Time) {
	if s == nil {
		return
	}
	cut := now.Add(-RecordRetention - knownMargin).Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.head < len(s.fifo) && s.fifo[s.head].at < cut {
		s.evict()
	}
}

// load lists the store's keys and then trusts the set. On an error the set
// stays incomplete (every key is looked up) and the error is returned.
func (s *knownKeys) load(ctx context.Context, l KeyLister, now time.Time) error {
	const chunk = 4096
	var pending []knownEntry
	flush := func() {
		s.mu.Lock()
		for _, e := range pending {
			s.put(e)
		}
		s.mu.Unlock()
		pending = pending[:0]
	}
	err := l.DecisionKeys(ctx, now.Add(-RecordRetention-knownMargin), func(k Key, created time.Time) error {
		pending = append(pending, knownEntry{h: s.hash(k), at: created.Unix()})
		if len(pending) == chunk {
			flush()
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	flush()
	s.mu.Lock()
	s.complete = true
	s.mu.Unlock()
	return nil
}
