package store

import (
	"time"

	"gorm.io/gorm"
)

// The one-time code ledger. Rows are named by a keyed hash of the secret (credentials makes
// it), so two portals that share a secret share one row: a code used for one is never sent for
// the other, which would reject it as a replay.

// ClaimStep records step as the last used time step of the secret if it is newer than the one
// stored. It reports whether this call claimed it: false means the step (or a later one) was
// already used, by this process or another, and its code must not be sent again. One statement,
// so two processes on the same file cannot both win.
func (s *Store) ClaimStep(secretID string, step int64) (bool, error) {
	res := s.db.Exec(`INSERT INTO otp_ledger(secret_id, last_step) VALUES (?, ?)
		ON CONFLICT(secret_id) DO UPDATE SET last_step = excluded.last_step
		WHERE otp_ledger.last_step < excluded.last_step`, secretID, step)
	return res.RowsAffected == 1, res.Error
}

// LastStep is the last used time step of the secret (0: none).
func (s *Store) LastStep(secretID string) (int64, error) {
	var step int64
	err := s.db.Raw(`SELECT COALESCE(MAX(last_step), 0) FROM otp_ledger WHERE secret_id = ?`, secretID).Scan(&step).Error
	return step, err
}

// TakeCounter returns the HOTP counter value to use now and moves the stored one past it, in
// one statement: first is the counter of a secret the ledger has not seen yet. Two callers
// never get the same value.
func (s *Store) TakeCounter(secretID string, first uint64) (uint64, error) {
	var next int64
	err := s.db.Raw(`INSERT INTO otp_ledger(secret_id, counter) VALUES (?, ?)
		ON CONFLICT(secret_id) DO UPDATE SET counter = otp_ledger.counter + 1
		RETURNING counter`, secretID, int64(first)+1).Scan(&next).Error
	if err != nil {
		return 0, err
	}
	return uint64(next - 1), nil
}

// RaiseCounter makes the secret's next HOTP counter at least counter (a secret handed over
// again, with the counter its app reached meanwhile). It never lowers it: a lower counter
// would send codes the portal has already seen.
func (s *Store) RaiseCounter(secretID string, counter uint64) error {
	return s.db.Exec(`INSERT INTO otp_ledger(secret_id, counter) VALUES (?, ?)
		ON CONFLICT(secret_id) DO UPDATE SET counter = MAX(otp_ledger.counter, excluded.counter)`,
		secretID, int64(counter)).Error
}

// SetClockSkew stores the portal's clock offset (its clock minus ours) learned at.
func (s *Store) SetClockSkew(id int64, skew time.Duration, at time.Time) error {
	res := s.db.Model(&Portal{}).Where("id = ?", id).
		Updates(map[string]any{"clock_skew_ms": skew.Milliseconds(), "clock_checked_at": at})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ClockSkew is the stored clock offset of a portal.
func (p *Portal) ClockSkew() time.Duration { return time.Duration(p.ClockSkewMS) * time.Millisecond }

// SwapRecoveryCodes replaces the portal's sealed recovery codes with fresh ones (one fewer)
// only if they are still old: a compare-and-swap, so two runs taking a code at once never take
// the same one. It reports whether it swapped; false means someone else took one first.
func (s *Store) SwapRecoveryCodes(id int64, old, fresh []byte, count int) (bool, error) {
	res := s.db.Model(&Portal{}).Where("id = ? AND recovery_sealed = ?", id, old).Updates(map[string]any{
		"recovery_sealed": fresh, "recovery_count": count,
		"recovery_used": gorm.Expr("recovery_used + 1"), "updated_at": time.Now(),
	})
	return res.RowsAffected == 1, res.Error
}
