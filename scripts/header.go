package scripts

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Header is a script's ==Portal== block:
//
//	// ==Portal==
//	// @name     Example Cloud
//	// @url      https://example.com/login
//	// @twofa    totp                 (none | totp | optional | manual | sms | email)
//	// @fields   username password
//	// @version  1
//	// @profile  persistent          (optional: keep a whole browser profile for this portal)
//	// @browser  headful              (headless | headful; default: billhound's setting)
//	// ==/Portal==
type Header struct {
	Name    string            // required
	URL     string            // absolute http(s) URL, or "" (the portal's own URL is then used)
	TwoFA   string            // "none" (default), "totp", "optional", "manual", "sms" or "email"
	Fields  []string          // credential fields the UI asks for; default username, password
	Version string            // as written, e.g. "1"
	Profile string            // "" (a fresh context, started from the kept session) or "persistent"
	Browser string            // "headless", "headful", or "" for billhound's setting (BILLHOUND_BROWSER_MODE)
	Extra   map[string]string // other @keys, kept for the UI (e.g. @description, @author)
}

// ProfilePersistent is the @profile value for a browser profile kept on disk between runs, for
// portals that recognise the device by more than its cookies.
const ProfilePersistent = "persistent"

// TwoFA modes.
const (
	TwoFANone     = "none"
	TwoFATOTP     = "totp"
	TwoFAOptional = "optional"
	TwoFAManual   = "manual" // the user types the code (totp() asks them)
	TwoFASMS      = "sms"    // a code by SMS: totp() reads the SMS inbox, else asks
	TwoFAEmail    = "email"  // a code by e-mail: totp() reads the mailbox, else asks
)

var (
	headerStart = regexp.MustCompile(`^\s*//\s*==Portal==\s*$`)
	headerEnd   = regexp.MustCompile(`^\s*//\s*==/Portal==\s*$`)
	headerLine  = regexp.MustCompile(`^\s*//\s*@([A-Za-z][A-Za-z0-9_-]*)(?:\s+(.*?))?\s*$`)
	fieldName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// a trailing "(none | totp | ...)" note as in the contract's example
	trailingNote = regexp.MustCompile(`\s*\([^()]*\)\s*$`)
)

// HeaderError is a problem in the ==Portal== block, with its 1-based line.
type HeaderError struct {
	Line int
	Msg  string
}

func (e *HeaderError) Error() string {
	if e.Line == 0 {
		return "portal header: " + e.Msg
	}
	return fmt.Sprintf("portal header, line %d: %s", e.Line, e.Msg)
}

// ParseHeader reads the ==Portal== block of a script. The block may be preceded by blank lines
// and other comments; inside it, every line is a `// @key value` comment (blank `//` lines are
// allowed). Values of @twofa, @fields and @version may carry a trailing "(…)" note, as in the
// contract's example.
func ParseHeader(src string) (Header, error) {
	h := Header{TwoFA: TwoFANone, Fields: []string{"username", "password"}}
	lines := strings.Split(strings.TrimPrefix(src, "\uFEFF"), "\n")

	start := -1
	for i, l := range lines {
		if headerStart.MatchString(l) {
			start = i
			break
		}
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "//") {
			break // code before any header: there is none
		}
	}
	if start < 0 {
		return h, &HeaderError{Line: 1, Msg: "no ==Portal== block; start the script with `// ==Portal==`, `// @name …` lines and `// ==/Portal==`"}
	}

	seen := map[string]int{}
	end := -1
	for i := start + 1; i < len(lines); i++ {
		n, l := i+1, strings.TrimRight(lines[i], "\r")
		if headerEnd.MatchString(l) {
			end = i
			break
		}
		if headerStart.MatchString(l) {
			return h, &HeaderError{Line: n, Msg: fmt.Sprintf("a second `// ==Portal==` before the block of line %d was closed with `// ==/Portal==`", start+1)}
		}
		t := strings.TrimSpace(l)
		if t == "//" || t == "" {
			continue
		}
		m := headerLine.FindStringSubmatch(l)
		if m == nil {
			if !strings.HasPrefix(t, "//") {
				return h, &HeaderError{Line: n, Msg: "the ==Portal== block is not closed: add `// ==/Portal==` after the @ lines"}
			}
			return h, &HeaderError{Line: n, Msg: "expected `// @key value` inside the ==Portal== block"}
		}
		key, val := strings.ToLower(m[1]), strings.TrimSpace(m[2])
		if first, dup := seen[key]; dup {
			return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@%s is given twice (first on line %d)", key, first)}
		}
		seen[key] = n
		switch key {
		case "twofa", "fields", "version", "profile", "browser":
			val = strings.TrimSpace(trailingNote.ReplaceAllString(val, ""))
		}
		if val == "" {
			return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@%s needs a value", key)}
		}
		switch key {
		case "name":
			h.Name = val
		case "url":
			u, err := url.Parse(val)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@url must be an absolute http(s) URL, not %q", val)}
			}
			h.URL = val
		case "twofa":
			switch v := strings.ToLower(val); v {
			case TwoFANone, TwoFATOTP, TwoFAOptional, TwoFAManual, TwoFASMS, TwoFAEmail:
				h.TwoFA = v
			default:
				return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@twofa must be none, totp, optional, manual, sms or email, not %q", val)}
			}
		case "fields":
			fields := strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
			have := map[string]bool{}
			for _, f := range fields {
				if !fieldName.MatchString(f) {
					return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@fields: %q is not a field name (letters, digits and _)", f)}
				}
				if have[f] {
					return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@fields lists %q twice", f)}
				}
				have[f] = true
			}
			h.Fields = fields
		case "version":
			h.Version = val
		case "profile":
			if v := strings.ToLower(val); v == ProfilePersistent {
				h.Profile = v
			} else {
				return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@profile can only be persistent (or left out), not %q", val)}
			}
		case "browser":
			switch v := strings.ToLower(val); v {
			case "headless", "headful":
				h.Browser = v
			default:
				return h, &HeaderError{Line: n, Msg: fmt.Sprintf("@browser must be headless or headful, not %q", val)}
			}
		default:
			if h.Extra == nil {
				h.Extra = map[string]string{}
			}
			h.Extra[key] = val
		}
	}
	if end < 0 {
		return h, &HeaderError{Line: start + 1, Msg: "the ==Portal== block is not closed: add `// ==/Portal==` after the @ lines"}
	}
	if h.Name == "" {
		return h, &HeaderError{Line: start + 1, Msg: "the ==Portal== block has no @name"}
	}
	return h, nil
}
