package exports

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"

	"billhound/store"
)

// DefaultTemplate names exported files: <portal>/<year>/<date>_<number>.<ext>.
const DefaultTemplate = "{portal}/{year}/{date}_{number}.{ext}"

// placeholders are the names a template may use.
var placeholders = map[string]bool{"portal": true, "year": true, "month": true, "date": true,
	"number": true, "title": true, "amount": true, "currency": true, "id": true, "ext": true}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// Meta is what a file name is made of.
type Meta struct {
	ID       int64
	Portal   string
	Number   string
	Date     string // YYYY-MM-DD; "" when the invoice has none
	Title    string
	Amount   string
	Currency string
	FileName string // the archived file's name, for its extension
	Archived time.Time
}

// MetaOf describes an archived invoice of the portal named portal.
func MetaOf(inv *store.Invoice, portal string) Meta {
	return Meta{ID: inv.ID, Portal: portal, Number: inv.Number, Date: inv.Date, Title: inv.Title,
		Amount: inv.Amount, Currency: inv.Currency, FileName: inv.FileName, Archived: inv.CreatedAt}
}

// CheckTemplate reports, in a sentence, what is wrong with a name template.
func CheckTemplate(tmpl string) error {
	if strings.TrimSpace(tmpl) == "" {
		return inputErr("give a file name template, like %s", DefaultTemplate)
	}
	if len(tmpl) > 300 || strings.ContainsAny(tmpl, "\x00\r\n\\") {
		return inputErr("the file name template must be one line of at most 300 characters, with / between folders (no backslashes)")
	}
	if strings.HasPrefix(tmpl, "/") {
		return inputErr("the file name template is relative to the target folder; remove the leading /")
	}
	for _, seg := range strings.Split(tmpl, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return inputErr("the file name template may not have empty, . or .. parts; it stays inside the target folder")
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		if !placeholders[m[1]] {
			return inputErr("the file name template uses {%s}, which billhound does not know; use portal, year, month, date, number, title, amount, currency, id or ext", m[1])
		}
	}
	if strings.ContainsAny(placeholderRE.ReplaceAllString(tmpl, ""), "{}") {
		return inputErr("the file name template has a { without its } (or the other way round)")
	}
	return nil
}

// Render makes a file's relative path from a template: each placeholder's value is cleaned so
// it can neither add a folder nor leave the target folder, whatever a portal or script named.
func Render(tmpl string, m Meta) (string, error) {
	if err := CheckTemplate(tmpl); err != nil {
		return "", err
	}
	date := m.Date
	if date == "" {
		date = m.Archived.Format("2006-01-02")
	}
	number := m.Number
	if number == "" {
		number = fmt.Sprintf("invoice-%d", m.ID)
	}
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(m.FileName)), ".")
	if ext == "" {
		ext = "bin"
	}
	values := map[string]string{"portal": m.Portal, "year": date[:min(4, len(date))], "month": monthOf(date),
		"date": date, "number": number, "title": m.Title, "amount": m.Amount, "currency": m.Currency,
		"id": fmt.Sprint(m.ID), "ext": ext}
	var segs []string
	for _, seg := range strings.Split(tmpl, "/") {
		out := placeholderRE.ReplaceAllStringFunc(seg, func(p string) string {
			return cleanValue(values[p[1:len(p)-1]])
		})
		out = cleanSegment(out)
		segs = append(segs, out)
	}
	rel := strings.Join(segs, "/")
	if rel != path.Clean(rel) || path.IsAbs(rel) || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("the file name %q would leave the target folder", rel)
	}
	return rel, nil
}

func monthOf(date string) string {
	if len(date) >= 7 {
		return date[5:7]
	}
	return ""
}

// cleanValue makes a placeholder's value safe inside one path segment: no separators, no
// control or invisible characters, none of the characters Windows shares refuse.
func cleanValue(v string) string {
	v = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			return '_'
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, v)
	if len(v) > 80 {
		v = strings.ToValidUTF8(v[:80], "")
	}
	return strings.TrimSpace(v)
}

// cleanSegment keeps a rendered folder or file name a plain name: never ".", "..", empty or
// hidden (a leading dot: consume folders skip hidden files).
func cleanSegment(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, ".")
	if s == "" {
		return "_"
	}
	return s
}
