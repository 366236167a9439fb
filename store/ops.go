package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Ping checks that the database answers a query (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// RunCount is how many runs have one status and failure kind.
type RunCount struct {
	Status      string
	FailureKind string
	N           int64
}

// RunCounts counts runs by status and failure kind (for /metrics).
func (s *Store) RunCounts(ctx context.Context) ([]RunCount, error) {
	var out []RunCount
	err := s.db.WithContext(ctx).Model(&Run{}).Select("status, failure_kind, COUNT(*) AS n").
		Group("status, failure_kind").Scan(&out).Error
	return out, err
}

// RunDurations returns how long the last limit finished runs ran (from their start, not from
// when they were queued), newest first.
func (s *Store) RunDurations(ctx context.Context, limit int) ([]time.Duration, error) {
	var rows []struct {
		StartedAt  time.Time
		FinishedAt time.Time
	}
	err := s.db.WithContext(ctx).Model(&Run{}).Select("started_at, finished_at").
		Where("finished_at IS NOT NULL AND status <> ?", RunQueued).Order("id DESC").Limit(limit).Scan(&rows).Error
	out := make([]time.Duration, 0, len(rows))
	for _, r := range rows {
		if d := r.FinishedAt.Sub(r.StartedAt); d >= 0 {
			out = append(out, d)
		}
	}
	return out, err
}

// InvoiceTotals is the number and total size of archived invoices.
func (s *Store) InvoiceTotals(ctx context.Context) (count, bytes int64, err error) {
	var r struct{ N, B int64 }
	// From the trigger-kept per-portal counts: a scrape never walks the invoices table.
	err = s.db.WithContext(ctx).Raw("SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(bytes), 0) AS b FROM invoice_counts").Scan(&r).Error
	return r.N, r.B, err
}

// Backup writes a consistent snapshot of the database to path with SQLite's VACUUM INTO: it
// reads inside one transaction, so the server keeps working (and writing) meanwhile. The file
// is created 0600 (it holds sealed secrets and session hashes).
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// VACUUM INTO makes the file with the umask's mode: make it first (empty files are
	// accepted as the target) so it is never readable by others.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		os.Remove(path)
		return fmt.Errorf("snapshot the database: %w", err)
	}
	return nil
}
