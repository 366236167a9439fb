package demoportal

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
)

// invoicePDF writes a one-page invoice as a hand-made PDF 1.4: catalog, page tree, one A4 page,
// the standard Helvetica fonts (no embedding needed) and an uncompressed content stream, so the
// invoice number is plain text in the file and tests can find it. Byte-exact xref offsets make
// it open without repair in strict readers.
func invoicePDF(brand, customer string, inv Invoice) []byte {
	content := invoiceContent(brand, customer, inv)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " +
			"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<< /Title %s /Author %s /Producer (billhound demo portal) /CreationDate (D:%s) >>",
			pdfTextString("Invoice "+inv.Number), pdfTextString(brand), inv.Date.Format("20060102150405Z")),
	}

	var b bytes.Buffer
	// The second line's high bytes tell transfer tools the file is binary (the € sign is 0x80).
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := b.Len()
	// Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space, LF.
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(objects)+1, len(objects), xref)
	return b.Bytes()
}

// invoiceContent draws the page: a coloured header with the brand, the invoice facts, one line
// item with German VAT and the total.
func invoiceContent(brand, customer string, inv Invoice) string {
	gross := inv.Cents
	net := (gross*100 + 59) / 119 // 19 % VAT included, rounded to the cent
	vat := gross - net

	var c strings.Builder
	text := func(font string, size, x, y float64, s string) {
		fmt.Fprintf(&c, "BT /%s %.0f Tf %.2f %.2f Td %s Tj ET\n", font, size, x, y, pdfString(winAnsi(s)))
	}
	right := func(font string, size, x, y float64, s string) {
		text(font, size, x-textWidth(font, s)*size/1000, y, s)
	}
	const l, r = 50.0, 545.0 // margins

	c.WriteString("0.16 0.36 0.78 rg 0 772 595 70 re f\n1 g\n")
	text("F2", 22, l, 798, brand)
	right("F2", 12, r, 802, "INVOICE")
	c.WriteString("0 g\n")

	text("F2", 18, l, 720, "Invoice "+inv.Number)
	facts := [][2]string{
		{"Invoice number", inv.Number},
		{"Invoice date", inv.Date.Format("02.01.2006")},
		{"Customer", customer},
		{"Status", "Paid"},
	}
	for i, f := range facts {
		y := 690 - 16*float64(i)
		c.WriteString("0.4 g\n")
		text("F1", 10, l, y, f[0])
		c.WriteString("0 g\n")
		text("F1", 10, l+110, y, f[1])
	}

	c.WriteString("0.75 G 0.5 w\n")
	text("F2", 10, l, 600, "Description")
	right("F2", 10, r, 600, "Amount")
	fmt.Fprintf(&c, "%.0f 592 m %.0f 592 l S\n", l, r)
	text("F1", 10, l, 574, description(inv))
	right("F1", 10, r, 574, formatEUR(net))
	fmt.Fprintf(&c, "%.0f 562 m %.0f 562 l S\n", l, r)

	text("F1", 10, 380, 544, "Net amount")
	right("F1", 10, r, 544, formatEUR(net))
	text("F1", 10, 380, 528, "VAT 19 %")
	right("F1", 10, r, 528, formatEUR(vat))
	text("F2", 12, 380, 506, "Total")
	right("F2", 12, r, 506, inv.Amount)

	c.WriteString("0.4 g\n")
	text("F1", 8, l, 60, brand+" \u00b7 demo portal of billhound \u00b7 not a real invoice, nothing to pay")
	return c.String()
}

// winAnsi converts text to the WinAnsiEncoding bytes the standard fonts use here. Latin-1
// letters map to themselves; anything the encoding lacks becomes "?".
func winAnsi(s string) string {
	special := map[rune]byte{'€': 0x80, '–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			b.WriteByte(byte(r))
		case special[r] != 0:
			b.WriteByte(special[r])
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pdfString is a literal string with the three characters that need escaping escaped.
func pdfString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// pdfTextString encodes document metadata: a literal for plain ASCII, else UTF-16BE with a byte
// order mark, which every reader understands.
func pdfTextString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
		}
	}
	if ascii {
		return pdfString(s)
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String() + ">"
}

// textWidth is the width of s in 1/1000 em, from the Helvetica and Helvetica-Bold metrics of the
// characters right-aligned text uses (amounts and short headings); others count as a digit.
func textWidth(font, s string) float64 {
	regular := map[rune]float64{' ': 278, '.': 278, ',': 278, '-': 333, '%': 889, '€': 556,
		'A': 667, 'I': 278, 'N': 722, 'V': 667, 'O': 778, 'C': 722, 'E': 667,
		'm': 833, 'o': 556, 'u': 556, 'n': 556, 't': 278}
	bold := map[rune]float64{' ': 278, '.': 278, ',': 278, '-': 333, '%': 889, '€': 556,
		'A': 722, 'I': 278, 'N': 722, 'V': 667, 'O': 778, 'C': 722, 'E': 667,
		'm': 889, 'o': 611, 'u': 611, 'n': 611, 't': 333}
	widths := regular
	if font == "F2" {
		widths = bold
	}
	w := 0.0
	for _, r := range s {
		if v, ok := widths[r]; ok {
			w += v
		} else {
			w += 556 // digits are 556 in both fonts
		}
	}
	return w
}
