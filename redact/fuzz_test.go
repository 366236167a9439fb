package redact_test

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzApply: whatever the text, Apply does not panic, keeps valid UTF-8 valid, and leaves no
// secret as typed (in any ASCII case) behind.
func FuzzApply(f *testing.F) {
	for _, form := range forms() {
		f.Add("x " + form + " y")
	}
	f.Add(`&#x;&#;&amp\u{}\u{110000}\uD83D\uDE00\uD83D%u00fc%%2`)
	f.Add(strings.Repeat("&amp;%25\\\\", 50) + password)
	r := newRedactor()
	f.Fuzz(func(t *testing.T, text string) {
		got := r.Apply(text)
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("Apply(%q) = %q is not valid UTF-8", text, got)
		}
		low := strings.ToLower(got)
		for _, secret := range append([]string{password, totpSecret}, codes...) {
			if strings.Contains(low, strings.ToLower(secret)) {
				t.Fatalf("Apply(%q) = %q keeps %q", text, got, secret)
			}
		}
	})
}
