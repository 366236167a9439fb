package store

import (
	"fmt"
	"strings"
	"time"
)

// InvoiceFilter narrows the archive's listing. Zero fields do not filter.
type InvoiceFilter struct {
	PortalID int64
	From, To string // invoice dates, YYYY-MM-DD, both inclusive
	MinCents *int64 // amount range in cents, inclusive; invoices without an amount never match
	MaxCents *int64
	Match    string // an FTS5 query over the invoice's text and metadata (see SearchQuery)
}

// InvoiceCursor is where a page ends: the next page starts after this invoice in the listing's
// order (invoice date newest first, then id descending).
type InvoiceCursor struct {
	Date string
	ID   int64
}

// InvoicePage is one page of the listing.
type InvoicePage struct {
	Rows  []InvoiceRow
	Next  *InvoiceCursor // nil when this is the last page
	Total int            // invoices matching the filter, on all pages
}

// where builds the filter's conditions on invoices (alias i). A text search's own conditions
// are in textWhere.
func (f InvoiceFilter) where(withDates bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if f.PortalID != 0 {
		add("i.portal_id = ?", f.PortalID)
	}
	if f.From != "" && withDates {
		add("i.date >= ?", f.From)
	}
	if f.To != "" && withDates {
		add("i.date <= ?", f.To)
	}
	if f.MinCents != nil {
		add("i.amount_cents >= ?", *f.MinCents)
	}
	if f.MaxCents != nil {
		add("i.amount_cents <= ?", *f.MaxCents)
	}
	return strings.Join(conds, " AND "), args
}

// textWhere is a text search's conditions on invoice_text: the match, and the date range and
// cursor as ranges of its rowid (the text key, in listing order).
func (f InvoiceFilter) textWhere(after *InvoiceCursor) (string, []any) {
	conds, args := []string{"invoice_text MATCH ?"}, []any{f.Match}
	if f.From != "" {
		conds, args = append(conds, "invoice_text.rowid >= ?"), append(args, TextKey(f.From, 0))
	}
	if f.To != "" {
		conds, args = append(conds, "invoice_text.rowid < ?"), append(args, TextKey(f.To, 0)+dayKey)
	}
	if after != nil {
		conds, args = append(conds, "invoice_text.rowid < ?"), append(args, TextKey(after.Date, after.ID))
	}
	return strings.Join(conds, " AND "), args
}

func and(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " AND " + b
}

func whereClause(cond string) string {
	if cond == "" {
		return ""
	}
	return " WHERE " + cond
}

// joinText joins invoices (i) to their full-text rows: the low 32 bits of the text key are the
// invoice's id.
const joinText = " JOIN invoices i ON i.id = (invoice_text.rowid & 4294967295)"

