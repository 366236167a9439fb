package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"billhound/browser"
	"billhound/scripts"
)

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
	// Chromium starts while the run opens its secrets and script.
	if h, err := scripts.ParseHeader(p.Script); err == nil {
		a.browser.Prewarm(browser.Mode(h.Browser))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	res, err := a.runner.RunNow(ctx, p.ID, "cli")
	if err != nil {
		return fail("%v", err)
	}
	r := res.Run
	w := env.Stdout
	fmt.Fprintf(w, "run %d of %q %s in %s\n", r.ID, p.Name, r.Status, time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(w, "new: %d\n", len(res.New))
	for _, inv := range res.New {
		fmt.Fprintf(w, "  %-20s %-10s %10s %-3s  %s\n", orDash(inv.Number), orDash(inv.Date), inv.Amount, inv.Currency, a.archive.Path(inv.Path))
	}
	fmt.Fprintf(w, "already known: %d\n", len(res.Known))
	printList(w, res.Known)
	fmt.Fprintf(w, "failed: %d\n", len(res.Failed))
	printList(w, res.Failed)
	if r.Status != "succeeded" {
		msg := r.Error
		if entries, _ := a.runner.ListArtifacts(r.ID); len(entries) > 0 {
			msg += fmt.Sprintf("\n  artifacts (screenshot, page): %s", a.runner.ArtifactDir(r.ID))
		}
		return fail("%s", msg)
	}
	return nil
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
