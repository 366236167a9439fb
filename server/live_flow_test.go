package server

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"billhound/internal/benchdoc"
)

// TestLiveViewFramesAndTakeOver watches an animated page through the live view: frames come at
// 5 per second or more and less than 300 ms after Chromium drew them; input does nothing until
// the viewer takes over, then clicks, typing and scrolling reach the page.
func TestLiveViewFramesAndTakeOver(t *testing.T) {
	f := newLiveFixture(t)
	conn, _, err := f.dial(f.run.ID, true, f.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	msgs := reader(t, conn)
	next(t, msgs, 10*time.Second, "hello", func(m liveMsg) bool { return m.Type == "hello" })
	first := next(t, msgs, 10*time.Second, "a first frame", func(m liveMsg) bool { return m.JPEG != nil })
	if !isJPEG(first.JPEG) || first.Width != 1280 || first.Height != 800 {
		t.Fatalf("first frame: %d bytes (JPEG %v), page %vx%v, want a JPEG of a 1280x800 page", len(first.JPEG), isJPEG(first.JPEG), first.Width, first.Height)
	}

	// Frame rate and lag while the page animates, over windows of 2 s. The machine is shared:
	// a window passes when it meets both limits, and up to three are tried before failing.
	var windows []liveWindow
	for len(windows) < 3 {
		w := measureWindow(t, msgs, 2*time.Second)
		windows = append(windows, w)
		t.Logf("live view: %.1f frames/s, lag median %s, p95 %s", w.fps, w.median, w.p95)
		if w.fps >= 5 && w.median < 300*time.Millisecond {
			break
		}
	}
	best := windows[len(windows)-1]
	if best.fps < 5 {
		t.Errorf("%.1f frames per second while the page animates, want at least 5", best.fps)
	}
	if best.median >= 300*time.Millisecond {
		t.Errorf("frames arrive %s after Chromium drew them (median), want under 300 ms", best.median)
	}
	if out := benchOut(); out != "" {
		writeLiveBench(t, out, windows, len(first.JPEG))
	}

	// View only: a click before "Take over" is refused and the page does not see it.
	click := map[string]any{"type": "mouse", "action": "click", "x": 350, "y": 175, "w": 640, "h": 400}
	send(t, conn, click)
	m := next(t, msgs, 5*time.Second, "an error for input without take-over", func(m liveMsg) bool { return m.Type == "error" })
	if m.Error != "press Take over before using the page" {
		t.Fatalf("input without take-over: %q", m.Error)
	}
	if txt, _ := f.page.TextContent("#b"); txt != "Press" {
		t.Fatalf("the button saw a click while the viewer only watched: %q", txt)
	}

	// Take over: the click (on an image shown at half size) lands on the button as a real click.
	send(t, conn, map[string]any{"takeover": true})
	send(t, conn, click)
	eventually(t, f.page, `document.getElementById('b').textContent === 'clicked true'`, "the relayed click")

	// Typing: focus the field, type text (as a phone sends it), a key, Backspace and Enter.
	send(t, conn, map[string]any{"type": "mouse", "action": "click", "x": 125, "y": 260, "w": 640, "h": 400})
	eventually(t, f.page, `document.activeElement === document.getElementById('i')`, "the focused field")
	send(t, conn, map[string]any{"type": "text", "text": "héllo"})
	for _, k := range []string{"!", "x", "Backspace", "Enter"} {
		send(t, conn, map[string]any{"type": "key", "action": "down", "key": k})
		send(t, conn, map[string]any{"type": "key", "action": "up", "key": k})
	}
	eventually(t, f.page, `document.getElementById('i').value === 'héllo!' && document.getElementById('i').dataset.enter === 'yes'`, "the typed text")

	// Scrolling.
	send(t, conn, map[string]any{"type": "wheel", "x": 320, "y": 200, "w": 640, "h": 400, "dy": 500})
	eventually(t, f.page, `window.scrollY > 0`, "the page scrolled")

	// The run ends: the viewer is told, and the connection closes.
	f.unregi()
	next(t, msgs, 10*time.Second, "the end of the run", func(m liveMsg) bool { return m.Type == "ended" })
}

// TestLiveViewTakeOverWait: while a script waits for the user, the run says so; Done in the
// live view ends the wait.
func TestLiveViewTakeOverWait(t *testing.T) {
	f := newLiveFixture(t)
	conn, _, err := f.dial(f.run.ID, true, f.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	msgs := reader(t, conn)
	if hello := next(t, msgs, 10*time.Second, "hello", func(m liveMsg) bool { return m.Type == "hello" }); hello.Waiting {
		t.Fatal("hello says the run waits before anything waits")
	}
	runPath := fmt.Sprintf("/api/runs/%d", f.run.ID)
	if _, body, _ := f.admin.call("GET", runPath, nil); body["live"] != true || body["takeover"] != false {
		t.Fatalf("a live run that does not wait: live=%v takeover=%v", body["live"], body["takeover"])
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waited := make(chan error, 1)
	go func() {
		waited <- f.hub.WaitTakeover(ctx, f.run.ID, func() (bool, error) {
			n, err := f.page.Locator("#never-there").Count()
			return n > 0, err
		})
	}()
	next(t, msgs, 5*time.Second, "the waiting message", func(m liveMsg) bool { return m.Type == "waiting" && m.Waiting })
	if _, body, _ := f.admin.call("GET", runPath, nil); body["takeover"] != true {
		t.Fatalf("GET %s while the script waits: takeover=%v", runPath, body["takeover"])
	}
	send(t, conn, map[string]any{"done": true})
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("WaitTakeover after Done: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Done did not end the wait")
	}
	next(t, msgs, 5*time.Second, "the end of waiting", func(m liveMsg) bool { return m.Type == "waiting" && !m.Waiting })
}

// TestLiveViewRefusals: no session, another site's page, or a run without a live page: no view.
func TestLiveViewRefusals(t *testing.T) {
	f := newLiveFixture(t)
	for _, c := range []struct {
		name   string
		runID  int64
		cookie bool
		origin string
		status int
	}{
		{"no session", f.run.ID, false, f.ts.URL, 401},
		{"another site", f.run.ID, true, "http://evil.example", 403},
		{"no Origin", f.run.ID, true, "", 403},
		{"not running", f.run.ID + 1, true, f.ts.URL, 404},
	} {
		conn, resp, err := f.dial(c.runID, c.cookie, c.origin)
		if err == nil {
			conn.CloseNow()
			t.Errorf("%s: the live view opened", c.name)
			continue
		}
		if resp == nil || resp.StatusCode != c.status {
			t.Errorf("%s: %v (%v), want status %d", c.name, err, resp, c.status)
		}
	}
}

// liveWindow is the frame rate and lag measured over one window.
type liveWindow struct {
	fps         float64
	median, p95 time.Duration
}

func measureWindow(t *testing.T, msgs <-chan liveMsg, d time.Duration) liveWindow {
	t.Helper()
	var lags []time.Duration
	end := time.After(d)
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatal("the live view closed")
			}
			if m.JPEG != nil {
				lags = append(lags, m.At.Sub(time.UnixMilli(m.TS)))
			}
		case <-end:
			if len(lags) == 0 {
				t.Fatal("no frames while the page animates")
			}
			return liveWindow{float64(len(lags)) / d.Seconds(), percentile(lags, 0.5), percentile(lags, 0.95)}
		}
	}
}

