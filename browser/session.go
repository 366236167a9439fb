package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// ErrBadStorageState is returned by NewContext for a ContextOptions.StorageState that is not a
// storage state: the caller drops it and starts from a fresh context.
var ErrBadStorageState = errors.New("the kept browser session is not readable")

func parseStorageState(raw []byte) (*playwright.OptionalStorageState, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var st playwright.OptionalStorageState
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadStorageState, err)
	}
	return &st, nil
}

// StorageState is the context's cookies and local storage as JSON, for ContextOptions.StorageState
// of a later context. It is a secret: it signs in as the user.
func StorageState(bc playwright.BrowserContext) ([]byte, error) {
	st, err := bc.StorageState()
	if err != nil {
		return nil, fmt.Errorf("read the browser session: %s", firstLine(err))
	}
	return json.Marshal(st)
}

// NewPersistentContext opens a browser context on a profile folder that outlives the run (for
// portals that recognise the device by more than its cookies). It is its own Chromium process,
// started by the shared driver; closing the context ends that process. One profile folder can
// only be open once at a time. opt.StorageState is ignored: the profile keeps its own.
func (m *Manager) NewPersistentContext(ctx context.Context, dir string, opt ContextOptions) (playwright.BrowserContext, error) {
	if m.opt.RemoteWS != "" {
		// The profile folder is on this machine; a Playwright server cannot open it.
		return nil, errors.New("a persistent browser profile (@profile persistent) needs the browser on this machine, but BILLHOUND_BROWSER_WS runs browsers on a Playwright server: remove @profile persistent from the script (billhound keeps the portal's cookies between runs without it) or unset BILLHOUND_BROWSER_WS")
	}
	mode := opt.Mode
	if mode == "" {
		mode = m.opt.Mode
	}
	if mode == Headful {
		return nil, errors.New("a persistent browser profile (@profile persistent) runs headless only; drop @browser headful or the profile")
	}
	sl, inst, err := m.acquire(ctx, mode) // the driver; counting the context keeps the idle timer off
	if err != nil {
		return nil, err
	}
	o := playwright.BrowserTypeLaunchPersistentContextOptions{
		ExecutablePath:  playwright.String(m.opt.ChromiumPath),
		Headless:        playwright.Bool(true),
		Args:            chromiumArgs,
		Timeout:         playwright.Float(60_000),
		HandleSIGINT:    playwright.Bool(false),
		HandleSIGTERM:   playwright.Bool(false),
		HandleSIGHUP:    playwright.Bool(false),
		AcceptDownloads: playwright.Bool(true),
		Viewport:        opt.viewport(),
		ServiceWorkers:  playwright.ServiceWorkerPolicyBlock,
	}
	// The same URL policy as a fresh context: a profile must not be a way around it.
	pol := opt.Policy
	if pol == nil {
		pol = netpolicy.New().ForRun(nil)
	}
	px, err := startProxy(pol)
	if err != nil {
		m.release(sl, inst)
		return nil, fmt.Errorf("start the browser's proxy: %w", err)
	}
	o.Proxy = &playwright.Proxy{Server: px.URL(), Bypass: playwright.String("<-loopback>")}
	if opt.BaseURL != "" {
		o.BaseURL = playwright.String(opt.BaseURL)
	}
	if opt.Locale != "" {
		o.Locale = playwright.String(opt.Locale)
	}
	if opt.TimezoneID != "" {
		o.TimezoneId = playwright.String(opt.TimezoneID)
	}
	if opt.UserAgent != "" {
		o.UserAgent = playwright.String(opt.UserAgent)
	}
	type result struct {
		bc  playwright.BrowserContext
		err error
	}
	done := make(chan result, 1)
	go func() {
		bc, err := inst.pw.Chromium.LaunchPersistentContext(dir, o)
		done <- result{bc, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		go func() {
			if r := <-done; r.err == nil {
				_ = r.bc.Close()
			}
			px.close()
			m.release(sl, inst)
		}()
		return nil, ctx.Err()
	}
	if r.err != nil {
		px.close()
		m.release(sl, inst)
		return nil, fmt.Errorf("open the browser profile %s: %s", dir, firstLine(r.err))
	}
	r.bc.OnClose(func(playwright.BrowserContext) { px.close(); m.release(sl, inst) })
	if err := guard(r.bc, pol); err != nil {
		_ = r.bc.Close()
		return nil, err
	}
	return r.bc, nil
}
