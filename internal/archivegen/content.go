package archivegen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"billhound/store"
)

// vendor is what a portal's invoices look like: its number format, currency and what it sells.
type vendor struct {
	prefix   string // invoice number prefix
	currency string
	items    []string
	min, max int // amount range in cents
	german   bool
}

var vendors = map[string]vendor{
	"Hetzner":            {"R", "EUR", []string{"Dedicated server AX41", "Cloud server CX22", "Storage Box BX11", "Floating IP", "Server auction EX44"}, 399, 25000, true},
	"Telekom":            {"TK", "EUR", []string{"MagentaZuhause L", "Mobilfunk Business", "Festnetz Anschluss", "Glasfaser 500"}, 1999, 12000, true},
	"Amazon Business":    {"DE-AEU", "EUR", []string{"USB-C cable", "Office chair", "Printer paper A4", "Monitor arm", "Laptop stand", "Toner cartridge"}, 599, 89900, false},
	"Vodafone":           {"VF", "EUR", []string{"Red Business Prime", "Kabel Internet 1000", "GigaCube"}, 2999, 9999, true},
	"IONOS":              {"IN", "EUR", []string{"Domain example.de", "Webhosting Business", "Mail Basic", "SSL certificate"}, 100, 4999, false},
	"Stadtwerke München": {"SWM", "EUR", []string{"Strom Abschlag", "Erdgas Abschlag", "Fernwärme Jahresabrechnung"}, 4500, 210000, true},
	"Adobe":              {"AD", "USD", []string{"Creative Cloud All Apps", "Acrobat Pro subscription", "Photoshop plan"}, 1199, 8999, false},
	"DigitalOcean":       {"DO", "USD", []string{"Droplet s-2vcpu-4gb", "Managed PostgreSQL", "Spaces object storage", "Load balancer"}, 400, 32000, false},
}

var fallback = vendor{"INV", "GBP", []string{"Subscription", "Support plan", "Licence renewal"}, 500, 50000, false}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

// generate makes the i-th invoice: a date within the span, an amount, and the text its PDF says.
func generate(rng *rand.Rand, p *store.Portal, o Options, i, span int) invoice {
	v, ok := vendors[p.Name]
	if !ok {
		v = fallback
	}
	day := o.Until.AddDate(0, 0, -rng.IntN(span)).UTC()
	cents := int64(v.min + rng.IntN(v.max-v.min+1))
	item := v.items[rng.IntN(len(v.items))]
	number := fmt.Sprintf("%s-%d-%06d", v.prefix, day.Year(), i+1)
	amount := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	date := day.Format("2006-01-02")
	inv := invoice{Invoice: store.Invoice{
		PortalID: p.ID, Number: number, Date: date, Amount: amount, AmountCents: &cents,
		Currency: v.currency, Title: item, ContentType: "application/pdf",
		FileName:  date + "_" + number + ".pdf",
		SourceURL: "https://portal.example/" + p.Slug + "/invoices/" + number,
		CreatedAt: day.Add(time.Duration(rng.IntN(86400)) * time.Second),
		SHA256:    hexSum(fmt.Sprintf("%d/%d/%s", o.Seed, i, number)),
	}}
	inv.Path = p.Slug + "/" + day.Format("2006") + "/" + inv.FileName
	inv.body = text(p.Name, v, inv, day, cents, rng)
	inv.Size = int64(len(PDF(inv.body)))
	return inv
}

// text is what the invoice says, in the vendor's language, as a PDF's text layer reads.
func text(name string, v vendor, inv invoice, day time.Time, cents int64, rng *rand.Rand) string {
	qty := 1 + rng.IntN(3)
	customer := fmt.Sprintf("K%07d", rng.IntN(10_000_000))
	if v.german {
		total := germanAmount(cents)
		return fmt.Sprintf("%s\nRechnung\nRechnungsnummer: %s\nRechnungsdatum: %s\nKundennummer: %s\n"+
			"Pos. Menge Beschreibung Betrag\n1 %d %s %s\nZwischensumme %s\nGesamtbetrag: %s %s\n"+
			"Zahlbar innerhalb von 14 Tagen ohne Abzug.",
			name, inv.Number, day.Format("02.01.2006"), customer, qty, inv.Title, total, total, total, symbol(v.currency))
	}
	total := fmt.Sprintf("%s%d.%02d", symbol(v.currency), cents/100, cents%100)
	return fmt.Sprintf("%s\nInvoice\nInvoice number: %s\nDate: %s %d, %d\nCustomer ID: %s\n"+
		"Qty Description Amount\n%d %s %s\nSubtotal %s\nTotal: %s\nThank you for your business.",
		name, inv.Number, months[day.Month()-1], day.Day(), day.Year(), customer, qty, inv.Title, total, total, total)
}

func germanAmount(cents int64) string {
	euros := fmt.Sprintf("%d", cents/100)
	var b strings.Builder
	for i, r := range euros {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s,%02d", b.String(), cents%100)
}

func symbol(currency string) string {
	switch currency {
	case "EUR":
		return "€"
	case "USD":
		return "$"
	case "GBP":
		return "£"
	}
	return currency + " "
}

// PDF is a small valid one-page PDF whose text layer says text (one line per line, Helvetica
// with WinAnsi encoding, so ü and € read back).
func PDF(text string) []byte {
	var content bytes.Buffer
	content.WriteString("BT /F1 11 Tf 50 780 Td 14 TL\n")
	for _, line := range strings.Split(text, "\n") {
		content.WriteString("(" + winAnsi(line) + ") Tj T*\n")
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
	}
	return AssemblePDF(objs)
}

// AssemblePDF writes a PDF from its numbered objects (1 is the catalog), with the cross-reference
// table a reader needs to find them.
func AssemblePDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// winAnsi escapes a line for a PDF string in WinAnsiEncoding.
func winAnsi(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '€':
			b.WriteString(`\200`)
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\%03o`, r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
