package runner

import (
	"errors"
	"fmt"
	"time"
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

// Scheduler starts the runs portals' schedules ask for. One runs in the server process; the
// database's one-running-run-per-portal rule keeps a CLI run and a scheduled one apart.
type Scheduler struct {
	Runner *Runner
	Tick   time.Duration // how often schedules are checked; default 1 minute
	// Location is the time zone of login windows; nil is the server's (time.Local).
	Location *time.Location

	stop chan struct{}
	done chan struct{}
}

func (s *Scheduler) location() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.Local
}

// Start begins checking schedules in the background.
func (s *Scheduler) Start() {
	if s.Tick <= 0 {
		s.Tick = time.Minute
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.loop()
}

// Stop ends the loop and waits for it; runs already started are the Runner's to stop.
func (s *Scheduler) Stop() {
	if s.stop == nil {
		return
	}
	close(s.stop)
	<-s.done
}

func (s *Scheduler) loop() {
	defer close(s.done)
	t := time.NewTimer(0) // check once right away: runs missed while billhound was down are due
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.CheckNow(time.Now())
			t.Reset(s.Tick)
		}
	}
}

// CheckNow starts a run for every portal whose schedule is due at now, and returns how many
// it started.
func (s *Scheduler) CheckNow(now time.Time) int {
	r := s.Runner
	portals, err := r.Store.Portals()
	if err != nil {
		r.Logger.Error("scheduler: cannot list portals", "err", err)
		return 0
	}
	last, err := r.Store.LastStarts()
	if err != nil {
		r.Logger.Error("scheduler: cannot read the last runs", "err", err)
		return 0
	}
	started := 0
	for _, p := range portals {
		next := NextRun(p.Schedule, last[p.ID], now)
		if next.IsZero() || next.After(now) {
			continue
		}
		w, err := ParseWindow(p.LoginWindow)
		if err != nil {
			r.Logger.Error("scheduler: the portal's login window is unreadable; it runs only when asked", "portal", p.ID, "err", err)
			continue
		}
		if !w.Contains(now.In(s.location())) {
			continue // quiet hours: the run starts once the window opens
		}
		if _, err := r.Start(p.ID, "schedule"); err != nil {
			if !errors.Is(err, ErrAlreadyRunning) {
				r.Logger.Error("scheduler: cannot start a run", "portal", p.ID, "err", err)
			}
			continue
		}
		r.Logger.Info("scheduled run started", "portal", p.ID, "name", p.Name)
		started++
	}
	return started
}
