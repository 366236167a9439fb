package scripts

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/netpolicy"
)

// Every test in this package that needs a browser shares one Chromium (started on first use);
// each run gets its own browser context, as in production.
var testBrowser *browser.Manager

func TestMain(m *testing.M) {
	flag.Parse()
	if *update { // regenerating api.d.ts (go generate) needs no browser
		os.Exit(m.Run())
	}
	os.Exit(browsertest.Main(m.Run, func(mgr *browser.Manager) { testBrowser = mgr }))
}

// fakeHost is the runner's side of a run, recording what the script hands over.
type fakeHost struct {
	mu        sync.Mutex
	creds     map[string]string
	code      string // what TOTP returns; "" = no secret
	codes     int    // how often TOTP was asked
	known     map[string]bool
	since     *time.Time
	saved     []Document
	logs      []string // "level: message"
	artifacts map[string][]byte
	restored  bool     // what SessionRestored says
	forgets   int      // how often ForgetSession was called
	recovery  []string // unused recovery codes, handed out first to last
}

func newHost() *fakeHost {
	return &fakeHost{
		creds:     map[string]string{"username": "demo", "password": "s3cret-pw"},
		code:      "123456",
		known:     map[string]bool{},
		artifacts: map[string][]byte{},
	}
}

func (h *fakeHost) Credentials() map[string]string { return h.creds }

func (h *fakeHost) TOTP(ctx context.Context) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.codes++
	if h.code == "" {
		return "", errors.New("this portal has no TOTP secret; add one on the portal's 2FA tab")
	}
	return h.code, nil
}

func (h *fakeHost) RecoveryCode() (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.recovery) == 0 {
		return "", errors.New("no unused recovery code is left for this portal")
	}
	c := h.recovery[0]
	h.recovery = h.recovery[1:]
	return c, nil
}

func (h *fakeHost) SaveInvoice(ctx context.Context, doc Document) (SaveResult, error) {
	// Keep the content: the binding deletes a download's file once this returns.
	rc, _, err := doc.Open()
	if err != nil {
		return SaveResult{}, err
	}
	doc.Data, err = io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return SaveResult{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range h.saved {
		if doc.Meta.ID != "" && d.Meta.ID == doc.Meta.ID {
			return SaveResult{Duplicate: true, Path: "archive/" + d.Meta.ID}, nil
		}
	}
	h.saved = append(h.saved, doc)
	h.known[doc.Meta.ID] = true
	return SaveResult{Saved: true, Path: fmt.Sprintf("archive/%d-%s", len(h.saved), doc.SuggestedName)}, nil
}

func (h *fakeHost) Known(id string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.known[id], nil
}

func (h *fakeHost) Since() *time.Time { return h.since }

func (h *fakeHost) Log(level, message string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, level+": "+message)
}

func (h *fakeHost) Artifact(name string, data []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.artifacts[name] = data
	return nil
}

func (h *fakeHost) SessionRestored() bool { return h.restored }

func (h *fakeHost) ForgetSession() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forgets++
	return nil
}

func (h *fakeHost) logText() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.logs, "\n")
}

// runScriptHost runs src with a host of the test's own making (one that asks, for instance).
func runScriptHost(t *testing.T, src string, h Host, limit time.Duration, took *time.Duration) (Host, error) {
	t.Helper()
	bc, err := testBrowser.NewContext(context.Background(), browser.ContextOptions{})
	if err != nil {
		t.Fatalf("browser context: %v", err)
	}
	defer bc.Close()
	page, err := browser.NewPage(bc)
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	start := time.Now()
	err = NewEngine(EngineOptions{ActionTimeout: 5 * time.Second}).Run(context.Background(), RunOptions{
		Source: testHeader + src, Filename: "demo.js", Page: page, Host: h,
		Portal: PortalInfo{Name: "Demo Cloud"}, Timeout: limit,
	})
	*took = time.Since(start)
	return h, err
}

// runOpts tune one test run.
type runOpts struct {
	host    *fakeHost
	wrap    Host           // a host wrapping host, when set (to add optional host methods)
	timeout time.Duration  // run limit; default 60s
	action  time.Duration  // action timeout; default 5s
	base    string         // the context's BaseURL and portal URL
	took    *time.Duration // set to how long Run took
	engine  EngineOptions  // MaxDownload, TempDir
	policy  *netpolicy.Policy
	own     string           // billhound's own address for the run's policy, if any
	browser *browser.Manager // default: the shared local Chromium
}

// runScript runs src (with a header added) against a fresh context of the shared Chromium.
func runScript(t *testing.T, src string, o runOpts) (*fakeHost, error) {
	t.Helper()
	if o.host == nil {
		o.host = newHost()
	}
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}
	if o.action == 0 {
		o.action = 5 * time.Second
	}
	if testBrowser == nil {
		t.Fatal("no browser: run the tests without -update")
	}
	ctx := context.Background()
	// as the runner does: one policy for the context and the bindings, refusals in the run's log
	var own []string
	if o.own != "" {
		own = append(own, o.own)
	}
	host := o.host
	base := netpolicy.New(own...)
	if o.policy != nil {
		base = o.policy
	}
	pol := base.ForRun(func(target, reason string) { host.Log("warn", "blocked: "+target+" ("+reason+")") })
	mgr := testBrowser
	if o.browser != nil {
		mgr = o.browser
	}
	bc, err := mgr.NewContext(ctx, browser.ContextOptions{BaseURL: o.base, Policy: pol})
	if err != nil {
		t.Fatalf("browser context: %v", err)
	}
	defer bc.Close()
	page, err := browser.NewPage(bc)
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	eo := o.engine
	eo.ActionTimeout = o.action
	eng := NewEngine(eo)
	start := time.Now()
	defer func() {
		if o.took != nil {
			*o.took = time.Since(start)
		}
	}()
	err = eng.Run(ctx, RunOptions{
		Source:   testHeader + src,
		Filename: "demo.js",
		Page:     page,
		Host:     hostOf(o),
		Portal:   PortalInfo{Name: "Demo Cloud", URL: o.base},
		Timeout:  o.timeout,
		Policy:   pol,
	})
	return o.host, err
}

func hostOf(o runOpts) Host {
	if o.wrap != nil {
		return o.wrap
	}
	return o.host
}

// testHeader is put before every test script: 7 lines, so script line n is file line n+7.
const testHeader = `// ==Portal==
// @name     Demo Cloud
// @url      https://example.com/login
// @twofa    totp
// @fields   username password
// @version  1
// ==/Portal==
`

// asserts are JS helpers test scripts use.
const asserts = `
function eq(got, want, what) {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(what + ": got " + JSON.stringify(got) + ", want " + JSON.stringify(want));
}
function ok(cond, what) { if (!cond) throw new Error("not true: " + what); }
function throws(fn, part) {
  try { fn(); } catch (e) {
    if (part && String(e.message).indexOf(part) < 0) throw new Error("error " + JSON.stringify(e.message) + " does not contain " + JSON.stringify(part));
    return e;
  }
  throw new Error("did not throw: " + fn);
}
`

func mustRun(t *testing.T, src string, o runOpts) *fakeHost {
	t.Helper()
	h, err := runScript(t, src, o)
	if err != nil {
		if h != nil {
			t.Logf("run log:\n%s", h.logText())
		}
		t.Fatalf("run failed: %v", err)
	}
	return h
}
