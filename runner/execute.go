package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/failure"
	"billhound/redact"
	"billhound/scripts"
	"billhound/store"
)

// execute carries out a begun run and always finishes it, whatever happens.
func (r *Runner) execute(ctx context.Context, run *store.Run) *Result {
	h := &runHost{r: r, run: run, red: redact.New(), knownIDs: map[string]bool{}}
	res := &Result{Run: run}
	err := r.perform(ctx, h)
	h.saveClock()
	h.mu.Lock()
	if err == nil && h.diskFull != nil {
		err = h.diskFull // a script that caught it still cannot have filed everything
	}
	h.mu.Unlock()
	if err != nil && errors.Is(err, context.Canceled) && context.Cause(ctx) != nil {
		err = context.Cause(ctx) // say why (billhound stopped), not just "context canceled"
	}
	h.mu.Lock()
	res.New, res.Known, res.Failed, res.CodeWait = h.saved, h.known, h.failed, h.codeWait
	run.NewCount, run.KnownCount, run.FailedCount = len(h.saved), len(h.known), len(h.failed)
	h.mu.Unlock()
	switch {
	case errors.Is(err, errStopped):
		run.Status = store.RunInterrupted
		run.Error = err.Error()
		h.Log("error", "run interrupted: "+err.Error())
	case err != nil:
		kind, msg := h.classify(err)
		run.Status, run.FailureKind, run.Error = store.RunFailed, string(kind), msg
		h.Log("error", fmt.Sprintf("run failed (%s): %s", failure.Describe(kind).Title, msg))
	case run.NewCount+run.KnownCount+run.FailedCount == 0 && r.hadInvoices(run.PortalID):
		run.Status, run.Warning = store.RunWarning, store.WarningNothingFound
		h.Log("warn", "nothing found: the run archived nothing and knew no invoice, though this portal had invoices before; the script may no longer find them")
	default:
		run.Status = store.RunSucceeded
		h.Log("info", fmt.Sprintf("run succeeded: %d new, %d already archived, %d failed", run.NewCount, run.KnownCount, run.FailedCount))
	}
	h.saveConfirmation(run)
	r.storeOutcome(run)
	r.release(run.ID)
	r.Logger.Info("run finished", "run", run.ID, "portal", run.PortalID, "status", run.Status,
		"new", run.NewCount, "known", run.KnownCount, "failed", run.FailedCount)
	return res
}

// perform runs the script; a failure leaves a screenshot and the page's HTML as artifacts.
func (r *Runner) perform(ctx context.Context, h *runHost) error {
	p, err := r.Store.Portal(h.run.PortalID)
	if err != nil {
		return err
	}
	h.portal = p
	if err := h.openSecrets(); err != nil {
		return err
	}
	header, err := scripts.ParseHeader(p.Script)
	if err != nil {
		return fmt.Errorf("the portal's script: %w", err)
	}
	h.twofa = header.TwoFA
	url := p.URL
	if url == "" {
		url = header.URL
	}
	if h.since, err = r.Store.LastSuccess(p.ID); err != nil {
		return err
	}
	h.Log("info", fmt.Sprintf("run %d of %q (%s) started", h.run.ID, p.Name, header.Name))

	// The browser gets the run's whole budget plus a little, so the engine's own limit is what
	// ends a slow script, with its clear message, and cleanup still has a live browser.
	// Waiting for the user does not count against the limit (scripts.MaxWait).
	ctx, cancel := context.WithTimeout(ctx, r.Timeout+scripts.MaxWait+30*time.Second)
	defer cancel()
	// One policy for the run's browser context and its bindings: every refusal is a log line,
	// and what the browser refused on its own fails the script's next call.
	pol := r.Policy.ForRun(func(target, reason string) { h.Log("warn", "blocked: "+target+" ("+reason+")") })
	// A script's @browser line picks the mode; without one, the Manager's (BILLHOUND_BROWSER_MODE).
	bc, err := r.openContext(ctx, h, header, browser.ContextOptions{BaseURL: url, Policy: pol, Mode: browser.Mode(header.Browser)})
	if err != nil {
		return err
	}
	defer r.closeContext(h, bc)
	page, err := browser.NewPage(bc)
	if err != nil {
		return fmt.Errorf("open a browser page: %w", err)
	}
	defer r.Live.Register(h.run.ID, page)() // ends the live view before the context closes
	h.clock = newClockWatch(url)
	page.OnResponse(h.clock.observe)
	err = r.Engine.Run(ctx, scripts.RunOptions{
		Source:   p.Script,
		Filename: p.Slug + ".js",
		Page:     page,
		Host:     h,
		Portal:   scripts.PortalInfo{Name: p.Name, URL: url},
		Timeout:  r.Timeout,
		Policy:   pol,
	})
	if err != nil {
		h.keepFailurePage(page)
		return err
	}
	r.keepSession(h, bc)
	return nil
}

// hadInvoices reports whether the portal has archived invoices (before this run, when the run
// archived none).
func (r *Runner) hadInvoices(portalID int64) bool {
	counts, err := r.Store.InvoiceCounts()
	return err == nil && counts[portalID] > 0
}

// keepFailurePage saves what the browser showed when the run failed: that is what a user
// looks at first. Both are redacted: the screenshot has its secret fields masked, the HTML its
// secrets replaced.
func (h *runHost) keepFailurePage(page playwright.Page) {
	if page == nil || page.IsClosed() {
		return
	}
	timeout := float64(10 * time.Second / time.Millisecond)
	opt := playwright.PageScreenshotOptions{FullPage: playwright.Bool(true), Timeout: &timeout}
	if png, err := browser.MaskedScreenshot(page, h.red.Secret, opt); err == nil {
		if err := h.Artifact("failure.png", png); err != nil {
			h.r.Logger.Warn("cannot keep the failure screenshot", "run", h.run.ID, "err", err)
		}
	} else {
		h.Log("warn", "no failure screenshot: "+firstLine(err.Error()))
	}
	if st, err := inspectWithin(page, 5*time.Second); err == nil {
		h.mu.Lock()
		h.page = &st
		h.mu.Unlock()
	}
	html, err := contentWithin(page, 10*time.Second)
	if err == nil {
		h.Artifact("failure.html", []byte(html)) // Artifact redacts text
	}
	h.Log("info", "page at failure: "+page.URL())
}

func contentWithin(page playwright.Page, d time.Duration) (string, error) {
	type result struct {
		html string
		err  error
	}
	ch := make(chan result, 1)
	go func() { html, err := page.Content(); ch <- result{html, err} }()
	select {
	case r := <-ch:
		return r.html, r.err
	case <-time.After(d):
		return "", errors.New("timed out reading the page")
	}
}

// inspectWithin looks at the failed run's page (captcha, login form, error text) for classify.
func inspectWithin(page playwright.Page, d time.Duration) (scripts.PageState, error) {
	type result struct {
		st  scripts.PageState
		err error
	}
	ch := make(chan result, 1)
	go func() { st, err := scripts.InspectPage(page); ch <- result{st, err} }()
	select {
	case r := <-ch:
		return r.st, r.err
	case <-time.After(d):
		return scripts.PageState{}, errors.New("timed out inspecting the page")
	}
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
