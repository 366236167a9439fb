package store

import "gorm.io/gorm"

// sealedColumns are every column that holds a value sealed with the secret key. A new one
// must be added here, so key checks and key rotation see it.
var sealedColumns = []string{"password_sealed", "totp_sealed", "recovery_sealed", "fields_sealed"}

// HasSealedSecrets reports whether any portal holds a sealed value.
func (s *Store) HasSealedSecrets() (bool, error) {
	q := s.db.Model(&Portal{})
	for i, c := range sealedColumns {
		cond := "length(" + c + ") > 0"
		if i == 0 {
			q = q.Where(cond)
		} else {
			q = q.Or(cond)
		}
	}
	var n int64
	return n > 0, q.Count(&n).Error
}

// ResealSecrets rewrites every portal's sealed values in one transaction: reseal changes the
// sealed fields of the portal it is given (and must not change anything else), then the
// setting key is set to value. Any error leaves the database as it was.
func (s *Store) ResealSecrets(reseal func(p *Portal) error, key, value string) (int, error) {
	n := 0
	err := s.db.Transaction(func(tx *gorm.DB) error {
		var ps []Portal
		if err := tx.Order("id").Find(&ps).Error; err != nil {
			return err
		}
		for i := range ps {
			if err := reseal(&ps[i]); err != nil {
				return err
			}
			err := tx.Model(&Portal{ID: ps[i].ID}).Select(sealedColumns).Updates(&ps[i]).Error
			if err != nil {
				return err
			}
			n++
		}
		return tx.Save(&Setting{Key: key, Value: value}).Error
	})
	return n, err
}
