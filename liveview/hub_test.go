package liveview

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/browser/browsertest"
)

var browsers *browser.Manager

func TestMain(m *testing.M) {
	os.Exit(browsertest.Main(m.Run, func(b *browser.Manager) { browsers = b }))
}

// newPage is a real Chromium page showing html.
func newPage(t *testing.T, html string) playwright.Page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc, err := browsers.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if err := page.SetContent(html); err != nil {
		t.Fatal(err)
	}
	return page
}

// appears is a WaitTakeover condition: the selector matches on the page.
func appears(page playwright.Page, sel string) func() (bool, error) {
	return func() (bool, error) {
		n, err := page.Locator(sel).Count()
		return n > 0, err
	}
}

func TestWaitTakeoverEnds(t *testing.T) {
	page := newPage(t, `<p>challenge</p><script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<a id="out">Sign out</a>'), 1200)</script>`)
	hub := NewHub(nil)
	defer hub.Register(1, page)()

	// The page shows what the script waits for: the wait ends by itself.
	start := time.Now()
	if err := hub.WaitTakeover(context.Background(), 1, appears(page, "#out")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || d > 5*time.Second {
		t.Fatalf("the wait took %s; the element appeared after 1.2 s (polled every 500 ms)", d)
	}
	if hub.Waiting(1) {
		t.Fatal("still waiting after the wait ended")
	}

	// Done ends a wait the page would never end, and only that one: the next wait needs its own.
	if hub.Done(1) {
		t.Fatal("Done reported a wait when none was in progress")
	}
	never := appears(page, "#never")
	errs := make(chan error, 1)
	go func() { errs <- hub.WaitTakeover(context.Background(), 1, never) }()
	waitFor(t, func() bool { return hub.Waiting(1) }, "the wait to begin")
	if !hub.Done(1) {
		t.Fatal("Done found no wait")
	}
	if err := <-errs; err != nil {
		t.Fatalf("after Done: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if err := hub.WaitTakeover(ctx, 1, never); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second wait after Done: %v, want it to run until its context ends", err)
	}

	// A failing condition ends the wait with its error.
	boom := errors.New("the page crashed")
	if err := hub.WaitTakeover(context.Background(), 1, func() (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("failing condition: %v", err)
	}
}

func TestWaitTakeoverWithoutLivePage(t *testing.T) {
	var nilHub *Hub
	if err := nilHub.WaitTakeover(context.Background(), 1, nil); !errors.Is(err, ErrNotLive) {
		t.Fatalf("nil hub: %v", err)
	}
	hub := NewHub(nil)
	if err := hub.WaitTakeover(context.Background(), 7, nil); !errors.Is(err, ErrNotLive) {
		t.Fatalf("unknown run: %v", err)
	}
	// The run ends (its page goes away) during the wait.
	page := newPage(t, `<p>x</p>`)
	unregister := hub.Register(2, page)
	errs := make(chan error, 1)
	go func() { errs <- hub.WaitTakeover(context.Background(), 2, appears(page, "#never")) }()
	waitFor(t, func() bool { return hub.Waiting(2) }, "the wait to begin")
	unregister()
	select {
	case err := <-errs:
		if !errors.Is(err, ErrNotLive) {
			t.Fatalf("run ended during the wait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait went on after the run ended")
	}
	if hub.Live(2) {
		t.Fatal("the run is still live after unregistering")
	}
}

// TestBadInput: input that cannot be relayed is refused with a message saying why.
func TestBadInput(t *testing.T) {
	page := newPage(t, `<p>x</p>`)
	hub := NewHub(nil)
	defer hub.Register(3, page)()
	v, err := hub.Attach(3)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	select {
	case <-v.Frames():
	case <-time.After(15 * time.Second):
		t.Fatal("no first frame")
	}
	for _, c := range []struct {
		in   Input
		want string
	}{
		{Input{Type: "teleport"}, "unknown input type"},
		{Input{Type: "mouse", Action: "click", X: 1, Y: 1}, "image's size"},
		{Input{Type: "mouse", Action: "wiggle", X: 1, Y: 1, ViewW: 10, ViewH: 10}, "unknown mouse action"},
		{Input{Type: "mouse", Action: "click", X: 1, Y: 1, ViewW: 10, ViewH: 10, Button: "fourth"}, "unknown mouse button"},
		{Input{Type: "text", Text: strings.Repeat("a", maxText+1)}, "1 to 4096 bytes"},
		{Input{Type: "text"}, "1 to 4096 bytes"},
		{Input{Type: "key", Action: "down", Key: "Hyper"}, "unsupported key"},
		{Input{Type: "key", Action: "sideways", Key: "a"}, "unknown key action"},
	} {
		if err := v.Send(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error with %q", c.in, err, c.want)
		}
	}
	if _, err := hub.Attach(99); !errors.Is(err, ErrNotLive) {
		t.Fatalf("attach to an unknown run: %v", err)
	}
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
