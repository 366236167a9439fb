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

// TestExportRetriedByRiverArrivesOnceOnTheThirdAttempt: a webhook that is down for the first
// two attempts gets the invoice on the third, exactly once, with nothing but time passing:
// River schedules each retry at the export's own backoff.
func TestExportRetriedByRiverArrivesOnceOnTheThirdAttempt(t *testing.T) {
	f := newExportFixture(t, []time.Duration{300 * time.Millisecond, 600 * time.Millisecond}, 0)
	rcv := &receiver{down: func(n int) bool { return n <= 2 }}
	hs := httptest.NewServer(rcv)
	defer hs.Close()
	f.webhook(hs.URL)

	start := time.Now()
	f.svc.InvoiceArchived(context.Background(), f.inv)
	f.waitFor(20*time.Second, "the export sent", func() bool { return f.export().Status == store.ExportSent })
	took := time.Since(start)
	time.Sleep(time.Second) // long enough for a stray fourth attempt to show
	x := f.export()
	if requests, delivered := rcv.counts(); requests != 3 || delivered != 1 || x.Attempts != 3 || x.Status != store.ExportSent {
		t.Fatalf("after %s: the receiver had %d requests and took %d invoices; the export is %+v; want 3 requests, 1 invoice, sent with attempts 3",
			took, requests, delivered, x)
	}
	if took < 900*time.Millisecond {
		t.Fatalf("sent after %s: the retries did not wait for the backoff (300 ms, then 600 ms)", took)
	}
}

