package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/redact"
	"billhound/scripts"
	"billhound/store"
)

// A portal's browser session is kept between runs: after a successful run the context's cookies
// and local storage are sealed into the store, and the next run's context starts from them, so a
// portal that remembers the browser asks for neither the password nor a code. With
// `@profile persistent` a whole Chromium profile folder plays that part instead. A session that
// no longer works costs nothing: the script finds a login form and logs in as usual.

// ErrRunning is returned when a portal's session cannot be forgotten because a run uses it.
var ErrRunning = errors.New("the portal is running now; forget its session when the run has ended")

// runSession is the kept-session state of one run.
type runSession struct {
	restored   bool
	forgotten  bool   // session.forget() was called: keep nothing, drop the profile at the end
	profileDir string // the persistent profile folder; "" for an ordinary context
}

// profileDir is the folder of a portal's persistent browser profile.
func (r *Runner) profileDir(portalID int64) (string, error) {
	if r.Profiles == "" {
		return "", errors.New("this billhound has no folder for browser profiles (Runner.Profiles); remove @profile persistent from the script")
	}
	return filepath.Join(r.Profiles, fmt.Sprint(portalID)), nil
}

// openContext gives the run its browser context: from the portal's persistent profile, or a
// fresh context started from the kept session when there is one.
func (r *Runner) openContext(ctx context.Context, h *runHost, header scripts.Header, opt browser.ContextOptions) (playwright.BrowserContext, error) {
	if header.Profile == scripts.ProfilePersistent {
		return r.openProfile(ctx, h, opt)
	}
	id := h.portal.ID
	state, keptAt, ok, err := r.Vault.Session(id)
	if err != nil { // sealed with another key, or damaged: worth a line, not a failed run
		h.Log("warn", "the kept session could not be opened, so it is dropped: "+err.Error())
		r.dropSession(h)
	}
	if !ok {
		h.Log("info", "no kept session: the browser starts fresh")
		return r.Browser.NewContext(ctx, opt)
	}
	hideCookies(h.red, state)
	opt.StorageState = state
	bc, err := r.Browser.NewContext(ctx, opt)
	if errors.Is(err, browser.ErrBadStorageState) {
		h.Log("warn", "the kept session is not readable, so it is dropped; the browser starts fresh")
		r.dropSession(h)
		opt.StorageState = nil
		return r.Browser.NewContext(ctx, opt)
	}
	if err != nil {
		return nil, err
	}
	h.session.restored = true
	h.Log("info", "session restored: the browser starts from the session kept at "+stamp(keptAt))
	return bc, nil
}

func (r *Runner) openProfile(ctx context.Context, h *runHost, opt browser.ContextOptions) (playwright.BrowserContext, error) {
	dir, err := r.profileDir(h.portal.ID)
	if err != nil {
		return nil, err
	}
	// The profile holds the portal's cookies: only billhound's user may read it.
	for _, d := range []string{r.Profiles, dir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("create the browser profile folder: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, fmt.Errorf("protect the browser profile folder: %w", err)
		}
	}
	keptAt, err := r.Store.SessionKeptAt(h.portal.ID)
	if err != nil {
		return nil, err
	}
	bc, err := r.Browser.NewPersistentContext(ctx, dir, opt)
	if err != nil {
		return nil, err
	}
	h.session.profileDir = dir
	if keptAt != nil {
		h.session.restored = true
		h.Log("info", "session restored: the browser uses the persistent profile kept since "+stamp(*keptAt))
	} else {
		h.Log("info", "persistent browser profile: a new one is started")
	}
	return bc, nil
}

// keepSession keeps the browser session of a run that succeeded, unless the script forgot it.
// A session that cannot be kept is a warning: the invoices are filed all the same.
func (r *Runner) keepSession(h *runHost, bc playwright.BrowserContext) {
	h.mu.Lock()
	forgotten := h.session.forgotten
	h.mu.Unlock()
	if forgotten {
		h.Log("info", "no session is kept: the script forgot it")
		return
	}
	now := time.Now()
	if h.session.profileDir != "" {
		if err := r.Store.KeepSession(h.portal.ID, nil, now); err != nil {
			h.Log("warn", "the browser profile could not be marked as kept: "+err.Error())
			return
		}
		h.Log("info", "session kept for the next run (persistent browser profile)")
		return
	}
	state, err := browser.StorageState(bc)
	if err == nil {
		hideCookies(h.red, state)
		err = r.Vault.KeepSession(h.portal.ID, state, now)
	}
	if err != nil {
		h.Log("warn", "the session could not be kept for the next run: "+err.Error())
		return
	}
	h.Log("info", "session kept for the next run")
}

// closeContext ends the run's browser context and removes a profile the script forgot.
func (r *Runner) closeContext(h *runHost, bc playwright.BrowserContext) {
	_ = bc.Close()
	h.mu.Lock()
	drop := h.session.forgotten && h.session.profileDir != ""
	h.mu.Unlock()
	if drop {
		if err := os.RemoveAll(h.session.profileDir); err != nil {
			h.Log("warn", "the forgotten browser profile could not be removed: "+err.Error())
		}
	}
}

// dropSession forgets a kept session that cannot be used.
func (r *Runner) dropSession(h *runHost) {
	if err := r.Store.ForgetSession(h.portal.ID); err != nil {
		r.Logger.Warn("cannot drop a kept session", "portal", h.portal.ID, "err", err)
	}
}

// SessionRestored and ForgetSession make the run's host a scripts.SessionHost.
func (h *runHost) SessionRestored() bool { return h.session.restored }

func (h *runHost) ForgetSession() error {
	h.mu.Lock()
	h.session.forgotten = true
	h.mu.Unlock()
	if err := h.r.Store.ForgetSession(h.portal.ID); err != nil {
		return fmt.Errorf("forget the kept session: %w", err)
	}
	h.Log("info", "session.forget(): the kept session is dropped and none is kept after this run")
	return nil
}

// ForgetSession drops a portal's kept session and its persistent browser profile, so that its
// next run logs in from scratch. It refuses while the portal runs (ErrRunning): the run would
// keep a new session at its end.
func (r *Runner) ForgetSession(portalID int64) error {
	runs, err := r.Store.Runs(portalID, 1)
	if err != nil {
		return err
	}
	if len(runs) > 0 && runs[0].Status == store.RunRunning {
		return ErrRunning
	}
	if err := r.Store.ForgetSession(portalID); err != nil {
		return err
	}
	return r.RemoveProfile(portalID)
}

// RemoveProfile deletes a portal's persistent browser profile, if it has one (a deleted portal).
func (r *Runner) RemoveProfile(portalID int64) error {
	if r.Profiles == "" {
		return nil
	}
	dir, _ := r.profileDir(portalID)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove the browser profile: %w", err)
	}
	return nil
}

// hideCookies teaches the run's redactor the cookie values of a session: they sign in as the
// user, so a script that logs document.cookie must not put them in the run log. Short values
// (a language, "1") are no secret and would mangle every line.
func hideCookies(red *redact.Redactor, state []byte) {
	var st struct {
		Cookies []struct{ Value string } `json:"cookies"`
	}
	if json.Unmarshal(state, &st) != nil {
		return
	}
	for _, c := range st.Cookies {
		if len(c.Value) >= 16 {
			red.Add(c.Value, redact.Text)
		}
	}
}

func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }
