// Package textrule says what text a user may name things with (a portal's name, a username,
// a 2FA key's issuer): not too long, and nothing that can lie about itself or break what shows
// it. The API and the command line apply the same rules.
package textrule

import (
	"fmt"
	"unicode/utf8"
)

// Length limits of the text fields a user names things with (in characters).
const (
	MaxName     = 100 // a portal's name, a script's @name
	MaxUsername = 200 // billhound's admin, a portal's login
	MaxLabel    = 200 // a 2FA key's issuer and account
	MaxURL      = 2000
)

// Check refuses text with control characters (C0, DEL, C1, NUL), invisible zero-width
// characters, and the bidi controls that reorder what follows them ("invoice\u202Efdp.exe"),
// or longer than max characters. field names the field in the error.
func Check(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Errorf("%s is longer than %d characters (%d)", field, max, n)
	}
	for _, r := range v {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return fmt.Errorf("%s contains a control character (U+%04X); remove it", field, r)
		case Invisible(r):
			return fmt.Errorf("%s contains an invisible or text-direction character (U+%04X); remove it", field, r)
		}
	}
	return nil
}

// Invisible reports zero-width, invisible and text-direction characters.
func Invisible(r rune) bool {
	switch {
	case r == 0x00ad, r == 0x034f, r == 0x061c, r == 0x180e, r == 0xfeff:
		return true // soft hyphen, grapheme joiner, Arabic letter mark, Mongolian separator, BOM
	case r >= 0x200b && r <= 0x200f: // zero-width space, non-joiner, joiner; LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x206f: // word joiner, invisible operators, isolates, deprecated controls
		return true
	}
	return false
}
