package auth

import (
	"sync"
	"time"
)

// Per-address throttle of failed sign-ins. Account lockout stops guessing
// one account's password; this stops one address from trying a common
// password across many accounts (password spraying). Only failures count,
// so a whole office signing in through one NAT address at 9:00 is not
// slowed down.
const (
	throttleWindow   = 10 * time.Minute
	throttleFailures = 30
)

type throttle struct {
	mu sync.Mutex
	m  map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

func newThrottle() *throttle { return &throttle{m: map[string]*window{}} }

// blocked reports whether addr has failed too often in the current window.
func (t *throttle) blocked(addr string, now time.Time) (bool, time.Time) {
	if addr == "" {
		return false, time.Time{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.m[addr]
	if w == nil || now.Sub(w.start) >= throttleWindow {
		return false, time.Time{}
	}
	return w.failures >= throttleFailures, w.start.Add(throttleWindow)
}

// fail counts a failure from addr.
func (t *throttle) fail(addr string, now time.Time) {
	if addr == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 100000 { // a flood of addresses: start over rather than grow
		t.m = map[string]*window{}
	}
	w := t.m[addr]
	if w == nil || now.Sub(w.start) >= throttleWindow {
		w = &window{start: now}
		t.m[addr] = w
	}
	w.failures++
}
