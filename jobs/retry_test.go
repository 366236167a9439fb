package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"billhound/failure"
	"billhound/runner"
	"billhound/store"
)

// TestDownPortalIsArchivedOnTheThirdAttempt: a portal that refuses connections on the first two
// attempts is retried after the backoff, archives its invoice on the third, and never has two
// runs at once; asking again while it is queued or running is refused.
func TestDownPortalIsArchivedOnTheThirdAttempt(t *testing.T) {
	f := newFixture(t, Options{MaxRuns: 2, Backoff: []time.Duration{time.Second, 2 * time.Second}})
	// A port with nothing listening: the browser's connection is refused until the site starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	site := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/invoice.pdf" {
			w.Header().Set("Content-Type", "application/pdf")
			io.WriteString(w, "%PDF-1.4\n% the invoice\n%%EOF\n")
			return
		}
		fmt.Fprint(w, `<!doctype html><title>Up</title><a id="inv" href="/invoice.pdf">invoice</a>`)
	}))
	defer site.Close()
	p := f.portal("Flaky", "http://"+addr, "", `page.goto("/"); download("#inv", {id: "INV-7"});`)
	f.start()

	first, err := f.queue.Enqueue(context.Background(), p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.queue.Enqueue(context.Background(), p.ID, "manual"); !errors.Is(err, runner.ErrAlreadyRunning) {
		t.Fatalf("a second request while the first is queued: %v, want ErrAlreadyRunning", err)
	}
	// The site comes up once two attempts have failed.
	f.waitFor(2*time.Minute, "two failed attempts", func() bool {
		failed := 0
		for _, r := range f.runs(p.ID) {
			if r.Status == store.RunFailed {
				failed++
			}
		}
		return failed == 2
	})
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	site.Listener = l
	site.Start()
	f.waitFor(2*time.Minute, "a successful attempt", func() bool {
		rs := f.runs(p.ID)
		return len(rs) == 3 && f.ended(rs[2].ID)
	})
	rs := f.runs(p.ID)
	if rs[0].ID != first.ID {
		t.Errorf("the first attempt is run %d, want the queued run %d", rs[0].ID, first.ID)
	}
	for i, r := range rs {
		want := store.RunFailed
		if i == 2 {
			want = store.RunSucceeded
		}
		if r.Status != want || r.Attempt != i+1 {
			t.Fatalf("attempt %d: %s (attempt %d) %q, want %s", i+1, r.Status, r.Attempt, r.Error, want)
		}
		if i < 2 && (runner.FailureKind(&r) != string(failure.Unreachable) || r.RetryAt == nil) {
			t.Errorf("attempt %d: kind %q, retry at %v; want unreachable with a retry time", i+1, runner.FailureKind(&r), r.RetryAt)
		}
		if i > 0 {
			prev := rs[i-1]
			if r.StartedAt.Before(*prev.FinishedAt) {
				t.Errorf("attempt %d started before attempt %d ended", i+1, i)
			}
			if r.StartedAt.Before(prev.RetryAt.Add(-100 * time.Millisecond)) {
				t.Errorf("attempt %d started at %s, before its retry time %s", i+1, r.StartedAt, prev.RetryAt)
			}
		}
	}
	if rs[2].NewCount != 1 || rs[2].Trigger != "retry" {
		t.Errorf("third attempt: %d new, trigger %q", rs[2].NewCount, rs[2].Trigger)
	}
	// Nothing more happens: no fourth run.
	time.Sleep(3 * time.Second)
	if n := len(f.runs(p.ID)); n != 3 {
		t.Errorf("%d runs after success, want 3", n)
	}
}

// TestLoginFailureIsNotRetried: a run that fails for another reason than an unreachable or slow
// portal (here the portal refuses the password) runs once: retrying would lock the account.
func TestLoginFailureIsNotRetried(t *testing.T) {
	f := newFixture(t, Options{MaxRuns: 2, Backoff: []time.Duration{500 * time.Millisecond}})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Sign in</title><p class="error">Wrong password.</p>`)
	}))
	defer site.Close()
	p := f.portal("Locked", site.URL, "", `page.goto("/"); throw new Error("login failed: " + page.text(".error"));`)
	f.start()
	run, err := f.queue.Enqueue(context.Background(), p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	f.waitFor(time.Minute, "the run to end", func() bool { return f.ended(run.ID) })
	time.Sleep(3 * time.Second) // several backoffs
	rs := f.runs(p.ID)
	if len(rs) != 1 || rs[0].Status != store.RunFailed || rs[0].RetryAt != nil {
		t.Fatalf("runs: %d, first %s retry at %v; want one failed run and no retry", len(rs), rs[0].Status, rs[0].RetryAt)
	}
	if k := runner.FailureKind(&rs[0]); runner.Retryable(k) {
		t.Errorf("kind %q is retryable", k)
	}
}

func TestRetryableKinds(t *testing.T) {
	for kind, want := range map[string]bool{
		string(failure.Unreachable): true, string(failure.Timeout): true,
		string(failure.Credentials): false, string(failure.CodeRejected): false, string(failure.Captcha): false,
		string(failure.ScriptError): false, string(failure.PortalChanged): false, string(failure.ActionNeeded): false,
	} {
		if runner.Retryable(kind) != want {
			t.Errorf("Retryable(%q) = %v", kind, !want)
		}
	}
}

// TestJobOfADeadProcessDoesNotBlockThePortal: a process killed mid-run leaves its River job
// "running" and its run interrupted; asking for the portal again queues a new run at once
// (no "already running" until River's rescuer comes hours later), and it runs.
func TestJobOfADeadProcessDoesNotBlockThePortal(t *testing.T) {
	f := newFixture(t, Options{MaxRuns: 2})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Up</title>`)
	}))
	defer site.Close()
	p := f.portal("Again", site.URL, "", `page.goto("/");`)
	dead, err := f.queue.Enqueue(context.Background(), p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	// What a kill -9 mid-run leaves: the job taken, the run marked interrupted by the next look.
	db, _ := f.store.SQL()
	if _, err := db.Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', 'subsec')`); err != nil {
		t.Fatal(err)
	}
	if err := f.store.InterruptRun(dead.ID, "billhound stopped unexpectedly during this run"); err != nil {
		t.Fatal(err)
	}
	again, err := f.queue.Enqueue(context.Background(), p.ID, "manual")
	if err != nil {
		t.Fatalf("asking again after the process died: %v", err)
	}
	f.start()
	f.waitFor(time.Minute, "the new run to end", func() bool { return f.ended(again.ID) })
	if r, _ := f.store.Run(again.ID); r.Status != store.RunSucceeded {
		t.Fatalf("the new run: %s %q", r.Status, r.Error)
	}
}
