package runner

import (
	"fmt"
	"sync"
	"time"

	"billhound/store"
)

// leases renews the database leases of this process's runs while they work, so other
// processes can tell a slow run from one whose process died (store.ReapRuns).
type leases struct {
	mu   sync.Mutex
	ids  map[int64]bool
	stop chan struct{} // closes the renewal loop when the last run ends
}

// hold keeps run id's lease renewed until release.
func (r *Runner) hold(id int64) {
	l := &r.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[int64]bool{}
	}
	l.ids[id] = true
	if len(l.ids) == 1 {
		l.stop = make(chan struct{})
		go r.renewLeases(l.stop)
	}
}

// release stops renewing run id's lease.
func (r *Runner) release(id int64) {
	l := &r.leases
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ids[id] {
		return
	}
	delete(l.ids, id)
	if len(l.ids) == 0 {
		close(l.stop)
	}
}

func (r *Runner) renewLeases(stop <-chan struct{}) {
	t := time.NewTicker(r.Store.Lease() / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		r.leases.mu.Lock()
		ids := make([]int64, 0, len(r.leases.ids))
		for id := range r.leases.ids {
			ids = append(ids, id)
		}
		r.leases.mu.Unlock()
		if n, err := r.Store.RenewLeases(ids); err != nil {
			r.Logger.Warn("cannot renew the lease of running runs; they may be taken for dead", "runs", ids, "err", err)
		} else if n < len(ids) {
			r.Logger.Debug("some runs ended before their lease was renewed", "runs", ids, "renewed", n)
		}
	}
}

// outcomeRetries are the pauses between attempts to store a run's outcome: a full disk or a
// locked database may well recover within seconds, and the lease outlasts them all.
var outcomeRetries = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}

// storeOutcome writes a finished run's outcome, retrying a few times. When that is impossible
// it tries to mark the run interrupted with the reason; failing that too, the run's lease runs
// out once released and the next look marks it interrupted.
func (r *Runner) storeOutcome(run *store.Run) {
	err := r.Store.FinishRun(run)
	for _, wait := range outcomeRetries {
		if err == nil {
			return
		}
		r.Logger.Error("cannot store the run's outcome; trying again", "run", run.ID, "status", run.Status, "err", err)
		time.Sleep(wait)
		err = r.Store.FinishRun(run)
	}
	if err == nil {
		return
	}
	why := fmt.Sprintf("billhound could not save this run's outcome (%s): %v; free disk space if the disk is full, then run it again", run.Status, err)
	if ierr := r.Store.InterruptRun(run.ID, why); ierr != nil {
		r.Logger.Error("cannot store the run's outcome; it will show as interrupted once its lease runs out",
			"run", run.ID, "status", run.Status, "err", err)
		return
	}
	run.Status, run.Error = store.RunInterrupted, why
}
