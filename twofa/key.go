package twofa

import (
	"encoding/base32"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Key is one authenticator account: time based (TOTP, the usual kind, and Steam Guard) or
// counter based (HOTP).
type Key struct {
	Secret    []byte // raw secret bytes
	Issuer    string
	Account   string
	Algorithm string // "SHA1", "SHA256" or "SHA512"
	Digits    int    // 6 to 8; 5 for Steam
	Period    int    // seconds, usually 30; unused by HOTP
	Type      string // "" or TypeTOTP, TypeHOTP, TypeSteam
	Counter   uint64 // HOTP: the counter of the next code, as the source gave it
}

// Kinds of code. A zero Type is TOTP, so keys built before the other kinds existed stay TOTP.
const (
	TypeTOTP  = "totp"
	TypeHOTP  = "hotp"
	TypeSteam = "steam"
)

// Kind is the key's Type, with "" read as TypeTOTP.
func (k Key) Kind() string {
	if k.Type == "" {
		return TypeTOTP
	}
	return k.Type
}

// TimeBased reports whether codes follow the clock (TOTP and Steam) rather than a counter.
func (k Key) TimeBased() bool { return k.Kind() != TypeHOTP }

// Defaults of the otpauth format, used when a source leaves a value out.
const (
	DefaultAlgorithm = "SHA1"
	DefaultDigits    = 6
	DefaultPeriod    = 30
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Base32 is the secret as authenticator apps show it: upper case, unpadded.
func (k Key) Base32() string { return b32.EncodeToString(k.Secret) }

// Step is the TOTP time step t falls in.
func (k Key) Step(t time.Time) int64 {
	p := int64(k.period())
	s := t.Unix()
	// Floor, not truncate, so times before 1970 don't share step 0.
	if s < 0 {
		return (s - p + 1) / p
	}
	return s / p
}

// CodeAt is the RFC 6238 code for the given time step (for HOTP keys: the RFC 4226 code for
// that counter value).
func (k Key) CodeAt(step int64) (string, error) {
	if err := k.check(); err != nil {
		return "", err
	}
	if step < 0 {
		return "", fmt.Errorf("twofa: negative time step %d", step)
	}
	if k.Kind() == TypeSteam {
		return steamCode(k.Secret, uint64(step)), nil
	}
	alg, _ := algorithmOf(k.Algorithm)
	return hotp.GenerateCodeCustom(k.Base32(), uint64(step), hotp.ValidateOpts{
		Digits:    otp.Digits(k.Digits),
		Algorithm: alg,
	})
}

// Code is the code valid at t.
func (k Key) Code(t time.Time) (string, error) { return k.CodeAt(k.Step(t)) }

// Remaining is how long the code for t stays valid after t.
func (k Key) Remaining(t time.Time) time.Duration {
	end := time.Unix((k.Step(t)+1)*int64(k.period()), 0)
	return end.Sub(t)
}

// period guards Step and Remaining against a zero Key dividing by zero.
func (k Key) period() int {
	if k.Period <= 0 {
		return DefaultPeriod
	}
	return k.Period
}

// check catches a Key built by hand with impossible values. Keys returned by
// this package's parsers always pass; a failure here is a programming error,
// hence a plain error rather than an InputError.
func (k Key) check() error {
	if len(k.Secret) == 0 {
		return fmt.Errorf("twofa: key has no secret")
	}
	if _, ok := algorithmOf(k.Algorithm); !ok {
		return fmt.Errorf("twofa: unsupported algorithm %q", k.Algorithm)
	}
	switch k.Kind() {
	case TypeTOTP:
	case TypeHOTP:
		return k.checkDigits()
	case TypeSteam:
		if k.Digits != steamDigits || k.Algorithm != "SHA1" {
			return fmt.Errorf("twofa: Steam keys have %d characters and SHA1", steamDigits)
		}
	default:
		return fmt.Errorf("twofa: unknown key type %q", k.Type)
	}
	if k.Kind() != TypeSteam {
		if err := k.checkDigits(); err != nil {
			return err
		}
	}
	if k.Period <= 0 || k.Period > maxPeriod {
		return fmt.Errorf("twofa: unsupported period %d", k.Period)
	}
	return nil
}

func (k Key) checkDigits() error {
	if k.Digits < minDigits || k.Digits > maxDigits {
		return fmt.Errorf("twofa: unsupported digit count %d", k.Digits)
	}
	return nil
}

// Check reports a key with impossible settings (for keys built from an import's fields).
func (k Key) Check() error { return k.check() }

const (
	minDigits = 6
	maxDigits = 8
	maxPeriod = 300
)

func algorithmOf(name string) (otp.Algorithm, bool) {
	switch name {
	case "SHA1":
		return otp.AlgorithmSHA1, true
	case "SHA256":
		return otp.AlgorithmSHA256, true
	case "SHA512":
		return otp.AlgorithmSHA512, true
	}
	return 0, false
}
