package store

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ExportTarget is where invoices flow on to: a folder, an e-mail address, a WebDAV folder or a
// webhook, for every portal (PortalID nil) or one. Config holds the plain settings as JSON
// (package exports reads it); SecretSealed the WebDAV password or webhook secret, sealed.
type ExportTarget struct {
	ID           int64
	PortalID     *int64
	Name         string
	Kind         string
	Enabled      bool
	Config       string
	SecretSealed []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Export statuses. A failed export with a NextAttemptAt is retried then; without one it waits
// for an explicit retry.
const (
	ExportPending = "pending"
	ExportSent    = "sent"
	ExportFailed  = "failed"
)

// Export is one invoice's delivery to one target.
type Export struct {
	ID            int64
	InvoiceID     int64
	TargetID      int64
	Status        string
	Attempts      int
	LastError     string
	SentAt        *time.Time
	NextAttemptAt *time.Time
	ClaimedUntil  *time.Time // a process is sending it until then
	ClaimScope    string     // that process (see Owner), so a claim of one that died is taken over
	ClaimPID      int        `gorm:"column:claim_pid"`
	ClaimInstance string
	Resends       int    // explicit re-sends so far (part of the webhook's idempotency key)
	Remote        string // where it went: the file's name in the folder, the address
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ExportRow is an export with its target's name and kind, for an invoice's page.
type ExportRow struct {
	Export
	TargetName string
	TargetKind string
}

// CreateExportTarget stores a new target; a name in use gives ErrConflict.
func (s *Store) CreateExportTarget(t *ExportTarget) error {
	return conflict(s.db.Create(t).Error)
}

// SaveExportTarget writes every field of an existing target.
func (s *Store) SaveExportTarget(t *ExportTarget) error {
	t.UpdatedAt = time.Now().UTC()
	return conflict(s.db.Select("*").Omit("created_at").Updates(t).Error)
}

// SetExportSecret replaces a target's sealed secret (nil clears it).
func (s *Store) SetExportSecret(id int64, sealed []byte) error {
	return s.db.Model(&ExportTarget{ID: id}).Update("secret_sealed", sealed).Error
}

// DeleteExportTarget removes a target and its deliveries.
func (s *Store) DeleteExportTarget(id int64) error {
	res := s.db.Delete(&ExportTarget{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ExportTarget returns one target.
func (s *Store) ExportTarget(id int64) (*ExportTarget, error) {
	var t ExportTarget
	if err := s.db.First(&t, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ExportTargetByName finds a target by its name (any case).
func (s *Store) ExportTargetByName(name string) (*ExportTarget, error) {
	var t ExportTarget
	if err := s.db.Where("name = ?", name).First(&t).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ExportTargets lists the targets by name.
func (s *Store) ExportTargets() ([]ExportTarget, error) {
	var out []ExportTarget
	return out, s.db.Order("name").Find(&out).Error
}

// ExportTargetsFor lists the enabled targets that take a portal's invoices: the global ones
// and the portal's own.
func (s *Store) ExportTargetsFor(portalID int64) ([]ExportTarget, error) {
	var out []ExportTarget
	err := s.db.Where("enabled AND (portal_id IS NULL OR portal_id = ?)", portalID).Order("id").Find(&out).Error
	return out, err
}

// AddExports makes a pending delivery of the invoice to each target that has none yet (the
// unique (invoice, target) pair: never twice) and returns the new ones' ids.
func (s *Store) AddExports(invoiceID int64, targetIDs []int64, now time.Time) ([]int64, error) {
	var ids []int64
	now = now.UTC()
	err := s.db.Transaction(func(tx *gorm.DB) error {
		for _, tid := range targetIDs {
			e := Export{InvoiceID: invoiceID, TargetID: tid, Status: ExportPending, NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				ids = append(ids, e.ID)
			}
		}
		return nil
	})
	return ids, err
}

// ClaimExport takes an export that is due for this process until the lease ends, counting the
// attempt. ok is false when it is not due: sent, given up, not yet time, or being sent by
// another process. A claim left by a process that died runs out with its lease.
func (s *Store) ClaimExport(id int64, now time.Time, lease time.Duration) (e *Export, ok bool, err error) {
	now = now.UTC()
	if err := s.releaseDeadClaim(id); err != nil {
		return nil, false, err
	}
	until := now.Add(lease)
	res := s.db.Model(&Export{}).
		Where("id = ? AND (status = ? OR (status = ? AND next_attempt_at IS NOT NULL))", id, ExportPending, ExportFailed).
		Where("(next_attempt_at IS NULL OR next_attempt_at <= ?) AND (claimed_until IS NULL OR claimed_until < ?)", now, now).
		Updates(map[string]any{"claimed_until": until, "attempts": gorm.Expr("attempts + 1"), "updated_at": now,
			"claim_scope": s.owner.Scope, "claim_pid": s.owner.PID, "claim_instance": s.owner.Instance})
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, false, res.Error
	}
	var out Export
	if err := s.db.First(&out, id).Error; err != nil {
		return nil, false, err
	}
	return &out, true, nil
}

// FinishExport records how a claimed attempt went: sent, or failed with the (redacted) error
// and when it is tried again (nil: not automatically).
func (s *Store) FinishExport(id int64, sent bool, errText, remote string, next *time.Time, now time.Time) error {
	now = now.UTC()
	up := map[string]any{"claimed_until": nil, "updated_at": now, "last_error": errText}
	if sent {
		up["status"], up["sent_at"], up["next_attempt_at"], up["remote"] = ExportSent, now, nil, remote
	} else {
		if next != nil {
			t := next.UTC()
			next = &t
		}
		up["status"], up["next_attempt_at"] = ExportFailed, next
	}
	return s.db.Model(&Export{ID: id}).Updates(up).Error
}

// ExportByID returns one export.
func (s *Store) ExportByID(id int64) (*Export, error) {
	var e Export
	if err := s.db.First(&e, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}

// ExportsOf lists an invoice's exports with their targets.
func (s *Store) ExportsOf(invoiceID int64) ([]ExportRow, error) {
	var rows []ExportRow
	err := s.db.Table("exports").Select("exports.*, export_targets.name AS target_name, export_targets.kind AS target_kind").
		Joins("JOIN export_targets ON export_targets.id = exports.target_id").
		Where("exports.invoice_id = ?", invoiceID).Order("export_targets.name").Scan(&rows).Error
	return rows, err
}

// DueExports lists the exports to attempt now: pending or failed with a retry due. One being
// sent by another process is listed too; the attempt's claim (ClaimExport) then passes on it.
func (s *Store) DueExports(now time.Time, limit int) ([]int64, error) {
	now = now.UTC()
	var ids []int64
	err := s.db.Model(&Export{}).
		Where("(status = ? OR (status = ? AND next_attempt_at IS NOT NULL)) AND next_attempt_at <= ?", ExportPending, ExportFailed, now).
		Order("next_attempt_at").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// ResendExports makes the given exports pending again, due now, as an explicit re-send (also
// after they were sent). Exports being sent right now are left alone. It returns the ids made
// pending.
func (s *Store) ResendExports(ids []int64, now time.Time) ([]int64, error) {
	now = now.UTC()
	var out []int64
	err := s.db.Transaction(func(tx *gorm.DB) error {
		for _, id := range ids {
			res := tx.Model(&Export{}).Where("id = ? AND (claimed_until IS NULL OR claimed_until < ?)", id, now).
				Updates(map[string]any{"status": ExportPending, "attempts": 0, "next_attempt_at": now, "last_error": "",
					"resends": gorm.Expr("resends + 1"), "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				out = append(out, id)
			}
		}
		return nil
	})
	return out, err
}

// InvoicesSince lists the invoices dated on or after day (YYYY-MM-DD), or undated and archived
// since then, of one portal or (0) all, oldest first.
func (s *Store) InvoicesSince(day string, portalID int64) ([]Invoice, error) {
	var out []Invoice
	q := s.db.Where("date >= ? OR (date = '' AND created_at >= ?)", day, day)
	if portalID != 0 {
		q = q.Where("portal_id = ?", portalID)
	}
	return out, q.Order("date, id").Find(&out).Error
}

// InvoiceByID returns one invoice.
func (s *Store) InvoiceByID(id int64) (*Invoice, error) {
	var inv Invoice
	if err := s.db.First(&inv, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &inv, nil
}

// ExportIDs returns the ids of an invoice's exports to the given targets (all targets when
// targetIDs is empty).
func (s *Store) ExportIDs(invoiceID int64, targetIDs []int64) ([]int64, error) {
	q := s.db.Model(&Export{}).Where("invoice_id = ?", invoiceID)
	if len(targetIDs) > 0 {
		q = q.Where("target_id IN ?", targetIDs)
	}
	var ids []int64
	return ids, q.Order("id").Pluck("id", &ids).Error
}

// releaseDeadClaim drops the claim on an export held by a process of this machine that no
// longer runs (killed during an attempt), so the export need not wait for the lease to end.
func (s *Store) releaseDeadClaim(id int64) error {
	var e Export
	if err := s.db.Select("id, claimed_until, claim_scope, claim_pid, claim_instance").First(&e, id).Error; err != nil {
		return notFound(err)
	}
	if e.ClaimedUntil == nil || e.ClaimInstance == s.owner.Instance || s.owner.Scope == "" || e.ClaimScope != s.owner.Scope {
		return nil
	}
	if e.ClaimPID != s.owner.PID && !processGone(e.ClaimPID) {
		return nil
	}
	return s.db.Model(&Export{}).Where("id = ? AND claim_instance = ?", id, e.ClaimInstance).
		Update("claimed_until", nil).Error
}
