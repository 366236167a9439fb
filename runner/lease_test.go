package runner

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"billhound/store"
)

// TestLeaseKeepsASlowRunAlive: a run that works far longer than its lease is never taken
// for dead by whoever looks, because its process renews the lease.
func TestLeaseKeepsASlowRunAlive(t *testing.T) {
	r, st := newTestRunner(t)
	st.SetLease(900 * time.Millisecond)
	p := &store.Portal{Name: "slow", Script: "// ==Portal==\n// @name Slow\n// @url http://127.0.0.1:9/\n// ==/Portal==\nsleep(3000);\nlog('done');\n"}
	st.CreatePortal(p)
	run, err := r.Start(p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	got, _ := st.Run(run.ID)
	for got.Status == store.RunRunning && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		got, _ = st.Run(run.ID) // reaps, were the lease to run out
	}
	if got.Status != store.RunSucceeded {
		t.Fatalf("a slow run with a live owner ended %s: %q", got.Status, got.Error)
	}
}

// failWrites makes SQLite refuse to end runs, the way a full disk refuses every write; only
// ends in one of the given statuses are refused. It returns a func that stops it.
func failWrites(t *testing.T, r *Runner, statuses string) func() {
	t.Helper()
	db, err := gorm.Open(sqlite.Open(filepath.Join(r.Archive.Root, "billhound.db")+"?_pragma=busy_timeout(10000)"), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Exec(`CREATE TRIGGER full_disk BEFORE UPDATE OF status ON runs WHEN NEW.status IN (` + statuses + `)
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`).Error
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := db.Exec(`DROP TRIGGER full_disk`).Error; err != nil {
			t.Fatal(err)
		}
		if d, err := db.DB(); err == nil {
			d.Close()
		}
	}
}

// TestUnsavedOutcomeEndsInterrupted: when a run's outcome cannot be stored, the run still
// ends: interrupted with the reason when that much can be written, else once its lease runs
// out.
func TestUnsavedOutcomeEndsInterrupted(t *testing.T) {
	r, st := newTestRunner(t)
	st.SetLease(time.Second)
	p := &store.Portal{Name: "quick", Script: "// ==Portal==\n// @name Quick\n// @url http://127.0.0.1:9/\n// ==/Portal==\nlog('hello');\n"}
	st.CreatePortal(p)

	stop := failWrites(t, r, "'succeeded', 'failed'")
	res, err := r.RunNow(contextWithTimeout(t, 2*time.Minute), p.ID, "cli")
	stop()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.Run(res.Run.ID)
	for _, run := range []*store.Run{res.Run, got} {
		if run.Status != store.RunInterrupted || !strings.Contains(run.Error, "could not save this run's outcome (succeeded)") ||
			!strings.Contains(run.Error, "disk is full") {
			t.Fatalf("run after a refused outcome: %s %q", run.Status, run.Error)
		}
	}

	// Nothing can be written at all: the run stays running until its lease runs out.
	stop = failWrites(t, r, "'succeeded', 'failed', 'interrupted'")
	res, err = r.RunNow(contextWithTimeout(t, 2*time.Minute), p.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	stop() // the disk has room again
	deadline := time.Now().Add(30 * time.Second)
	got, _ = st.Run(res.Run.ID)
	for got.Status == store.RunRunning && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		got, _ = st.Run(res.Run.ID)
	}
	if got.Status != store.RunInterrupted || !strings.Contains(got.Error, "full disk") {
		t.Fatalf("run whose outcome was lost: %s %q", got.Status, got.Error)
	}
	if _, err := r.RunNow(contextWithTimeout(t, 2*time.Minute), p.ID, "cli"); err != nil {
		t.Fatalf("the portal cannot run again: %v", err)
	}
}
