package store

import (
	"math"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Invoice is one archived file. Path is relative to the archive root.
type Invoice struct {
	ID          int64
	PortalID    int64
	RunID       *int64
	Number      string // the portal's invoice id; "" when the script gave none
	Date        string // YYYY-MM-DD or ""
	Amount      string // decimal with a dot, e.g. "1234.56", or ""
	Currency    string // ISO 4217, e.g. "EUR", or ""
	Title       string
	Path        string
	FileName    string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	ContentType string
	SourceURL   string
	CreatedAt   time.Time
	AmountCents *int64 `gorm:"column:amount_cents"` // Amount in cents, for range filters; nil without one
	TextState   int    // 1 once the file's text is in the full-text index (see SetInvoiceText)
	TextKey     *int64 // its row in the full-text index (see TextKey); nil before
}

// InvoiceRow is an invoice with its portal's name, for listings.
type InvoiceRow struct {
	Invoice
	PortalName string
	Snippet    string // with a text search: the matched text, the match between « and »
}

// CreateInvoice indexes an archived file. A number or content already archived for the same
// portal gives ErrConflict.
func (s *Store) CreateInvoice(inv *Invoice) error {
	inv.AmountCents = AmountCents(inv.Amount)
	return conflict(s.db.Create(inv).Error)
}

// AmountCents turns a decimal amount ("1234.56", "-3.5") into cents, or nil when it is not one.
func AmountCents(amount string) *int64 {
	f, err := strconv.ParseFloat(amount, 64)
	if amount == "" || err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return nil
	}
	c := int64(math.Round(f * 100))
	return &c
}

// FindDuplicate returns the portal's invoice with the same number or the same content, or nil.
// Dedupe is per portal: the same file archived by another portal is not this portal's invoice.
func (s *Store) FindDuplicate(portalID int64, number, sha256 string) (*Invoice, error) {
	// Two lookups, each on its unique index ((portal_id, sha256) and the partial
	// (portal_id, number) one, which SQLite uses only when the query says number <> ''): an OR
	// of both could read the portal's every row.
	var invs []Invoice
	if err := s.db.Where("portal_id = ? AND sha256 = ?", portalID, sha256).Limit(1).Find(&invs).Error; err != nil || len(invs) > 0 {
		return first(invs), err
	}
	if number == "" {
		return nil, nil
	}
	err := s.db.Where("portal_id = ? AND number = ? AND number <> ''", portalID, number).Limit(1).Find(&invs).Error
	return first(invs), err
}

func first(invs []Invoice) *Invoice {
	if len(invs) == 0 {
		return nil
	}
	return &invs[0]
}

// InvoiceDates returns the dates (YYYY-MM-DD, oldest first) of a portal's newest invoices that
// have one, at most 64: enough to tell a monthly rhythm (runner.MissingMonth) from an index read
// of the newest rows, however large the archive.
func (s *Store) InvoiceDates(portalID int64) ([]string, error) {
	var dates []string
	err := s.db.Model(&Invoice{}).Where("portal_id = ? AND date <> ''", portalID).
		Order("date DESC").Limit(64).Pluck("date", &dates).Error
	slices.Reverse(dates)
	return dates, err
}

// KnownNumber reports whether the portal has an archived invoice with this number.
func (s *Store) KnownNumber(portalID int64, number string) (bool, error) {
	var n int64
	err := s.db.Model(&Invoice{}).Where("portal_id = ? AND number = ? AND number <> ''", portalID, number).Count(&n).Error
	return n > 0, err
}

// Invoice returns one invoice with its portal name.
func (s *Store) Invoice(id int64) (*InvoiceRow, error) {
	var rows []InvoiceRow
	if err := s.invoiceQuery().Where("invoices.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

func (s *Store) invoiceQuery() *gorm.DB {
	return s.db.Table("invoices").Select("invoices.*, portals.name AS portal_name").
		Joins("JOIN portals ON portals.id = invoices.portal_id")
}

// InvoiceCounts returns how many invoices each portal has, by portal id.
func (s *Store) InvoiceCounts() (map[int64]int, error) {
	var rows []struct {
		PortalID int64
		N        int
	}
	// Kept by triggers on invoices (migration 18): one row per portal, not a count of the table.
	err := s.db.Table("invoice_counts").Select("portal_id, n").Where("n > 0").Scan(&rows).Error
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.PortalID] = r.N
	}
	return out, err
}
