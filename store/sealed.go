package store

import (
	"fmt"

	"gorm.io/gorm"
)

// SealedColumn is a column holding values sealed with the secret key, in a table whose rows
// are named by an integer key column. Every such column is listed in SealedColumns, so key
// checks and key rotation see it: a new sealed column must be added there.
type SealedColumn struct {
	Table, Key, Column string
}

// SealedColumns are every column sealed with the secret key.
var SealedColumns = []SealedColumn{
	{"portals", "id", "password_sealed"},
	{"portals", "id", "totp_sealed"},
	{"portals", "id", "recovery_sealed"},
	{"portals", "id", "fields_sealed"},
	{"user_totp", "user_id", "sealed"},
	{"user_totp", "user_id", "pending_sealed"},
}

// HasSealedSecrets reports whether any row holds a sealed value.
func (s *Store) HasSealedSecrets() (bool, error) {
	for _, c := range SealedColumns {
		var n int64
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE length(%s) > 0", c.Table, c.Column)
		if err := s.db.Raw(q).Scan(&n).Error; err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// ResealSecrets rewrites every sealed value in one transaction: reseal gets the column, the
// row's key and the sealed bytes and returns them sealed anew; then the setting key is set to
// value. Any error leaves the database as it was. It returns how many values it rewrote.
func (s *Store) ResealSecrets(reseal func(c SealedColumn, id int64, sealed []byte) ([]byte, error), key, value string) (int, error) {
	n := 0
	err := s.db.Transaction(func(tx *gorm.DB) error {
		for _, c := range SealedColumns {
			type row struct {
				ID     int64
				Sealed []byte
			}
			var rows []row
			q := fmt.Sprintf("SELECT %s AS id, %s AS sealed FROM %s WHERE length(%s) > 0 ORDER BY %s", c.Key, c.Column, c.Table, c.Column, c.Key)
			if err := tx.Raw(q).Scan(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				fresh, err := reseal(c, r.ID, r.Sealed)
				if err != nil {
					return err
				}
				upd := fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", c.Table, c.Column, c.Key)
				if err := tx.Exec(upd, fresh, r.ID).Error; err != nil {
					return err
				}
				n++
			}
		}
		return tx.Save(&Setting{Key: key, Value: value}).Error
	})
	return n, err
}
