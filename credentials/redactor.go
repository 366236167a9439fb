package credentials

import (
	"billhound/redact"
	"billhound/store"
)

// Redactor opens every secret of a portal (the password, the other credential fields, the TOTP
// secret, the recovery codes) and returns a redactor that hides them. This is the one list of a
// portal's secrets: a run redacts its log and artifacts with it, the API redacts run answers.
func (v *Vault) Redactor(p *store.Portal) (*redact.Redactor, error) {
	r := redact.New()
	password, err := v.Password(p)
	if err != nil {
		return nil, err
	}
	r.Add(password, redact.Text)
	fields, err := v.Fields(p)
	if err != nil {
		return nil, err
	}
	for _, value := range fields {
		r.Add(value, redact.Text)
	}
	k, ok, err := v.TOTP(p)
	if err != nil {
		return nil, err
	}
	if ok {
		r.Add(k.Base32(), redact.TOTPSecret)
	}
	codes, err := v.RecoveryCodes(p)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		r.Add(c, redact.RecoveryCode)
	}
	return r, nil
}
