package hawkerhttp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"hawker"
)

// AuthCacheTTL is how long a resolved session or API key is reused
// without reading the store again. Resolving credentials was the largest
// single cost of an order request (one store read per request); during a
// flash sale the same buyers send many requests a second.
//
// Every change this process makes that could change an answer (logout,
// global roles, shop membership, a new shop, a revoked key) empties the
// cache at once, so within one process nothing is ever stale. Changes made
// by another process on the same database (a second `hawker serve`, or
// `hawker admin` from the shell) take effect here within the TTL.
const AuthCacheTTL = 2 * time.Second

// authCacheMax bounds the cache; when full it is emptied (cheap, and a
// flood of distinct tokens cannot grow memory).
const authCacheMax = 100_000

// authCache maps a token hash to what the store answered for it. Entries
// are shared by concurrent requests and must never be changed.
type authCache struct {
	ttl time.Duration
	// gen increases on every invalidation. A lookup records gen before it
	// reads the store and the entry keeps it: an entry read before an
	// invalidation that finished while the read ran is never served.
	gen atomic.Uint64

	mu sync.Mutex
	m  map[string]authEntry
}

type authEntry struct {
	auth    *auth
	gen     uint64
	expires time.Time // of the entry: fetch time + ttl
}

func newAuthCache(ttl time.Duration) *authCache {
	return &authCache{ttl: ttl, m: map[string]authEntry{}}
}

// get returns the cached auth for the hash, nil when missing or stale.
func (c *authCache) get(hash string, now time.Time) *auth {
	if c == nil {
		return nil
	}
	gen := c.gen.Load()
	c.mu.Lock()
	e, ok := c.m[hash]
	c.mu.Unlock()
	if !ok || e.gen != gen || !now.Before(e.expires) {
		return nil
	}
	// A session that expires meanwhile is refused by sessionAuth, which
	// checks every auth, cached or not.
	return e.auth
}

// generation is read before the store is.
func (c *authCache) generation() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// put keeps a by the hash, read when the cache was at gen.
func (c *authCache) put(hash string, a *auth, gen uint64, now time.Time) {
	if c == nil || gen != c.gen.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= authCacheMax {
		clear(c.m)
	}
	c.m[hash] = authEntry{auth: a, gen: gen, expires: now.Add(c.ttl)}
}

// invalidate forgets everything.
func (c *authCache) invalidate() {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// invalidatingStore is the store as the routes see it: the writes that can
// change who a credential is, or what it may do, empty the auth cache once
// they have happened (and again on failure: a write that failed may still
// have committed).
type invalidatingStore struct {
	hawker.Store
	cache *authCache
}

func (s invalidatingStore) SetUserRoles(ctx context.Context, userID string, roles []hawker.Role) error {
	defer s.cache.invalidate()
	return s.Store.SetUserRoles(ctx, userID, roles)
}

func (s invalidatingStore) DeleteSession(ctx context.Context, id string) error {
	defer s.cache.invalidate()
	return s.Store.DeleteSession(ctx, id)
}

func (s invalidatingStore) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	defer s.cache.invalidate()
	return s.Store.RevokeAPIKey(ctx, id, at)
}

func (s invalidatingStore) CreateShop(ctx context.Context, sh *hawker.Shop, owner *hawker.ShopMember) error {
	defer s.cache.invalidate()
	return s.Store.CreateShop(ctx, sh, owner)
}

func (s invalidatingStore) PutShopMember(ctx context.Context, m hawker.ShopMember) error {
	defer s.cache.invalidate()
	return s.Store.PutShopMember(ctx, m)
}

func (s invalidatingStore) DeleteShopMember(ctx context.Context, shopID, userID string) error {
	defer s.cache.invalidate()
	return s.Store.DeleteShopMember(ctx, shopID, userID)
}
