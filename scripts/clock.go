package scripts

import (
	"context"
	"sync"
	"time"
)

// MaxWait is how much time a run may spend waiting for a person or a message (ask, mail.code,
// sms.code, a code asked for by totp()) on top of its own time limit. The wait does not count
// against the limit: the run's deadline moves by the time waited, up to MaxWait in all, so a
// script that asks still gets its whole limit for its own work, and a script that asks in a loop
// still ends.
const MaxWait = 30 * time.Minute

// runClock is a run's context: it ends at the run's deadline (cause errRunLimit), which moves
// later while the run waits for a person (pause). Deadline() always tells the current one, so
// page calls (budget) and the sandbox child see the moved deadline too.
type runClock struct {
	context.Context
	cancel context.CancelCauseFunc
	parent context.Context

	mu       sync.Mutex
	deadline time.Time
	timer    *time.Timer
	holds    int       // pauses in progress
	heldAt   time.Time // when the first of them began
	extended time.Duration
	max      time.Duration
}

type clockKey struct{}

func newRunClock(parent context.Context, limit, max time.Duration) (*runClock, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	c := &runClock{Context: ctx, cancel: cancel, parent: parent, deadline: time.Now().Add(limit), max: max}
	c.timer = time.AfterFunc(limit, func() { cancel(errRunLimit) })
	return c, func() { c.timer.Stop(); cancel(context.Canceled) }
}

func (c *runClock) Value(key any) any {
	if key == (clockKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// Deadline is the run's current deadline (moving while paused), or the parent's if sooner.
func (c *runClock) Deadline() (time.Time, bool) {
	c.mu.Lock()
	d := c.deadline
	if c.holds > 0 {
		d = d.Add(min(time.Since(c.heldAt), c.max-c.extended))
	}
	c.mu.Unlock()
	if pd, ok := c.parent.Deadline(); ok && pd.Before(d) {
		d = pd
	}
	return d, true
}

// pause stops the run's clock until the returned function is called; the deadline then moves
// by the time paused (within what is left of MaxWait). Pauses may nest.
func (c *runClock) pause() (resume func()) {
	c.mu.Lock()
	if c.holds == 0 {
		c.heldAt = time.Now()
		c.timer.Stop()
	}
	c.holds++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.holds--
			if c.holds > 0 {
				return
			}
			add := min(time.Since(c.heldAt), c.max-c.extended)
			c.extended += add
			c.deadline = c.deadline.Add(add)
			c.timer.Reset(time.Until(c.deadline))
		})
	}
}

// waitLeft is the longest a wait that begins now can last before the run must end: the time
// left before the deadline plus what is left of MaxWait.
func (c *runClock) waitLeft() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.deadline) + c.max - c.extended
}

// PauseRunLimit stops the run's time limit while a host waits for a person or a message (see
// MaxWait); call the returned function when the wait ends. ctx is the one the host was given. A
// context that is not a run's is left alone.
func PauseRunLimit(ctx context.Context) (resume func()) {
	if c, ok := ctx.Value(clockKey{}).(*runClock); ok {
		return c.pause()
	}
	return func() {}
}

// WaitLeft is how long a wait that begins now may last at most, paused limit included; a
// context that is not a run's has no bound (its own deadline aside).
func WaitLeft(ctx context.Context) time.Duration {
	if c, ok := ctx.Value(clockKey{}).(*runClock); ok {
		return c.waitLeft()
	}
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return MaxWait
}
