// Package jobs queues portal runs with River (github.com/riverqueue/river) in billhound's own
// SQLite database: runs wait in the queue "runs" for one of MaxRuns workers, a portal has at
// most one queued or running run (unique jobs), failures that go away by themselves are
// retried after a backoff, and a periodic job queues the runs that portals' schedules ask for,
// spread out in time. Only `billhound serve` runs a Queue; `billhound run` runs directly and
// shares the same per-portal rule and run limit through the runs table (see runner.WaitSlot).
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"billhound/runner"
	"billhound/store"
)

// Defaults of Options.
const (
	DefaultMaxRuns = 2
	DefaultTick    = time.Minute
	DefaultSpread  = 20 * time.Second
)

// DefaultBackoff is how long billhound waits before retrying a run that failed because the
// portal was unreachable or too slow: then it gives up until the next scheduled run.
var DefaultBackoff = []time.Duration{5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// Options configure a Queue.
type Options struct {
	MaxRuns int             // runs at once; also the runner's limit (default 2)
	Backoff []time.Duration // pauses before the automatic retries; empty: DefaultBackoff
	NoRetry bool            // never retry automatically
	Tick    time.Duration   // how often schedules are checked (default 1 minute)
	Spread  time.Duration   // gap between the runs one schedule check queues (default 20 s)
	Poll    time.Duration   // how often idle workers look for jobs (default 1 s)
	Logger  *slog.Logger
	// Exporter sends exports of invoices in the queue "exports"; nil: no exports are worked.
	Exporter Exporter
}

// Queue is the job queue of a server process.
type Queue struct {
	runner *runner.Runner
	store  *store.Store
	opt    Options
	client *river.Client[*sql.Tx]
	log    *slog.Logger
}

// Open brings River's tables in the database up to date and prepares the queue; Start starts
// working it.
func Open(ctx context.Context, r *runner.Runner, opt Options) (*Queue, error) {
	if opt.MaxRuns <= 0 {
		opt.MaxRuns = DefaultMaxRuns
	}
	if len(opt.Backoff) == 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.Tick <= 0 {
		opt.Tick = DefaultTick
	}
	if opt.Spread <= 0 {
		opt.Spread = DefaultSpread
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Logger == nil {
		opt.Logger = r.Logger
	}
	r.MaxRuns = opt.MaxRuns
	db, err := r.Store.SQL()
	if err != nil {
		return nil, err
	}
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver, opt.Logger); err != nil {
		return nil, err
	}
	q := &Queue{runner: r, store: r.Store, opt: opt, log: opt.Logger}
	workers := river.NewWorkers()
	river.AddWorker(workers, &runWorker{q: q})
	river.AddWorker(workers, &scheduleWorker{q: q})
	cfg := &river.Config{
		Queues: map[string]river.QueueConfig{
			queueRuns:     {MaxWorkers: opt.MaxRuns},
			queueSchedule: {MaxWorkers: 1},
		},
		Workers:      workers,
		PeriodicJobs: []*river.PeriodicJob{q.periodicCheck()},
		RetryPolicy:  backoffPolicy(opt.Backoff),
		// A run keeps its own time limit, counted from when it starts; River must not cut
		// a run that waited for a slot. A job still "running" long after any run could
		// (its process died) is retried by River's rescuer.
		JobTimeout:           -1,
		RescueStuckJobsAfter: 6 * time.Hour,
		FetchCooldown:        opt.Poll / 10,
		FetchPollInterval:    opt.Poll,
		Logger:               riverLogger(opt.Logger),
	}
	if err := q.addExports(ctx, workers, cfg); err != nil {
		return nil, err
	}
	q.client, err = river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("set up the job queue: %w", err)
	}
	return q, nil
}

// migrate applies River's own schema steps; they live beside billhound's tables.
func migrate(ctx context.Context, driver *riversqlite.Driver, log *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: riverLogger(log)})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if len(res.Versions) > 0 {
		log.Info("job queue tables updated", "steps", len(res.Versions))
	}
	return nil
}

// riverLogger keeps River's own chatter (leader elections, maintenance) out of billhound's
// log unless something is wrong.
func riverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(minLevel{log.Handler(), slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }

// Start starts working the queue and checking schedules.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	return nil
}

// Stop stops the queue: running runs end as interrupted ("billhound was stopped"), runs that
// had not started yet end as interrupted too, with a reason that says so.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.StopAndCancel(ctx)
	if n := q.runner.DropQueued("billhound was stopped before this run started; run it again"); n > 0 {
		q.log.Info("queued runs dropped at shutdown", "runs", n)
	}
	return err
}

// Enqueue asks for a run of the portal and returns it, queued (it starts when one of the
// MaxRuns slots is free). A portal that already has a queued or running run gives
// runner.ErrAlreadyRunning; a pending automatic retry is replaced by this run.
func (q *Queue) Enqueue(ctx context.Context, portalID int64, trigger string) (*store.Run, error) {
	return q.enqueueAt(ctx, portalID, trigger, time.Time{})
}

func (q *Queue) enqueueAt(ctx context.Context, portalID int64, trigger string, at time.Time) (*store.Run, error) {
	run, err := q.runner.Queue(portalID, trigger, 1)
	if err != nil {
		return nil, err
	}
	args := RunArgs{PortalID: portalID, RunID: run.ID, Trigger: trigger}
	opts := &river.InsertOpts{ScheduledAt: at, MaxAttempts: q.maxAttempts()}
	for try := 0; ; try++ {
		res, err := q.client.Insert(ctx, args, opts)
		if err != nil {
			q.runner.Drop(run, "billhound could not queue this run; run it again")
			return nil, fmt.Errorf("queue a run: %w", err)
		}
		if !res.UniqueSkippedAsDuplicate {
			break
		}
		if try > 0 {
			q.runner.Drop(run, "this portal was already queued; this request was not needed")
			return nil, runner.ErrAlreadyRunning
		}
		// The runs table, which every process shares, just said the portal has no queued or
		// running run, so the job in the way is a pending retry (this run takes its place) or
		// left by a process that died mid-run.
		if err := q.retire(ctx, res.Job); err != nil {
			q.runner.Drop(run, "billhound could not queue this run; run it again")
			return nil, fmt.Errorf("replace the portal's pending job: %w", err)
		}
	}
	if err := q.store.ClearRetries(portalID); err != nil {
		q.log.Warn("cannot clear the portal's pending retry", "portal", portalID, "err", err)
	}
	return run, nil
}

// retire ends a portal's job that no run stands behind. River cannot cancel a job that is
// "running" for a process that died (it waits for its rescuer, hours later), so that one is
// finalized directly in River's table, as River's own cancel would have.
func (q *Queue) retire(ctx context.Context, job *rivertype.JobRow) error {
	if job.State != rivertype.JobStateRunning {
		_, err := q.client.JobCancel(ctx, job.ID)
		if errors.Is(err, river.ErrNotFound) {
			err = nil
		}
		return err
	}
	db, err := q.store.SQL()
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE river_job SET state = 'cancelled', finalized_at = datetime('now', 'subsec')
		WHERE id = ? AND state = 'running'`, job.ID)
	return err
}

func (q *Queue) maxAttempts() int {
	if q.opt.NoRetry {
		return 1
	}
	return len(q.opt.Backoff) + 1
}
