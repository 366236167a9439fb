package store

import (
	"fmt"
	"strings"
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

// where builds the filter's conditions on invoices (alias i) and invoice_text (when matching).
func (f InvoiceFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { conds = append(conds, cond); args = append(args, arg) }
	if f.Match != "" {
		add("invoice_text MATCH ?", f.Match)
	}
	if f.PortalID != 0 {
		add("i.portal_id = ?", f.PortalID)
	}
	if f.From != "" {
		add("i.date >= ?", f.From)
	}
	if f.To != "" {
		add("i.date <= ?", f.To)
	}
	if f.MinCents != nil {
		add("i.amount_cents >= ?", *f.MinCents)
	}
	if f.MaxCents != nil {
		add("i.amount_cents <= ?", *f.MaxCents)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// from is the listing's table expression: with a text search it starts at the FTS index.
func (f InvoiceFilter) from() string {
	if f.Match != "" {
		return " FROM invoice_text JOIN invoices i ON i.id = invoice_text.rowid"
	}
	return " FROM invoices i"
}

// ListInvoices returns a page of at most limit invoices matching f, after the cursor (nil: the
// first page), with the number of all matches. The order is a keyset on (date, id), so a deep
// page costs what the first one does.
func (s *Store) ListInvoices(f InvoiceFilter, after *InvoiceCursor, limit int) (InvoicePage, error) {
	var page InvoicePage
	where, args := f.where()
	keyset := where
	kargs := append([]any{}, args...)
	if after != nil {
		keyset += map[bool]string{true: " AND ", false: " WHERE "}[where != ""] + "(i.date, i.id) < (?, ?)"
		kargs = append(kargs, after.Date, after.ID)
	}
	// The page's ids first, then its rows: the snippet is made for this page's rows only.
	ids := "SELECT i.id" + f.from() + keyset + " ORDER BY i.date DESC, i.id DESC LIMIT ?"
	kargs = append(kargs, limit+1)
	snippet := "''"
	join := ""
	if f.Match != "" {
		snippet = "snippet(invoice_text, -1, '«', '»', '…', 16)"
		join = " JOIN invoice_text ON invoice_text.rowid = i.id AND invoice_text MATCH ?"
		kargs = append(kargs, f.Match)
	}
	q := "SELECT i.*, p.name AS portal_name, " + snippet + " AS snippet FROM (" + ids + ") page" +
		" JOIN invoices i ON i.id = page.id JOIN portals p ON p.id = i.portal_id" + join +
		" ORDER BY i.date DESC, i.id DESC"
	if err := s.db.Raw(q, kargs...).Scan(&page.Rows).Error; err != nil {
		return page, fmt.Errorf("list invoices: %w", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		last := page.Rows[limit-1]
		page.Next = &InvoiceCursor{Date: last.Date, ID: last.ID}
	}
	total, err := s.countInvoices(f, where, args)
	page.Total = total
	return page, err
}

func (s *Store) countInvoices(f InvoiceFilter, where string, args []any) (int, error) {
	var n int
	q := "SELECT COUNT(*)" + f.from() + where
	if f.Match != "" && len(args) == 1 { // the index alone knows how many documents match
		q = "SELECT COUNT(*) FROM invoice_text WHERE invoice_text MATCH ?"
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
	where, args := f.where()
	q := "SELECT substr(i.date, 1, 7) AS month, i.portal_id, p.name AS portal_name, i.currency," +
		" COALESCE(SUM(i.amount_cents), 0) AS cents, COUNT(*) AS count" + f.from() +
		" JOIN portals p ON p.id = i.portal_id" + where +
		" GROUP BY month, i.portal_id, i.currency ORDER BY month DESC, p.name, i.currency"
	var rows []MonthTotal
	err := s.db.Raw(q, args...).Scan(&rows).Error
	return rows, err
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
