package jobs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"billhound/store"
)

// TestScheduleRunsDuePortalsOnceAndSpread: the periodic check queues a run for each due portal,
// the second one Spread after the first rather than together, leaves the unscheduled portal
// alone, and does not run them again before their interval.
func TestScheduleRunsDuePortalsOnceAndSpread(t *testing.T) {
	spread := 1500 * time.Millisecond
	f := newFixture(t, Options{MaxRuns: 2, Tick: 300 * time.Millisecond, Spread: spread})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Tiny</title><h1>Invoices</h1>`)
	}))
	defer site.Close()
	body := `page.goto("/"); log(page.text("h1"));`
	a := f.portal("a", site.URL, "1h", body)
	b := f.portal("b", site.URL, "24h", body)
	manual := f.portal("manual", site.URL, "", body)
	f.start()
	f.waitFor(2*time.Minute, "both scheduled runs to end", func() bool {
		ra, rb := f.runs(a.ID), f.runs(b.ID)
		return len(ra) == 1 && len(rb) == 1 && f.ended(ra[0].ID) && f.ended(rb[0].ID)
	})
	time.Sleep(5 * 300 * time.Millisecond) // several more checks
	ra, rb := f.runs(a.ID), f.runs(b.ID)
	if len(ra) != 1 || len(rb) != 1 || len(f.runs(manual.ID)) != 0 {
		t.Fatalf("runs: a %d, b %d, manual %d; want 1, 1, 0", len(ra), len(rb), len(f.runs(manual.ID)))
	}
	first, second := ra[0], rb[0]
	if second.ID < first.ID {
		first, second = second, first
	}
	for _, r := range []store.Run{first, second} {
		if r.Trigger != "schedule" || r.Status != store.RunSucceeded {
			t.Errorf("run %d: %s %s %q", r.ID, r.Trigger, r.Status, r.Error)
		}
	}
	if gap := second.StartedAt.Sub(*first.QueuedAt); gap < spread-100*time.Millisecond {
		t.Errorf("the second due portal started %s after the first was queued, want at least %s", gap, spread)
	}
}

// TestStopEndsRunsCleanly: stopping the queue ends the running run as interrupted, with a
// reason, and the queued one as interrupted before it started; it does not wait for the
// minute-long script.
func TestStopEndsRunsCleanly(t *testing.T) {
	f := newFixture(t, Options{MaxRuns: 1})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Slow</title>`)
	}))
	defer site.Close()
	slow := f.portal("slow", site.URL, "", `page.goto("/"); sleep(60000);`)
	next := f.portal("next", site.URL, "", `page.goto("/");`)
	if err := f.queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r1, err := f.queue.Enqueue(context.Background(), slow.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := f.queue.Enqueue(context.Background(), next.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	f.waitFor(time.Minute, "the slow run to start", func() bool {
		r, _ := f.store.Run(r1.ID)
		return r.Status == store.RunRunning
	})
	time.Sleep(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	began := time.Now()
	if err := f.queue.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if d := time.Since(began); d > 20*time.Second {
		t.Errorf("stopping took %s", d)
	}
	got1, _ := f.store.Run(r1.ID)
	got2, _ := f.store.Run(r2.ID)
	if got1.Status != store.RunInterrupted || !strings.Contains(got1.Error, "billhound was stopped") {
		t.Errorf("running run after stop: %s %q", got1.Status, got1.Error)
	}
	if got2.Status != store.RunInterrupted || !strings.Contains(got2.Error, "before this run started") {
		t.Errorf("queued run after stop: %s %q", got2.Status, got2.Error)
	}
}
