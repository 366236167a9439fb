package scripts

import (
	"errors"
	"testing"
)

// FuzzParseHeader checks the portal header parser on any script text: no
// panic, errors are HeaderErrors, and what it accepts is complete.
func FuzzParseHeader(f *testing.F) {
	f.Add("// ==Portal==\n// @name Demo\n// @url https://example.com/login\n// @2fa totp\n// @version 1\n// ==/Portal==\nawait page.goto(portal.url)\n")
	f.Add("\uFEFF// ==Portal==\n// @name  A (note)\n// @fields username, password, pin\n// @description x\n// ==/Portal==\n")
	f.Add("// ==Portal==\n// @name\n// ==/Portal==")
	f.Add("// ==Portal==\n// @name x\n// @url file:///etc/passwd\n")
	f.Add("code();\n// ==Portal==\n")
	f.Fuzz(func(t *testing.T, src string) {
		h, err := ParseHeader(src)
		if err != nil {
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("%q: %v is not a HeaderError", src, err)
			}
			return
		}
		if h.Name == "" || len(h.Fields) == 0 {
			t.Fatalf("%q: accepted an incomplete header %+v", src, h)
		}
		switch h.TwoFA {
		case TwoFANone, TwoFATOTP, TwoFAOptional, TwoFAManual, TwoFASMS, TwoFAEmail:
		default:
			t.Fatalf("%q: accepted 2FA mode %q", src, h.TwoFA)
		}
	})
}
