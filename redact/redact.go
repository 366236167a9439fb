// Package redact hides secrets in text: log lines, error messages, API answers, saved pages.
// A Redactor learns a portal's secrets once (the password and other credential fields, the TOTP
// secret, the recovery codes, each one-time code handed out) and replaces every form of them it
// finds with [redacted]: as typed, in any ASCII case, HTML-escaped in any style, URL-, form-,
// JSON- or JavaScript-escaped, nested escapes, a base32 secret grouped or padded, a recovery
// code with or without its dashes.
package redact

import (
	"encoding/base32"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
)

// Mask replaces each secret.
const Mask = "[redacted]"

// MinLen is the shortest secret masked in text: masking "ab" or "12" would mangle every line.
// Shorter secrets are still known to Secret, which decides on whole values (a form field).
const MinLen = 4

// Kind says what a secret is, so its other forms can be derived.
type Kind int

const (
	// Text is anything typed: a password, a PIN, a customer number, a one-time code.
	Text Kind = iota
	// TOTPSecret is a base32 TOTP secret; also found unpadded, padded, grouped by four or eight
	// with spaces or dashes, and as hex of its bytes.
	TOTPSecret
	// RecoveryCode is one recovery code; also found without its dashes and spaces, or grouped
	// by four.
	RecoveryCode
)

// Redactor hides the secrets added to it. It is safe for concurrent use; the zero value and a
// nil *Redactor hide nothing.
type Redactor struct {
	mu       sync.RWMutex
	patterns map[string]bool // forms to find (ASCII lower case)
	short    map[string]bool // secrets too short to find in text, matched as whole values
	m        *matcher        // built from patterns on first use after a change
}

// New returns an empty Redactor.
func New() *Redactor { return &Redactor{} }

// Add teaches the redactor a secret and all its forms. Surrounding space is ignored; empty
// values are ignored.
func (r *Redactor) Add(secret string, kind Kind) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return
	}
	forms := Forms(secret, kind)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.patterns == nil {
		r.patterns, r.short = map[string]bool{}, map[string]bool{}
	}
	for _, f := range forms {
		if len(f) < MinLen {
			r.short[foldString(f)] = true
			continue
		}
		if !r.patterns[foldString(f)] {
			r.patterns[foldString(f)] = true
			r.m = nil
		}
	}
}

// Forms lists the plain forms of a secret that the redactor searches for; each is also found
// in any ASCII case and through HTML, URL, form, JSON and JavaScript escaping.
func Forms(secret string, kind Kind) []string {
	var out []string
	switch kind {
	case TOTPSecret:
		out = base32Forms(secret)
	case RecoveryCode:
		out = codeForms(secret)
	}
	out = append(out, secret, strings.ToLower(secret), strings.ToUpper(secret))
	seen := map[string]bool{}
	uniq := out[:0]
	for _, f := range out {
		if f != "" && !seen[f] {
			seen[f] = true
			uniq = append(uniq, f)
		}
	}
	return uniq
}

func base32Forms(secret string) []string {
	compact := strings.ToUpper(strings.TrimRight(stripSeparators(secret), "="))
	out := []string{compact, groups(compact, 4, " "), groups(compact, 4, "-"), groups(compact, 8, " ")}
	if pad := len(compact) % 8; pad != 0 {
		out = append(out, compact+strings.Repeat("=", 8-pad))
	}
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(compact); err == nil && len(raw) >= 4 {
		out = append(out, hex.EncodeToString(raw))
	}
	return out
}

func codeForms(code string) []string {
	compact := stripSeparators(code)
	out := []string{compact, groups(compact, 4, "-"), groups(compact, 4, " ")}
	out = append(out, strings.ReplaceAll(code, "-", " "), strings.ReplaceAll(code, " ", "-"))
	return out
}

func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func groups(s string, n int, sep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

func foldString(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = fold(b[i])
	}
	return string(b)
}

// compiled returns the matcher, building it after a change.
func (r *Redactor) compiled() *matcher {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	m := r.m
	n := len(r.patterns)
	r.mu.RUnlock()
	if m != nil || n == 0 {
		return m
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		pats := make([]string, 0, len(r.patterns))
		for p := range r.patterns {
			pats = append(pats, p)
		}
		sort.Strings(pats) // the same matcher for the same secrets
		r.m = newMatcher(pats)
	}
	return r.m
}

// Apply returns text with every form of every secret replaced by Mask.
func (r *Redactor) Apply(text string) string {
	m := r.compiled()
	if m == nil || text == "" {
		return text
	}
	spans := m.find([]byte(text))
	if len(spans) == 0 {
		return text
	}
	return string(replace([]byte(text), spans))
}

// ApplyBytes is Apply for bytes. The result may share memory with b when nothing was found.
func (r *Redactor) ApplyBytes(b []byte) []byte {
	m := r.compiled()
	if m == nil {
		return b
	}
	spans := m.find(b)
	if len(spans) == 0 {
		return b
	}
	return replace(b, spans)
}

// Contains reports whether text holds any form of a secret.
func (r *Redactor) Contains(text string) bool {
	m := r.compiled()
	return m != nil && len(m.find([]byte(text))) > 0
}

// Secret reports whether a whole value (a form field's) is or holds a secret, short ones
// included: a field holding exactly "123" is masked even though "123" in text is not.
func (r *Redactor) Secret(value string) bool {
	if r == nil {
		return false
	}
	value = strings.TrimSpace(value)
	r.mu.RLock()
	short := r.short[foldString(value)]
	r.mu.RUnlock()
	return (short && value != "") || r.Contains(value)
}
