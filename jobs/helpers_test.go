package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/credentials"
	"billhound/runner"
	"billhound/scripts"
	"billhound/secrets"
	"billhound/store"
)

// fixture is a queue over a temp data dir (a real SQLite file), the real Chromium and real
// River.
type fixture struct {
	t      *testing.T
	runner *runner.Runner
	store  *store.Store
	queue  *Queue
}

func testLogger() *slog.Logger {
	if os.Getenv("BILLHOUND_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newFixture opens the parts; start the queue with f.start once portals are in place.
func newFixture(t *testing.T, opt Options) *fixture {
	t.Helper()
	bopt, err := browsertest.Options()
	if err != nil {
		t.Fatal(err)
	}
	mgr := browser.New(bopt)
	t.Cleanup(func() { mgr.Close() })
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{3}, secrets.KeySize))
	log := testLogger()
	r := &runner.Runner{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: filepath.Join(dir, "archive")},
		Browser: mgr, Engine: scripts.NewEngine(scripts.EngineOptions{Logger: log, TempDir: filepath.Join(dir, "tmp")}),
		Artifacts: filepath.Join(dir, "runs"), Timeout: time.Minute, Logger: log}
	t.Cleanup(func() { r.Shutdown(context.Background()) })
	if opt.Poll == 0 {
		opt.Poll = 200 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = log
	}
	q, err := Open(context.Background(), r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, runner: r, store: st, queue: q}
}

func (f *fixture) start() {
	f.t.Helper()
	if err := f.queue.Start(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		f.queue.Stop(ctx)
	})
}

// portal adds a portal whose script body runs against url.
func (f *fixture) portal(name, url, schedule, body string) *store.Portal {
	f.t.Helper()
	script := "// ==Portal==\n// @name " + name + "\n// @url " + url + "/\n// ==/Portal==\n" + body
	p := &store.Portal{Name: name, Script: script, Schedule: schedule}
	if err := f.store.CreatePortal(p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// runs lists a portal's runs oldest first.
func (f *fixture) runs(portalID int64) []store.Run {
	f.t.Helper()
	rs, err := f.store.Runs(portalID, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs
}

// waitFor polls cond until it holds or d passes.
func (f *fixture) waitFor(d time.Duration, what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ended reports whether the run with id has ended.
func (f *fixture) ended(id int64) bool {
	r, err := f.store.Run(id)
	return err == nil && r.Status != store.RunQueued && r.Status != store.RunRunning
}

// gauge counts requests in flight and remembers the most at once.
type gauge struct {
	mu        sync.Mutex
	now, peak int
	total     int
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.total++
	g.peak = max(g.peak, g.now)
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

func (g *gauge) stats() (peak, total int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak, g.total
}

// slowSite serves a page at /p/<n> that takes hold to answer and counts pages in flight, and
// a small PDF invoice at /p/<n>/invoice.pdf.
func slowSite(t *testing.T, hold time.Duration, g *gauge) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/{n}/", func(w http.ResponseWriter, r *http.Request) {
		g.enter()
		defer g.leave()
		time.Sleep(hold)
		fmt.Fprintf(w, `<!doctype html><title>Portal %s</title><h1>Invoices</h1><a id="inv" href="invoice.pdf" download>invoice</a>`, r.PathValue("n"))
	})
	mux.HandleFunc("GET /p/{n}/invoice.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprintf(w, "%%PDF-1.4\n%% invoice of portal %s\n%%%%EOF\n", r.PathValue("n"))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}
