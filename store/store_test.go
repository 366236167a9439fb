package store

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "billhound.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestMigrationsAreIdempotent(t *testing.T) {
	s, path := openTest(t)
	var v int
	s.db.Raw("SELECT version FROM schema_version").Scan(&v)
	if v != SchemaVersion() {
		t.Fatalf("schema version %d, want %d", v, SchemaVersion())
	}
	s2, err := Open(path) // reopening applies nothing and fails nothing
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	var mode string
	s.db.Raw("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Fatalf("journal mode %q, want wal", mode)
	}
}

func TestPortalNamesAndSlugs(t *testing.T) {
	s, _ := openTest(t)
	a := &Portal{Name: "Hetzner Cloud", Script: "x"}
	if err := s.CreatePortal(a); err != nil {
		t.Fatal(err)
	}
	if a.Slug != "hetzner-cloud" {
		t.Fatalf("slug %q", a.Slug)
	}
	if err := s.CreatePortal(&Portal{Name: "hetzner cloud", Script: "x"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("same name, other case: %v", err)
	}
	b := &Portal{Name: "Hetzner  Cloud!", Script: "x"}
	if err := s.CreatePortal(b); err != nil || b.Slug != "hetzner-cloud-2" {
		t.Fatalf("second slug %q %v", b.Slug, err)
	}
	for in, want := range map[string]string{"Ämazon.de": "mazon-de", "///": "portal", "OVH / EU": "ovh-eu"} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimStepAcrossConnections(t *testing.T) {
	s, path := openTest(t)
	other, err := Open(path) // a second process on the same file (the CLI beside the server)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var wg sync.WaitGroup
	wins := make(chan bool, 20)
	for i := 0; i < 20; i++ {
		st := s
		if i%2 == 1 {
			st = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.ClaimStep("secret-a", 1000)
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		}()
	}
	wg.Wait()
	close(wins)
	n := 0
	for w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("step claimed %d times, want exactly once", n)
	}
	if ok, _ := s.ClaimStep("secret-a", 999); ok {
		t.Fatal("an older step was claimed")
	}
	if ok, _ := s.ClaimStep("secret-a", 1001); !ok {
		t.Fatal("the next step was refused")
	}
	if ok, _ := other.ClaimStep("secret-b", 1001); !ok {
		t.Fatal("another secret's step was refused")
	}
}

// HOTP counters: every caller, in either process, gets its own value, and the stored counter
// is never lowered.
func TestTakeCounterAcrossConnections(t *testing.T) {
	s, path := openTest(t)
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := s.RaiseCounter("h", 5); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		st := s
		if i%2 == 1 {
			st = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := st.TakeCounter("h", 0)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[c] {
				t.Errorf("counter %d handed out twice", c)
			}
			seen[c] = true
		}()
	}
	wg.Wait()
	for c := uint64(5); c < 25; c++ {
		if !seen[c] {
			t.Errorf("counter %d skipped; got %v", c, seen)
		}
	}
	s.RaiseCounter("h", 3) // lower: ignored
	if c, _ := s.TakeCounter("h", 0); c != 25 {
		t.Errorf("after a lower raise: %d, want 25", c)
	}
	if c, _ := s.TakeCounter("fresh", 7); c != 7 {
		t.Errorf("a new secret starts at %d, want 7", c)
	}
}

