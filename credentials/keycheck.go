package credentials

import (
	"encoding/base64"
	"errors"
	"fmt"

	"billhound/secrets"
	"billhound/store"
)

// ErrWrongKey means the key does not open what the database holds.
var ErrWrongKey = errors.New("the secret key is not the one the stored secrets were sealed with")

// The key check is a known text sealed with the key when it is first used, kept in settings:
// it tells a wrong key at start, before any route needs a secret.
const (
	checkSetting = "secret_key_check"
	checkPurpose = "billhound/key-check"
	checkText    = "billhound secret key check v1"
)

// sealedColumns are a portal's sealed values and the purpose each is bound to. A new sealed
// column must be added here (and in store's list) so that rotation carries it over.
var sealedColumns = []struct {
	purpose func(portalID int64) string
	field   func(p *store.Portal) *[]byte
}{
	{passwordPurpose, func(p *store.Portal) *[]byte { return &p.PasswordSealed }},
	{totpPurpose, func(p *store.Portal) *[]byte { return &p.TOTPSealed }},
	{recoveryPurpose, func(p *store.Portal) *[]byte { return &p.RecoverySealed }},
	{fieldsPurpose, func(p *store.Portal) *[]byte { return &p.FieldsSealed }},
}

// KeyInUse reports whether the database holds anything sealed with a key (a key check or a
// sealed secret): then no new key may be made.
func KeyInUse(st *store.Store) (bool, error) {
	if v, err := st.Setting(checkSetting, ""); err != nil || v != "" {
		return v != "", err
	}
	return st.HasSealedSecrets()
}

// MatchKey returns ErrWrongKey unless box opens the recorded key check or, in a database from
// before key checks, the first stored secret. With nothing to compare against it returns nil.
func MatchKey(st *store.Store, box *secrets.Box) error {
	v, err := st.Setting(checkSetting, "")
	if err != nil {
		return err
	}
	if v != "" {
		sealed, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("the stored key check is damaged: %w", err)
		}
		if text, err := box.OpenString(checkPurpose, sealed); err != nil || text != checkText {
			return ErrWrongKey
		}
		return nil
	}
	ps, err := st.Portals()
	if err != nil {
		return err
	}
	for i := range ps {
		for _, c := range sealedColumns {
			if sealed := *c.field(&ps[i]); len(sealed) > 0 {
				if _, err := box.Open(c.purpose(ps[i].ID), sealed); err != nil {
					return ErrWrongKey
				}
				return nil
			}
		}
	}
	return nil
}

// CheckKey returns ErrWrongKey unless box is the database's key, and records the key check
// when there is none yet.
func CheckKey(st *store.Store, box *secrets.Box) error {
	if err := MatchKey(st, box); err != nil {
		return err
	}
	check, err := keyCheck(box)
	if err != nil {
		return err
	}
	// Another process may record its check at the same moment: the stored one must open too.
	if stored, err := st.AddSetting(checkSetting, check); err != nil || stored == check {
		return err
	}
	return MatchKey(st, box)
}

func keyCheck(box *secrets.Box) (string, error) {
	sealed, err := box.SealString(checkPurpose, checkText)
	return base64.StdEncoding.EncodeToString(sealed), err
}

// Rotate re-seals every stored secret from the old key to the new one and records the new
// key check, all in one transaction. It returns how many portals it went through.
func Rotate(st *store.Store, old, new *secrets.Box) (int, error) {
	if err := MatchKey(st, old); err != nil {
		return 0, err
	}
	check, err := keyCheck(new)
	if err != nil {
		return 0, err
	}
	return st.ResealSecrets(func(c store.SealedColumn, id int64, sealed []byte) ([]byte, error) {
		purpose, err := purposeOf(c, id)
		if err != nil {
			return nil, err
		}
		plain, err := old.Open(purpose, sealed)
		if err != nil {
			return nil, fmt.Errorf("%s %d (%s): %w", c.Table, id, c.Column, err)
		}
		return new.Seal(purpose, plain)
	}, checkSetting, check)
}

// purposeOf is what a sealed column's values are bound to.
func purposeOf(c store.SealedColumn, id int64) (string, error) {
	purposes := map[string]func(int64) string{
		"portals.password_sealed":      passwordPurpose,
		"portals.totp_sealed":          totpPurpose,
		"portals.recovery_sealed":      recoveryPurpose,
		"portals.fields_sealed":        fieldsPurpose,
		"user_totp.sealed":             accountTOTPPurpose,
		"user_totp.pending_sealed":     accountPendingPurpose,
		"portal_sessions.sealed":       sessionPurpose,
		"runs.answer_sealed":           answerPurpose,
		"sms_messages.text_sealed":     func(int64) string { return smsPurpose },
		"export_targets.secret_sealed": ExportSecretPurpose,
	}
	settings := map[string]string{ // settings rows: one each, the purpose names the row
		"notifications":    "settings/notifications",
		settingMailboxPass: mailboxPurpose,
		"otp_ledger_key":   "settings/otp_ledger_key",
	}
	p, ok := purposes[c.Table+"."+c.Column]
	if c.Table == "settings" {
		purpose, known := settings[c.Key]
		p, ok = func(int64) string { return purpose }, known
	}
	if !ok {
		return "", fmt.Errorf("no purpose known for the sealed column %s.%s", c.Table, c.Column)
	}
	return p(id), nil
}