// ListInvoices returns a page of at most limit invoices matching f, after the cursor (nil: the
// first page), with the number of all matches. The order is a keyset on (date, id), so a deep
// page costs what the first one does.
func (s *Store) ListInvoices(f InvoiceFilter, after *InvoiceCursor, limit int) (InvoicePage, error) {
	var page InvoicePage
	var err error
	if f.Match != "" {
		page.Rows, err = s.searchPage(f, after, limit+1)
	} else {
		page.Rows, err = s.listPage(f, after, limit+1)
	}
	if err != nil {
		return page, fmt.Errorf("list invoices: %w", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = &InvoiceCursor{Date: last.Date, ID: last.ID}
	}
	page.Total, err = s.countInvoices(f)
	return page, err
}

func (s *Store) listPage(f InvoiceFilter, after *InvoiceCursor, n int) ([]InvoiceRow, error) {
	cond, args := f.where(true)
	if after != nil {
		cond, args = and(cond, "(i.date, i.id) < (?, ?)"), append(args, after.Date, after.ID)
	}
	// An amount range over all portals reads the list index in order and checks the amount on
	// it; left alone, SQLite would read the amount index and sort every match.
	from := " FROM invoices i"
	if f.PortalID == 0 && (f.MinCents != nil || f.MaxCents != nil) {
		from = " FROM invoices i INDEXED BY invoices_list"
	}
	ids := "SELECT i.id" + from + whereClause(cond) + " ORDER BY i.date DESC, i.id DESC LIMIT ?"
	q := "SELECT i.*, p.name AS portal_name FROM (" + ids + ") page" +
		" JOIN invoices i ON i.id = page.id JOIN portals p ON p.id = i.portal_id ORDER BY i.date DESC, i.id DESC"
	var rows []InvoiceRow
	return rows, s.db.Raw(q, append(args, n)...).Scan(&rows).Error
}

// searchPage reads the matches newest first straight from the index (its rowid order is the
// listing's order, so nothing is sorted), stops at the page's end, and so makes snippets for
// that page's rows only.
func (s *Store) searchPage(f InvoiceFilter, after *InvoiceCursor, n int) ([]InvoiceRow, error) {
	tcond, args := f.textWhere(after)
	icond, iargs := f.where(false)
	from := " FROM invoice_text"
	if icond != "" {
		from += joinText
	}
	keys := "SELECT invoice_text.rowid AS k, snippet(invoice_text, -1, '«', '»', '…', 16) AS snippet" + from +
		" WHERE " + and(tcond, icond) + " ORDER BY invoice_text.rowid DESC LIMIT ?"
	q := "SELECT i.*, p.name AS portal_name, page.snippet FROM (" + keys + ") page" +
		" JOIN invoices i ON i.id = (page.k & 4294967295) JOIN portals p ON p.id = i.portal_id ORDER BY page.k DESC"
	var rows []InvoiceRow
	return rows, s.db.Raw(q, append(append(args, iargs...), n)...).Scan(&rows).Error
}

func (s *Store) countInvoices(f InvoiceFilter) (int, error) {
	var n int
	var q string
	var args []any
	icond, iargs := f.where(f.Match == "")
	switch {
	case f.Match != "":
		tcond, targs := f.textWhere(nil)
		q, args = "SELECT COUNT(*) FROM invoice_text", append(targs, iargs...)
		if icond != "" {
			q += joinText
		}
		q += " WHERE " + and(tcond, icond)
	case icond == "": // the whole archive: the counts the triggers keep
		q = "SELECT COALESCE(SUM(n), 0) FROM invoice_counts"
	case f.PortalID != 0 && len(iargs) == 1:
		q, args = "SELECT COALESCE(SUM(n), 0) FROM invoice_counts WHERE portal_id = ?", iargs
	default:
		q, args = "SELECT COUNT(*) FROM invoices i"+whereClause(icond), iargs
	}
	err := s.db.Raw(q, args...).Scan(&n).Error
	return n, err
}

// MonthTotal is the sum of one portal's invoices in one currency in one month.
type MonthTotal struct {
	Month      string // YYYY-MM; "" for invoices without a date
	PortalID   int64
	PortalName string
	Currency   string
	Cents      int64 // the sum of the amounts (invoices without one add nothing)
	Count      int
}

// MonthTotals sums the invoices matching f per month, portal and currency, newest month first.
func (s *Store) MonthTotals(f InvoiceFilter) ([]MonthTotal, error) {
	if from, to, ok := f.wholeMonths(); ok { // the sums the triggers keep
		var conds []string
		var args []any
		if f.PortalID != 0 {
			conds, args = append(conds, "m.portal_id = ?"), append(args, f.PortalID)
		}
		if from != "" {
			conds, args = append(conds, "m.month >= ?"), append(args, from)
		}
		if to != "" {
			conds, args = append(conds, "m.month <= ? AND m.month <> ''"), append(args, to)
		}
		q := "SELECT m.month, m.portal_id, p.name AS portal_name, m.currency, m.cents, m.n AS count" +
			" FROM invoice_months m JOIN portals p ON p.id = m.portal_id" + whereClause(and(strings.Join(conds, " AND "), "m.n > 0")) +
			" ORDER BY m.month DESC, p.name, m.currency"
		var rows []MonthTotal
		return rows, s.db.Raw(q, args...).Scan(&rows).Error
	}
	icond, args := f.where(f.Match == "")
	from := " FROM invoices i"
	if f.Match != "" {
		tcond, targs := f.textWhere(nil)
		from = " FROM invoice_text" + joinText
		icond, args = and(tcond, icond), append(targs, args...)
	}
	q := "SELECT substr(i.date, 1, 7) AS month, i.portal_id, p.name AS portal_name, i.currency," +
		" COALESCE(SUM(i.amount_cents), 0) AS cents, COUNT(*) AS count" + from +
		" JOIN portals p ON p.id = i.portal_id" + whereClause(icond) +
		" GROUP BY month, i.portal_id, i.currency ORDER BY month DESC, p.name, i.currency"
	var rows []MonthTotal
	err := s.db.Raw(q, args...).Scan(&rows).Error
	return rows, err
}

// wholeMonths says whether f filters by nothing but a portal and whole months (from on a 1st,
// to on a month's last day), and which months (YYYY-MM, "" = open).
func (f InvoiceFilter) wholeMonths() (string, string, bool) {
	if f.Match != "" || f.MinCents != nil || f.MaxCents != nil {
		return "", "", false
	}
	from, to := "", ""
	if f.From != "" {
		t, err := time.Parse("2006-01-02", f.From)
		if err != nil || t.Day() != 1 {
			return "", "", false
		}
		from = f.From[:7]
	}
	if f.To != "" {
		t, err := time.Parse("2006-01-02", f.To)
		if err != nil || t.AddDate(0, 0, 1).Day() != 1 {
			return "", "", false
		}
		to = f.To[:7]
	}
	return from, to, true
}

// InvoicesByID returns the invoices with these ids (with their portal names), in id order.
// Ids that do not exist are missing from the answer.
func (s *Store) InvoicesByID(ids []int64) ([]InvoiceRow, error) {
	var rows []InvoiceRow
	for start := 0; start < len(ids); start += 500 {
		var part []InvoiceRow
		chunk := ids[start:min(start+500, len(ids))]
		if err := s.invoiceQuery().Where("invoices.id IN ?", chunk).Order("invoices.id").Scan(&part).Error; err != nil {
			return nil, err
		}
		rows = append(rows, part...)
	}
	return rows, nil
}
