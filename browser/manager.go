// Package browser owns billhound's one Chromium: it starts the Playwright driver and Chromium on
// first use, hands out a fresh browser context per portal run, relaunches Chromium when it crashed
// or disconnected, and closes it again when no run has needed it for a while.
//
// Nothing here downloads a browser or a driver: Chromium comes from the system (Debian's
// /usr/bin/chromium) and the Playwright driver from tools/install-deps.sh. CheckInstall says what
// is missing and how to fix it.
package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// Options configure a Manager. Empty paths and a nil Logger get defaults; Headless and
// IdleTimeout are taken as given (servers want Headless true and IdleTimeout DefaultIdleTimeout).
type Options struct {
	DriverDir    string        // Playwright driver folder (package/ + node); default ".cache/playwright-driver"
	ChromiumPath string        // default "/usr/bin/chromium"
	Headless     bool          // true in practice; tests and servers have no display
	IdleTimeout  time.Duration // close Chromium after no context was open this long; 0 (or <0) = never; config's default: DefaultIdleTimeout
	Logger       *slog.Logger  // default slog.Default()
}

// Defaults for Options.
const (
	DefaultDriverDir    = ".cache/playwright-driver"
	DefaultChromiumPath = "/usr/bin/chromium"
	DefaultIdleTimeout  = 5 * time.Minute // what billhound's config uses unless told otherwise
)

// chromiumArgs are passed to every Chromium launch: no sandbox (containers, root), no GPU, and
// none of the background traffic a desktop browser makes.
var chromiumArgs = []string{
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
	"--disable-quic",
}

