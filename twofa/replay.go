package twofa

import (
	"context"
	"time"
)

// MinRemaining is how much of a time step must be left for its code to be handed out: a code
// that expires while the portal's page loads is rejected.
const MinRemaining = 5 * time.Second

// Claimer records step as used for this secret and reports whether the caller got it. It must
// be atomic across processes (the store does it with one conditional UPDATE): false means the
// step, or a later one, was already used.
type Claimer func(step int64) (bool, error)

// NextCode returns a code for a time step that no earlier call claimed, waiting when needed:
// for the next step when the current one has less than MinRemaining left or was already
// used. Portals reject a code twice, so two logins in a row both succeed this way.
func NextCode(ctx context.Context, k Key, claim Claimer, now func() time.Time) (string, int64, error) {
	if err := k.check(); err != nil {
		return "", 0, err
	}
	for {
		t := now()
		step := k.Step(t)
		wait := time.Duration(0)
		if k.Remaining(t) < minRemaining(k) {
			wait = k.Remaining(t)
		} else {
			ok, err := claim(step)
			if err != nil {
				return "", 0, err
			}
			if ok {
				code, err := k.CodeAt(step)
				return code, step, err
			}
			wait = k.Remaining(t) // used already: the next step is the first free one
		}
		timer := time.NewTimer(wait + 20*time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return "", 0, ctx.Err()
		case <-timer.C:
		}
	}
}

// minRemaining is MinRemaining, or a quarter of the period for keys with very short periods.
func minRemaining(k Key) time.Duration {
	return min(MinRemaining, time.Duration(k.period())*time.Second/4)
}
