package runner

import (
	"fmt"
	"strings"
	"time"
)

// Window is a portal's login window ("quiet hours" outside it): the weekdays and the time of
// day in which scheduled runs may start, in the server's time zone. A portal that may need the
// user then never asks at 3 a.m. The zero Window is "always". Runs started by hand ignore it.
type Window struct {
	Days     [7]bool // indexed by time.Weekday; none set: always
	From, To int     // minutes after midnight, From < To <= 24*60
}

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekDays are the day names in the order a week is shown (Monday first).
var WeekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// IsAlways reports whether the window leaves every hour open.
func (w Window) IsAlways() bool { return w == Window{} }

// ParseWindow reads a window's text form: "" (always), or day names or ranges and a time
// range, like "mon-fri 08:00-20:00" or "mon,wed,sat 07:30-12:00". Without a time range the
// whole day is open ("sat,sun").
func ParseWindow(s string) (Window, error) {
	fields := strings.Fields(strings.ToLower(s))
	switch len(fields) {
	case 0:
		return Window{}, nil
	case 1:
		return WindowFromParts(strings.Split(fields[0], ","), "", "")
	case 2:
		from, to, ok := strings.Cut(fields[1], "-")
		if !ok {
			return Window{}, fmt.Errorf("the login window's hours %q are not a range like 08:00-20:00", fields[1])
		}
		return WindowFromParts(strings.Split(fields[0], ","), from, to)
	}
	return Window{}, fmt.Errorf("the login window %q is not like \"mon-fri 08:00-20:00\"", s)
}

// WindowFromParts builds a window from day names (or ranges like "mon-fri") and times of day
// ("08:00"; "" for the start or the end of the day).
func WindowFromParts(days []string, from, to string) (Window, error) {
	var w Window
	for _, d := range days {
		if err := w.addDays(strings.ToLower(strings.TrimSpace(d))); err != nil {
			return Window{}, err
		}
	}
	if w.Days == [7]bool{} {
		if strings.TrimSpace(from+to) != "" {
			return Window{}, fmt.Errorf("choose the days of the login window, or clear its hours to run at any time")
		}
		return Window{}, nil
	}
	var err error
	if w.From, err = clock(from, 0); err != nil {
		return Window{}, err
	}
	if w.To, err = clock(to, 24*60); err != nil {
		return Window{}, err
	}
	if w.To == 0 {
		w.To = 24 * 60 // "to 00:00" is midnight at the end of the day, as a time input gives it
	}
	if w.From >= w.To {
		return Window{}, fmt.Errorf("the login window must end after it starts on the same day (%s is not before %s)", hhmm(w.From), hhmm(w.To))
	}
	return w, nil
}

func (w *Window) addDays(d string) error {
	if d == "" {
		return nil
	}
	first, last, isRange := strings.Cut(d, "-")
	a, b := dayIndex(first), dayIndex(last)
	if !isRange {
		b = a
	}
	if a < 0 || b < 0 {
		return fmt.Errorf("%q is not a day; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri", d)
	}
	for i := a; ; i = (i + 1) % 7 {
		w.Days[i] = true
		if i == b {
			return nil
		}
	}
}

func dayIndex(name string) int {
	for i, n := range dayNames {
		if n == name {
			return i
		}
	}
	return -1
}

// clock reads "8:00" or "08:00" (or "24:00" for the end of the day); "" gives def.
func clock(s string, def int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 || len(s) > 5 {
		return 0, fmt.Errorf("%q is not a time of day like 08:00 or 20:30", s)
	}
	return h*60 + m, nil
}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// String is the window's text form, as stored: "" for always, else "mon,tue 08:00-20:00".
func (w Window) String() string {
	if w.IsAlways() {
		return ""
	}
	days, from, to := w.Parts()
	return strings.Join(days, ",") + " " + from + "-" + to
}

// Parts returns the day names (Monday first) and the hours, as the API shows them.
func (w Window) Parts() (days []string, from, to string) {
	days = []string{}
	for _, name := range WeekDays {
		if w.Days[dayIndex(name)] {
			days = append(days, name)
		}
	}
	return days, hhmm(w.From), hhmm(w.To)
}

// Contains reports whether t (in its own time zone) is inside the window.
func (w Window) Contains(t time.Time) bool {
	if w.IsAlways() {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	return w.Days[t.Weekday()] && m >= w.From && m < w.To
}

// NextOpen is the first moment at or after t inside the window.
func (w Window) NextOpen(t time.Time) time.Time {
	if w.Contains(t) {
		return t
	}
	y, mo, d := t.Date()
	for i := 0; i <= 7; i++ {
		start := time.Date(y, mo, d+i, w.From/60, w.From%60, 0, 0, t.Location())
		if w.Days[start.Weekday()] && start.After(t) {
			return start
		}
	}
	return time.Time{} // not reached: a window that is not "always" has a day
}
