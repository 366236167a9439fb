package store

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startAs starts a run of p as if another process (o) did it.
func startAs(t *testing.T, s *Store, o Owner, portalID int64) *Run {
	t.Helper()
	mine := s.owner
	s.owner = o
	defer func() { s.owner = mine }()
	r, err := s.StartRun(portalID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newPortal(t *testing.T, s *Store, name string) *Portal {
	t.Helper()
	p := &Portal{Name: name, Script: "x"}
	if err := s.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// elsewhere is a live process on another machine: only its lease can tell it died.
var elsewhere = Owner{Host: "other", Scope: "another-boot/pid:[1]", PID: 4242, Instance: "far"}

func TestExpiredLeaseIsReaped(t *testing.T) {
	s, _ := openTest(t)
	s.SetLease(400 * time.Millisecond)
	p := newPortal(t, s, "p")
	r := startAs(t, s, elsewhere, p.ID)
	if _, err := s.StartRun(p.ID, "manual"); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second run while the first one's lease holds: %v", err)
	}
	// The owner renews: the run stays running past several lease lengths.
	mine := s.owner
	for i := 0; i < 6; i++ {
		time.Sleep(150 * time.Millisecond)
		s.owner = elsewhere
		n, err := s.RenewLeases([]int64{r.ID})
		s.owner = mine
		if err != nil || n != 1 {
			t.Fatalf("renew: %d %v", n, err)
		}
		if got, _ := s.Run(r.ID); got.Status != RunRunning {
			t.Fatalf("a renewed run became %s", got.Status)
		}
	}
	// Another process cannot renew it.
	if n, _ := s.RenewLeases([]int64{r.ID}); n != 0 {
		t.Fatal("a process renewed a run it does not own")
	}
	time.Sleep(500 * time.Millisecond)
	runs, err := s.Runs(p.ID, 10)
	if err != nil || len(runs) != 1 || runs[0].Status != RunInterrupted || runs[0].Error != reasonLost || runs[0].FinishedAt == nil {
		t.Fatalf("after the lease ran out: %+v %v", runs, err)
	}
	logs, _ := s.RunLogs(r.ID)
	if len(logs) != 1 || logs[0].Level != "error" || !strings.Contains(logs[0].Message, "stopped unexpectedly") {
		t.Fatalf("log %+v", logs)
	}
	next, err := s.StartRun(p.ID, "manual")
	if err != nil {
		t.Fatalf("the portal cannot run again: %v", err)
	}
	if next.OwnerInstance != self.Instance || next.OwnerPID != os.Getpid() || next.LeaseUntil <= time.Now().UnixMilli() {
		t.Fatalf("new run's owner %+v", next)
	}
}

// TestDeadProcessIsReapedAtOnce: a killed owner on this machine is noticed by its PID, long
// before its lease would run out; a live one is left alone.
func TestDeadProcessIsReapedAtOnce(t *testing.T) {
	if self.Scope == "" {
		t.Fatal("no /proc here: the PID check cannot work on this system")
	}
	s, _ := openTest(t)
	p := newPortal(t, s, "p")
	child := exec.Command("sleep", "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	owner := Owner{Host: self.Host, Scope: self.Scope, PID: child.Process.Pid, Instance: "child"}
	r := startAs(t, s, owner, p.ID)
	if got, _ := s.Run(r.ID); got.Status != RunRunning {
		t.Fatalf("the run of a live process became %s", got.Status)
	}
	child.Process.Kill()
	// Not yet waited for: a zombie, still in the process table. SIGKILL takes effect within
	// moments, far inside the lease.
	deadline := time.Now().Add(5 * time.Second)
	got, _ := s.Run(r.ID)
	for got.Status == RunRunning && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		got, _ = s.Run(r.ID)
	}
	if got.Status != RunInterrupted || got.Error != reasonGone {
		t.Fatalf("the run of a killed process: %s %q", got.Status, got.Error)
	}
	child.Wait()

	// A run of an earlier process that had this very PID (a container's PID 1 restarted).
	q := newPortal(t, s, "q")
	startAs(t, s, Owner{Host: self.Host, Scope: self.Scope, PID: os.Getpid(), Instance: "before-restart"}, q.ID)
	if n, err := s.ReapRuns(); n != 1 || err != nil {
		t.Fatalf("reaped %d (%v), want the run of the earlier process", n, err)
	}
	// This process's own run is never taken for dead while its lease holds.
	mine, _ := s.StartRun(q.ID, "manual")
	if n, _ := s.ReapRuns(); n != 0 {
		t.Fatal("reaped a run of this very process")
	}
	if got, _ := s.Run(mine.ID); got.Status != RunRunning {
		t.Fatalf("own run %s", got.Status)
	}
}

func TestInterruptRun(t *testing.T) {
	s, _ := openTest(t)
	p := newPortal(t, s, "p")
	r, _ := s.StartRun(p.ID, "manual")
	if err := s.InterruptRun(r.ID, "billhound could not save the outcome"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Run(r.ID)
	if got.Status != RunInterrupted || got.Error != "billhound could not save the outcome" {
		t.Fatalf("%+v", got)
	}
	// A finished run stays finished.
	got.Status = RunSucceeded
	s.FinishRun(got)
	s.InterruptRun(r.ID, "late")
	if again, _ := s.Run(r.ID); again.Status != RunSucceeded {
		t.Fatalf("interrupted a finished run: %s", again.Status)
	}
}

func TestDatabaseFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "billhound.db")
	// A database from before, readable by everyone.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CreatePortal(&Portal{Name: "p", Script: "x"}) // the WAL files exist while it is open
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), info.Mode().Perm())
		}
	}
	fresh := filepath.Join(dir, "new", "billhound.db")
	s2, err := Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.CreatePortal(&Portal{Name: "p", Script: "x"})
	for _, p := range []string{fresh, fresh + "-wal", fresh + "-shm"} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("new %s: %v %v", filepath.Base(p), info.Mode(), err)
		}
	}
	if info, _ := os.Stat(filepath.Dir(fresh)); info.Mode().Perm() != 0o700 {
		t.Errorf("new data dir mode %v, want 0700", info.Mode().Perm())
	}
}
