package server

import (
	"context"
	"net/http"
	"sync"
)

// hashGate lets at most n password hashes run at once (argon2 takes 64 MiB each), so a flood
// of sign-ins costs waiting time, not memory. Sign-ins from an address that signed in
// successfully before go first: an attacker with many fresh addresses fills the queue, but
// the admin at their usual address does not wait behind it.
type hashGate struct {
	mu    sync.Mutex
	free  int
	first []chan struct{} // waiters from known-good addresses
	rest  []chan struct{}
}

func newHashGate(n int) *hashGate { return &hashGate{free: n} }

// acquire waits for a slot until ctx ends; release must follow a nil error.
func (g *hashGate) acquire(ctx context.Context, first bool) error {
	g.mu.Lock()
	if g.free > 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if first {
		g.first = append(g.first, ch)
	} else {
		g.rest = append(g.rest, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	removed := remove(&g.first, ch) || remove(&g.rest, ch)
	g.mu.Unlock()
	if !removed { // granted while giving up: pass the slot on
		g.release()
	}
	return &apiError{Status: http.StatusServiceUnavailable, Message: "billhound is busy checking other sign-ins; try again in a few seconds"}
}

func (g *hashGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range []*[]chan struct{}{&g.first, &g.rest} {
		if len(*q) > 0 {
			close((*q)[0])
			*q = (*q)[1:]
			return
		}
	}
	g.free++
}

func remove(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}
