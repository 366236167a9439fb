package runner

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/credentials"
	"billhound/scripts"
	"billhound/secrets"
	"billhound/store"
)

func TestParseSchedule(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true}, {"24h", 24 * time.Hour, true}, {"168h", 168 * time.Hour, true},
		{"30m", 0, false}, {"daily", 0, false}, {"800h", 0, false},
	}
	for _, c := range cases {
		got, err := ParseSchedule(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSchedule(%q) = %v, %v", c.in, got, err)
		}
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if got := NextRun("24h", now.Add(-2*time.Hour), now); !got.Equal(now.Add(22 * time.Hour)) {
		t.Errorf("next run %v", got)
	}
	if got := NextRun("24h", time.Time{}, now); !got.Equal(now) {
		t.Errorf("never ran: next run %v, want now", got)
	}
	if got := NextRun("", now, now); !got.IsZero() {
		t.Errorf("no schedule: next run %v", got)
	}
}

// TestDueRunsRun runs a real (tiny) script in real Chromium for the portal whose schedule is
// due, and leaves the others alone.
func TestDueRunsRun(t *testing.T) {
	r, st := newTestRunner(t)

	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "<!doctype html><title>Tiny</title><h1>Invoices</h1>")
	}))
	defer site.Close()
	script := "// ==Portal==\n// @name Tiny\n// @url " + site.URL + "/\n// ==/Portal==\npage.goto('/');\nlog(page.text('h1'));\n"
	add := func(name, schedule string, lastStart time.Time) *store.Portal {
		p := &store.Portal{Name: name, Script: script, Schedule: schedule}
		if err := st.CreatePortal(p); err != nil {
			t.Fatal(err)
		}
		if !lastStart.IsZero() {
			run, _ := st.StartRun(p.ID, "manual")
			run.Status = store.RunSucceeded
			st.FinishRun(run)
			if err := st.SetRunStart(run.ID, lastStart); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	now := time.Now()
	due := add("due", "24h", now.Add(-25*time.Hour))
	notYet := add("not yet", "24h", now.Add(-time.Hour))
	manual := add("manual", "", time.Time{})
	never := add("never ran", "168h", time.Time{})

	startDue := func(now time.Time) int {
		ps, err := Due(st, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if _, err := r.Start(p.ID, "schedule"); err != nil {
				t.Fatal(err)
			}
		}
		return len(ps)
	}
	if n := startDue(now); n != 2 {
		t.Fatalf("started %d runs, want 2 (due, never ran)", n)
	}
	r.Wait()
	for _, c := range []struct {
		p    *store.Portal
		want int
	}{{due, 1}, {notYet, 0}, {manual, 0}, {never, 1}} {
		runs, _ := st.Runs(c.p.ID, 10)
		scheduled := 0
		for _, run := range runs {
			if run.Trigger == "schedule" {
				scheduled++
				if run.Status != store.RunSucceeded {
					t.Errorf("%s: scheduled run %s: %s", c.p.Name, run.Status, run.Error)
				}
			}
		}
		if scheduled != c.want {
			t.Errorf("%s: %d scheduled runs, want %d", c.p.Name, scheduled, c.want)
		}
	}
	// Right after, nothing is due any more.
	if n := startDue(time.Now()); n != 0 {
		t.Fatalf("a second check started %d runs", n)
	}
}

// TestShutdownSaysWhy: a run cut short by shutdown ends interrupted with a reason a user
// understands.
func TestShutdownSaysWhy(t *testing.T) {
	r, st := newTestRunner(t)
	p := &store.Portal{Name: "slow", Script: "// ==Portal==\n// @name Slow\n// @url http://127.0.0.1:9/\n// ==/Portal==\nsleep(60000);\n"}
	st.CreatePortal(p)
	run, err := r.Start(p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := r.Shutdown(contextWithTimeout(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Run(run.ID)
	if got.Status != store.RunInterrupted || !strings.Contains(got.Error, "billhound was stopped") {
		t.Fatalf("run after shutdown: %s %q", got.Status, got.Error)
	}
}

// newTestRunner is a Runner over a temp data dir and the real Chromium.
func newTestRunner(t *testing.T) (*Runner, *store.Store) {
	t.Helper()
	opt, err := browsertest.Options()
	if err != nil {
		t.Fatal(err)
	}
	mgr := browser.New(opt)
	t.Cleanup(func() { mgr.Close() })
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{3}, secrets.KeySize))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Runner{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: dir},
		Browser: mgr, Engine: scripts.NewEngine(scripts.EngineOptions{Logger: log}),
		Artifacts: filepath.Join(dir, "runs"), Profiles: filepath.Join(dir, "profiles"), Timeout: time.Minute, Logger: log}, st
}

// TestDueKeepsQuietHours: with a controllable clock, a due portal with the login window
// Mon-Fri 08:00-20:00 is not due at 3 a.m. on Saturday nor at 7:59 on Monday, and is due at
// 08:00 (read in the window's zone); a portal without a window is due at 3 a.m.
func TestDueKeepsQuietHours(t *testing.T) {
	r, st := newTestRunner(t)
	_ = r
	add := func(name, window string) *store.Portal {
		p := &store.Portal{Name: name, Script: "// ==Portal==\n// @name T\n// ==/Portal==\n", Schedule: "24h", LoginWindow: window}
		if err := st.CreatePortal(p); err != nil {
			t.Fatal(err)
		}
		run, _ := st.StartRun(p.ID, "manual")
		run.Status = store.RunSucceeded
		st.FinishRun(run)
		st.SetRunStart(run.ID, time.Now().Add(-25*time.Hour))
		return p
	}
	office := add("office hours", "mon,tue,wed,thu,fri 08:00-20:00")
	anytime := add("any time", "")

	// A Monday more than a week ahead, so every time below is past the portals' due time.
	loc := time.FixedZone("Berlin-ish", 3600)
	d := time.Now().In(loc).AddDate(0, 0, 8)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	monday := func(hour, min int) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), hour, min, 0, 0, loc) }
	due := func(at time.Time) map[int64]bool {
		ps, err := DueIn(st, at, loc)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, p := range ps {
			out[p.ID] = true
		}
		return out
	}
	if got := due(monday(3, 0).AddDate(0, 0, -2)); got[office.ID] || !got[anytime.ID] { // Saturday 03:00
		t.Fatalf("Saturday 3 a.m.: due %v, want only the portal without a window", got)
	}
	if got := due(monday(7, 59)); got[office.ID] {
		t.Fatal("Monday 07:59: the office-hours portal is due")
	}
	// The same instant seen from UTC is 07:00 there; the window is read in loc.
	if got := due(monday(8, 0).UTC()); !got[office.ID] {
		t.Fatal("Monday 08:00: the office-hours portal is not due")
	}
}
