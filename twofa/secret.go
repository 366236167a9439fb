package twofa

import (
	"fmt"
	"strings"
	"unicode"
)

const (
	// 80 bits is the shortest key portals hand out in practice; anything
	// shorter is almost always a key copied incompletely.
	minKeyChars = 16
	// 256 characters is 1280 bits, far beyond any real key; the cap keeps
	// pasted junk (a whole page, a certificate) from being taken as a key.
	maxKeyChars = 256
)

// ParseSecret reads a base32 security key as a user types it: spaces,
// dashes, lower case and '=' padding are allowed. The other settings get the
// otpauth defaults (SHA1, 6 digits, 30 seconds), which is what portals mean
// when they only show a key.
func ParseSecret(s string) (Key, error) {
	secret, err := decodeSecret(s, typedKey)
	if err != nil {
		return Key{}, err
	}
	return Key{
		Secret:    secret,
		Algorithm: DefaultAlgorithm,
		Digits:    DefaultDigits,
		Period:    DefaultPeriod,
	}, nil
}

// typedKey names a key the user typed; other sources name themselves.
const typedKey = "the security key"

// decodeSecret normalises and decodes a base32 key. what names the key in
// error messages ("the security key", "the otpauth link's secret"). Messages
// may name one offending character and the key's length, never the key.
func decodeSecret(s, what string) ([]byte, error) {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == '-' {
			continue // people copy keys shown in groups ("JBSW Y3DP ...")
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	clean := strings.TrimRight(b.String(), "=")
	if clean == "" {
		return nil, inputErr(ErrBadKey, what+" is empty")
	}
	for _, r := range clean {
		if !isBase32(r) {
			msg := badCharMessage(r)
			if what != typedKey {
				msg = what + ": " + msg
			}
			return nil, inputErr(ErrBadKey, msg)
		}
	}
	n := len(clean) // all ASCII by now
	switch {
	case n > maxKeyChars:
		return nil, inputErr(ErrBadKey, fmt.Sprintf(
			"%s has %d characters; 2FA keys have at most %d — check you pasted only the key",
			what, n, maxKeyChars))
	case n < minKeyChars:
		return nil, inputErr(ErrBadKey, fmt.Sprintf(
			"%s has %d characters (%d bits); 2FA keys have at least %d (%d bits) — check you copied all of it",
			what, n, n*5, minKeyChars, minKeyChars*5))
	}
	switch n % 8 {
	case 1, 3, 6:
		// base32 packs 5 bytes into 8 characters; these remainders can't
		// come from whole bytes, so a character was dropped or added.
		return nil, inputErr(ErrBadKey, fmt.Sprintf(
			"%s has %d characters, which is not a possible base32 length — check for a missing or extra character",
			what, n))
	}
	secret, err := b32.DecodeString(clean)
	if err != nil {
		// Unreachable after the checks above, but never echo the input.
		return nil, inputErr(ErrBadKey, what+" is not valid base32")
	}
	return secret, nil
}

func isBase32(r rune) bool {
	return (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7')
}

// badCharMessage names the character and, for the usual look-alikes, the
// letter the user probably meant.
func badCharMessage(r rune) string {
	msg := quoteRune(r) + " is not a base32 character (A–Z, 2–7)"
	switch r {
	case '0':
		msg += "; did you mean the letter O?"
	case '1':
		msg += "; did you mean the letter I or L?"
	case '8':
		msg += "; did you mean the letter B?"
	}
	return msg
}

func quoteRune(r rune) string {
	if unicode.IsPrint(r) && r != '\'' {
		return "'" + string(r) + "'"
	}
	return fmt.Sprintf("%U", r)
}
