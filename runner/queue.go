package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"billhound/store"
)

// ErrStopped is the cause a run's context is cancelled with when billhound shuts down; the run
// ends as interrupted and says so.
var ErrStopped = errStopped

// slotPoll is how often a queued run looks for a free slot. Slots are counted in the database,
// so runs of the server and of `billhound run` share one limit.
const slotPoll = 250 * time.Millisecond

// Queue records a queued run of the portal (attempt 1, or a retry's number) and keeps its
// lease while it waits. It returns ErrAlreadyRunning when the portal has a queued or running
// run already.
func (r *Runner) Queue(portalID int64, trigger string, attempt int) (*store.Run, error) {
	if _, err := r.Store.Portal(portalID); err != nil {
		return nil, err
	}
	run, err := r.Store.QueueRun(portalID, trigger, attempt)
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrAlreadyRunning
	}
	if err != nil {
		return nil, err
	}
	r.hold(run.ID) // released by execute, or by Drop
	return run, nil
}

// Drop ends a queued run that will not start, as interrupted with why.
func (r *Runner) Drop(run *store.Run, why string) {
	if err := r.Store.InterruptRun(run.ID, why); err != nil {
		r.Logger.Error("cannot end a queued run", "run", run.ID, "err", err)
	}
	run.Status, run.Error = store.RunInterrupted, why
	r.release(run.ID)
}

// WaitSlot blocks until the queued run may start (fewer than MaxRuns runs are running), then
// marks it running: its time limit starts only now. onWait, if set, hears how many queued runs
// are ahead whenever that number changes. When ctx ends first the run is dropped as
// interrupted and the cause is returned.
func (r *Runner) WaitSlot(ctx context.Context, run *store.Run, onWait func(ahead int)) error {
	last := -1
	for {
		ahead, err := r.Store.BeginRun(run, r.MaxRuns)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrNoSlot) {
			if !errors.Is(err, store.ErrNotQueued) {
				r.Drop(run, fmt.Sprintf("billhound could not start this run: %v; run it again", err))
			} else {
				r.release(run.ID)
			}
			return err
		}
		if onWait != nil && ahead != last {
			onWait(ahead)
			last = ahead
		}
		select {
		case <-ctx.Done():
			cause := context.Cause(ctx)
			why := "billhound was stopped before this run started; run it again"
			if !errors.Is(cause, errStopped) {
				why = "the run was cancelled before it started"
			}
			r.Drop(run, why)
			return cause
		case <-time.After(slotPoll):
		}
	}
}

// Execute carries out a run that WaitSlot started and waits for its outcome. Shutdown
// interrupts it like a run begun with Start.
func (r *Runner) Execute(ctx context.Context, run *store.Run) *Result {
	ctx, cancel := context.WithCancelCause(ctx)
	r.track(run.ID, cancel)
	defer r.untrack(run.ID)
	return r.execute(ctx, run)
}

// DropQueued ends every queued run of this process as interrupted with why and returns how
// many there were.
func (r *Runner) DropQueued(why string) int {
	ids, err := r.Store.InterruptQueued(why)
	if err != nil {
		r.Logger.Error("cannot end the queued runs", "err", err)
	}
	for _, id := range ids {
		r.release(id)
	}
	return len(ids)
}
