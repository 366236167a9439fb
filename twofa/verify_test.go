package twofa

import (
	"testing"
	"time"
)

func TestMatchCode(t *testing.T) {
	k := Key{Secret: []byte("12345678901234567890"), Algorithm: "SHA1", Digits: 6, Period: 30}
	now := time.Unix(1_700_000_000, 0)
	step := k.Step(now)
	code := func(s int64) string { c, _ := k.CodeAt(s); return c }
	cases := []struct {
		name string
		code string
		step int64
		ok   bool
	}{
		{"current", code(step), step, true},
		{"with a space", code(step)[:3] + " " + code(step)[3:], step, true},
		{"previous step", code(step - 1), step - 1, true},
		{"next step", code(step + 1), step + 1, true},
		{"two steps old", code(step - 2), 0, false},
		{"too short", code(step)[:5], 0, false},
		{"letters", "12a456", 0, false},
		{"empty", "", 0, false},
	}
	for _, tc := range cases {
		got, ok := MatchCode(k, tc.code, now)
		if ok != tc.ok || got != tc.step {
			t.Errorf("%s: MatchCode(%q) = %d, %v; want %d, %v", tc.name, tc.code, got, ok, tc.step, tc.ok)
		}
	}
}
