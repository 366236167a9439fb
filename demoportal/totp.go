package demoportal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"billhound/qrscan"
)

// One-time codes, secrets, QR codes and recovery codes: the parts of 2FA that are no handler.

const (
	totpPeriod    = 30 // seconds per TOTP step
	recoveryCount = 10
	qrSize        = 240 // pixels
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

type codeResult int

const (
	codeInvalid codeResult = iota
	codeReused
	codeOK
)

func stepAt(t time.Time) int64 {
	u := t.Unix()
	s := u / totpPeriod
	if u < 0 && u%totpPeriod != 0 {
		s-- // floor, not truncation, for times before 1970 (only tests go there)
	}
	return s
}

// checkCodeLocked checks a 6-digit code against secret for the current step and one step
// either side (clock drift, a code typed as it rolls over). A step whose code the account
// already used is refused, so a code observed once cannot be replayed; an accepted step is
// recorded. Caller holds p.mu.
func (p *Portal) checkCodeLocked(a *account, secret, code string) codeResult {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return codeInvalid
	}
	now := stepAt(p.now())
	reused := false
	for _, step := range []int64{now, now - 1, now + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if a.used[step] {
			reused = true
			continue // another step of the window may produce the same code
		}
		a.used[step] = true
		return codeOK
	}
	if reused {
		return codeReused
	}
	return codeInvalid
}

func newSecret() string {
	b := make([]byte, 20) // 160 bits, as RFC 4226 recommends for HMAC-SHA1
	rand.Read(b)
	return b32.EncodeToString(b)
}

// normalizeSecret accepts a base32 secret the way people paste it (spaces, lower case, padding).
func normalizeSecret(s string) (string, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	s = strings.TrimRight(s, "=")
	if _, err := b32.DecodeString(s); err != nil || s == "" {
		return "", errors.New("TOTP secret is not base32")
	}
	return s, nil
}

// groupSecret writes a secret in groups of four, the way portals print it for manual entry.
func groupSecret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// otpauthURI is the Key URI Format authenticator apps scan. Spaces become %20, not "+", because
// several apps show a literal "+".
func otpauthURI(issuer, username, secret string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return "otpauth://totp/" + esc(issuer) + ":" + esc(username) +
		"?secret=" + secret + "&issuer=" + esc(issuer)
}

// qrPNG renders content as a black-on-white QR code PNG with the standard 4-module quiet zone.
func qrPNG(content string) ([]byte, error) { return qrscan.QRPNG(content, qrSize) }

// newRecoveryCodes makes the one-time codes that stand in for the authenticator app.
func newRecoveryCodes() map[string]bool {
	codes := make(map[string]bool, recoveryCount)
	for len(codes) < recoveryCount {
		b := make([]byte, 4)
		rand.Read(b)
		h := hex.EncodeToString(b)
		codes[h[:4]+"-"+h[4:]] = false
	}
	return codes
}

// normalizeRecovery accepts a recovery code with or without its dash, in any case.
func normalizeRecovery(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 8 {
		return s
	}
	return s[:4] + "-" + s[4:]
}
