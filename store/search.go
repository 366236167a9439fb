package store

import (
	"strings"
	"unicode"
)

// SearchQuery turns what a user typed into a safe FTS5 query: each word becomes a quoted
// string (so quotes, operators like AND/NEAR, column filters and other FTS5 syntax are just
// text), the words are ANDed, and the last one matches as a prefix, so results come while the
// user types. Words without a letter or digit are dropped; "" means nothing to search for.
func SearchQuery(q string) string {
	var terms []string
	for _, w := range strings.Fields(q) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*"
	return strings.Join(terms, " ")
}
