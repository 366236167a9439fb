package store

import "gorm.io/gorm/clause"

// Setting is one key/value pair of instance-wide settings.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

// Setting returns the value of key, or def when it is unset.
func (s *Store) Setting(key, def string) (string, error) {
	var st Setting
	err := s.db.Where("key = ?", key).First(&st).Error
	if notFound(err) == ErrNotFound {
		return def, nil
	}
	return st.Value, err
}

// SetSetting stores a value for key.
func (s *Store) SetSetting(key, value string) error {
	return s.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: value}).Error
}

// AddSetting stores value for key unless key is set already, and returns the value that is
// stored now: two processes adding at once agree on the first one.
func (s *Store) AddSetting(key, value string) (string, error) {
	if err := s.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: key, Value: value}).Error; err != nil {
		return "", err
	}
	return s.Setting(key, "")
}
