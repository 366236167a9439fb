// Package runner carries out a run: it opens the portal's secrets, gives the script a browser
// context (started from the portal's kept session), files what the script downloads, and writes the run's log, outcome and
// failure artifacts. The server starts runs in the background; the CLI waits for one.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/credentials"
	"billhound/liveview"
	"billhound/netpolicy"
	"billhound/scripts"
	"billhound/store"
)

// errStopped ends the runs of a process that shuts down; their log and error say so.
var errStopped = errors.New("billhound was stopped during the run")

// ErrAlreadyRunning is returned when the portal has a run in progress (in this process or
// another one on the same data dir).
var ErrAlreadyRunning = errors.New("this portal is already running")

// Runner starts and tracks runs. One Runner serves a process.
type Runner struct {
	Store     *store.Store
	Vault     *credentials.Vault
	Archive   *archive.Archive
	Browser   *browser.Manager
	Engine    *scripts.Engine
	Artifacts string            // folder of run artifacts: <Artifacts>/<run id>/<name>
	Profiles  string            // folder of persistent browser profiles (@profile persistent): <Profiles>/<portal id>
	Timeout   time.Duration     // a run's time limit, counted from when the run starts (not queued)
	MaxRuns   int               // how many runs may run at once on the database; 0: no limit
	Policy    *netpolicy.Policy // what scripts may reach (billhound's own address added); nil = http(s) only
	Logger    *slog.Logger
	Live      *liveview.Hub       // shows a running run's page to the admin; nil: none
	Notifier  Notifier            // tells the user when a run asks them; nil = nobody is told
	Prompter  Prompter            // asks on a terminal too; nil = only through the API
	Texts     interface{ Kick() } // told when an invoice is archived, to index its text; nil: nobody

	wg      sync.WaitGroup
	mu      sync.Mutex
	cancels map[int64]context.CancelCauseFunc
	leases  leases
}

// Result is what one run did, for the CLI's report.
type Result struct {
	Run    *store.Run
	New    []store.Invoice
	Known  []string
	Failed []string
	// CodeWait is how much of the run was spent waiting for a fresh 2FA code.
	CodeWait time.Duration
}

// Start begins a run in the background and returns it: running, or queued while MaxRuns runs
// are running (it starts when a slot frees up).
func (r *Runner) Start(portalID int64, trigger string) (*store.Run, error) {
	run, err := r.Queue(portalID, trigger, 1)
	if err != nil {
		return nil, err
	}
	_, err = r.Store.BeginRun(run, r.MaxRuns)
	if err != nil && !errors.Is(err, store.ErrNoSlot) {
		r.Drop(run, fmt.Sprintf("billhound could not start this run: %v; run it again", err))
		return nil, err
	}
	queued := *run // the caller's copy: the goroutine goes on changing run
	ctx, cancel := context.WithCancelCause(context.Background())
	r.track(run.ID, cancel)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer r.untrack(run.ID)
		if run.Status == store.RunQueued && r.WaitSlot(ctx, run, nil) != nil {
			return
		}
		r.execute(ctx, run)
	}()
	return &queued, nil
}

// RunNow runs a portal and waits for the outcome.
func (r *Runner) RunNow(ctx context.Context, portalID int64, trigger string) (*Result, error) {
	return r.RunWhenFree(ctx, portalID, trigger, nil)
}

// RunWhenFree runs a portal once one of the MaxRuns slots is free and waits for the outcome;
// onWait hears how many queued runs are ahead while it waits. A run whose ctx ends while it
// waits ends interrupted without having started.
func (r *Runner) RunWhenFree(ctx context.Context, portalID int64, trigger string, onWait func(ahead int)) (*Result, error) {
	run, err := r.Queue(portalID, trigger, 1)
	if err != nil {
		return nil, err
	}
	if err := r.WaitSlot(ctx, run, onWait); err != nil {
		if run.Status == store.RunInterrupted {
			return &Result{Run: run}, nil
		}
		return nil, err
	}
	return r.Execute(ctx, run), nil
}

// Shutdown stops every run of this process (they end as interrupted, "billhound stopped") and
// waits for them to write their outcome, or until ctx ends.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	for _, cancel := range r.cancels {
		cancel(errStopped)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait blocks until every background run of this process has ended.
func (r *Runner) Wait() { r.wg.Wait() }

// ArtifactDir is where a run's artifacts are kept.
func (r *Runner) ArtifactDir(runID int64) string {
	return filepath.Join(r.Artifacts, fmt.Sprint(runID))
}

// ListArtifacts lists a run's artifact files.
func (r *Runner) ListArtifacts(runID int64) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(r.ArtifactDir(runID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}

func (r *Runner) track(id int64, cancel context.CancelCauseFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancels == nil {
		r.cancels = map[int64]context.CancelCauseFunc{}
	}
	r.cancels[id] = cancel
}

func (r *Runner) untrack(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.cancels[id]; ok {
		c(nil)
		delete(r.cancels, id)
	}
}
