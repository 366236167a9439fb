// Package credentials is where a portal's secrets are sealed before they reach the store and
// opened when a run or the user needs them: the password and the TOTP key. Everything else in
// billhound handles only sealed bytes or one run's in-memory copy.
package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

// Vault seals and opens portal secrets.
type Vault struct {
	Store *store.Store
	Box   *secrets.Box

	ledgerMu  sync.Mutex
	ledgerKey []byte // see ledger.go
}

// Purposes bind a sealed value to its portal and column, so it cannot be moved to another.
func passwordPurpose(portalID int64) string { return fmt.Sprintf("portal/%d/password", portalID) }
func totpPurpose(portalID int64) string     { return fmt.Sprintf("portal/%d/totp", portalID) }
func recoveryPurpose(portalID int64) string { return fmt.Sprintf("portal/%d/recovery", portalID) }
func fieldsPurpose(portalID int64) string   { return fmt.Sprintf("portal/%d/fields", portalID) }

// SealPassword returns the sealed form of a portal's password for store.Portal.PasswordSealed.
func (v *Vault) SealPassword(portalID int64, password string) ([]byte, error) {
	return v.Box.SealString(passwordPurpose(portalID), password)
}

// Password opens a portal's password ("" when none is stored).
func (v *Vault) Password(p *store.Portal) (string, error) {
	return v.Box.OpenString(passwordPurpose(p.ID), p.PasswordSealed)
}

// SetTOTP seals and stores a TOTP key; source says how the user entered it (qr, key, uri).
func (v *Vault) SetTOTP(portalID int64, k twofa.Key, source string) error {
	sealed, err := v.Box.SealString(totpPurpose(portalID), k.URI())
	if err != nil {
		return err
	}
	if k.Kind() == twofa.TypeHOTP {
		// Codes up to the counter the source reached may have been used already.
		id, err := v.secretID(k)
		if err != nil {
			return err
		}
		if err := v.Store.RaiseCounter(id, k.Counter); err != nil {
			return err
		}
	}
	typ := k.Type
	if typ == twofa.TypeTOTP {
		typ = ""
	}
	return v.Store.SetTOTP(portalID, store.TOTP{
		Sealed: sealed, Issuer: k.Issuer, Account: k.Account, Algorithm: k.Algorithm,
		Digits: k.Digits, Period: k.Period, Source: source, Type: typ,
	})
}

// TOTP opens a portal's TOTP key; ok is false when none is stored.
func (v *Vault) TOTP(p *store.Portal) (k twofa.Key, ok bool, err error) {
	if !p.HasTOTP() {
		return twofa.Key{}, false, nil
	}
	uri, err := v.Box.OpenString(totpPurpose(p.ID), p.TOTPSealed)
	if err != nil {
		return twofa.Key{}, false, err
	}
	k, err = twofa.ParseURI(uri)
	if err != nil {
		return twofa.Key{}, false, fmt.Errorf("the stored 2FA secret: %w", err)
	}
	return k, true, nil
}

// Code is a code shown to the user.
type Code struct {
	Code      string `json:"code"`
	Type      string `json:"type"`      // totp, hotp or steam
	Period    int    `json:"period"`    // 0 for HOTP
	Remaining int    `json:"remaining"` // whole seconds left in the step (0 for HOTP)
	Step      int64  `json:"step"`      // the time step, or the HOTP counter
}

// ShowCode returns the current code for the user to type into the portal (to confirm an
// enrolment, or to log in by hand) and records its step as used: a portal that accepted it
// would reject the same code from the next run. The time is the portal's (its learned clock
// offset applied). An HOTP code uses up its counter.
func (v *Vault) ShowCode(p *store.Portal, now time.Time) (Code, bool, error) {
	k, ok, err := v.TOTP(p)
	if err != nil || !ok {
		return Code{}, ok, err
	}
	if !k.TimeBased() {
		c, err := v.TakeCounter(k)
		if err != nil {
			return Code{}, true, err
		}
		code, err := k.CodeAt(int64(c))
		return Code{Code: code, Type: k.Kind(), Step: int64(c)}, true, err
	}
	now = PortalTime(p.ClockSkew(), now)
	step := k.Step(now)
	code, err := k.CodeAt(step)
	if err != nil {
		return Code{}, true, err
	}
	if _, err := v.ClaimStep(k, step); err != nil {
		return Code{}, true, err
	}
	rem := int(k.Remaining(now).Seconds())
	return Code{Code: code, Type: k.Kind(), Period: k.Period, Remaining: rem, Step: step}, true, nil
}

// Limits on recovery codes: portals hand out 8 to 16; more than this is a paste gone wrong.
const (
	maxRecoveryCodes   = 50
	maxRecoveryCodeLen = 100
)

// ParseRecoveryCodes splits pasted recovery codes: one a line (commas also separate), blank
// lines and duplicates dropped. A code may contain spaces ("abcd efgh").
func ParseRecoveryCodes(text string) ([]string, error) {
	var codes []string
	seen := map[string]bool{}
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		c := strings.Join(strings.Fields(line), " ")
		if c == "" || seen[c] {
			continue
		}
		if len(c) > maxRecoveryCodeLen {
			return nil, fmt.Errorf("a recovery code is longer than %d characters; put one code on each line", maxRecoveryCodeLen)
		}
		seen[c] = true
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return nil, errors.New("paste the recovery codes, one on each line")
	}
	if len(codes) > maxRecoveryCodes {
		return nil, fmt.Errorf("%d recovery codes is more than the %d a portal gives; put one code on each line", len(codes), maxRecoveryCodes)
	}
	return codes, nil
}

// SetRecoveryCodes seals and stores a portal's recovery codes, replacing earlier ones.
func (v *Vault) SetRecoveryCodes(portalID int64, codes []string) error {
	sealed, err := v.sealRecovery(portalID, codes)
	if err != nil {
		return err
	}
	return v.Store.SetRecoveryCodes(portalID, sealed, len(codes))
}

func (v *Vault) sealRecovery(portalID int64, codes []string) ([]byte, error) {
	return v.Box.SealString(recoveryPurpose(portalID), strings.Join(codes, "\n"))
}

// RecoveryCodes opens a portal's recovery codes (none: nil).
func (v *Vault) RecoveryCodes(p *store.Portal) ([]string, error) {
	text, err := v.Box.OpenString(recoveryPurpose(p.ID), p.RecoverySealed)
	if err != nil || text == "" {
		return nil, err
	}
	return strings.Split(text, "\n"), nil
}

// SealFields returns the sealed form of a script's other credential fields (customer number,
// PIN, ...) for store.Portal.FieldsSealed. They are sealed like the password: a field a script
// asks for may well be a secret.
func (v *Vault) SealFields(portalID int64, fields map[string]string) ([]byte, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	return v.Box.Seal(fieldsPurpose(portalID), raw)
}

// Fields opens a portal's other credential fields (none: an empty map).
func (v *Vault) Fields(p *store.Portal) (map[string]string, error) {
	out := map[string]string{}
	raw, err := v.Box.Open(fieldsPurpose(p.ID), p.FieldsSealed)
	if err != nil || len(raw) == 0 {
		return out, err
	}
	return out, json.Unmarshal(raw, &out)
}
