package store

import (
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
}

// InvoiceRow is an invoice with its portal's name, for listings.
type InvoiceRow struct {
	Invoice
	PortalName string
}

// CreateInvoice indexes an archived file. A number or content already archived for the same
// portal gives ErrConflict.
func (s *Store) CreateInvoice(inv *Invoice) error {
	return conflict(s.db.Create(inv).Error)
}

// FindDuplicate returns the portal's invoice with the same number or the same content, or nil.
// Dedupe is per portal: the same file archived by another portal is not this portal's invoice.
func (s *Store) FindDuplicate(portalID int64, number, sha256 string) (*Invoice, error) {
	var inv Invoice
	q := s.db.Where("portal_id = ? AND sha256 = ?", portalID, sha256)
	if number != "" {
		q = s.db.Where("portal_id = ? AND (sha256 = ? OR number = ?)", portalID, sha256, number)
	}
	if err := q.First(&inv).Error; err != nil {
		if notFound(err) == ErrNotFound {
			return nil, nil
		}
		return nil, err
	}
	return &inv, nil
}

// InvoiceDates returns the invoice dates (YYYY-MM-DD, oldest first) of a portal's invoices
// that have one.
func (s *Store) InvoiceDates(portalID int64) ([]string, error) {
	var dates []string
	err := s.db.Model(&Invoice{}).Where("portal_id = ? AND date <> ''", portalID).Order("date").Pluck("date", &dates).Error
	return dates, err
}

// KnownNumber reports whether the portal has an archived invoice with this number.
func (s *Store) KnownNumber(portalID int64, number string) (bool, error) {
	var n int64
	err := s.db.Model(&Invoice{}).Where("portal_id = ? AND number = ?", portalID, number).Count(&n).Error
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

// Invoices lists archived invoices, newest invoice date first; portalID 0 means all portals.
func (s *Store) Invoices(portalID int64) ([]InvoiceRow, error) {
	q := s.invoiceQuery()
	if portalID != 0 {
		q = q.Where("invoices.portal_id = ?", portalID)
	}
	var rows []InvoiceRow
	return rows, q.Order("invoices.date DESC, invoices.id DESC").Scan(&rows).Error
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
	err := s.db.Table("invoices").Select("portal_id, COUNT(*) AS n").Group("portal_id").Scan(&rows).Error
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.PortalID] = r.N
	}
	return out, err
}
