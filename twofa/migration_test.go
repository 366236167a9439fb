package twofa

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// exampleExport is the export of three accounts in the README of the test
// images (and in authenticator-export/example_export.png).
const exampleExport = "otpauth-migration://offline?data=CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFVGVzdDEgASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVUZXN0MiABKAEwAgozCgpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE"

// exampleKeys are the accounts exampleExport holds.
var exampleKeys = []Key{
	{Issuer: "Test1", Account: "test1@example1.com", Algorithm: "SHA1", Digits: 6, Period: 30},
	{Issuer: "Test2", Account: "test2@example2.com", Algorithm: "SHA1", Digits: 6, Period: 30},
	{Issuer: "Test3", Account: "test3@example3.com", Algorithm: "SHA1", Digits: 6, Period: 30},
}

var exampleSecrets = []string{"JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXQ", "JBSWY3DPEHPK3PXR"}

// checkExampleKeys asserts keys are exactly the three example accounts.
func checkExampleKeys(t *testing.T, keys []Key) {
	t.Helper()
	if len(keys) != len(exampleKeys) {
		t.Fatalf("got %d accounts, want %d: %+v", len(keys), len(exampleKeys), keys)
	}
	for i, want := range exampleKeys {
		got := keys[i]
		if got.Base32() != exampleSecrets[i] {
			t.Errorf("account %d: secret %s, want %s", i+1, got.Base32(), exampleSecrets[i])
		}
		got.Secret = nil
		if !sameKey(got, want) {
			t.Errorf("account %d: %+v, want %+v", i+1, got, want)
		}
	}
}

func TestParseMigrationURIExample(t *testing.T) {
	keys, err := ParseMigrationURI(exampleExport)
	if err != nil {
		t.Fatal(err)
	}
	checkExampleKeys(t, keys)

	// Copies that lost their %-escapes (a raw '+') or padding still work.
	raw := strings.ReplaceAll(exampleExport, "%2B", "+")
	if keys, err = ParseMigrationURI(raw); err != nil {
		t.Fatalf("unescaped copy: %v", err)
	}
	checkExampleKeys(t, keys)
}

// A tiny protobuf writer for building export payloads.
func pbVarint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func pbVarintField(num int, v uint64) []byte {
	return append(pbVarint(uint64(num)<<3|wireVarint), pbVarint(v)...)
}

func pbBytes(num int, data []byte) []byte {
	b := append(pbVarint(uint64(num)<<3|wireBytes), pbVarint(uint64(len(data)))...)
	return append(b, data...)
}

type otpEntry struct {
	secret                 string
	name, issuer           string
	alg, digits, typ, cntr uint64
}

func (e otpEntry) bytes() []byte {
	var b []byte
	b = append(b, pbBytes(otpSecret, []byte(e.secret))...)
	b = append(b, pbBytes(otpName, []byte(e.name))...)
	if e.issuer != "" {
		b = append(b, pbBytes(otpIssuer, []byte(e.issuer))...)
	}
	b = append(b, pbVarintField(otpAlgorithm, e.alg)...)
	b = append(b, pbVarintField(otpDigits, e.digits)...)
	b = append(b, pbVarintField(otpType, e.typ)...)
	if e.cntr != 0 {
		b = append(b, pbVarintField(7, e.cntr)...)
	}
	return b
}

func exportURI(payload []byte) string {
	return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(payload))
}

func exportOf(entries ...otpEntry) string {
	var p []byte
	for _, e := range entries {
		p = append(p, pbBytes(payloadOtpParameters, e.bytes())...)
	}
	p = append(p, pbVarintField(2, 1)...)    // version
	p = append(p, pbVarintField(3, 1)...)    // batch_size
	p = append(p, pbVarintField(5, 1234)...) // batch_id
	return exportURI(p)
}

func TestParseMigrationURI(t *testing.T) {
	secret := "0123456789abcdefghij"
	keys, err := ParseMigrationURI(exportOf(
		otpEntry{secret: secret, name: "counter@example.com", issuer: "HOTPBank", alg: algSHA1, digits: digitsSix, typ: typeHOTP, cntr: 5},
		otpEntry{secret: secret, name: "Shop: me@example.com", alg: algSHA256, digits: digitsEight, typ: typeTOTP},
		otpEntry{secret: secret, name: "md5@example.com", alg: algMD5, digits: digitsSix, typ: typeTOTP},
		otpEntry{secret: secret, name: "Old:bob", issuer: "Bank", alg: algSHA512, digits: digitsSix, typ: typeTOTP},
		otpEntry{secret: secret, name: "plain", alg: algUnspecified, digits: digitsUnspecified, typ: typeUnspecified},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []Key{
		{Issuer: "HOTPBank", Account: "counter@example.com", Algorithm: "SHA1", Digits: 6, Period: 30, Type: TypeHOTP, Counter: 5},
		{Issuer: "Shop", Account: "me@example.com", Algorithm: "SHA256", Digits: 8, Period: 30},
		{Issuer: "Bank", Account: "bob", Algorithm: "SHA512", Digits: 6, Period: 30},
		{Account: "plain", Algorithm: "SHA1", Digits: 6, Period: 30},
	}
	if len(keys) != len(want) {
		t.Fatalf("got %d keys, want %d (MD5 skipped): %+v", len(keys), len(want), keys)
	}
	for i := range want {
		want[i].Secret = []byte(secret)
		if !sameKey(keys[i], want[i]) || keys[i].Kind() != want[i].Kind() || keys[i].Counter != want[i].Counter {
			t.Errorf("key %d = %+v\nwant   %+v", i, keys[i], want[i])
		}
	}
}

func TestParseMigrationURIErrors(t *testing.T) {
	md5 := otpEntry{secret: "0123456789", name: "b", alg: algMD5, digits: digitsSix, typ: typeTOTP}
	badDigits := otpEntry{secret: "0123456789", name: "c", alg: algSHA1, digits: 7, typ: typeTOTP}
	tests := []struct {
		name, in string
		kind     error
		msg      string
	}{
		{"all MD5", exportOf(md5, md5), ErrUnsupported, "none of the 2 accounts in the authenticator export can be used: MD5 codes are not supported"},
		{"invalid settings", exportOf(badDigits, md5), ErrBadMigration, "1 have invalid settings"},
		{"no accounts", exportOf(), ErrBadMigration, "holds no accounts"},
		{"not base64", "otpauth-migration://offline?data=!!!!", ErrBadMigration, "not valid base64 — check you copied all of it"},
		{"truncated", exampleExport[:80], ErrBadMigration, "damaged or incomplete"},
		{"no data", "otpauth-migration://offline?version=1", ErrBadMigration, "has no data"},
		{"wrong scheme", "otpauth://totp/x?secret=" + testSecret, ErrBadMigration, "not an authenticator export link"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMigrationURI(tc.in)
			checkInputError(t, err, tc.kind, tc.msg)
		})
	}
}
