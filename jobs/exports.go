package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

const queueExports = "exports"

// Exporter sends exports of invoices (package exports): the rows of the exports table are
// the truth (status, attempts, when the next attempt is due); a River job is one attempt.
type Exporter interface {
	// Deliver attempts one export if it is due; an error means it failed and is retried at
	// NextAttempt.
	Deliver(ctx context.Context, exportID int64) error
	NextAttempt(exportID int64) time.Time
	// Due lists the exports whose attempt is due (new ones from a CLI process, retries whose
	// job was lost with a process that died).
	Due(now time.Time) ([]int64, error)
}

// ExportArgs is one attempt at one export; an export has at most one job waiting.
type ExportArgs struct {
	ExportID int64 `json:"export_id" river:"unique"`
}

func (ExportArgs) Kind() string { return "billhound_export" }

func (ExportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueExports, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// exportMaxAttempts is River's own limit; the exports table decides when to give up.
const exportMaxAttempts = 1000

// EnqueueExport queues an attempt at an export now. A job of the export that waits for a later
// retry is moved up to now (an explicit retry must not wait for the backoff).
func (q *Queue) EnqueueExport(ctx context.Context, exportID int64) error {
	res, err := q.client.Insert(ctx, ExportArgs{ExportID: exportID}, &river.InsertOpts{MaxAttempts: exportMaxAttempts})
	if err != nil || !res.UniqueSkippedAsDuplicate {
		return err
	}
	switch res.Job.State {
	case rivertype.JobStateRetryable, rivertype.JobStateScheduled:
		_, err = q.client.JobRetry(ctx, res.Job.ID)
	case rivertype.JobStateRunning:
		// Its attempt has ended (the export was free to be queued) but River has not recorded
		// that yet; once it has, the job is moved up or a new one queued, so the export does
		// not wait for the backoff or the periodic check.
		go q.requeueExport(res.Job.ID, exportID)
	}
	return err
}

// requeueExport queues an export again once its running job has ended (for up to a minute,
// when the periodic check takes over).
func (q *Queue) requeueExport(jobID, exportID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
		job, err := q.client.JobGet(ctx, jobID)
		if err != nil {
			return // the job is gone (or the queue stopped): the periodic check looks
		}
		if job.State != rivertype.JobStateRunning {
			if err := q.EnqueueExport(ctx, exportID); err != nil {
				q.log.Warn("cannot queue an export; the periodic check will", "export", exportID, "err", err)
			}
			return
		}
	}
}

type exportWorker struct {
	river.WorkerDefaults[ExportArgs]
	q *Queue
}

func (w *exportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	if err := w.q.opt.Exporter.Deliver(ctx, job.Args.ExportID); err != nil {
		return err
	}
	// A job that ran before the export's next attempt was due (River keeps times to the
	// millisecond and rounds them; a job can be made available by hand) made no attempt: it
	// waits for that time rather than leave the export to the periodic check.
	if d := time.Until(w.q.opt.Exporter.NextAttempt(job.Args.ExportID)); d > 0 {
		return river.JobSnooze(d)
	}
	return nil
}

// NextRetry is the export's own next attempt (its backoff: 1 min, 10 min, 1 h, 6 h, daily).
func (w *exportWorker) NextRetry(job *river.Job[ExportArgs]) time.Time {
	return w.q.opt.Exporter.NextAttempt(job.Args.ExportID)
}

// ExportSweepArgs is the periodic look for due exports without a job.
type ExportSweepArgs struct{}

func (ExportSweepArgs) Kind() string { return "billhound_export_sweep" }

type exportSweepWorker struct {
	river.WorkerDefaults[ExportSweepArgs]
	q *Queue
}

func (w *exportSweepWorker) Work(ctx context.Context, _ *river.Job[ExportSweepArgs]) error {
	ids, err := w.q.opt.Exporter.Due(time.Now())
	if err != nil {
		w.q.log.Error("cannot look for due exports", "err", err)
		return nil
	}
	for _, id := range ids {
		if err := w.q.EnqueueExport(ctx, id); err != nil {
			w.q.log.Warn("cannot queue an export", "export", id, "err", err)
		}
	}
	return nil
}

// addExports registers the export workers, their queue and the periodic sweep.
func (q *Queue) addExports(ctx context.Context, workers *river.Workers, cfg *river.Config) error {
	if q.opt.Exporter == nil {
		return nil
	}
	river.AddWorker(workers, &exportWorker{q: q})
	river.AddWorker(workers, &exportSweepWorker{q: q})
	cfg.Queues[queueExports] = river.QueueConfig{MaxWorkers: 2}
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(q.opt.Tick),
		func() (river.JobArgs, *river.InsertOpts) {
			return ExportSweepArgs{}, &river.InsertOpts{Queue: queueExports, MaxAttempts: 1,
				UniqueOpts: river.UniqueOpts{ByState: uniqueStates}}
		}, &river.PeriodicJobOpts{ID: "export-sweep", RunOnStart: true}))
	// An attempt that was running when its process died stays "running" in River's table
	// (its rescuer waits for hours) and, being unique, would block the export's next job.
	// Only the server works exports, so at its start such a job is made available again;
	// the export's claim (a lease in the exports table) still keeps two senders apart.
	db, err := q.store.SQL()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec')
		WHERE kind = ? AND state = 'running'`, ExportArgs{}.Kind())
	return err
}
