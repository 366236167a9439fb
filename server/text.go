package server

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Length limits of the text fields a user names things with (in characters).
const (
	maxName     = 100 // a portal's name, a script's @name
	maxUsername = 200 // billhound's admin, a portal's login
	maxLabel    = 200 // a 2FA key's issuer and account
	maxURL      = 2000
)

// checkText refuses text that can lie about itself or break what shows it: control characters
// (C0, DEL, C1, NUL), invisible zero-width characters, and the bidi controls that reorder
// what follows them ("invoice\u202Efdp.exe"). field names the field in the error.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return errBadRequest(field + " is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return errBadRequest(fmt.Sprintf("%s is longer than %d characters (%d)", field, max, n))
	}
	for _, r := range v {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return errBadRequest(fmt.Sprintf("%s contains a control character (U+%04X); remove it", field, r))
		case invisible(r):
			return errBadRequest(fmt.Sprintf("%s contains an invisible or text-direction character (U+%04X); remove it", field, r))
		}
	}
	return nil
}

func invisible(r rune) bool {
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

// idPattern is what an id looks like: digits, no sign, no leading zero, at most 19 digits
// (ParseInt then rejects those beyond int64).
var idPattern = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

func parseID(name, v string) (int64, error) {
	if idPattern.MatchString(v) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			return id, nil
		}
	}
	return 0, errBadRequest(fmt.Sprintf("%s must be a positive whole number written with digits only, like 42 (got %q)", name, clip(v)))
}

// strictIDs checks every route parameter that is an id before a handler sees it, so a new
// :id route is covered without remembering to.
func strictIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if name == "id" || len(name) > 2 && name[len(name)-2:] == "Id" {
				if _, err := parseID(name, c.ParamValues()[i]); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}

// clip keeps an echoed value short in an error message (%q then escapes what is not printable).
func clip(v string) string {
	if r := []rune(v); len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return v
}
