package textract

import (
	"regexp"
	"strings"

	"billhound/archive"
)

// Found is the metadata an invoice's text gives; "" where it says nothing recognisable.
type Found struct {
	Number   string
	Date     string // YYYY-MM-DD
	Amount   string // decimal with a dot
	Currency string // ISO 4217
}

var (
	numberLabel = regexp.MustCompile(`(?i)\b(?:invoice|rechnung|receipt|bill|facture|factura|beleg)\s*[-.]?\s*` +
		`(?:number|no\.?|nr\.?|nummer|num[eé]ro|#|id)\s*[:#.]?\s*([A-Z0-9][A-Z0-9/_.-]{1,40})`)
	numberLabelOne = regexp.MustCompile(`(?i)\b(?:rechnungsnummer|rechnungsnr\.?|invoice#)\s*[:#.]?\s*([A-Z0-9][A-Z0-9/_.-]{1,40})`)
	dateLabel      = regexp.MustCompile(`(?i)\b(?:invoice date|rechnungsdatum|date of issue|issue date|issued on|datum|date)\b\s*[:.]?\s*(.+)`)
	// totalLabels, strongest first: a line with one of these names the invoice's total.
	totalLabels = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(?:grand total|amount due|total due|balance due|invoice total|total amount|gesamtbetrag|rechnungsbetrag|endbetrag|zu zahlen|zahlbetrag|montant total)\b(.*)`),
		regexp.MustCompile(`(?i)\b(?:total|gesamt|summe)\b(.*)`),
	}
	money = regexp.MustCompile(`(?:[€$£]|EUR|USD|GBP|CHF)?\s?-?\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?\s?(?:[€$£]|EUR|USD|GBP|CHF)?|-?\d+(?:[.,]\d{1,2})`)
	// notTheTotal are lines that name a part of the total or another amount.
	notTheTotal = regexp.MustCompile(`(?i)subtotal|zwischensumme|excl|netto|\bnet\b|\bvat\b|mwst|ust\.|tax\b|steuer|discount|rabatt|quantity|menge`)
	withAll     = regexp.MustCompile(`(?i)incl|inkl|brutto|gross`)
	notTheDate  = regexp.MustCompile(`(?i)due|fällig|zahlbar|payable|period|zeitraum|leistung|delivery|liefer`)
)

// FindMeta reads the invoice number, date and total from an invoice's text, by the labels
// invoices print them with ("Invoice number: R-2025-0042", "Rechnungsdatum: 12.03.2025",
// "Total: 1.234,56 €"), in English and German.
func FindMeta(text string) Found {
	var f Found
	lines := strings.Split(text, "\n")
	for i := range lines {
		// A table prints the label on one line and the value on the next.
		for _, line := range withNext(lines, i) {
			if f.Number == "" {
				f.Number = findNumber(line)
			}
			if f.Date == "" && !notTheDate.MatchString(line) {
				if m := dateLabel.FindStringSubmatch(line); m != nil {
					f.Date = leadingDate(m[1])
				}
			}
		}
	}
	f.Amount, f.Currency = findTotal(lines)
	return f
}

// withNext is line i alone, then joined with the line after it.
func withNext(lines []string, i int) []string {
	if i+1 < len(lines) {
		return []string{lines[i], lines[i] + " " + lines[i+1]}
	}
	return lines[i : i+1]
}

func findNumber(line string) string {
	for _, re := range []*regexp.Regexp{numberLabelOne, numberLabel} {
		if m := re.FindStringSubmatch(line); m != nil {
			n := strings.TrimRight(m[1], ".-/")
			if strings.ContainsAny(n, "0123456789") && len(n) >= 3 {
				return n
			}
		}
	}
	return ""
}

// leadingDate is the date at the start of s ("12.03.2025", "March 12, 2025 (paid)"): the longest
// run of its first words that reads as a date.
func leadingDate(s string) string {
	words := strings.Fields(s)
	for n := min(len(words), 4); n >= 1; n-- {
		cand := strings.TrimRight(strings.Join(words[:n], " "), ".;)")
		if t, err := archive.ParseDate(cand); err == nil && !t.IsZero() {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

// findTotal takes the last line with the strongest total label that shows an amount.
func findTotal(lines []string) (string, string) {
	for _, label := range totalLabels {
		for i := len(lines) - 1; i >= 0; i-- {
			for _, line := range withNext(lines, i) {
				m := label.FindStringSubmatch(line)
				if m == nil || (notTheTotal.MatchString(line) && !withAll.MatchString(line)) {
					continue
				}
				if amount, currency := firstAmount(m[1]); amount != "" {
					return amount, currency
				}
			}
		}
	}
	return "", ""
}

func firstAmount(s string) (string, string) {
	for _, cand := range money.FindAllString(s, -1) {
		if !strings.ContainsAny(cand, "0123456789") {
			continue
		}
		if amount, currency, err := archive.ParseAmount(cand); err == nil && amount != "" {
			return amount, currency
		}
	}
	return "", ""
}