func writeLiveBench(t *testing.T, out string, windows []liveWindow, frameBytes int) {
	var rows strings.Builder
	for i, w := range windows {
		fmt.Fprintf(&rows, "| %d | %.1f | %d ms | %d ms |\n", i+1, w.fps, w.median.Milliseconds(), w.p95.Milliseconds())
	}
	body := fmt.Sprintf(`## Live view

`+"`go test -run TestLiveViewFramesAndTakeOver ./server/`"+`: a page that redraws every animation
frame, watched through `+"`GET /api/runs/:id/live`"+` on loopback (CDP screencast, JPEG quality 60,
at most 1280 px wide), in windows of 2 s (a further window only when one misses a limit). Lag
is from Chromium's frame timestamp to the frame's arrival at the WebSocket client. Timed
inside the server, most of it lies before the frame reaches billhound (Chromium encoding it,
the Playwright driver passing it on), and it grows with the machine's load. Required: at least
5 frames per second, median lag under 300 ms.
Generated on %s; %d CPUs shared with other test runs, load average %s; first frame
(1280x800, mostly white) %d KB.

| window | frames per second | lag, median | lag, 95th percentile |
|---|---|---|---|
%s`, time.Now().Format("2006-01-02"), runtime.NumCPU(), loadAverage(), frameBytes/1024, rows.String())
	if err := benchdoc.WriteSection(out, "live-view", body); err != nil {
		t.Fatal(err)
	}
}

// loadAverage is the 1-minute load average (Linux), which explains slow windows.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}
