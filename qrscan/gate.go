package qrscan

import "sync"

// gate holds the decodes in progress to DecodeBudget together: each takes
// its estimated cost before decoding and gives it back when done, so a burst
// of large uploads waits its turn instead of adding up.
var gate = &memGate{free: DecodeBudget}

type memGate struct {
	mu   sync.Mutex
	cond sync.Cond
	free int64
}

// acquire waits until n bytes of the budget are free and takes them; the
// returned function gives them back. n is at most DecodeBudget (inspect
// refuses more).
func (g *memGate) acquire(n int64) (release func()) {
	g.mu.Lock()
	if g.cond.L == nil {
		g.cond.L = &g.mu
	}
	for g.free < n {
		g.cond.Wait()
	}
	g.free -= n
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.free += n
		g.mu.Unlock()
		g.cond.Broadcast()
	}
}
