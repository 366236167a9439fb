package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// UserTOTP is the two-factor state of the app's own account. Sealed is the active TOTP secret
// and PendingSealed one the user is still confirming; both arrive here sealed (bound to the
// user and the column) by the credentials package.
type UserTOTP struct {
	UserID        int64 `gorm:"primaryKey"`
	Sealed        []byte
	EnabledAt     *time.Time
	LastStep      int64 // the last time step whose code was accepted: a code works once
	PendingSealed []byte
	PendingUntil  *time.Time
}

// TableName keeps gorm from pluralising the one-row-per-user table.
func (UserTOTP) TableName() string { return "user_totp" }

// Enabled reports whether signing in needs a second step.
func (t *UserTOTP) Enabled() bool { return len(t.Sealed) > 0 }

// RecoveryCode is a one-time code that stands in for the authenticator. Only a hash is kept:
// the codes are shown once and never needed again in plain text.
type RecoveryCode struct {
	ID       int64
	UserID   int64
	CodeHash string
	UsedAt   *time.Time
}

// TableName names the table after its owner, as the migration does.
func (RecoveryCode) TableName() string { return "user_recovery_codes" }

// LoginChallenge is a sign-in whose password was right and whose second step is pending.
// Like a session only the token's hash is stored.
type LoginChallenge struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    int64
	ExpiresAt time.Time
	Failures  int
}

// UserTOTP returns the user's two-factor state; a user who never set it up gets an empty one.
func (s *Store) UserTOTP(userID int64) (*UserTOTP, error) {
	var t UserTOTP
	err := s.db.Where("user_id = ?", userID).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &UserTOTP{UserID: userID}, nil
	}
	return &t, err
}

// SetPendingTOTP keeps a secret the user is about to confirm, replacing an earlier one.
func (s *Store) SetPendingTOTP(userID int64, sealed []byte, until time.Time) error {
	return s.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"pending_sealed", "pending_until"}),
	}).Create(&UserTOTP{UserID: userID, PendingSealed: sealed, PendingUntil: &until}).Error
}

// ClearPendingTOTP forgets an unconfirmed secret.
func (s *Store) ClearPendingTOTP(userID int64) error {
	return s.db.Model(&UserTOTP{}).Where("user_id = ?", userID).
		Updates(map[string]any{"pending_sealed": nil, "pending_until": nil}).Error
}

// EnableTOTP turns two-factor sign-in on with sealed as the secret, records step (the code
// that confirmed it) as used and replaces the recovery codes by codeHashes, all at once.
// ErrConflict: it was already on (two confirmations raced).
func (s *Store) EnableTOTP(userID int64, sealed []byte, step int64, codeHashes []string, now time.Time) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&UserTOTP{}).Where("user_id = ? AND sealed IS NULL", userID).Updates(map[string]any{
			"sealed": sealed, "enabled_at": now, "last_step": step, "pending_sealed": nil, "pending_until": nil,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrConflict
		}
		if err := tx.Where("user_id = ?", userID).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		codes := make([]RecoveryCode, len(codeHashes))
		for i, h := range codeHashes {
			codes[i] = RecoveryCode{UserID: userID, CodeHash: h}
		}
		return tx.Create(&codes).Error
	})
}

// DisableTOTP turns two-factor sign-in off and drops the recovery codes.
func (s *Store) DisableTOTP(userID int64) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", userID).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		return tx.Where("user_id = ?", userID).Delete(&UserTOTP{}).Error
	})
}

// ClaimUserTOTPStep records step as the last used one if it is newer, in one conditional
// UPDATE so that two requests with the same code cannot both pass. false: already used.
func (s *Store) ClaimUserTOTPStep(userID, step int64) (bool, error) {
	res := s.db.Model(&UserTOTP{}).Where("user_id = ? AND sealed IS NOT NULL AND last_step < ?", userID, step).
		Update("last_step", step)
	return res.RowsAffected == 1, res.Error
}

// UseRecoveryCode marks an unused code as used; false when no unused code has that hash.
func (s *Store) UseRecoveryCode(userID int64, codeHash string, now time.Time) (bool, error) {
	res := s.db.Model(&RecoveryCode{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, codeHash).
		Update("used_at", now)
	return res.RowsAffected == 1, res.Error
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(userID int64) (int, error) {
	var n int64
	err := s.db.Model(&RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	return int(n), err
}

// CreateLoginChallenge stores a pending second step; expired ones are swept at the same time.
func (s *Store) CreateLoginChallenge(c *LoginChallenge) error {
	if err := s.db.Where("expires_at < ?", time.Now()).Delete(&LoginChallenge{}).Error; err != nil {
		return err
	}
	return s.db.Create(c).Error
}

// LoginChallenge returns an unexpired challenge.
func (s *Store) LoginChallenge(tokenHash string) (*LoginChallenge, error) {
	var c LoginChallenge
	err := s.db.Where("token_hash = ? AND expires_at > ?", tokenHash, time.Now()).First(&c).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// FailLoginChallenge counts a wrong code; the challenge ends at limit wrong codes, so guessing
// needs the password again. It reports whether the challenge is still open.
func (s *Store) FailLoginChallenge(tokenHash string, limit int) (bool, error) {
	if err := s.db.Model(&LoginChallenge{}).Where("token_hash = ?", tokenHash).
		Update("failures", gorm.Expr("failures + 1")).Error; err != nil {
		return false, err
	}
	res := s.db.Where("token_hash = ? AND failures >= ?", tokenHash, limit).Delete(&LoginChallenge{})
	return res.RowsAffected == 0, res.Error
}

// DeleteLoginChallenge ends a challenge (used or abandoned).
func (s *Store) DeleteLoginChallenge(tokenHash string) error {
	return s.db.Where("token_hash = ?", tokenHash).Delete(&LoginChallenge{}).Error
}

// DeleteUserSessions ends every session of the user and every half-finished sign-in: "log out
// everywhere". Sessions live only in this table, so deleting the rows revokes them for good.
func (s *Store) DeleteUserSessions(userID int64) (int64, error) {
	var n int64
	err := s.db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("user_id = ?", userID).Delete(&Session{})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return tx.Where("user_id = ?", userID).Delete(&LoginChallenge{}).Error
	})
	return n, err
}

// UserByID finds a user by id.
func (s *Store) UserByID(id int64) (*User, error) {
	var u User
	if err := s.db.First(&u, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}
