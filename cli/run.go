package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"billhound/browser"
	"billhound/failure"
	"billhound/runner"
	"billhound/scripts"
	"billhound/store"
)

// exitWarning is the exit code of a run that ended with a warning (it found nothing): not an
// error, not a success either, so cron jobs can tell.
const exitWarning = 3

func runRun(env *Env, args []string) error {
	fs := flags(env, "run")
	a, err := openFor(env, fs, args, logLevelForCLI(env))
	if err != nil {
		return err
	}
	defer a.close()
	if fs.NArg() != 1 {
		return usageError("usage: billhound run NAME")
	}
	p, err := a.findPortal(fs.Arg(0))
	if err != nil {
		return fail("%v", err)
	}
	if isTerminal(os.Stdin) { // else a question waits for an answer through the API, as in the server
		a.runner.Prompter = &ttyPrompter{in: bufio.NewReader(os.Stdin), out: env.Stderr}
	}
	// Chromium starts while the run opens its secrets and script.
	if h, err := scripts.ParseHeader(p.Script); err == nil {
		a.browser.Prewarm(browser.Mode(h.Browser))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	// The run counts against BILLHOUND_MAX_RUNS with the server's runs on this data dir: while
	// every slot is taken it waits as queued (its time limit not yet counting).
	res, err := a.runner.RunWhenFree(ctx, p.ID, "cli", func(ahead int) {
		fmt.Fprintf(env.Stderr, "queued, %d ahead (at most %d runs at once; BILLHOUND_MAX_RUNS)\n", ahead, a.cfg.MaxRuns)
	})
	if errors.Is(err, runner.ErrAlreadyRunning) {
		return fail("%q is already queued or running (in the server or another `billhound run`); wait for that run to end", p.Name)
	}
	if err != nil {
		return fail("%v", err)
	}
	if len(res.New) > 0 { // without a server, this process indexes what it archived
		if _, err := a.texts.IndexPending(ctx); err != nil {
			a.log.Warn("indexing the new invoices' text failed; the server does it when it starts", "err", err)
		}
	}
	r := res.Run
	w := env.Stdout
	fmt.Fprintf(w, "run %d of %q %s in %s%s\n", r.ID, p.Name, r.Status, time.Since(start).Round(100*time.Millisecond), codeWait(res.CodeWait))
	report(w, a, res)
	switch r.Status {
	case store.RunSucceeded:
		return nil
	case store.RunWarning:
		fmt.Fprintln(w, "warning: nothing found: the run archived nothing and knew no invoice, though this portal had invoices before; the script may no longer find them (check the run's log)")
		return &exitError{code: exitWarning}
	}
	return fail("%s", failureText(a.runner, r))
}

// report lists what the run filed. Counts of nothing are left out on a failed run: "failed: 0"
// under a failed run reads as a contradiction.
func report(w io.Writer, a *app, res *runner.Result) {
	ok := res.Run.Status != store.RunFailed && res.Run.Status != store.RunInterrupted
	if ok || len(res.New) > 0 {
		fmt.Fprintf(w, "new: %d\n", len(res.New))
		for _, inv := range res.New {
			fmt.Fprintf(w, "  %-20s %-10s %10s %-3s  %s\n", orDash(inv.Number), orDash(inv.Date), inv.Amount, inv.Currency, a.archive.Path(inv.Path))
		}
	}
	if ok || len(res.Known) > 0 {
		fmt.Fprintf(w, "already archived: %d\n", len(res.Known))
		printList(w, res.Known)
	}
	if len(res.Failed) > 0 {
		fmt.Fprintf(w, "could not be filed: %d\n", len(res.Failed))
		printList(w, res.Failed)
	}
}

// failureText is the error of a failed run, what kind of failure it is, what to do, and the
// artifacts by name (the names the error quotes).
func failureText(rn *runner.Runner, r *store.Run) string {
	msg := r.Error
	if r.Status == store.RunFailed {
		h := failure.Describe(failure.Kind(r.FailureKind))
		msg += fmt.Sprintf("\n  %s (%s): %s", h.Title, h.Kind, h.Hint)
	}
	if entries, _ := rn.ListArtifacts(r.ID); len(entries) > 0 {
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		msg += fmt.Sprintf("\n  artifacts in %s: %s", rn.ArtifactDir(r.ID), strings.Join(names, ", "))
	}
	return msg
}

// codeWait says how much of a run's time went to waiting for a fresh 2FA code, when it matters.
func codeWait(d time.Duration) string {
	if d < 500*time.Millisecond {
		return ""
	}
	return fmt.Sprintf(" (%s of it waiting for a fresh 2FA code)", d.Round(100*time.Millisecond))
}

func printList(w io.Writer, items []string) {
	for _, it := range items {
		fmt.Fprintf(w, "  %s\n", it)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// logLevelForCLI keeps a CLI run's terminal to the report unless asked for more.
func logLevelForCLI(env *Env) string {
	if l := env.Getenv("BILLHOUND_LOG_LEVEL"); l != "" {
		return l
	}
	return "warn"
}
