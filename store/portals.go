package store

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// Portal is one online account billhound logs into. PasswordSealed and TOTPSealed hold values
// sealed by the secrets package; the TOTP metadata beside them is not secret and is shown in
// the UI.
type Portal struct {
	ID             int64
	Name           string
	Slug           string
	Script         string
	URL            string
	Username       string
	PasswordSealed []byte
	FieldsSealed   []byte // other @fields of the script (a JSON object), sealed
	TOTPSealed     []byte `gorm:"column:totp_sealed"`
	TOTPIssuer     string `gorm:"column:totp_issuer"`
	TOTPAccount    string `gorm:"column:totp_account"`
	TOTPAlgorithm  string `gorm:"column:totp_algorithm"`
	TOTPDigits     int    `gorm:"column:totp_digits"`
	TOTPPeriod     int    `gorm:"column:totp_period"`
	TOTPSource     string `gorm:"column:totp_source"`    // qr, key or uri: how the user entered it
	TOTPLastStep   int64  `gorm:"column:totp_last_step"` // before the ledger (otp_ledger); no longer used
	TOTPType       string `gorm:"column:totp_type"`      // "" (TOTP), hotp or steam
	RecoverySealed []byte // one-time recovery codes, sealed; RecoveryCount says how many
	RecoveryCount  int
	RecoveryUsed   int        // how many recovery codes scripts have used (and removed)
	ClockSkewMS    int64      `gorm:"column:clock_skew_ms"` // the portal's clock minus ours, from its Date headers
	ClockCheckedAt *time.Time // when ClockSkewMS was learned; nil: never
	Schedule       string     // "" (runs only when asked) or a Go duration between runs, e.g. "24h"
	LoginWindow    string     // when scheduled runs may start, e.g. "mon,tue 08:00-20:00"; "" = always
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// TOTPConfirmedAt: when a code from the secret was last seen to work (nil: not yet);
	// TOTPConfirmedRun: the run that logged in with it, 0 when the user confirmed it.
	TOTPConfirmedAt  *time.Time `gorm:"column:totp_confirmed_at"`
	TOTPConfirmedRun int64      `gorm:"column:totp_confirmed_run"`
}

// HasTOTP reports whether a TOTP secret is stored.
func (p *Portal) HasTOTP() bool { return len(p.TOTPSealed) > 0 }

// TOTP is what SetTOTP stores.
type TOTP struct {
	Sealed    []byte
	Issuer    string
	Account   string
	Algorithm string
	Digits    int
	Period    int
	Source    string
	Type      string // "" (TOTP), hotp or steam
}

// Slugify turns a portal name into the folder name its archive lives in: lower case ASCII
// letters, digits and dashes.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		s = "portal"
	}
	return s
}

// CreatePortal inserts p, choosing a unique slug. A taken name gives ErrConflict.
func (s *Store) CreatePortal(p *Portal) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Portal{}).Where("name = ?", p.Name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		slug, err := uniqueSlug(tx, Slugify(p.Name))
		if err != nil {
			return err
		}
		p.Slug = slug
		return conflict(tx.Create(p).Error)
	})
}

func uniqueSlug(tx *gorm.DB, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var n int64
		if err := tx.Model(&Portal{}).Where("slug = ?", slug).Count(&n).Error; err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
		slug = base + "-" + strconv.Itoa(i)
	}
}

// UpdatePortal saves the editable fields of p (name, script, url, username, password, other
// credential fields, schedule, login window). The
// slug stays, so archived files keep their folder.
func (s *Store) UpdatePortal(p *Portal) error {
	var n int64
	if err := s.db.Model(&Portal{}).Where("name = ? AND id <> ?", p.Name, p.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrConflict
	}
	res := s.db.Model(&Portal{ID: p.ID}).Select("name", "script", "url", "username", "password_sealed", "fields_sealed", "schedule", "login_window", "updated_at").Updates(p)
	if res.Error != nil {
		return conflict(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// Portal returns the portal with id.
func (s *Store) Portal(id int64) (*Portal, error) {
	var p Portal
	if err := s.db.First(&p, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// PortalByName finds a portal by name, ignoring case.
func (s *Store) PortalByName(name string) (*Portal, error) {
	var p Portal
	if err := s.db.Where("name = ?", name).First(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// Portals lists every portal by name.
func (s *Store) Portals() ([]Portal, error) {
	var ps []Portal
	return ps, s.db.Order("name").Find(&ps).Error
}

// DeletePortal removes a portal with its runs and its invoices' index rows (files stay).
func (s *Store) DeletePortal(id int64) error {
	res := s.db.Delete(&Portal{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// SetTOTP stores a new TOTP secret, unconfirmed, and forgets the used-step ledger of the old one.
func (s *Store) SetTOTP(id int64, t TOTP) error {
	res := s.db.Model(&Portal{ID: id}).Updates(map[string]any{
		"totp_sealed": t.Sealed, "totp_issuer": t.Issuer, "totp_account": t.Account,
		"totp_algorithm": t.Algorithm, "totp_digits": t.Digits, "totp_period": t.Period,
		"totp_source": t.Source, "totp_type": t.Type, "totp_last_step": 0,
		"totp_confirmed_at": nil, "totp_confirmed_run": 0, "updated_at": time.Now(),
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ConfirmTOTP records that a code from the portal's secret worked at at: run logged in with
// it (0: the user says the portal accepted one). sealed is the secret as the caller read it;
// a secret replaced since then stays unconfirmed, so the answer is false.
func (s *Store) ConfirmTOTP(id, run int64, sealed []byte, at time.Time) (bool, error) {
	if len(sealed) == 0 {
		return false, nil
	}
	res := s.db.Model(&Portal{}).Where("id = ? AND totp_sealed = ?", id, sealed).
		Updates(map[string]any{"totp_confirmed_at": at, "totp_confirmed_run": run})
	return res.RowsAffected == 1, res.Error
}

// ClearTOTP removes the TOTP secret.
func (s *Store) ClearTOTP(id int64) error {
	return s.SetTOTP(id, TOTP{})
}

// SetRecoveryCodes stores a portal's sealed recovery codes and how many there are (nil, 0
// removes them).
func (s *Store) SetRecoveryCodes(id int64, sealed []byte, count int) error {
	res := s.db.Model(&Portal{ID: id}).Updates(map[string]any{
		"recovery_sealed": sealed, "recovery_count": count, "recovery_used": 0, "updated_at": time.Now(),
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}
