package auth

import (
	"sync"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// principalTTL bounds how long a resolved principal is reused. Within
// this process any change to accounts, grants, roles, sessions or tenant
// settings invalidates it at once (rbac.Epoch); another process's change
// shows within the TTL.
const principalTTL = 5 * time.Second

// principalCache keeps recently resolved principals by credential, so an
// authenticated request costs no database round trip for the caller.
type principalCache struct {
	mu sync.Mutex
	m  map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p        *rbac.Principal
	tenant   ids.ID
	epoch    uint64
	loaded   time.Time
	validTil time.Time // the credential's own expiry (idle or absolute)
	touchAt  time.Time // when the session's last-seen time is due a write
}

func newPrincipalCache() *principalCache {
	return &principalCache{m: map[string]cachedPrincipal{}}
}

func (c *principalCache) get(key string, now time.Time) (*rbac.Principal, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || now.Sub(e.loaded) >= principalTTL || !now.Before(e.validTil) || !now.Before(e.touchAt) ||
		rbac.Epoch(e.tenant) != e.epoch {
		return nil, false
	}
	return e.p, true
}

// put stores p unless the epoch moved while it was being resolved.
func (c *principalCache) put(key string, e cachedPrincipal) {
	if rbac.Epoch(e.tenant) != e.epoch {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 { // bounded: drop everything rather than track LRU
		c.m = map[string]cachedPrincipal{}
	}
	c.m[key] = e
}
