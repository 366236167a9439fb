// Package liveview shows a run's browser page live and lets the signed-in admin drive it: the
// page is streamed as CDP screencast frames over a WebSocket, and on "Take over" the viewer's
// clicks, scrolling and typing go back to the page as CDP input events. A script can pause until
// the user has done what only a human can (a captcha, a "confirm it's you" page): WaitTakeover.
//
// The runner registers a run's page while the run lasts; the server serves viewers (Serve).
// Every page call happens in this process, on the run's own Playwright page.
package liveview

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"
)

// ErrNotLive is returned for a run that has no page in this process (it ended, or it runs in
// another billhound process, such as `billhound run` on a terminal).
var ErrNotLive = errors.New("this run has no live browser page in this billhound process")

// pollEvery is how often WaitTakeover asks the script's condition.
const pollEvery = 500 * time.Millisecond

// Hub knows the live page of every run in progress in this process. A nil *Hub is valid: it
// registers nothing and every run is "not live" (the CLI has no viewers).
type Hub struct {
	logger *slog.Logger

	mu   sync.Mutex
	runs map[int64]*liveRun
}

// liveRun is one registered page and the take-over wait on it.
type liveRun struct {
	page    playwright.Page
	gone    chan struct{} // closed when the run unregisters: viewers end
	waiting int           // WaitTakeover calls in progress
	done    chan struct{} // closed by Done; a fresh one for each wait
}

// NewHub returns an empty Hub; a nil logger discards.
func NewHub(logger *slog.Logger) *Hub {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{logger: logger, runs: map[int64]*liveRun{}}
}

// Register makes page the live page of runID until the returned function is called (when the
// run ends, before its browser context closes). Registering again replaces the page.
func (h *Hub) Register(runID int64, page playwright.Page) (unregister func()) {
	if h == nil || page == nil {
		return func() {}
	}
	lr := &liveRun{page: page, gone: make(chan struct{}), done: make(chan struct{})}
	h.mu.Lock()
	if old := h.runs[runID]; old != nil {
		close(old.gone)
	}
	h.runs[runID] = lr
	h.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			if h.runs[runID] == lr {
				delete(h.runs, runID)
			}
			h.mu.Unlock()
			close(lr.gone)
		})
	}
}

// Live reports whether runID has a page that viewers can attach to.
func (h *Hub) Live(runID int64) bool {
	_, ok := h.get(runID)
	return ok
}

// Waiting reports whether the run's script waits for the user to take over (the run page shows
// "This run needs you").
func (h *Hub) Waiting(runID int64) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	lr := h.runs[runID]
	return lr != nil && lr.waiting > 0
}

// WaitTakeover pauses until until reports true (polled every 500 ms: the page shows what the
// script waits for), the user presses Done in the live view, or ctx ends. An error from until
// ends the wait with that error. While it waits, Waiting(runID) is true.
func (h *Hub) WaitTakeover(ctx context.Context, runID int64, until func() (bool, error)) error {
	if h == nil {
		return ErrNotLive
	}
	h.mu.Lock()
	lr := h.runs[runID]
	if lr == nil {
		h.mu.Unlock()
		return ErrNotLive
	}
	lr.waiting++
	done := lr.done
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		lr.waiting--
		if lr.waiting == 0 && isClosed(lr.done) {
			lr.done = make(chan struct{}) // the next wait needs its own Done
		}
		h.mu.Unlock()
	}()
	h.logger.Info("run waits for the user to take over", "run", runID)

	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if until != nil {
			ok, err := until()
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-done:
			return nil
		case <-lr.gone:
			return ErrNotLive
		case <-tick.C:
		}
	}
}

// Done ends the take-over waits of runID, as the live view's Done button does. It reports
// whether a wait was in progress.
func (h *Hub) Done(runID int64) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	lr := h.runs[runID]
	if lr == nil || lr.waiting == 0 || isClosed(lr.done) {
		return false
	}
	close(lr.done)
	return true
}

func (h *Hub) get(runID int64) (*liveRun, bool) {
	if h == nil {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	lr := h.runs[runID]
	return lr, lr != nil
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
