package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"billhound/runner"
	"billhound/store"
)

const (
	queueRuns     = "runs"
	queueSchedule = "schedule"
)

// uniqueStates: a portal's run job blocks another one until it has ended (completed, cancelled
// or discarded jobs do not).
var uniqueStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// RunArgs is a queued run of one portal. Attempt 1 carries out the queued run RunID (made when
// it was asked for, so the UI shows it as queued); a retry makes a new run of its own.
type RunArgs struct {
	PortalID int64  `json:"portal_id" river:"unique"`
	RunID    int64  `json:"run_id"`
	Trigger  string `json:"trigger"`
}

func (RunArgs) Kind() string { return "billhound_run" }

func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueRuns, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	q *Queue
}

// Work carries out one attempt. It returns an error only to have River retry it: a failure of
// a kind that goes away by itself (runner.Retryable) while attempts are left.
func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	q, a := w.q, job.Args
	run, err := w.runFor(job)
	if err != nil || run == nil {
		return err
	}
	// A stopping queue cancels ctx: the run then ends as "billhound was stopped".
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() { cancel(runner.ErrStopped) })
	defer stop()
	if err := q.runner.WaitSlot(rctx, run, nil); err != nil {
		return nil // ended as interrupted, or no longer queued
	}
	res := q.runner.Execute(rctx, run)
	kind := runner.FailureKind(res.Run)
	if res.Run.Status != store.RunFailed || !runner.Retryable(kind) || job.Attempt >= job.MaxAttempts {
		return nil
	}
	at := time.Now().Add(q.backoff(job.Attempt))
	if err := q.store.SetRetryAt(run.ID, &at); err != nil {
		q.log.Warn("cannot record when the run is retried", "run", run.ID, "err", err)
	}
	q.log.Info("run failed; retrying later", "run", run.ID, "portal", a.PortalID, "kind", kind, "at", at.Format(time.RFC3339))
	return fmt.Errorf("run %d failed (%s); retry %d of %d at %s", run.ID, kind, job.Attempt, job.MaxAttempts-1, at.Format(time.RFC3339))
}

// runFor finds the run an attempt carries out: the queued one for attempt 1, a new one for a
// retry. nil with no error means there is nothing to do (the run ended while it waited, the
// portal is gone, or another run of the portal is on).
func (w *runWorker) runFor(job *river.Job[RunArgs]) (*store.Run, error) {
	q, a := w.q, job.Args
	if job.Attempt <= 1 && a.RunID != 0 {
		run, err := q.store.Run(a.RunID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && run.Status != store.RunQueued) {
			q.log.Info("queued run no longer waits; nothing to do", "run", a.RunID)
			return nil, nil
		}
		return run, err
	}
	run, err := q.runner.Queue(a.PortalID, "retry", job.Attempt)
	if errors.Is(err, runner.ErrAlreadyRunning) || errors.Is(err, store.ErrNotFound) {
		q.log.Info("retry not needed", "portal", a.PortalID, "reason", err)
		return nil, nil
	}
	return run, err
}

// backoff is the pause after failed attempt n (1-based).
func (q *Queue) backoff(n int) time.Duration {
	b := q.opt.Backoff
	return b[min(max(n-1, 0), len(b)-1)]
}

// backoffPolicy is River's retry policy from Options.Backoff.
type backoffPolicy []time.Duration

func (p backoffPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p[min(max(job.Attempt-1, 0), len(p)-1)])
}

// ScheduleArgs is the periodic check of portals' schedules.
type ScheduleArgs struct{}

func (ScheduleArgs) Kind() string { return "billhound_schedule_check" }

func (q *Queue) periodicCheck() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(q.opt.Tick),
		func() (river.JobArgs, *river.InsertOpts) {
			return ScheduleArgs{}, &river.InsertOpts{Queue: queueSchedule, MaxAttempts: 1,
				UniqueOpts: river.UniqueOpts{ByState: uniqueStates}}
		},
		// Runs missed while billhound was down are due at once.
		&river.PeriodicJobOpts{ID: "schedule-check", RunOnStart: true})
}

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	q *Queue
}

// Work queues a run for every due portal, Spread apart, so that a check that finds many due
// portals (the first one after a restart) does not start them all at once.
func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	q := w.q
	now := time.Now()
	due, err := runner.Due(q.store, now)
	if err != nil {
		q.log.Error("cannot check the schedules", "err", err)
		return nil // the next check tries again
	}
	queued := 0
	for _, p := range due {
		at := time.Time{}
		if queued > 0 {
			at = now.Add(time.Duration(queued) * q.opt.Spread)
		}
		if _, err := q.enqueueAt(ctx, p.ID, "schedule", at); err != nil {
			if !errors.Is(err, runner.ErrAlreadyRunning) {
				q.log.Error("cannot queue a scheduled run", "portal", p.ID, "err", err)
			}
			continue
		}
		q.log.Info("scheduled run queued", "portal", p.ID, "name", p.Name, "at", now.Add(time.Duration(queued)*q.opt.Spread).Format(time.RFC3339))
		queued++
	}
	return nil
}
