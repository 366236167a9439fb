package twofa

import (
	"crypto/subtle"
	"strings"
	"time"
)

// Skew is how many time steps either side of now a typed code may belong to. With 30-second
// steps a code is accepted for 60 seconds after the authenticator first shows it (its own step
// and the next), and the step before covers a phone whose clock runs a little ahead.
const Skew = 1

// MatchCode checks a code typed by a person against k at t, within Skew steps either side, and
// returns the step it belongs to. Spaces inside the code are ignored ("123 456"). The caller
// must still record the step as used so that the code cannot be replayed.
func MatchCode(k Key, code string, t time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if k.check() != nil || len(code) != k.Digits || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	now := k.Step(t)
	// Every step of the window is computed and compared, matched or not, so the time taken
	// does not tell which step (if any) was close.
	found, match := int64(0), false
	for step := now - Skew; step <= now+Skew; step++ {
		want, err := k.CodeAt(step)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !match {
			found, match = step, true
		}
	}
	return found, match
}
