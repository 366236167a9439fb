package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"billhound/browser"
)

// botCheck is a page that refuses browsers that look automated, the way fussy portals do: the
// server refuses a HeadlessChrome user agent, the page refuses navigator.webdriver.
func botCheck(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.UserAgent(), "HeadlessChrome") {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<p id=verdict>refused: headless user agent</p><p id=env></p>")
			return
		}
		fmt.Fprint(w, `<html><body><p id=verdict>checking</p><p id=env></p><script>
			document.getElementById('verdict').textContent = navigator.webdriver ? 'refused: webdriver' :
				/Headless/.test(navigator.userAgent) ? 'refused: headless user agent' : 'welcome';
			document.getElementById('env').textContent = navigator.language + '|' +
				Intl.DateTimeFormat().resolvedOptions().timeZone;
		</script></body></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// visit opens the bot check in a fresh context of m and returns the verdict and locale|zone.
func visitMode(t *testing.T, m *browser.Manager, mode browser.Mode, url string) (verdict, env string) {
	t.Helper()
	bc, err := m.NewContext(context.Background(), browser.ContextOptions{Mode: mode})
	if err != nil {
		t.Fatalf("%s context: %v", mode, err)
	}
	defer bc.Close()
	p, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Goto(url); err != nil {
		t.Fatal(err)
	}
	return text(t, p, "#verdict"), text(t, p, "#env")
}

func TestHeadfulPassesBotCheck(t *testing.T) {
	srv := botCheck(t)
	// A machine without a display, with a user in Berlin: billhound brings its own display and
	// takes the user's locale and zone.
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "de_DE.UTF-8")
	t.Setenv("TZ", "Europe/Berlin")

	if v, _ := visitMode(t, shared, browser.Headless, srv.URL); !strings.HasPrefix(v, "refused") {
		t.Errorf("plain headless Chromium passed the bot check (%q); the check is not testing anything", v)
	}

	opt := options(t)
	opt.Mode = browser.Headless // the default stays headless; the context asks for headful
	m := browser.New(opt)
	defer m.Close()
	v, env := visitMode(t, m, browser.Headful, srv.URL)
	if v != "welcome" {
		t.Errorf("headful mode: the bot check says %q", v)
	}
	if env != "de-DE|Europe/Berlin" {
		t.Errorf("headful mode: locale|zone = %q, want the user's de-DE|Europe/Berlin", env)
	}
	display := m.Display()
	if display == "" {
		t.Fatal("headful mode without $DISPLAY did not start a virtual display")
	}
	socket := "/tmp/.X11-unix/X" + strings.TrimPrefix(display, ":")
	if _, err := os.Stat(socket); err != nil {
		t.Errorf("virtual display %s has no socket: %v", display, err)
	}

	// one browser per mode: a headless run on the same Manager is still plain headless
	if v, _ := visitMode(t, m, browser.Headless, srv.URL); !strings.HasPrefix(v, "refused") {
		t.Errorf("the headless browser of a Manager that also runs headful passed: %q", v)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(socket); err == nil {
		t.Errorf("the virtual display %s still runs after Close", display)
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]browser.Mode{"": "", "headless": browser.Headless, " Headful ": browser.Headful} {
		if got, err := browser.ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := browser.ParseMode("headed"); err == nil || !strings.Contains(err.Error(), "use headless or headful") {
		t.Errorf("ParseMode(headed): %v", err)
	}
}

// TestPrewarm: Prewarm launches Chromium without a context, the next context uses it, and a
// prewarmed Chromium nobody used is closed after the idle time like any other.
func TestPrewarm(t *testing.T) {
	opt := options(t)
	opt.IdleTimeout = 2 * time.Second
	m := browser.New(opt)
	defer m.Close()
	// A launch takes seconds on a busy machine; waitFor's 10 s is for closing.
	launched := func() {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !m.Running() {
			if time.Now().After(deadline) {
				t.Fatal("Prewarm did not start Chromium within 60s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	m.Prewarm("")
	launched()
	first := m.CurrentBrowser()
	bc, err := m.NewContext(context.Background(), browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.CurrentBrowser() != first {
		t.Error("the context after Prewarm launched another Chromium")
	}
	bc.Close()
	waitFor(t, "idle close after the run", func() bool { return !m.Running() })

	m.Prewarm(browser.Headless)
	launched()
	waitFor(t, "idle close of an unused prewarmed Chromium", func() bool { return !m.Running() })
}
