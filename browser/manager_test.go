package browser_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/browser"
	"billhound/browser/browsertest"

	"github.com/playwright-community/playwright-go"
)

// shared is the Chromium most tests of this package use; tests that close or crash Chromium
// start their own Manager.
var shared *browser.Manager

func TestMain(m *testing.M) {
	os.Exit(browsertest.Main(m.Run, func(mgr *browser.Manager) { shared = mgr }))
}

func options(t *testing.T) browser.Options {
	t.Helper()
	opt, err := browsertest.Options()
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

func cookieServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "run", Value: r.URL.Query().Get("v"), Path: "/"})
		}
		c, _ := r.Cookie("run")
		v := ""
		if c != nil {
			v = c.Value
		}
		fmt.Fprintf(w, "<html><body><p id=cookie>%s</p><p id=ua></p><script>document.getElementById('ua').textContent = navigator.userAgent + '|' + navigator.language + '|' + Intl.DateTimeFormat().resolvedOptions().timeZone + '|' + innerWidth</script></body></html>", v)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func text(t *testing.T, p playwright.Page, sel string) string {
	t.Helper()
	s, err := p.Locator(sel).InnerText()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestContextsAreFresh: concurrent NewContext calls share one launch, and contexts share no
// cookies; context options reach the page.
func TestContextsAreFresh(t *testing.T) {
	srv := cookieServer(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	pages := make([]playwright.Page, 3)
	errs := make([]error, 3)
	for i := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bc, err := shared.NewContext(ctx, browser.ContextOptions{
				BaseURL: srv.URL, Locale: "de-DE", TimezoneID: "Europe/Berlin", UserAgent: "billhound-test", ViewportWidth: 1000,
			})
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(func() { bc.Close() })
			pages[i], errs[i] = bc.NewPage()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pages[0].Goto("/set?v=first"); err != nil { // relative: BaseURL applies
		t.Fatal(err)
	}
	if _, err := pages[0].Goto("/"); err != nil {
		t.Fatal(err)
	}
	if got := text(t, pages[0], "#cookie"); got != "first" {
		t.Fatalf("cookie in its own context = %q", got)
	}
	if _, err := pages[1].Goto("/"); err != nil {
		t.Fatal(err)
	}
	if got := text(t, pages[1], "#cookie"); got != "" {
		t.Errorf("a new context sees another context's cookie %q", got)
	}
	if got := text(t, pages[1], "#ua"); got != "billhound-test|de-DE|Europe/Berlin|1000" {
		t.Errorf("context options: %q", got)
	}
	if !shared.Running() {
		t.Error("Running() = false with contexts open")
	}
}

func TestDownloadsAccepted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/f.pdf" {
			w.Header().Set("Content-Disposition", `attachment; filename="f.pdf"`)
			w.Write([]byte("%PDF-1.4 test"))
			return
		}
		fmt.Fprint(w, `<a href="/f.pdf">f</a>`)
	}))
	defer srv.Close()
	bc, err := shared.NewContext(context.Background(), browser.ContextOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	p, _ := bc.NewPage()
	p.Goto("/")
	d, err := p.ExpectDownload(func() error { return p.Locator("a").Click() })
	if err != nil {
		t.Fatal(err)
	}
	path, err := d.Path()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "%PDF-1.4 test" {
		t.Errorf("download = %q", b)
	}
}

// TestIdleCloseAndRelaunch: Chromium closes after the idle time without contexts and starts
// again on the next NewContext; a crashed (disconnected) Chromium is relaunched too.
func TestIdleCloseAndRelaunch(t *testing.T) {
	opt := options(t)
	opt.IdleTimeout = 300 * time.Millisecond
	m := browser.New(opt)
	defer m.Close()
	if m.Running() {
		t.Fatal("New started Chromium")
	}
	ctx := context.Background()
	bc, err := m.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	if !m.Running() {
		t.Fatal("closed while a context was open")
	}
	bc.Close()
	waitFor(t, "idle close", func() bool { return !m.Running() })

	bc, err = m.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatalf("relaunch after idle: %v", err)
	}
	if !m.Running() {
		t.Fatal("not running after relaunch")
	}
	// Crash: Chromium goes away under an open context.
	m.CurrentBrowser().Close()
	waitFor(t, "disconnect noticed", func() bool { return !m.Running() })
	_ = bc.Close()
	bc, err = m.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatalf("relaunch after crash: %v", err)
	}
	p, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Evaluate("1+1"); err != nil {
		t.Fatal(err)
	}
	bc.Close()

	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.NewContext(ctx, browser.ContextOptions{}); !errors.Is(err, browser.ErrClosed) {
		t.Fatalf("NewContext after Close: %v", err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within 10s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNewContextCancelled(t *testing.T) {
	opt := options(t)
	m := browser.New(opt)
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.NewContext(ctx, browser.ContextOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckInstall(t *testing.T) {
	opt := options(t)
	if err := browser.CheckInstall(opt); err != nil {
		t.Fatalf("this machine's install: %v", err)
	}

	dir := t.TempDir()
	missing := filepath.Join(dir, "no-driver")
	bad := opt
	bad.DriverDir = missing
	err := browser.CheckInstall(bad)
	if !errors.Is(err, browser.ErrNotInstalled) || !strings.Contains(err.Error(), "the Playwright driver folder "+missing+" does not exist") ||
		!strings.Contains(err.Error(), "tools/install-deps.sh") {
		t.Errorf("missing driver: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("CheckInstall created the driver folder")
	}

	bad = opt
	bad.ChromiumPath = filepath.Join(dir, "chromium")
	err = browser.CheckInstall(bad)
	if err == nil || !strings.Contains(err.Error(), "Chromium is missing: "+bad.ChromiumPath+" does not exist; run `make deps` or tools/install-deps.sh") {
		t.Errorf("missing chromium: %v", err)
	}

	// a driver of another version, and a dangling node link
	old := filepath.Join(dir, "old")
	os.MkdirAll(filepath.Join(old, "package"), 0o755)
	os.WriteFile(filepath.Join(old, "package", "cli.js"), nil, 0o644)
	os.WriteFile(filepath.Join(old, "package", "package.json"), []byte(`{"version": "1.40.0"}`), 0o644)
	os.Symlink(filepath.Join(dir, "gone"), filepath.Join(old, "node"))
	bad = opt
	bad.DriverDir = old
	err = browser.CheckInstall(bad)
	for _, want := range []string{"is version 1.40.0, billhound needs " + browser.DriverVersion(), "Node.js for the driver is missing", "tools/install-deps.sh"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("old driver: %v does not say %q", err, want)
		}
	}

	// NewContext reports the same, without launching anything
	m := browser.New(bad)
	defer m.Close()
	if _, err := m.NewContext(context.Background(), browser.ContextOptions{}); !errors.Is(err, browser.ErrNotInstalled) {
		t.Errorf("NewContext with a broken install: %v", err)
	}
}
