package twofa

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// FuzzParseURI checks otpauth:// parsing: no panic, bad input is an
// InputError, and an accepted key survives a round trip through Key.URI.
func FuzzParseURI(f *testing.F) {
	f.Add("otpauth://totp/A%3AB:c?secret=" + testSecret + "&digits=8&period=60&algorithm=SHA256")
	f.Add("otpauth://totp/Example:alice@example.com?secret=" + testSecret + "&issuer=Example")
	f.Add("otpauth://hotp/x?secret=" + testSecret + "&counter=1")
	f.Add("otpauth://totp/%E2%80%AE?secret=AAAA&period=0")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseURI(s)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%q: %v is not an InputError", s, err)
			}
			return
		}
		if _, err := k.CodeAt(1); err != nil {
			t.Fatalf("%q: accepted key %+v has no code: %v", s, k, err)
		}
		again, err := ParseURI(k.URI())
		if err != nil || again.Base32() != k.Base32() || again.Digits != k.Digits ||
			again.Period != k.Period || again.Algorithm != k.Algorithm {
			t.Fatalf("%q: round trip through %q gave %+v, %v", s, k.URI(), again, err)
		}
	})
}

// FuzzParseMigration feeds arbitrary protobuf payloads to the Google
// Authenticator export parser: no panic, bad input is an InputError, and
// every accepted key gives codes.
func FuzzParseMigration(f *testing.F) {
	u, _ := url.Parse(exampleExport)
	payload, _ := base64.StdEncoding.DecodeString(u.Query().Get("data"))
	f.Add(payload)
	f.Add([]byte{0x0a, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(data))
		keys, err := ParseMigrationURI(s)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%x: %v is not an InputError", data, err)
			}
			return
		}
		for _, k := range keys {
			if _, err := k.CodeAt(1); err != nil {
				t.Fatalf("%x: accepted key %+v has no code: %v", data, k, err)
			}
		}
	})
}
