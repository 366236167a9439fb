// Package inbox reads one-time codes out of messages: e-mails in an IMAP mailbox (imap.go) and
// texts an SMS forwarder app posts to billhound (sms.go).
package inbox

import (
	"html"
	"regexp"
	"strings"
)

// FindCode returns the code pattern finds in text: its first group if it has one, else the
// whole match.
func FindCode(pattern *regexp.Regexp, text string) (string, bool) {
	m := pattern.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	for _, g := range m[1:] {
		if g != "" {
			return g, true
		}
	}
	return m[0], true
}

// containsFold reports whether part is in any of texts, ignoring case; "" is in everything.
func containsFold(part string, texts ...string) bool {
	part = strings.ToLower(strings.TrimSpace(part))
	if part == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), part) {
			return true
		}
	}
	return false
}

var (
	htmlDrop = regexp.MustCompile(`(?is)<(style|script|head)\b.*?</(style|script|head)\s*>`)
	htmlTag  = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces   = regexp.MustCompile(`[ \t\r\f\v]+`)
)

// htmlText is the visible text of an HTML e-mail, near enough to find a code in it.
func htmlText(s string) string {
	s = htmlDrop.ReplaceAllString(s, " ")
	s = htmlTag.ReplaceAllString(s, " ")
	return spaces.ReplaceAllString(html.UnescapeString(s), " ")
}
