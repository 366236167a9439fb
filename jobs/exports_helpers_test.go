package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"billhound/archive"
	"billhound/credentials"
	"billhound/exports"
	"billhound/runner"
	"billhound/secrets"
	"billhound/server"
	"billhound/store"
)

// exportFixture is a server process's export side without a browser: a real SQLite file, an
// archive with one invoice, the exports service on a real River queue, and the JSON API.
type exportFixture struct {
	t     *testing.T
	st    *store.Store
	svc   *exports.Service
	queue *Queue
	inv   store.Invoice
	api   *apiClient
}

// newExportFixture starts it; wrap, when given, stands between River's worker and the service.
func newExportFixture(t *testing.T, backoff []time.Duration, maxAttempts int, wrap ...func(Exporter) Exporter) *exportFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{5}, secrets.KeySize))
	vault := &credentials.Vault{Store: st, Box: box}
	arch := &archive.Archive{Root: filepath.Join(dir, "archive")}
	log := testLogger()
	r := &runner.Runner{Store: st, Vault: vault, Archive: arch, Logger: log}
	svc := &exports.Service{Store: st, Vault: vault, Archive: arch, Logger: log, Backoff: backoff, MaxAttempts: maxAttempts}
	// The periodic look for due exports runs only at the start: every later attempt in these
	// tests comes from River's own retry scheduling or from Retry.
	var ex Exporter = svc
	for _, w := range wrap {
		ex = w(ex)
	}
	q, err := Open(context.Background(), r, Options{Poll: 100 * time.Millisecond, Tick: time.Hour, Logger: log, Exporter: ex})
	if err != nil {
		t.Fatal(err)
	}
	svc.Jobs = q
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	// The start's look for due exports has run before the tests' exports are made, so it
	// cannot stand in for River's scheduling or Retry.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := q.client.JobList(context.Background(), river.NewJobListParams().Kinds(ExportSweepArgs{}.Kind()).
			States(rivertype.JobStateCompleted))
		if err == nil && len(res.Jobs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the periodic look for due exports did not run at the start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv := server.New(server.Deps{Store: st, Vault: vault, Runner: r, Queue: q, Archive: arch, Exports: svc, Logger: log})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	jar, _ := cookiejar.New(nil)
	api := &apiClient{t: t, base: hs.URL, http: &http.Client{Jar: jar}}
	if code := api.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "correct horse battery", "token": srv.SetupToken()}, nil); code != 201 {
		t.Fatalf("setup: %d", code)
	}

	p := store.Portal{Name: "Hetzner", Script: "demo"}
	if err := st.CreatePortal(&p); err != nil {
		t.Fatal(err)
	}
	filed, err := arch.Write(archive.Item{PortalSlug: p.Slug, Number: "R-42", Date: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)},
		strings.NewReader("%PDF-1.4\n% an invoice\n%%EOF\n"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inv := store.Invoice{PortalID: p.ID, Number: "R-42", Date: "2025-03-14", Path: filed.Path, FileName: filed.FileName,
		Size: filed.Size, SHA256: filed.SHA256, ContentType: filed.ContentType, CreatedAt: time.Now()}
	if err := st.CreateInvoice(&inv); err != nil {
		t.Fatal(err)
	}
	return &exportFixture{t: t, st: st, svc: svc, queue: q, inv: inv, api: api}
}

// webhook adds a webhook target for every portal through the API.
func (f *exportFixture) webhook(url string) {
	f.t.Helper()
	if code := f.api.call("POST", "/api/export-targets", map[string]any{"name": "Books", "kind": "webhook", "url": url}, nil); code != 201 {
		f.t.Fatalf("add the webhook target: %d", code)
	}
}

// exportView is an invoice's export as GET /api/invoices/:id/exports shows it.
type exportView struct {
	ID            int64      `json:"id"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"lastError"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
}

// exports is the invoice's one export, as the API shows it.
func (f *exportFixture) export() exportView {
	f.t.Helper()
	var xs []exportView
	if code := f.api.call("GET", fmt.Sprintf("/api/invoices/%d/exports", f.inv.ID), nil, &xs); code != 200 || len(xs) != 1 {
		f.t.Fatalf("the invoice's exports: %d %+v", code, xs)
	}
	return xs[0]
}

func (f *exportFixture) retry() {
	f.t.Helper()
	if code := f.api.call("POST", fmt.Sprintf("/api/invoices/%d/exports/retry", f.inv.ID), nil, nil); code != 200 {
		f.t.Fatalf("retry: %d", code)
	}
}

// exportJobs lists River's jobs of the export.
func (f *exportFixture) exportJobs() []*rivertype.JobRow {
	f.t.Helper()
	res, err := f.queue.client.JobList(context.Background(), river.NewJobListParams().Kinds(ExportArgs{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStateCompleted, rivertype.JobStateRetryable, rivertype.JobStateRunning,
			rivertype.JobStateScheduled, rivertype.JobStatePending, rivertype.JobStateCancelled, rivertype.JobStateDiscarded).First(100))
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Jobs
}

func (f *exportFixture) waitFor(d time.Duration, what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *apiClient) call(method, path string, body, out any) int {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

// receiver is a webhook receiver whose answer to the nth request (from 1) is chosen by down:
// true drops the connection (odd n) or answers 503 (even n); it counts the invoices it took.
type receiver struct {
	mu        sync.Mutex
	requests  int
	delivered int
	down      func(n int) bool
}

func (h *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	h.requests++
	n, down := h.requests, h.down(h.requests)
	if !down {
		h.delivered++
	}
	h.mu.Unlock()
	switch {
	case down && n%2 == 1: // the receiver's process is gone: the connection ends without an answer
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case down:
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *receiver) counts() (requests, delivered int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests, h.delivered
}

func (h *receiver) setDown(down func(n int) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down = down
}

// jobsDone: no job of the export waits or runs.
func (f *exportFixture) jobsDone() bool {
	for _, j := range f.exportJobs() {
		if j.State != rivertype.JobStateCompleted && j.State != rivertype.JobStateCancelled && j.State != rivertype.JobStateDiscarded {
			return false
		}
	}
	return true
}

// heldExporter holds River's worker after the first attempt, its outcome already recorded:
// River still has the job as running, as for the moment between an attempt's end and River's
// record of it.
type heldExporter struct {
	Exporter
	once          sync.Once
	held, release chan struct{}
}

func (h *heldExporter) Deliver(ctx context.Context, id int64) error {
	err := h.Exporter.Deliver(ctx, id)
	h.once.Do(func() {
		close(h.held)
		<-h.release
	})
	return err
}
