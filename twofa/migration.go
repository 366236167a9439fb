package twofa

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Field numbers and enum values of the authenticator export format:
//
//	MigrationPayload { repeated OtpParameters otp_parameters = 1; version = 2;
//	                   batch_size = 3; batch_index = 4; batch_id = 5 }
//	OtpParameters { bytes secret = 1; string name = 2; string issuer = 3;
//	                Algorithm algorithm = 4; DigitCount digits = 5;
//	                OtpType type = 6; int64 counter = 7 }
const (
	payloadOtpParameters = 1

	otpSecret    = 1
	otpName      = 2
	otpIssuer    = 3
	otpAlgorithm = 4
	otpDigits    = 5
	otpType      = 6
	otpCounter   = 7

	algUnspecified = 0
	algSHA1        = 1
	algSHA256      = 2
	algSHA512      = 3
	algMD5         = 4

	digitsUnspecified = 0
	digitsSix         = 1
	digitsEight       = 2

	typeUnspecified = 0
	typeHOTP        = 1
	typeTOTP        = 2
)

// ParseMigrationURI reads an authenticator export link
// (otpauth-migration://offline?data=...) and returns its TOTP and HOTP
// accounts. MD5 accounts are skipped; if nothing usable remains, the error
// says why.
func ParseMigrationURI(s string) ([]Key, error) {
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !strings.EqualFold(scheme, "otpauth-migration") {
		return nil, inputErr(ErrBadMigration, "the text is not an authenticator export link (otpauth-migration://)")
	}
	_, query, _ := strings.Cut(rest, "?")
	raw, found := "", false
	for _, pair := range strings.Split(query, "&") {
		if k, v, _ := strings.Cut(pair, "="); strings.EqualFold(k, "data") {
			raw, found = v, true
			break
		}
	}
	if !found || raw == "" {
		return nil, inputErr(ErrBadMigration, "the authenticator export link has no data (data=…)")
	}
	payload, ok := decodeExportData(raw)
	if !ok {
		return nil, inputErr(ErrBadMigration, "the authenticator export's data is not valid base64 — check you copied all of it")
	}

	var keys []Key
	var total, md5, broken int
	err := walkMessage(payload, func(f pbField) error {
		if f.num != payloadOtpParameters || f.wire != wireBytes {
			return nil // version, batch info: not needed
		}
		total++
		k, why, err := parseOtpParameters(f.data)
		switch {
		case err != nil:
			return err
		case why == skipMD5:
			md5++
		case why == skipInvalid:
			broken++
		default:
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, inputErr(ErrBadMigration, "the authenticator export's data is damaged or incomplete")
	}
	if len(keys) > 0 {
		return keys, nil
	}
	if total == 0 {
		return nil, inputErr(ErrBadMigration, "the authenticator export holds no accounts")
	}
	if broken == 0 {
		return nil, inputErr(ErrUnsupported, fmt.Sprintf(
			"none of the %d accounts in the authenticator export can be used: MD5 codes are not supported", total))
	}
	return nil, inputErr(ErrBadMigration, fmt.Sprintf(
		"none of the %d accounts in the authenticator export can be used; %d have invalid settings", total, broken))
}

// decodeExportData undoes the URL and base64 layers. Exports are standard
// base64 with %-escapes, but copies pass through hands that drop the escapes
// ('+' left raw) or the padding, so be liberal. PathUnescape, unlike
// QueryUnescape, keeps a raw '+' a '+'.
func decodeExportData(raw string) ([]byte, bool) {
	if u, err := url.PathUnescape(raw); err == nil {
		raw = u
	}
	raw = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, raw)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(raw); err == nil {
			return b, true
		}
	}
	return nil, false
}

// skipReason says why an exported account was left out.
type skipReason int

const (
	usable skipReason = iota
	skipMD5
	skipInvalid // a value outside the format, or no secret
)

// parseOtpParameters decodes one account; why is usable unless it was skipped.
func parseOtpParameters(msg []byte) (k Key, why skipReason, err error) {
	var name string
	alg, digits, typ := uint64(algUnspecified), uint64(digitsUnspecified), uint64(typeUnspecified)
	err = walkMessage(msg, func(f pbField) error {
		switch {
		case f.num == otpSecret && f.wire == wireBytes:
			k.Secret = append([]byte(nil), f.data...)
		case f.num == otpName && f.wire == wireBytes:
			name = strings.ToValidUTF8(string(f.data), "\uFFFD")
		case f.num == otpIssuer && f.wire == wireBytes:
			k.Issuer = strings.TrimSpace(strings.ToValidUTF8(string(f.data), "\uFFFD"))
		case f.num == otpAlgorithm && f.wire == wireVarint:
			alg = f.varint
		case f.num == otpDigits && f.wire == wireVarint:
			digits = f.varint
		case f.num == otpType && f.wire == wireVarint:
			typ = f.varint
		case f.num == otpCounter && f.wire == wireVarint:
			k.Counter = f.varint
		}
		return nil
	})
	if err != nil {
		return Key{}, usable, err
	}

	// The name is usually "Issuer:Account", as in an otpauth label.
	if prefix, account, ok := strings.Cut(name, ":"); ok {
		if k.Issuer == "" {
			k.Issuer = strings.TrimSpace(prefix)
		}
		name = account
	}
	k.Account = strings.TrimSpace(name)

	switch typ {
	case typeHOTP:
		k.Type = TypeHOTP
	case typeTOTP, typeUnspecified:
		k.Counter = 0
	default:
		return Key{}, skipInvalid, nil
	}
	switch alg {
	case algUnspecified, algSHA1:
		k.Algorithm = "SHA1"
	case algSHA256:
		k.Algorithm = "SHA256"
	case algSHA512:
		k.Algorithm = "SHA512"
	case algMD5:
		return Key{}, skipMD5, nil
	default:
		return Key{}, skipInvalid, nil
	}
	switch digits {
	case digitsUnspecified, digitsSix:
		k.Digits = 6
	case digitsEight:
		k.Digits = 8
	default:
		return Key{}, skipInvalid, nil
	}
	// The export has no period; the authenticator only supports 30 s.
	k.Period = DefaultPeriod
	if len(k.Secret) == 0 || len(k.Secret) > maxKeyChars*5/8 {
		return Key{}, skipInvalid, nil
	}
	return k, usable, nil
}
