package credentials

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"billhound/store"
	"billhound/twofa"
)

// The app's own account signs in with a TOTP code as a second step, the way portals do. Its
// secret is sealed like a portal's, bound to the user and to the column (active or pending),
// so a pending secret that was never confirmed cannot be moved into the active one.

func accountTOTPPurpose(userID int64) string    { return fmt.Sprintf("user/%d/totp", userID) }
func accountPendingPurpose(userID int64) string { return fmt.Sprintf("user/%d/totp-pending", userID) }

// AccountIssuer is the name authenticator apps show next to the code.
const AccountIssuer = "billhound"

// NewAccountKey makes a fresh TOTP key for the app's account: 160 random bits (RFC 4226's
// recommendation for HMAC-SHA1), 6 digits, 30 seconds, which every authenticator app reads.
func NewAccountKey(username string) (twofa.Key, error) {
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return twofa.Key{}, err
	}
	return twofa.Key{Secret: secret, Issuer: AccountIssuer, Account: username,
		Algorithm: twofa.DefaultAlgorithm, Digits: twofa.DefaultDigits, Period: twofa.DefaultPeriod}, nil
}

// SetPendingAccountTOTP keeps a key the user has yet to confirm with a code, until until.
func (v *Vault) SetPendingAccountTOTP(userID int64, k twofa.Key, until time.Time) error {
	sealed, err := v.Box.SealString(accountPendingPurpose(userID), k.URI())
	if err != nil {
		return err
	}
	return v.Store.SetPendingTOTP(userID, sealed, until)
}

// PendingAccountTOTP opens the key waiting for confirmation; ok is false when there is none
// or it expired.
func (v *Vault) PendingAccountTOTP(t *store.UserTOTP, now time.Time) (twofa.Key, bool, error) {
	if len(t.PendingSealed) == 0 || t.PendingUntil == nil || !now.Before(*t.PendingUntil) {
		return twofa.Key{}, false, nil
	}
	k, err := v.openAccountKey(accountPendingPurpose(t.UserID), t.PendingSealed)
	return k, err == nil, err
}

// AccountTOTP opens the active key (2FA must be on).
func (v *Vault) AccountTOTP(t *store.UserTOTP) (twofa.Key, error) {
	return v.openAccountKey(accountTOTPPurpose(t.UserID), t.Sealed)
}

func (v *Vault) openAccountKey(purpose string, sealed []byte) (twofa.Key, error) {
	uri, err := v.Box.OpenString(purpose, sealed)
	if err != nil {
		return twofa.Key{}, err
	}
	k, err := twofa.ParseURI(uri)
	if err != nil {
		return twofa.Key{}, fmt.Errorf("the stored sign-in 2FA secret: %w", err)
	}
	return k, nil
}

// EnableAccountTOTP turns 2FA on with k, confirmed by the code of step, and stores the hashes
// of the new recovery codes (replacing any earlier ones).
func (v *Vault) EnableAccountTOTP(userID int64, k twofa.Key, step int64, recovery []string, now time.Time) error {
	sealed, err := v.Box.SealString(accountTOTPPurpose(userID), k.URI())
	if err != nil {
		return err
	}
	hashes := make([]string, len(recovery))
	for i, c := range recovery {
		hashes[i] = HashRecoveryCode(c)
	}
	return v.Store.EnableTOTP(userID, sealed, step, hashes, now)
}

// CodeCheck is the outcome of checking a typed sign-in code.
type CodeCheck int

const (
	CodeWrong  CodeCheck = iota // not a code of this key within the accepted window
	CodeReused                  // right, but its time step was already used
	CodeOK
)

// CheckAccountCode checks a TOTP code for the account and claims its time step, so the same
// code (seen over a shoulder, or replayed) does not work a second time.
func (v *Vault) CheckAccountCode(t *store.UserTOTP, code string, now time.Time) (CodeCheck, error) {
	k, err := v.AccountTOTP(t)
	if err != nil {
		return CodeWrong, err
	}
	step, ok := twofa.MatchCode(k, code, now)
	if !ok {
		return CodeWrong, nil
	}
	claimed, err := v.Store.ClaimUserTOTPStep(t.UserID, step)
	if err != nil || !claimed {
		return CodeReused, err
	}
	return CodeOK, nil
}

// Recovery codes: 10 codes of 16 characters from the 32-letter base32 alphabet, 80 random
// bits each, written in groups of four ("k3mf-7qpa-x2bd-h6wz").
const (
	RecoveryCodeCount = 10
	recoveryGroups    = 4
	recoveryGroupLen  = 4
	recoveryAlphabet  = "abcdefghijklmnopqrstuvwxyz234567"
)

// NewRecoveryCodes makes the one-time codes shown once when 2FA is turned on.
func NewRecoveryCodes() ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	raw := make([]byte, recoveryGroups*recoveryGroupLen)
	for i := range codes {
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		var b strings.Builder
		for j, r := range raw {
			if j > 0 && j%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[r&31]) // 256 is a multiple of 32: no bias
		}
		codes[i] = b.String()
	}
	return codes, nil
}

// HashRecoveryCode is what the store keeps of a code. SHA-256 and not a slow password hash:
// a code carries 80 random bits, so neither a dictionary nor brute force over a stolen
// database gets anywhere, while a plain hash can be looked up and marked used in one atomic
// UPDATE. Case, spaces and dashes do not matter, as people copy codes in many ways.
func HashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r == '-' || r == ' ' || r == '\t':
			return -1
		}
		return r
	}, code)
	h := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(h[:])
}

// UseAccountRecoveryCode signs in with a recovery code in place of a TOTP code; a code works
// once.
func (v *Vault) UseAccountRecoveryCode(userID int64, code string, now time.Time) (bool, error) {
	if strings.TrimSpace(code) == "" {
		return false, nil
	}
	return v.Store.UseRecoveryCode(userID, HashRecoveryCode(code), now)
}
