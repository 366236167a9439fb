package store

import (
	"time"

	"gorm.io/gorm"
)

// The full-text index of the archive (the FTS5 table invoice_text, rowid = invoice id): what
// an invoice's file says, and its portal name, number, title and file name, so a search for
// "hetzner 2025 server" finds it.

// invoiceMetaSQL is the text of the meta column, from the invoice and its portal.
const invoiceMetaSQL = `p.name || ' ' || i.number || ' ' || i.title || ' ' || i.file_name`

// dayKey is one day in text keys.
const dayKey = int64(1) << 32

// TextKey is the full-text row key of the invoice with this date (YYYY-MM-DD, or "") and id:
// (days since 1970) << 32 | id, so keys sort as the listing does (date, then id; no date last).
func TextKey(date string, id int64) int64 {
	days := int64(0)
	if t, err := time.Parse("2006-01-02", date); err == nil && t.Unix() > 0 {
		days = t.Unix() / 86400
	}
	return days*dayKey | (id & (dayKey - 1))
}

// SetInvoiceText puts the invoice's extracted text (may be "") into the full-text index and
// marks it extracted. Calling it again replaces the text (and follows a changed date).
func (s *Store) SetInvoiceText(id int64, body string) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		var inv Invoice
		if err := tx.Select("id, date, text_key").First(&inv, id).Error; err != nil {
			return notFound(err)
		}
		if inv.TextKey != nil {
			if err := tx.Exec(`DELETE FROM invoice_text WHERE rowid = ?`, *inv.TextKey).Error; err != nil {
				return err
			}
		}
		key := TextKey(inv.Date, id)
		err := tx.Exec(`INSERT INTO invoice_text(rowid, meta, body) SELECT ?, `+invoiceMetaSQL+`, ?
			FROM invoices i JOIN portals p ON p.id = i.portal_id WHERE i.id = ?`, key, body, id).Error
		if err != nil {
			return err
		}
		return tx.Exec(`UPDATE invoices SET text_state = 1, text_key = ? WHERE id = ?`, key, id).Error
	})
}

// InvoicesWithoutText returns up to limit invoices whose text was not extracted yet, oldest
// first (the partial index invoices_text_pending holds exactly these).
func (s *Store) InvoicesWithoutText(limit int) ([]Invoice, error) {
	var invs []Invoice
	err := s.db.Where("text_state = 0").Order("id").Limit(limit).Find(&invs).Error
	return invs, err
}

// FillInvoiceMeta sets the number, date, amount and currency the invoice does not have yet
// (a script gave none) to what was found in its text; values it has are kept. A number the
// portal already uses for another invoice is left out.
func (s *Store) FillInvoiceMeta(id int64, number, date, amount, currency string) error {
	set := func(col, val string) error {
		if val == "" {
			return nil
		}
		return s.db.Exec(`UPDATE invoices SET `+col+` = ? WHERE id = ? AND `+col+` = ''`, val, id).Error
	}
	if number != "" {
		err := s.db.Exec(`UPDATE invoices SET number = ? WHERE id = ? AND number = '' AND NOT EXISTS
			(SELECT 1 FROM invoices o WHERE o.portal_id = invoices.portal_id AND o.number = ? AND o.number <> '')`,
			number, id, number).Error
		if err != nil {
			return err
		}
	}
	if err := set("date", date); err != nil {
		return err
	}
	if amount != "" {
		err := s.db.Exec(`UPDATE invoices SET amount = ?, amount_cents = ? WHERE id = ? AND amount = ''`,
			amount, AmountCents(amount), id).Error
		if err != nil {
			return err
		}
		if err := set("currency", currency); err != nil {
			return err
		}
	}
	return nil
}
