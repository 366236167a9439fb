package textract

import "testing"

func TestFindMeta(t *testing.T) {
	cases := []struct {
		name, text string
		want       Found
	}{
		{"english", "ACME Ltd\nInvoice number: R-2025-0042\nDate: March 12, 2025\nSubtotal $1,000.00\nVAT $234.56\nTotal: $1,234.56",
			Found{"R-2025-0042", "2025-03-12", "1234.56", "USD"}},
		{"german", "Rechnung\nRechnungsnummer: 2025/0815\nRechnungsdatum: 12.03.2025\nZwischensumme 1.037,45 €\nGesamtbetrag: 1.234,56 €",
			Found{"2025/0815", "2025-03-12", "1234.56", "EUR"}},
		{"invoice no and ISO currency", "Invoice No. INV-77\nIssue date 2024-11-30\nDue date: 2024-12-14\nAmount due EUR 19,99",
			Found{"INV-77", "2024-11-30", "19.99", "EUR"}},
		{"due date before the date", "Due date: 01.04.2025\nDatum: 01.03.2025\nRechnung Nr. 12345\nSumme 99,00 EUR",
			Found{"12345", "2025-03-01", "99.00", "EUR"}},
		{"day month name", "Invoice #A12B9\nDate: 5 January 2026\nTotal (incl. VAT): £ 12.50",
			Found{"A12B9", "2026-01-05", "12.50", "GBP"}},
		{"total without excl", "Total excl. VAT 100.00 EUR\nTotal 119.00 EUR", Found{"", "", "119.00", "EUR"}},
		{"table: labels above values", "Invoice INV-2026-0301\nInvoice number\nINV-2026-0301\nInvoice date\n01.11.2026\nNet amount\n237,02 €\nVAT 19 %\n45,03 €\nTotal\n282,05 €",
			Found{"INV-2026-0301", "2026-11-01", "282.05", "EUR"}},
		{"nothing", "Thank you for your order!\nSee you soon.", Found{}},
		{"a number without digits is none", "Invoice number: pending\nDate: soon", Found{}},
		{"chromium lines", "Rechnung\nMüller & Söhne GmbH\nRechnungsnummer: R-2025-0042\nDatum: 12.03.2025\nServer AX41 – Größe L\n1.234,56 €\nGesamtbetrag: 1.234,56 €",
			Found{"R-2025-0042", "2025-03-12", "1234.56", "EUR"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FindMeta(c.text); got != c.want {
				t.Fatalf("FindMeta = %+v, want %+v", got, c.want)
			}
		})
	}
}
