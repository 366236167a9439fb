package store

import (
	"time"

	"gorm.io/gorm/clause"
)

// KeptSession is a portal's browser session kept between runs. Sealed is the storage state
// sealed by the credentials package; it is nil when a persistent browser profile on disk holds
// the session instead.
type KeptSession struct {
	PortalID int64 `gorm:"primaryKey"`
	Sealed   []byte
	KeptAt   time.Time
}

func (KeptSession) TableName() string { return "portal_sessions" }

// KeepSession stores (or replaces) a portal's kept session.
func (s *Store) KeepSession(portalID int64, sealed []byte, at time.Time) error {
	return s.db.Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&KeptSession{PortalID: portalID, Sealed: sealed, KeptAt: at.UTC()}).Error
}

// KeptSession returns a portal's kept session, or ErrNotFound.
func (s *Store) KeptSession(portalID int64) (*KeptSession, error) {
	var k KeptSession
	if err := s.db.Where("portal_id = ?", portalID).First(&k).Error; err != nil {
		return nil, notFound(err)
	}
	return &k, nil
}

// SessionKeptAt says since when a portal's session is kept (nil: none is), without reading the
// sealed state.
func (s *Store) SessionKeptAt(portalID int64) (*time.Time, error) {
	var rows []KeptSession
	if err := s.db.Select("portal_id", "kept_at").Where("portal_id = ?", portalID).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0].KeptAt, nil
}

// SessionsKeptAt maps every portal with a kept session to when it was kept.
func (s *Store) SessionsKeptAt() (map[int64]time.Time, error) {
	var rows []KeptSession
	if err := s.db.Select("portal_id", "kept_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.PortalID] = r.KeptAt
	}
	return out, nil
}

// ForgetSession drops a portal's kept session; forgetting none is no error.
func (s *Store) ForgetSession(portalID int64) error {
	return s.db.Where("portal_id = ?", portalID).Delete(&KeptSession{}).Error
}
