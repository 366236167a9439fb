package store

import (
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
)

// TestMigrationToPerPortalDedupe upgrades a database from before failure kinds and per-portal
// dedupe: its invoices stay, its failed runs become script errors, and the same file can then
// be archived for a second portal.
func TestMigrationToPerPortalDedupe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "billhound.db")
	db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:10] {
		if err := db.Exec(m).Error; err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	for _, q := range []string{
		`CREATE TABLE schema_version (version INTEGER NOT NULL)`,
		`INSERT INTO schema_version VALUES (10)`,
		`INSERT INTO portals (id, name, slug, script, created_at, updated_at) VALUES (1, 'A', 'a', 'x', '2026-01-01', '2026-01-01'), (2, 'B', 'b', 'x', '2026-01-01', '2026-01-01')`,
		`INSERT INTO runs (id, portal_id, status, trigger, started_at) VALUES (1, 1, 'failed', 'cli', '2026-01-01'), (2, 1, 'succeeded', 'cli', '2026-01-02')`,
		`INSERT INTO invoices (portal_id, run_id, number, path, file_name, size, sha256, content_type, created_at) VALUES (1, 2, 'N-1', 'a/x.pdf', 'x.pdf', 3, 'abc', 'application/pdf', '2026-01-02')`,
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sqlDB, _ := db.DB()
	sqlDB.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if page, _ := s.ListInvoices(InvoiceFilter{PortalID: 1}, nil, 50); len(page.Rows) != 1 || page.Rows[0].Number != "N-1" || page.Total != 1 {
		t.Fatalf("invoices after the upgrade: %+v", page)
	}
	if r, _ := s.Run(1); r.FailureKind != "script_error" {
		t.Errorf("an old failed run has kind %q", r.FailureKind)
	}
	if r, _ := s.Run(2); r.FailureKind != "" {
		t.Errorf("a succeeded run has kind %q", r.FailureKind)
	}
	if err := s.CreateInvoice(&Invoice{PortalID: 2, Number: "N-1", Path: "b/x.pdf", FileName: "x.pdf", Size: 3, SHA256: "abc", ContentType: "application/pdf"}); err != nil {
		t.Fatalf("the same file for portal B: %v", err)
	}
}
