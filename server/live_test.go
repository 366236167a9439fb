package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/playwright-community/playwright-go"

	"billhound/archive"
	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/credentials"
	"billhound/internal/benchdoc"
	"billhound/liveview"
	"billhound/runner"
	"billhound/secrets"
	"billhound/store"
)

// livePage animates (a clock drawn every frame) and has a button, a text field and a tall body
// at known places of the 1280x800 viewport.
const livePage = `<!doctype html><html><body style="margin:0;height:3000px">
<canvas id="clock" width="400" height="60" style="position:absolute;left:0;top:0"></canvas>
<button id="b" style="position:absolute;left:600px;top:300px;width:200px;height:100px">Press</button>
<input id="i" style="position:absolute;left:100px;top:500px;width:300px;height:40px">
<script>
const g = document.getElementById('clock').getContext('2d');
g.font = '30px sans-serif';
(function draw() { g.clearRect(0, 0, 400, 60); g.fillText(String(Date.now()), 10, 40); requestAnimationFrame(draw); })();
document.getElementById('b').onclick = (e) => { e.target.textContent = 'clicked ' + e.isTrusted; };
document.getElementById('i').onkeydown = (e) => { if (e.key === 'Enter') e.target.dataset.enter = 'yes'; };
</script></body></html>`

// liveFixture is a signed-in admin, a real Chromium page showing livePage, registered as the
// live page of a running run.
type liveFixture struct {
	t      *testing.T
	ts     *httptest.Server
	admin  *client
	hub    *liveview.Hub
	page   playwright.Page
	run    *store.Run
	unregi func()
}

func newLiveFixture(t *testing.T) *liveFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	hub := liveview.NewHub(nil)
	s := New(Deps{Store: st, Runner: &runner.Runner{Artifacts: filepath.Join(dir, "runs")}, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: dir},
		Live: hub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(s.Handler())
	servers.Store(ts.URL, s)
	t.Cleanup(ts.Close)
	admin := newClient(t, ts.URL)
	if code, _ := admin.setup("admin", "long enough"); code != 201 {
		t.Fatalf("setup: %d", code)
	}

	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, livePage)
	}))
	t.Cleanup(site.Close)
	mgr, err := browsertest.Manager()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc, err := mgr.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.Close() })
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Goto(site.URL); err != nil {
		t.Fatal(err)
	}
	p := &store.Portal{Name: "Live", Script: "// ==Portal==\n// @name Live\n// ==/Portal==\n"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	run, err := st.StartRun(p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	f := &liveFixture{t: t, ts: ts, admin: admin, hub: hub, page: page, run: run}
	f.unregi = hub.Register(run.ID, page)
	t.Cleanup(f.unregi)
	return f
}

// dial opens the live view with the admin's cookie (or none) and the given Origin.
func (f *liveFixture) dial(runID int64, withCookie bool, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if withCookie {
		u, _ := url.Parse(f.ts.URL)
		for _, c := range f.admin.http.Jar.Cookies(u) {
			h.Add("Cookie", c.Name+"="+c.Value)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(f.ts.URL, "http") + fmt.Sprintf("/api/runs/%d/live", runID)
	return websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h})
}

// liveMsg is a JSON message of the live view, or a frame when JPEG is set.
type liveMsg struct {
	Type    string  `json:"type"`
	Width   float64 `json:"width"`
	Height  float64 `json:"height"`
	URL     string  `json:"url"`
	TS      int64   `json:"ts"`
	Waiting bool    `json:"waiting"`
	Error   string  `json:"error"`
	JPEG    []byte  `json:"-"`
	At      time.Time
}

// reader turns the connection into a channel of messages; a frame's JPEG is joined to the
// "frame" message before it.
func reader(t *testing.T, conn *websocket.Conn) <-chan liveMsg {
	out := make(chan liveMsg, 256)
	go func() {
		defer close(out)
		var last liveMsg
		for {
			typ, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			now := time.Now()
			if typ == websocket.MessageBinary {
				last.JPEG, last.At = data, now
				out <- last
				continue
			}
			var m liveMsg
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("not JSON: %q", data)
				return
			}
			m.At = now
			if m.Type == "frame" {
				last = m
				continue
			}
			out <- m
		}
	}()
	return out
}

// next returns the next message that satisfies ok, or fails after d.
func next(t *testing.T, msgs <-chan liveMsg, d time.Duration, what string, ok func(liveMsg) bool) liveMsg {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m, open := <-msgs:
			if !open {
				t.Fatalf("the live view closed while waiting for %s", what)
			}
			if ok(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s within %s", what, d)
		}
	}
}

func send(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// eventually polls the page until expr (a JS expression) is true.
func eventually(t *testing.T, page playwright.Page, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if v, err := page.Evaluate(expr); err == nil && v == true {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page never showed %s (%s)", what, expr)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

func isJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

func benchOut() string { return benchdoc.Path(filepath.Join("..")) }
