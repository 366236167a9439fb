package twofa

import (
	"strings"
	"testing"
)

func TestParseSecret(t *testing.T) {
	want := []byte("Hello!\xde\xad\xbe\xef")
	for _, in := range []string{
		testSecret,
		"jbsw y3dp ehpk 3pxp",
		"JBSW-Y3DP-EHPK-3PXP",
		" jbswy3dp\tehpk3pxp\n",
		"JBSWY3DPEHPK3PXP======",
	} {
		k, err := ParseSecret(in)
		if err != nil {
			t.Errorf("ParseSecret(%q): %v", in, err)
			continue
		}
		if string(k.Secret) != string(want) || k.Base32() != testSecret {
			t.Errorf("ParseSecret(%q) = %s", in, k.Base32())
		}
		if k.Algorithm != "SHA1" || k.Digits != 6 || k.Period != 30 || k.Issuer != "" || k.Account != "" {
			t.Errorf("ParseSecret(%q) settings = %+v, want SHA1/6/30", in, k)
		}
	}

	// Keys of other valid lengths: 26 characters (16 bytes), 32 (20 bytes).
	for _, in := range []string{"JBSWY3DPEHPK3PXPJBSWY3DPEE", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"} {
		if _, err := ParseSecret(in); err != nil {
			t.Errorf("ParseSecret(%q): %v", in, err)
		}
	}
}

func TestParseSecretErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "the security key is empty"},
		{"  - ", "the security key is empty"},
		{"JBSWY3DP", "the security key has 8 characters (40 bits); 2FA keys have at least 16 (80 bits) — check you copied all of it"},
		{"JBSWY3DPEHPK3PX", "the security key has 15 characters (75 bits)"},
		{"JBSWY3DPEHPK3PXPA", "the security key has 17 characters, which is not a possible base32 length"},
		{"JBSWY3DPEHPK3PXPABC", "19 characters, which is not a possible base32 length"},
		{"JBSWY3DPEHPK3PXPABCDEF", "22 characters, which is not a possible base32 length"},
		{strings.Repeat("A", 264), "the security key has 264 characters; 2FA keys have at most 256"},
		{"JBSWY3DPEHPK3PX1", "'1' is not a base32 character (A–Z, 2–7); did you mean the letter I or L?"},
		{"JBSWY3DPEHPK3PX0", "'0' is not a base32 character (A–Z, 2–7); did you mean the letter O?"},
		{"JBSWY3DPEHPK3PX8", "'8' is not a base32 character (A–Z, 2–7); did you mean the letter B?"},
		{"JBSWY3DPEHPK3PX!", "'!' is not a base32 character (A–Z, 2–7)"},
		{"JBSWY3DPEHPK3PXü", "'Ü' is not a base32 character"},
		{"JBSWY3DP=EHPK3PX", "'=' is not a base32 character"},
		{"JBSWY3DPEHPK3PX\x00", "U+0000 is not a base32 character"},
	}
	for _, tc := range tests {
		_, err := ParseSecret(tc.in)
		checkInputError(t, err, ErrBadKey, tc.msg)
	}
}
