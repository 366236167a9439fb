package runner

import (
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"", "", ""},
		{"mon-fri 08:00-20:00", "mon,tue,wed,thu,fri 08:00-20:00", ""},
		{"Sat,SUN", "sat,sun 00:00-24:00", ""},
		{"fri-mon 7:30-12:00", "mon,fri,sat,sun 07:30-12:00", ""},
		{"mon 20:00-08:00", "", "must end after it starts"},
		{"mon 20:00-00:00", "mon 20:00-24:00", ""},
		{"mon 08:00", "", "not a range"},
		{"mo-fr 08:00-20:00", "", `"mo-fr" is not a day`},
		{"mon 8-20", "", "not a time of day"},
		{"mon 08:00-24:01", "", "not a time of day"},
		{"mon 08:00-20:00 extra", "", "is not like"},
	}
	for _, c := range cases {
		w, err := ParseWindow(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseWindow(%q): %v, want an error with %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || w.String() != c.want {
			t.Errorf("ParseWindow(%q) = %q, %v; want %q", c.in, w.String(), err, c.want)
		}
		if again, err := ParseWindow(w.String()); err != nil || again != w {
			t.Errorf("%q does not read back: %v", w.String(), err)
		}
	}
	if _, err := WindowFromParts(nil, "08:00", "20:00"); err == nil || !strings.Contains(err.Error(), "choose the days") {
		t.Errorf("hours without days: %v", err)
	}
}

// TestWindowClock walks a controllable clock through a week of Mon-Fri 08:00-20:00.
func TestWindowClock(t *testing.T) {
	w, _ := ParseWindow("mon-fri 08:00-20:00")
	at := func(day, hour, min int) time.Time { // day 0 = Monday 2026-11-23
		return time.Date(2026, 11, 23+day, hour, min, 0, 0, time.UTC)
	}
	cases := []struct {
		now    time.Time
		inside bool
		next   time.Time
	}{
		{at(0, 7, 59), false, at(0, 8, 0)},
		{at(0, 8, 0), true, at(0, 8, 0)},
		{at(2, 19, 59), true, at(2, 19, 59)},
		{at(2, 20, 0), false, at(3, 8, 0)},
		{at(4, 21, 0), false, at(7, 8, 0)}, // Friday evening: Monday morning
		{at(5, 3, 0), false, at(7, 8, 0)},  // Saturday 3 a.m.
		{at(6, 23, 59), false, at(7, 8, 0)},
	}
	for _, c := range cases {
		if got := w.Contains(c.now); got != c.inside {
			t.Errorf("%s: inside %v, want %v", c.now.Format("Mon 15:04"), got, c.inside)
		}
		if got := w.NextOpen(c.now); !got.Equal(c.next) {
			t.Errorf("%s: opens %s, want %s", c.now.Format("Mon 15:04"), got.Format("Mon 02 15:04"), c.next.Format("Mon 02 15:04"))
		}
	}
	always := Window{}
	if !always.Contains(at(5, 3, 0)) || !always.NextOpen(at(5, 3, 0)).Equal(at(5, 3, 0)) {
		t.Error("the empty window is not always open")
	}

	// The next scheduled run respects the window: due Saturday, it waits for Monday 08:00.
	last := at(4, 10, 0) // Friday 10:00, every 24h: due Saturday 10:00
	if got := NextRunWithin("24h", w, last, at(4, 12, 0)); !got.Equal(at(7, 8, 0)) {
		t.Errorf("next run %s, want Monday 08:00", got)
	}
	if got := NextRunWithin("24h", w, at(0, 9, 0), at(0, 12, 0)); !got.Equal(at(1, 9, 0)) {
		t.Errorf("next run inside the window %s, want Tuesday 09:00", got)
	}
	// Overdue outside the window (billhound was down): when the window opens.
	if got := NextRunWithin("24h", w, at(-10, 9, 0), at(5, 3, 0)); !got.Equal(at(7, 8, 0)) {
		t.Errorf("overdue next run %s, want Monday 08:00", got)
	}
	if got := NextRunWithin("", w, last, at(4, 12, 0)); !got.IsZero() {
		t.Errorf("no schedule: %s", got)
	}
}
