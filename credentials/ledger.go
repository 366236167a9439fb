package credentials

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"billhound/twofa"
)

// The ledger of used one-time codes is keyed by the secret, so portals that share a secret
// never send the same code twice. Its row names are HMAC-SHA256 of the secret under a random
// ledger key: the database never holds the secret, nor a plain hash someone could test guesses
// against. The ledger key is sealed with the secret key in settings, so key rotation re-seals
// it and the row names (and HOTP counters) survive a new secret key.
const ledgerSetting = "otp_ledger_key"

func ledgerPurpose(int64) string { return "settings/" + ledgerSetting }

// ledgerKey loads the ledger key, making it on first use. Two processes making it at once
// agree on the first one stored.
func (v *Vault) ledgerKeyBytes() ([]byte, error) {
	v.ledgerMu.Lock()
	defer v.ledgerMu.Unlock()
	if v.ledgerKey != nil {
		return v.ledgerKey, nil
	}
	stored, err := v.Store.Setting(ledgerSetting, "")
	if err != nil {
		return nil, err
	}
	if stored == "" {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		sealed, err := v.Box.Seal(ledgerPurpose(0), fresh)
		if err != nil {
			return nil, err
		}
		row, _ := json.Marshal(map[string][]byte{"sealed": sealed})
		if stored, err = v.Store.AddSetting(ledgerSetting, string(row)); err != nil {
			return nil, err
		}
	}
	var row struct{ Sealed []byte }
	if err := json.Unmarshal([]byte(stored), &row); err != nil {
		return nil, fmt.Errorf("the stored ledger key is damaged: %w", err)
	}
	key, err := v.Box.Open(ledgerPurpose(0), row.Sealed)
	if err != nil {
		return nil, err
	}
	v.ledgerKey = key
	return key, nil
}

// secretID names a key's ledger row. Time steps of different periods are different counts,
// so the period is part of a time-based key's name.
func (v *Vault) secretID(k twofa.Key) (string, error) {
	lk, err := v.ledgerKeyBytes()
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, lk)
	if k.TimeBased() {
		fmt.Fprintf(mac, "time/%d/", k.Period)
	} else {
		mac.Write([]byte("counter/"))
	}
	mac.Write(k.Secret)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// ClaimStep records a time step of k as used; false means it (or a later one) was used already.
func (v *Vault) ClaimStep(k twofa.Key, step int64) (bool, error) {
	id, err := v.secretID(k)
	if err != nil {
		return false, err
	}
	return v.Store.ClaimStep(id, step)
}

// TakeCounter returns the HOTP counter of k's next code and moves the stored one past it.
func (v *Vault) TakeCounter(k twofa.Key) (uint64, error) {
	id, err := v.secretID(k)
	if err != nil {
		return 0, err
	}
	return v.Store.TakeCounter(id, k.Counter)
}

// SkewThreshold is the clock offset from which a portal's clock is shown and corrected for.
// Below it, the step either side that portals accept absorbs the difference, and a Date
// header (whole seconds) cannot tell it much better anyway.
const SkewThreshold = 10 * time.Second

// PortalTime is now on the portal's clock, as far as billhound knows it: corrected only when
// the learned offset is over SkewThreshold.
func PortalTime(skew time.Duration, now time.Time) time.Time {
	if Corrects(skew) {
		return now.Add(skew)
	}
	return now
}

// Corrects reports whether a clock offset is large enough to be shown and corrected for.
func Corrects(skew time.Duration) bool { return skew > SkewThreshold || skew < -SkewThreshold }

// NextCode returns a fresh code of k: for HOTP the next counter's, for TOTP and Steam a time
// step no earlier call used, on the portal's clock (clock returns it), waiting for the next
// step when needed. It also returns the step or counter, for the run log.
func (v *Vault) NextCode(ctx context.Context, k twofa.Key, clock func() time.Time) (string, int64, error) {
	if !k.TimeBased() {
		c, err := v.TakeCounter(k)
		if err != nil {
			return "", 0, err
		}
		code, err := k.CodeAt(int64(c))
		return code, int64(c), err
	}
	return twofa.NextCode(ctx, k, func(step int64) (bool, error) { return v.ClaimStep(k, step) }, clock)
}

// ErrNoRecoveryCodes means every stored recovery code has been used (or none was stored).
var ErrNoRecoveryCodes = errors.New("no unused recovery code is left for this portal; get new ones from the portal's 2FA settings and store them on its page")

// TakeRecoveryCode returns an unused recovery code of the portal and removes it from the stored
// ones, atomically: two runs at once never get the same code. left is how many remain.
func (v *Vault) TakeRecoveryCode(portalID int64) (code string, left int, err error) {
	for range 20 {
		p, err := v.Store.Portal(portalID)
		if err != nil {
			return "", 0, err
		}
		codes, err := v.RecoveryCodes(p)
		if err != nil {
			return "", 0, err
		}
		if len(codes) == 0 {
			return "", 0, ErrNoRecoveryCodes
		}
		var fresh []byte
		if len(codes) > 1 {
			if fresh, err = v.sealRecovery(portalID, codes[1:]); err != nil {
				return "", 0, err
			}
		}
		swapped, err := v.Store.SwapRecoveryCodes(portalID, p.RecoverySealed, fresh, len(codes)-1)
		if err != nil {
			return "", 0, err
		}
		if swapped {
			return codes[0], len(codes) - 1, nil
		}
		// Another run took one meanwhile: read again.
	}
	return "", 0, errors.New("the recovery codes kept changing while taking one; try again")
}
