package twofa

import (
	"errors"
	"strings"
	"testing"
)

// testSecret is the key most tests use; its bytes are "Hello!\xde\xad\xbe\xef".
const testSecret = "JBSWY3DPEHPK3PXP"

func TestParseURI(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Key
	}{
		{
			"defaults", "otpauth://totp/alice?secret=" + testSecret,
			Key{Account: "alice", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"issuer in label and parameter, escaped space", "otpauth://totp/ACME%20Co:john@example.com?secret=" + testSecret + "&issuer=ACME%20Co",
			Key{Issuer: "ACME Co", Account: "john@example.com", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"issuer parameter wins over label prefix", "otpauth://totp/Old%20Name:john?secret=" + testSecret + "&issuer=New+Name",
			Key{Issuer: "New Name", Account: "john", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"issuer from label only", "otpauth://totp/Example:alice@google.com?secret=" + testSecret,
			Key{Issuer: "Example", Account: "alice@google.com", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"escaped separator and optional space", "otpauth://totp/Example%3A%20alice?secret=" + testSecret,
			Key{Issuer: "Example", Account: "alice", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"colon escaped inside issuer", "otpauth://totp/A%3AB:carol?secret=" + testSecret,
			Key{Issuer: "A:B", Account: "carol", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"all parameters, lower-case algorithm", "otpauth://totp/x?secret=" + testSecret + "&algorithm=sha512&digits=8&period=60",
			Key{Account: "x", Algorithm: "SHA512", Digits: 8, Period: 60},
		},
		{
			"SHA-256 spelling, 7 digits", "otpauth://totp/x?algorithm=SHA-256&digits=7&secret=" + testSecret,
			Key{Account: "x", Algorithm: "SHA256", Digits: 7, Period: 30},
		},
		{
			"lower-case padded secret, upper-case scheme, spaces around", "  OTPAUTH://TOTP/x?SECRET=jbswy3dpehpk3pxp%3D%3D%3D  \n",
			Key{Account: "x", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"no label", "otpauth://totp/?secret=" + testSecret + "&issuer=Bank",
			Key{Issuer: "Bank", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
		{
			"unknown parameters ignored", "otpauth://totp/x?secret=" + testSecret + "&image=https%3A%2F%2Fexample.com%2Flogo.png",
			Key{Account: "x", Algorithm: "SHA1", Digits: 6, Period: 30},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseURI(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Secret = []byte("Hello!\xde\xad\xbe\xef")
			if !sameKey(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	s := "secret=" + testSecret
	tests := []struct {
		name, in string
		kind     error
		msg      string // must appear in the message
	}{
		{"web link", "https://example.com/setup?" + s, ErrBadURI, `the link starts with "https://", not otpauth://`},
		{"bare key", testSecret, ErrBadURI, "not an otpauth:// link"},
		{"export link", "otpauth-migration://offline?data=CjMK", ErrBadURI, "authenticator export"},
		{"hotp counter", "otpauth://hotp/x?" + s + "&counter=-3", ErrBadURI, "counter \"-3\" is not a whole number"},
		{"no type", "otpauth://?" + s, ErrBadURI, "has no type"},
		{"unknown type", "otpauth://motp/x?" + s, ErrBadURI, `type "motp" is not supported`},
		{"no secret", "otpauth://totp/x?issuer=A", ErrBadURI, "has no secret"},
		{"empty secret", "otpauth://totp/x?secret=&issuer=A", ErrBadURI, "has no secret"},
		{"short secret", "otpauth://totp/x?secret=JBSWY3DP", ErrBadKey, "the otpauth link's secret has 8 characters (40 bits)"},
		{"bad base32", "otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", ErrBadKey, "'1' is not a base32 character (A–Z, 2–7)"},
		{"impossible length", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPA", ErrBadKey, "17 characters, which is not a possible base32 length"},
		{"digits too many", "otpauth://totp/x?" + s + "&digits=10", ErrBadURI, `digits "10" is not supported (6, 7 or 8)`},
		{"digits too few", "otpauth://totp/x?" + s + "&digits=4", ErrBadURI, `digits "4"`},
		{"digits not a number", "otpauth://totp/x?" + s + "&digits=six", ErrBadURI, `digits "six"`},
		{"period zero", "otpauth://totp/x?" + s + "&period=0", ErrBadURI, `period "0" is not valid (1 to 300 seconds)`},
		{"period negative", "otpauth://totp/x?" + s + "&period=-30", ErrBadURI, `period "-30"`},
		{"period too long", "otpauth://totp/x?" + s + "&period=301", ErrBadURI, `period "301"`},
		{"algorithm", "otpauth://totp/x?" + s + "&algorithm=MD5", ErrBadURI, `algorithm "MD5" is not supported (SHA1, SHA256 or SHA512)`},
		{"broken escape", "otpauth://totp/x?" + s + "&issuer=%zz", ErrBadURI, "issuer parameter has a broken %-escape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseURI(tc.in)
			checkInputError(t, err, tc.kind, tc.msg)
		})
	}
}

// checkInputError asserts err is an InputError of the given kind whose
// message contains msg and no trace of the test secret.
func checkInputError(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	if !IsInputError(err) {
		t.Errorf("%v: not an InputError", err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("%v: kind is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("message %q\nlacks     %q", err, msg)
	}
	if up := strings.ToUpper(err.Error()); strings.Contains(up, testSecret[:8]) || strings.Contains(up, testSecret[8:]) {
		t.Errorf("message %q reveals the secret", err)
	}
}
