package store

import (
	"encoding/base64"
	"encoding/json"
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
	{"portal_sessions", "portal_id", "sealed"},
	{"runs", "id", "answer_sealed"},
	{"sms_messages", "id", "text_sealed"},
	{"export_targets", "id", "secret_sealed"},
}

// SealedSettings are settings rows holding a sealed value: in a field of a JSON object
// (base64, as encoding/json writes []byte), or, with Column "", as the whole value in base64.
// Key rotation rewrites it; it is named to the reseal function as
// SealedColumn{Table: "settings", Key: <row key>, Column: <field or "">}.
var SealedSettings = []SealedColumn{
	{"settings", "notifications", "sealed"},
	{"settings", "mailbox.password", ""},
	{"settings", "otp_ledger_key", "sealed"}, // names the one-time code ledger's rows (credentials/ledger.go)
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
		for _, c := range SealedSettings {
			done, err := resealSetting(tx, c, reseal)
			if err != nil {
				return err
			}
			n += done
		}
		return tx.Save(&Setting{Key: key, Value: value}).Error
	})
	return n, err
}

// resealSetting rewrites the sealed field of one settings row, if it has one.
func resealSetting(tx *gorm.DB, c SealedColumn, reseal func(c SealedColumn, id int64, sealed []byte) ([]byte, error)) (int, error) {
	var row Setting
	err := tx.Where("key = ?", c.Key).Limit(1).Find(&row).Error
	if err != nil || row.Value == "" {
		return 0, err
	}
	if c.Column == "" { // the whole value
		sealed, err := base64.StdEncoding.DecodeString(row.Value)
		if err != nil {
			return 0, fmt.Errorf("setting %s is damaged: %w", c.Key, err)
		}
		fresh, err := reseal(c, 0, sealed)
		if err != nil {
			return 0, err
		}
		return 1, tx.Model(&Setting{}).Where("key = ?", c.Key).Update("value", base64.StdEncoding.EncodeToString(fresh)).Error
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(row.Value), &obj); err != nil {
		return 0, fmt.Errorf("setting %s is damaged: %w", c.Key, err)
	}
	var sealed []byte
	if raw, ok := obj[c.Column]; !ok || json.Unmarshal(raw, &sealed) != nil || len(sealed) == 0 {
		return 0, nil
	}
	fresh, err := reseal(c, 0, sealed)
	if err != nil {
		return 0, err
	}
	if obj[c.Column], err = json.Marshal(fresh); err != nil {
		return 0, err
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return 0, err
	}
	return 1, tx.Model(&Setting{}).Where("key = ?", c.Key).Update("value", string(out)).Error
}