// TestRetrySendsAtOnceAndTheLaterJobDoesNotSendAgain: an export that failed and waits an hour
// for its retry is sent at once by Retry (through the API, on the real queue); the job that
// was scheduled for later, made due, does not send it a second time.
func TestRetrySendsAtOnceAndTheLaterJobDoesNotSendAgain(t *testing.T) {
	f := newExportFixture(t, []time.Duration{time.Hour}, 0)
	rcv := &receiver{down: func(n int) bool { return true }}
	hs := httptest.NewServer(rcv)
	defer hs.Close()
	f.webhook(hs.URL)

	f.svc.InvoiceArchived(context.Background(), f.inv)
	f.waitFor(20*time.Second, "the first attempt to fail", func() bool { return f.export().Status == store.ExportFailed })
	x := f.export()
	if x.NextAttemptAt == nil || time.Until(*x.NextAttemptAt) < 50*time.Minute {
		t.Fatalf("after the failed attempt: %+v, want the next attempt in an hour", x)
	}
	var later *rivertype.JobRow
	f.waitFor(10*time.Second, "River's job scheduled for the retry", func() bool {
		for _, j := range f.exportJobs() {
			if j.State == rivertype.JobStateRetryable && time.Until(j.ScheduledAt) > 50*time.Minute {
				later = j
			}
		}
		return later != nil
	})

	rcv.setDown(func(int) bool { return false })
	f.retry()
	f.waitFor(20*time.Second, "the export sent after Retry", func() bool { return f.export().Status == store.ExportSent })
	if _, delivered := rcv.counts(); delivered != 1 {
		t.Fatalf("Retry delivered %d times, want once", delivered)
	}

	// The job that waited for the retry comes due (or comes due again, when Retry moved it up).
	f.waitFor(10*time.Second, "the export's jobs done", func() bool { return f.jobsDone() })
	if _, err := f.queue.client.JobRetry(context.Background(), later.ID); err != nil {
		t.Fatal(err)
	}
	f.waitFor(10*time.Second, "the later job worked", func() bool { return f.jobsDone() })
	requests, delivered := rcv.counts()
	if x := f.export(); requests != 2 || delivered != 1 || x.Status != store.ExportSent || x.Attempts != 1 {
		t.Fatalf("after the later job came due: %d requests, %d invoices, export %+v; want the invoice once", requests, delivered, x)
	}
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

// TestGivenUpExportShowsWhyAndIsSentByRetry: a target that failed every attempt until billhound
// gave up shows "failed" with the sentence saying so and no next attempt; Retry sends it.
func TestGivenUpExportShowsWhyAndIsSentByRetry(t *testing.T) {
	f := newExportFixture(t, []time.Duration{200 * time.Millisecond}, 2)
	rcv := &receiver{down: func(n int) bool { return true }}
	hs := httptest.NewServer(rcv)
	defer hs.Close()
	f.webhook(hs.URL)

	f.svc.InvoiceArchived(context.Background(), f.inv)
	f.waitFor(20*time.Second, "billhound to give up", func() bool {
		x := f.export()
		return x.Status == store.ExportFailed && x.NextAttemptAt == nil
	})
	f.waitFor(10*time.Second, "the export's jobs done", func() bool { return f.jobsDone() })
	x := f.export()
	if requests, _ := rcv.counts(); requests != 2 || x.Attempts != 2 ||
		!strings.Contains(x.LastError, "billhound gave up after 2 attempts; fix the target and press Retry") {
		t.Fatalf("after giving up: %d requests, export %+v", requests, x)
	}

	rcv.setDown(func(int) bool { return false })
	f.retry()
	f.waitFor(20*time.Second, "the export sent after Retry", func() bool { return f.export().Status == store.ExportSent })
	if _, delivered := rcv.counts(); delivered != 1 {
		t.Fatalf("Retry delivered %d times, want once", delivered)
	}
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

// TestRetryRightAfterAFailedAttemptSendsAtOnce: Retry pressed as an attempt has just failed,
// while River still has its job running, sends the export once the job has ended, without
// waiting for the hour of backoff or the periodic check.
func TestRetryRightAfterAFailedAttemptSendsAtOnce(t *testing.T) {
	held := &heldExporter{held: make(chan struct{}), release: make(chan struct{})}
	f := newExportFixture(t, []time.Duration{time.Hour}, 0, func(e Exporter) Exporter { held.Exporter = e; return held })
	rcv := &receiver{down: func(n int) bool { return n == 1 }}
	hs := httptest.NewServer(rcv)
	defer hs.Close()
	f.webhook(hs.URL)

	f.svc.InvoiceArchived(context.Background(), f.inv)
	select {
	case <-held.held:
	case <-time.After(20 * time.Second):
		t.Fatal("no attempt was made")
	}
	if x := f.export(); x.Status != store.ExportFailed {
		t.Fatalf("after the first attempt: %+v", x)
	}
	f.retry()
	close(held.release)
	f.waitFor(10*time.Second, "the export sent after Retry", func() bool { return f.export().Status == store.ExportSent })
	if requests, delivered := rcv.counts(); requests != 2 || delivered != 1 {
		t.Fatalf("%d requests, %d invoices; want the invoice once on the second", requests, delivered)
	}
}

// TestExportJobRunBeforeItsTimeWaitsForIt: River running an export's job before the export's
// next attempt is due (its times are kept to the millisecond; a job can be made available by
// hand) is no attempt, and the job waits for that time instead of ending.
func TestExportJobRunBeforeItsTimeWaitsForIt(t *testing.T) {
	f := newExportFixture(t, []time.Duration{2 * time.Second}, 0)
	rcv := &receiver{down: func(n int) bool { return n == 1 }}
	hs := httptest.NewServer(rcv)
	defer hs.Close()
	f.webhook(hs.URL)

	f.svc.InvoiceArchived(context.Background(), f.inv)
	var job *rivertype.JobRow
	f.waitFor(10*time.Second, "River to schedule the retry", func() bool {
		for _, j := range f.exportJobs() {
			if j.State == rivertype.JobStateAvailable && time.Until(j.ScheduledAt) > time.Second {
				job = j
			}
		}
		return job != nil
	})
	if _, err := f.queue.client.JobRetry(context.Background(), job.ID); err != nil {
		t.Fatal(err)
	}
	f.waitFor(10*time.Second, "the export sent", func() bool { return f.export().Status == store.ExportSent })
	if requests, delivered := rcv.counts(); requests != 2 || delivered != 1 || f.export().Attempts != 2 {
		t.Fatalf("%d requests, %d invoices, export %+v; want the invoice once on the second attempt", requests, delivered, f.export())
	}
}
