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
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// Options configure a Manager. Empty paths and a nil Logger get defaults; IdleTimeout is taken
// as given (servers want DefaultIdleTimeout).
type Options struct {
	DriverDir    string        // Playwright driver folder (package/ + node); default ".cache/playwright-driver"
	ChromiumPath string        // default "/usr/bin/chromium"
	Mode         Mode          // for contexts that do not choose one; "" = Headless true: Headless mode, false: Headful
	Headless     bool          // read only when Mode is ""
	IdleTimeout  time.Duration // close Chromium after no context was open this long; 0 (or <0) = never; config's default: DefaultIdleTimeout
	Logger       *slog.Logger  // default slog.Default()

	// RemoteWS is a Playwright browser server (`playwright run-server`, ws:// or wss://) to
	// open browsers on instead of launching Chromium here; "" launches locally.
	RemoteWS string
	// Locale and TimezoneID are what every context gets unless its ContextOptions say
	// otherwise; "" keeps Chromium's own, except in headful mode, which takes the machine's
	// (UserLocale, UserTimezone).
	Locale     string
	TimezoneID string
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
	if o.Mode == "" {
		o.Mode = Headful
		if o.Headless {
			o.Mode = Headless
		}
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
	Mode           Mode   // "" = the Manager's (Options.Mode)

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

// Manager shares one Chromium per mode between runs. It is safe for concurrent use.
type Manager struct {
	opt  Options
	shim driverShim
	// proxyHostForTest makes contexts use a password-protected proxy on this address, as for
	// a browser server on another machine.
	proxyHostForTest string

	mu      sync.Mutex
	slots   map[Mode]*slot
	display *xvfb // the virtual display headful Chromium uses, when billhound started one
	closed  bool
}

// slot is the Chromium of one mode. Its fields are guarded by Manager.mu.
type slot struct {
	mode     Mode
	inst     *instance     // the running Chromium, or nil
	starting chan struct{} // closed when the launch in progress ends; nil when none is
	startErr error         // the outcome of the last launch, read after starting closes
	open     int           // browser contexts open on inst
	idle     *time.Timer   // fires IdleTimeout after open dropped to 0
}

// instance is one driver process plus the Chromium it launched (or connected to).
type instance struct {
	pw      *playwright.Playwright
	browser playwright.Browser
	gone    chan struct{} // closed once Chromium disconnected (crash, idle close, Close)
}

// New returns a Manager. It starts nothing: Chromium is launched by the first NewContext.
func New(opt Options) *Manager {
	return &Manager{opt: opt.withDefaults(), slots: map[Mode]*slot{}}
}

// NewContext returns a fresh browser context (its own cookies, storage and downloads) on the
// shared Chromium of opt.Mode, launching the driver and Chromium first if they are not running.
// The caller closes the context when the run ends; that is what lets the idle timer close
// Chromium.
func (m *Manager) NewContext(ctx context.Context, opt ContextOptions) (playwright.BrowserContext, error) {
	state, err := parseStorageState(opt.StorageState)
	if err != nil {
		return nil, err
	}
	mode := opt.Mode
	if mode == "" {
		mode = m.opt.Mode
	}
	if _, err := ParseMode(string(mode)); err != nil {
		return nil, err
	}
	s, inst, err := m.acquire(ctx, mode)
	if err != nil {
		return nil, err
	}
	o := m.contextOptions(mode, opt)
	o.StorageState = state
	if opt.HasTouch {
		o.HasTouch = playwright.Bool(true)
	}
	pol := opt.Policy
	if pol == nil {
		pol = netpolicy.New().ForRun(nil)
	}
	px, pxo, err := m.contextProxy(pol)
	if err != nil {
		m.release(s, inst)
		return nil, fmt.Errorf("start the browser's proxy: %w", err)
	}
	o.Proxy = pxo

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
			m.release(s, inst)
		}()
		return nil, ctx.Err()
	}
	if r.err != nil {
		px.close()
		m.release(s, inst)
		return nil, fmt.Errorf("open a browser context: %s", firstLine(r.err))
	}
	r.bc.OnClose(func(playwright.BrowserContext) { px.close(); m.release(s, inst) })
	if err := guard(r.bc, pol); err != nil {
		_ = r.bc.Close()
		return nil, err
	}
	return r.bc, nil
}

// Running reports whether a Chromium (of any mode) is currently up, for status pages and tests.
func (m *Manager) Running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.slots {
		if s.inst != nil && s.inst.alive() {
			return true
		}
	}
	return false
}

// Close stops every Chromium, the driver and billhound's virtual display. Contexts still open
// are closed with them. After Close, NewContext returns ErrClosed. Close waits for launches in
// progress.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	var starting []chan struct{}
	for _, s := range m.slots {
		if s.idle != nil {
			s.idle.Stop()
			s.idle = nil
		}
		if s.starting != nil {
			starting = append(starting, s.starting)
		}
	}
	m.mu.Unlock()
	for _, c := range starting {
		<-c // launch sees m.closed and closes what it started
	}
	m.mu.Lock()
	var insts []*instance
	for _, s := range m.slots {
		if s.inst != nil {
			insts = append(insts, s.inst)
		}
		s.inst, s.open = nil, 0
	}
	display := m.display
	m.display = nil
	m.mu.Unlock()
	var errs []error
	for _, inst := range insts {
		errs = append(errs, inst.close())
	}
	if display != nil {
		display.stop()
	}
	m.shim.remove()
	return errors.Join(errs...)
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
