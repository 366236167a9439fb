package twofa

import (
	"context"
	"sync"
	"testing"
	"time"
)

// ledger is an in-memory Claimer with the store's semantics: a step is claimed only if it is
// newer than the last claimed one.
type ledger struct {
	mu   sync.Mutex
	last int64
}

func (l *ledger) claim(step int64) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if step <= l.last {
		return false, nil
	}
	l.last = step
	return true, nil
}

func TestNextCodeNeverRepeatsAStep(t *testing.T) {
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 2}
	l := &ledger{}
	ctx := context.Background()
	start := time.Now()
	c1, s1, err := NextCode(ctx, k, l.claim, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c2, s2, err := NextCode(ctx, k, l.claim, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if s2 <= s1 {
		t.Fatalf("second code reused step %d (first %d)", s2, s1)
	}
	if want, _ := k.CodeAt(s2); c2 != want || c1 == "" {
		t.Fatalf("code %q is not the code of step %d", c2, s2)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Fatalf("two codes took %v; waiting should be at most about one period", el)
	}
}

func TestNextCodeSkipsAStepNearItsEnd(t *testing.T) {
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 30}
	// A clock 2 s before a step boundary: the code would expire while the portal loads.
	offset := time.Until(time.Unix((time.Now().Unix()/30+1)*30, 0)) - 2*time.Second
	clock := func() time.Time { return time.Now().Add(offset) }
	l := &ledger{}
	before := k.Step(clock())
	_, step, err := NextCode(context.Background(), k, l.claim, clock)
	if err != nil {
		t.Fatal(err)
	}
	if step != before+1 {
		t.Fatalf("got step %d, want the next one %d", step, before+1)
	}
}

func TestNextCodeStopsWithContext(t *testing.T) {
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 30}
	l := &ledger{last: 1 << 40} // every step already used: it would wait forever
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, _, err := NextCode(ctx, k, l.claim, time.Now); err != context.DeadlineExceeded {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("did not stop with its context")
	}
}