func TestInvoiceDedupe(t *testing.T) {
	s, _ := openTest(t)
	p := &Portal{Name: "p", Script: "x"}
	s.CreatePortal(p)
	q := &Portal{Name: "q", Script: "x"}
	s.CreatePortal(q)
	inv := &Invoice{PortalID: p.ID, Number: "A-1", Path: "p/2026/a.pdf", FileName: "a.pdf", SHA256: "aa", ContentType: "application/pdf"}
	if err := s.CreateInvoice(inv); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		portal int64
		number string
		sha    string
		dup    bool
	}{
		{"same number", p.ID, "A-1", "bb", true},
		{"same content", p.ID, "A-2", "aa", true},
		{"same content, other portal", q.ID, "", "aa", false}, // dedupe is per portal
		{"same number, other portal", q.ID, "A-1", "cc", false},
		{"new", p.ID, "A-2", "dd", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := s.FindDuplicate(c.portal, c.number, c.sha)
			if err != nil || (d != nil) != c.dup {
				t.Fatalf("duplicate = %v, %v; want %v", d, err, c.dup)
			}
		})
	}
	err := s.CreateInvoice(&Invoice{PortalID: p.ID, Number: "A-1", Path: "x", FileName: "x", SHA256: "ee", ContentType: "x"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("unique number not enforced: %v", err)
	}
	if err := s.CreateInvoice(&Invoice{PortalID: p.ID, Number: "A-9", Path: "y", FileName: "y", SHA256: "aa", ContentType: "x"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("unique content per portal not enforced: %v", err)
	}
	// The same file from another portal is that portal's invoice too.
	if err := s.CreateInvoice(&Invoice{PortalID: q.ID, Number: "A-1", Path: "q/2026/a.pdf", FileName: "a.pdf", SHA256: "aa", ContentType: "application/pdf"}); err != nil {
		t.Fatalf("the same file for another portal: %v", err)
	}
	if known, _ := s.KnownNumber(q.ID, "A-1"); !known {
		t.Fatal("the second portal does not know its invoice")
	}
	page, _ := s.ListInvoices(InvoiceFilter{PortalID: p.ID}, nil, 50)
	if rows := page.Rows; len(rows) != 1 || rows[0].PortalName != "p" {
		t.Fatalf("listing: %+v", page)
	}
}

func TestRunsLifecycle(t *testing.T) {
	s, _ := openTest(t)
	p := &Portal{Name: "p", Script: "x"}
	s.CreatePortal(p)
	r, err := s.StartRun(p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartRun(p.ID, "manual"); !errors.Is(err, ErrConflict) {
		t.Fatalf("second concurrent run allowed: %v", err)
	}
	s.AddRunLog(r.ID, "info", "hello")
	r.Status, r.NewCount = RunSucceeded, 3
	if err := s.FinishRun(r); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Run(r.ID)
	logs, _ := s.RunLogs(r.ID)
	if got.Status != RunSucceeded || got.NewCount != 3 || got.FinishedAt == nil || len(logs) != 1 {
		t.Fatalf("run %+v logs %+v", got, logs)
	}
	since, _ := s.LastSuccess(p.ID)
	if since == nil {
		t.Fatal("no last success")
	}
	last, _ := s.LastRuns()
	if last[p.ID].ID != r.ID {
		t.Fatalf("last runs %+v", last)
	}
}

func TestFirstUserOnce(t *testing.T) {
	s, _ := openTest(t)
	if err := s.CreateFirstUser(&User{Username: "admin", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateFirstUser(&User{Username: "eve", PasswordHash: "h"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second admin: %v", err)
	}
	u, _ := s.UserByName("ADMIN")
	s.CreateSession(&Session{TokenHash: "t", UserID: u.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	s.CreateSession(&Session{TokenHash: "old", UserID: u.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(-time.Hour)})
	if _, err := s.SessionUser("t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser("old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session accepted: %v", err)
	}
}

func TestLastStarts(t *testing.T) {
	s, _ := openTest(t)
	p := &Portal{Name: "p", Script: "x"}
	s.CreatePortal(p)
	old := time.Now().Add(-3 * time.Hour).Round(time.Second)
	s.db.Create(&Run{PortalID: p.ID, Status: RunSucceeded, Trigger: "manual", StartedAt: old})
	newer := time.Now().Add(-time.Hour).Round(time.Second)
	s.db.Create(&Run{PortalID: p.ID, Status: RunFailed, Trigger: "schedule", StartedAt: newer})
	got, err := s.LastStarts()
	if err != nil || !got[p.ID].Equal(newer) {
		t.Fatalf("last start %v (%v), want %v", got[p.ID], err, newer)
	}
}
