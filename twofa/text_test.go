package twofa

import (
	"strings"
	"testing"
)

func TestParseText(t *testing.T) {
	keys, err := ParseText("otpauth://totp/Bank:me?secret=" + testSecret)
	if err != nil || len(keys) != 1 || keys[0].Issuer != "Bank" || keys[0].Base32() != testSecret {
		t.Errorf("otpauth link: %+v, %v", keys, err)
	}
	keys, err = ParseText("\uFEFF" + exampleExport + "\r\n")
	if err != nil {
		t.Fatal(err)
	}
	checkExampleKeys(t, keys)
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name, in string
		kind     error
		msg      string
	}{
		{"web link", "https://example.com/download", ErrNotOTP,
			`the QR code holds "https://example.com/download", not a 2FA setup code (otpauth://)`},
		{"long text is cut", "https://example.com/a/very/long/path/that/goes/on/and/on/forever", ErrNotOTP,
			`the QR code holds "https://example.com/a/very/long/path/tha…", not a 2FA setup code`},
		{"query string not shown", "https://example.com/2fa?secret=" + testSecret, ErrNotOTP,
			`the QR code holds "https://example.com/2fa…"`},
		{"bare key not shown", "jbsw y3dp ehpk 3pxp", ErrNotOTP, "the QR code holds a bare key"},
		{"empty", "  ", ErrNotOTP, "the QR code is empty"},
		{"bad otpauth", "otpauth://totp/x?digits=9&secret=" + testSecret, ErrBadURI, `digits "9"`},
		{"bad export", "otpauth-migration://offline?data=", ErrBadMigration, "has no data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseText(tc.in)
			checkInputError(t, err, tc.kind, tc.msg)
			if strings.Contains(strings.ToUpper(err.Error()), "JBSW") {
				t.Errorf("message %q reveals the secret", err)
			}
		})
	}
}

// FuzzParseText checks that no input makes the parsers panic, and that
// whatever is accepted produces a usable key.
func FuzzParseText(f *testing.F) {
	f.Add(exampleExport)
	f.Add("otpauth://totp/A%3AB:c?secret=" + testSecret + "&digits=8&period=60&algorithm=SHA256")
	f.Add("otpauth-migration://offline?data=CgYKAQESAQE=")
	f.Add("jbsw y3dp ehpk 3pxp")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseText(s)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%q: %v is not an InputError", s, err)
			}
			return
		}
		for _, k := range keys {
			if _, err := k.CodeAt(1); err != nil {
				t.Fatalf("%q: accepted key %+v has no code: %v", s, k, err)
			}
		}
	})
}
