package runner

import (
	"fmt"
	"time"

	"billhound/scripts"
	"billhound/store"
)

// Schedule limits: more often than hourly would get an account locked at most portals.
const (
	MinSchedule = time.Hour
	MaxSchedule = 31 * 24 * time.Hour
)

// ParseSchedule checks a portal's schedule: "" (only when asked) or a duration between runs.
func ParseSchedule(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("the schedule %q is not a duration like 24h or 168h", s)
	}
	if d < MinSchedule || d > MaxSchedule {
		return 0, fmt.Errorf("the schedule must be between 1 hour and 31 days, not %s", d)
	}
	return d, nil
}

// NextRun is when a portal with this schedule runs next: one interval after its last run
// started (whatever started it), or now if it never ran. Zero means never.
func NextRun(schedule string, lastStart time.Time, now time.Time) time.Time {
	every, err := ParseSchedule(schedule)
	if err != nil || every == 0 {
		return time.Time{}
	}
	if lastStart.IsZero() {
		return now
	}
	return lastStart.Add(every)
}

// NextRunWithin is NextRun held back to the portal's login window: a run that is due outside
// the window waits for it to open. Zero means never.
func NextRunWithin(schedule string, w Window, lastStart, now time.Time) time.Time {
	due := NextRun(schedule, lastStart, now)
	if due.IsZero() {
		return due
	}
	if due.Before(now) {
		due = now // overdue: it starts at the next check
	}
	return w.NextOpen(due)
}

// Due lists the portals whose schedule is due at now and whose login window (read in the
// server's time zone) is open, in the order they were added. The job queue (package jobs)
// checks it periodically and queues their runs spread out in time.
func Due(st *store.Store, now time.Time) ([]store.Portal, error) {
	return DueIn(st, now, time.Local)
}

// DueIn is Due with login windows read in loc.
func DueIn(st *store.Store, now time.Time, loc *time.Location) ([]store.Portal, error) {
	portals, err := st.Portals()
	if err != nil {
		return nil, fmt.Errorf("list portals: %w", err)
	}
	last, err := st.LastStarts()
	if err != nil {
		return nil, fmt.Errorf("read the last runs: %w", err)
	}
	var due []store.Portal
	for _, p := range portals {
		next := NextRun(p.Schedule, last[p.ID], now)
		if next.IsZero() || next.After(now) || awaits2FA(&p, last[p.ID]) {
			continue
		}
		w, err := ParseWindow(p.LoginWindow)
		if err != nil || !w.Contains(now.In(loc)) {
			continue // quiet hours (or an unreadable window): the run starts once the window opens
		}
		due = append(due, p)
	}
	return due, nil
}

// awaits2FA: a portal whose script needs a TOTP code, never run and without its secret yet, is
// still in the Connect 2FA dialog; its first run would only fail, so the schedule waits for
// the secret (the dialog's Verify now is the first check).
func awaits2FA(p *store.Portal, lastStart time.Time) bool {
	if !lastStart.IsZero() || p.HasTOTP() {
		return false
	}
	h, err := scripts.ParseHeader(p.Script)
	return err == nil && h.TwoFA == scripts.TwoFATOTP
}
