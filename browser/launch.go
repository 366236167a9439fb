package browser

import (
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"
)

// start starts the driver and Chromium of s's mode, or connects to the remote server.
func (m *Manager) start(s *slot) (*instance, error) {
	if err := CheckInstall(m.opt); err != nil {
		return nil, err
	}
	log := m.opt.Logger
	begin := time.Now()
	display, xauth := "", ""
	if s.mode == Headful && m.opt.RemoteWS == "" && !hasDisplay() {
		x, err := m.virtualDisplay()
		if err != nil {
			return nil, err
		}
		display, xauth = x.display, x.authFile()
	}
	driverDir, err := m.shim.folder(m.opt.DriverDir, DriverVersion())
	if err != nil {
		return nil, err
	}
	pw, err := playwright.Run(&playwright.RunOptions{
		DriverDirectory:     driverDir,
		SkipInstallBrowsers: true,
		Verbose:             false,
		Stdout:              logWriter{log, "playwright driver"},
		Stderr:              logWriter{log, "playwright driver"},
		Logger:              log,
	})
	if err != nil {
		return nil, fmt.Errorf("start the Playwright driver in %s: %s (%s)", m.opt.DriverDir, firstLine(err), fixHint)
	}
	var b playwright.Browser
	if m.opt.RemoteWS != "" {
		b, err = pw.Chromium.Connect(m.opt.RemoteWS, playwright.BrowserTypeConnectOptions{
			Headers: map[string]string{"x-playwright-launch-options": m.remoteLaunchOptions(s.mode)},
			Timeout: playwright.Float(60_000),
		})
		if err != nil {
			_ = pw.Stop()
			return nil, fmt.Errorf("connect to the Playwright browser server %s: %s (check that it runs Playwright %s, for example `npx playwright@%s run-server --port 3000`, and that BILLHOUND_BROWSER_WS names it)",
				redactURL(m.opt.RemoteWS), firstLine(err), DriverVersion(), DriverVersion())
		}
	} else {
		b, err = pw.Chromium.Launch(m.launchOptions(s.mode, display, xauth))
		if err != nil {
			_ = pw.Stop()
			return nil, fmt.Errorf("launch Chromium %s (%s): %s (%s)", m.opt.ChromiumPath, s.mode, firstLine(err), fixHint)
		}
	}
	inst := &instance{pw: pw, browser: b, gone: make(chan struct{})}
	var once sync.Once
	b.OnDisconnected(func(playwright.Browser) {
		once.Do(func() { close(inst.gone) })
		m.disconnected(s, inst)
	})
	where := m.opt.ChromiumPath
	if m.opt.RemoteWS != "" {
		where = redactURL(m.opt.RemoteWS)
	}
	log.Info("chromium started", "mode", s.mode, "version", b.Version(), "at", where, "display", display, "took", time.Since(begin).Round(time.Millisecond))
	return inst, nil
}

// Prewarm starts the Chromium of mode ("" = the default) in the background unless it runs or
// is starting, so that the run which follows finds it ready: `billhound run` overlaps the
// launch with its own start-up. Errors surface in that run's NewContext.
func (m *Manager) Prewarm(mode Mode) {
	if mode == "" {
		mode = m.opt.Mode
	}
	if _, err := ParseMode(string(mode)); err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	s := m.slot(mode)
	if (s.inst != nil && s.inst.alive()) || s.starting != nil {
		return
	}
	s.starting = make(chan struct{})
	go m.launch(s, s.starting)
}

// slot returns the slot of mode, making it on first use. m.mu is held.
func (m *Manager) slot(mode Mode) *slot {
	s := m.slots[mode]
	if s == nil {
		s = &slot{mode: mode}
		m.slots[mode] = s
	}
	return s
}

// virtualDisplay returns billhound's Xvfb, starting it (again) if needed. Only headful
// launches call it, one at a time (a slot launches once at a time), so two never race here.
func (m *Manager) virtualDisplay() (*xvfb, error) {
	m.mu.Lock()
	x := m.display
	m.mu.Unlock()
	if x != nil && x.alive() {
		return x, nil
	}
	if x != nil {
		x.stop()
	}
	x, err := startXvfb()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		x.stop()
		return nil, ErrClosed
	}
	m.display = x
	m.opt.Logger.Info("virtual display started for headful Chromium", "display", x.display)
	return x, nil
}

// redactURL drops what a ws:// address may carry besides where it points (a token in the
// query or user info), for logs and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an address that is not a URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
