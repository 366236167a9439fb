// Package credentials is where a portal's secrets are sealed before they reach the store and
// opened when a run or the user needs them: the password and the TOTP key. Everything else in
// billhound handles only sealed bytes or one run's in-memory copy.
package credentials

import (
	"fmt"
	"time"

	"billhound/secrets"
	"billhound/store"
	"billhound/twofa"
)

// Vault seals and opens portal secrets.
type Vault struct {
	Store *store.Store
	Box   *secrets.Box
}

// Purposes bind a sealed value to its portal and column, so it cannot be moved to another.
func passwordPurpose(portalID int64) string { return fmt.Sprintf("portal/%d/password", portalID) }
func totpPurpose(portalID int64) string     { return fmt.Sprintf("portal/%d/totp", portalID) }

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
	return v.Store.SetTOTP(portalID, store.TOTP{
		Sealed: sealed, Issuer: k.Issuer, Account: k.Account, Algorithm: k.Algorithm,
		Digits: k.Digits, Period: k.Period, Source: source,
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
	Period    int    `json:"period"`
	Remaining int    `json:"remaining"` // whole seconds left in the step
	Step      int64  `json:"step"`
}

// ShowCode returns the current code for the user to type into the portal (to confirm an
// enrolment, or to log in by hand) and records its step as used: a portal that accepted it
// would reject the same code from the next run.
func (v *Vault) ShowCode(p *store.Portal, now time.Time) (Code, bool, error) {
	k, ok, err := v.TOTP(p)
	if err != nil || !ok {
		return Code{}, ok, err
	}
	step := k.Step(now)
	code, err := k.CodeAt(step)
	if err != nil {
		return Code{}, true, err
	}
	if _, err := v.Store.ClaimTOTPStep(p.ID, step); err != nil {
		return Code{}, true, err
	}
	rem := int(k.Remaining(now).Seconds())
	return Code{Code: code, Period: k.Period, Remaining: rem, Step: step}, true, nil
}