func (o Options) withDefaults() Options {
	if o.DriverDir == "" {
		o.DriverDir = DefaultDriverDir
	}
	if o.ChromiumPath == "" {
		o.ChromiumPath = DefaultChromiumPath
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// ContextOptions shape one browser context (one portal run).
type ContextOptions struct {
	BaseURL        string // relative page.goto() paths resolve against it
	Locale         string // e.g. "de-DE"; empty = Chromium's default
	TimezoneID     string // e.g. "Europe/Berlin"; empty = the machine's
	UserAgent      string // empty = Chromium's own
	ViewportWidth  int    // 0 = 1280
	ViewportHeight int    // 0 = 800
	HasTouch       bool   // the page gets touch events, as on a phone

	// Policy decides what the context may load (see policy.go); refusals are logged and kept
	// through it. Give each run its own (netpolicy.Policy.ForRun). nil: the default rules
	// (http and https only), never no rules.
	Policy *netpolicy.Policy
	// StorageState is a storage state (cookies and local storage, Playwright's JSON) kept from
	// an earlier context; the new context starts from it. Invalid JSON gives ErrBadStorageState.
	StorageState []byte
}

func (opt ContextOptions) viewport() *playwright.Size {
	w, h := opt.ViewportWidth, opt.ViewportHeight
	if w <= 0 {
		w = 1280
	}
	if h <= 0 {
		h = 800
	}
	return &playwright.Size{Width: w, Height: h}
}

// ErrClosed is returned by NewContext after Close.
var ErrClosed = errors.New("browser manager is closed")

// Manager shares one Chromium between runs. It is safe for concurrent use.
type Manager struct {
	opt Options

	mu       sync.Mutex
	inst     *instance     // the running Chromium, or nil
	starting chan struct{} // closed when the launch in progress ends; nil when none is
	startErr error         // the outcome of the last launch, read after starting closes
	open     int           // browser contexts open on inst
	idle     *time.Timer   // fires IdleTimeout after open dropped to 0
	closed   bool
}

// instance is one driver process plus the Chromium it launched.
type instance struct {
	pw      *playwright.Playwright
	browser playwright.Browser
	gone    chan struct{} // closed once Chromium disconnected (crash, idle close, Close)
}

// New returns a Manager. It starts nothing: Chromium is launched by the first NewContext.
func New(opt Options) *Manager {
	return &Manager{opt: opt.withDefaults()}
}

// NewContext returns a fresh browser context (its own cookies, storage and downloads) on the
// shared Chromium, launching the driver and Chromium first if they are not running. The caller
// closes the context when the run ends; that is what lets the idle timer close Chromium.
func (m *Manager) NewContext(ctx context.Context, opt ContextOptions) (playwright.BrowserContext, error) {
	state, err := parseStorageState(opt.StorageState)
	if err != nil {
		return nil, err
	}
	inst, err := m.acquire(ctx)
	if err != nil {
		return nil, err
	}
	o := playwright.BrowserNewContextOptions{
		AcceptDownloads: playwright.Bool(true),
		Viewport:        opt.viewport(),
		StorageState:    state,
		// A service worker's requests could bypass the context's route; portals work without.
		ServiceWorkers: playwright.ServiceWorkerPolicyBlock,
	}
	if opt.BaseURL != "" {
		o.BaseURL = playwright.String(opt.BaseURL)
	}
	if opt.HasTouch {
		o.HasTouch = playwright.Bool(true)
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
	pol := opt.Policy
	if pol == nil {
		pol = netpolicy.New().ForRun(nil)
	}
	px, err := startProxy(pol)
	if err != nil {
		m.release(inst)
		return nil, fmt.Errorf("start the browser's proxy: %w", err)
	}
	// "<-loopback>": Chromium would otherwise connect to this machine directly.
	o.Proxy = &playwright.Proxy{Server: px.URL(), Bypass: playwright.String("<-loopback>")}

	type result struct {
		bc  playwright.BrowserContext
		err error
	}
	done := make(chan result, 1)
	go func() {
		bc, err := inst.browser.NewContext(o)
		done <- result{bc, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		go func() { // the context may still appear: close it and stop counting it
			if r := <-done; r.err == nil {
				_ = r.bc.Close()
			}
			px.close()
			m.release(inst)
		}()
		return nil, ctx.Err()
	}
	if r.err != nil {
		px.close()
		m.release(inst)
		return nil, fmt.Errorf("open a browser context: %s", firstLine(r.err))
	}
	r.bc.OnClose(func(playwright.BrowserContext) { px.close(); m.release(inst) })
	if err := guard(r.bc, pol); err != nil {
		_ = r.bc.Close()
		return nil, err
	}
	return r.bc, nil
}

// acquire returns the running instance, launching one if needed, and counts one more open
// context on it (which stops the idle timer).
func (m *Manager) acquire(ctx context.Context) (*instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, ErrClosed
		}
		if inst := m.inst; inst != nil && inst.alive() {
			m.open++
			if m.idle != nil {
				m.idle.Stop()
				m.idle = nil
			}
			m.mu.Unlock()
			return inst, nil
		}
		if m.inst != nil { // crashed or disconnected: drop it, a new one is launched below
			old := m.inst
			m.inst, m.open = nil, 0
			go old.close()
		}
		if m.starting == nil {
			m.starting = make(chan struct{})
			go m.launch(m.starting)
		}
		starting := m.starting
		m.mu.Unlock()

		select {
		case <-starting:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		m.mu.Lock()
		err := m.startErr
		m.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// launch starts the driver and Chromium. It runs on its own goroutine so that callers can give
// up (ctx) while a slow launch finishes for the next caller.
func (m *Manager) launch(done chan struct{}) {
	inst, err := m.start()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.startErr = err
	m.starting = nil
	close(done)
	if err != nil {
		return
	}
	if m.closed {
		go inst.close()
		return
	}
	m.inst = inst
	m.open = 0
}

func (m *Manager) start() (*instance, error) {
	if err := CheckInstall(m.opt); err != nil {
		return nil, err
	}
	if !m.opt.Headless && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, errors.New("browser: Options.Headless is false but there is no display ($DISPLAY) to show Chromium on; set Headless")
	}
	log := m.opt.Logger
	begin := time.Now()
	pw, err := playwright.Run(&playwright.RunOptions{
		DriverDirectory:     m.opt.DriverDir,
		SkipInstallBrowsers: true,
		Verbose:             false,
		Stdout:              logWriter{log, "playwright driver"},
		Stderr:              logWriter{log, "playwright driver"},
		Logger:              log,
	})
	if err != nil {
		return nil, fmt.Errorf("start the Playwright driver in %s: %s (%s)", m.opt.DriverDir, firstLine(err), fixHint)
	}
	b, err := pw.Chromium.Launch(playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(m.opt.ChromiumPath),
		Headless:       playwright.Bool(m.opt.Headless),
		Args:           chromiumArgs,
		Timeout:        playwright.Float(60_000),
		// billhound shuts down in order (runs, then Close); Chromium must not die first.
		HandleSIGINT:  playwright.Bool(false),
		HandleSIGTERM: playwright.Bool(false),
		HandleSIGHUP:  playwright.Bool(false),
	})
	if err != nil {
		_ = pw.Stop()
		return nil, fmt.Errorf("launch Chromium %s: %s (%s)", m.opt.ChromiumPath, firstLine(err), fixHint)
	}
	inst := &instance{pw: pw, browser: b, gone: make(chan struct{})}
	var once sync.Once
	b.OnDisconnected(func(playwright.Browser) {
		once.Do(func() { close(inst.gone) })
		m.disconnected(inst)
	})
	log.Info("chromium started", "version", b.Version(), "path", m.opt.ChromiumPath, "took", time.Since(begin).Round(time.Millisecond))
	return inst, nil
}

// release counts one context of inst as closed and arms the idle timer when none is left.
func (m *Manager) release(inst *instance) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inst != inst || m.open == 0 {
		return
	}
	m.open--
	if m.open == 0 && m.opt.IdleTimeout > 0 && !m.closed {
		if m.idle != nil {
			m.idle.Stop()
		}
		m.idle = time.AfterFunc(m.opt.IdleTimeout, func() { m.idleClose(inst) })
	}
}

// idleClose closes inst if it is still the current instance and still unused.
func (m *Manager) idleClose(inst *instance) {
	m.mu.Lock()
	if m.inst != inst || m.open > 0 || m.closed {
		m.mu.Unlock()
		return
	}
	m.inst, m.idle = nil, nil
	m.mu.Unlock()
	m.opt.Logger.Info("chromium closed after idle time", "idle", m.opt.IdleTimeout)
	inst.close()
}

// disconnected forgets inst after Chromium went away, so the next NewContext relaunches.
func (m *Manager) disconnected(inst *instance) {
	m.mu.Lock()
	if m.inst != inst {
		m.mu.Unlock()
		return // closed on purpose (idle, Close) or already replaced
	}
	m.inst, m.open = nil, 0
	if m.idle != nil {
		m.idle.Stop()
		m.idle = nil
	}
	m.mu.Unlock()
	m.opt.Logger.Warn("chromium disconnected; it is relaunched on the next run")
	go inst.close() // stops the driver; never from inside the driver's event callback
}

// Running reports whether Chromium is currently up (for status pages and tests).
func (m *Manager) Running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inst != nil && m.inst.alive()
}

// Close stops Chromium and the driver. Contexts still open are closed with it. After Close,
// NewContext returns ErrClosed. Close waits for a launch in progress.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	if m.idle != nil {
		m.idle.Stop()
		m.idle = nil
	}
	starting := m.starting
	m.mu.Unlock()
	if starting != nil {
		<-starting // launch sees m.closed and closes what it started
	}
	m.mu.Lock()
	inst := m.inst
	m.inst, m.open = nil, 0
	m.mu.Unlock()
	if inst == nil {
		return nil
	}
	return inst.close()
}

func (i *instance) alive() bool {
	select {
	case <-i.gone:
		return false
	default:
		return i.browser.IsConnected()
	}
}

// close closes Chromium and stops the driver process. Errors from an already dead browser are
// not interesting; a driver that does not stop is.
func (i *instance) close() error {
	if i.alive() {
		_ = i.browser.Close()
	}
	if err := i.pw.Stop(); err != nil {
		return fmt.Errorf("stop the Playwright driver: %s", firstLine(err))
	}
	return nil
}
