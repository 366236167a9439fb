package jobs

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"billhound/store"
)

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
