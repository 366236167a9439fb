package textract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/demoportal"
)

var testBrowser *browser.Manager

func TestMain(m *testing.M) {
	os.Exit(browsertest.Main(m.Run, func(mgr *browser.Manager) { testBrowser = mgr }))
}

// invoiceHTML is a German invoice as a portal would render it: umlauts, ß, € and a dash, so
// Chromium embeds subset CID fonts (Identity-H with a ToUnicode map), as real invoices do.
const invoiceHTML = `<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: sans-serif } td { padding: 4px 12px }</style></head><body>
<h1>Rechnung</h1><p>Müller &amp; Söhne GmbH · Hauptstraße 5 · 80331 München</p>
<p>Rechnungsnummer: R-2025-0042</p><p>Rechnungsdatum: 12.03.2025</p>
<table><tr><td>Dedicated Server AX41 – Größe L</td><td>1.037,45 €</td></tr>
<tr><td>Zwischensumme</td><td>1.037,45 €</td></tr><tr><td>USt. 19 %</td><td>197,11 €</td></tr></table>
<p><b>Gesamtbetrag: 1.234,56 €</b></p></body></html>`

func chromiumPDF(t *testing.T, html string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bc, err := testBrowser.NewContext(ctx, browser.ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if err := page.SetContent(html); err != nil {
		t.Fatal(err)
	}
	data, err := page.PDF(playwright.PagePdfOptions{Format: playwright.String("A4")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("Identity-H")) || !bytes.Contains(data, []byte("ToUnicode")) {
		t.Fatal("Chromium's PDF has no CID font with a ToUnicode map: the test would not test that")
	}
	return data
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRealPDFsTextAndMeta(t *testing.T) {
	dir := t.TempDir()
	chromium := write(t, dir, "chromium.pdf", chromiumPDF(t, invoiceHTML))
	portal := demoportal.New(demoportal.Options{})
	inv := portal.Invoices("demo")[0]
	demo := write(t, dir, "demo.pdf", portal.InvoicePDF("demo", inv.Number))

	x := &Extractor{}
	texts, errs := x.PDFTexts(context.Background(), []string{chromium, demo})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	for _, want := range []string{"Müller & Söhne GmbH", "Hauptstraße", "München", "Größe L", "1.234,56 €", "R-2025-0042"} {
		if !strings.Contains(texts[0], want) {
			t.Errorf("Chromium's PDF text lacks %q:\n%s", want, texts[0])
		}
	}
	if got := FindMeta(texts[0]); got != (Found{"R-2025-0042", "2025-03-12", "1234.56", "EUR"}) {
		t.Errorf("metadata from Chromium's PDF: %+v\n%s", got, texts[0])
	}
	if !strings.Contains(texts[1], inv.Number) || !strings.Contains(texts[1], inv.Amount) {
		t.Errorf("the demo portal's PDF text lacks %s / %s:\n%s", inv.Number, inv.Amount, texts[1])
	}
	if got := FindMeta(texts[1]); got.Number != inv.Number || got.Date != inv.Date.Format("2006-01-02") {
		t.Errorf("metadata from the demo portal's PDF: %+v, want %s %s\n%s", got, inv.Number, inv.Date.Format("2006-01-02"), texts[1])
	}
}

// TestBrokenAndHostilePDFs: each bad file gives no text and an error, quickly, and the good file
// after them in the same batch is still read.
func TestBrokenAndHostilePDFs(t *testing.T) {
	dir := t.TempDir()
	good := chromiumPDF(t, invoiceHTML)
	nested := "%PDF-1.4\n1 0 obj\n" + strings.Repeat("[", 2_000_000) + "\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF"
	files := []string{
		write(t, dir, "empty.pdf", nil),
		write(t, dir, "garbage.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0xff, 0x00, 0x13}, 5000)...)),
		write(t, dir, "truncated.pdf", good[:len(good)/2]),
		write(t, dir, "nested.pdf", []byte(nested)),
		write(t, dir, "missing.pdf", nil),
		write(t, dir, "good.pdf", good),
	}
	os.Remove(files[4])
	x := &Extractor{Timeout: 5 * time.Second}
	start := time.Now()
	texts, errs := x.PDFTexts(context.Background(), files)
	for i := range 5 {
		if errs[i] == nil || texts[i] != "" {
			t.Errorf("%s: text %q, error %v; want no text and an error", filepath.Base(files[i]), texts[i], errs[i])
		}
	}
	if errs[5] != nil || !strings.Contains(texts[5], "R-2025-0042") {
		t.Fatalf("the good file after the bad ones: %q %v", texts[5], errs[5])
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("the batch took %v", d)
	}
}

func TestHTMLReceiptVisibleText(t *testing.T) {
	path := write(t, t.TempDir(), "r.html", []byte(`<html><head><title>Hidden title</title>
<style>.x{color:red}</style><script>var secret = "do not index"</script></head><body>
<div>Receipt</div><table><tr><td>Invoice number:</td><td>HX-991</td></tr></table>
<p>Date: 2025-02-01</p><p>Total: 9,99&nbsp;€</p><template>nope</template></body></html>`))
	text, err := Text(context.Background(), &Extractor{}, path, "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "secret") || strings.Contains(text, "Hidden") || strings.Contains(text, "nope") || strings.Contains(text, "color") {
		t.Fatalf("invisible text indexed:\n%s", text)
	}
	if got := FindMeta(text); got != (Found{"HX-991", "2025-02-01", "9.99", "EUR"}) {
		t.Fatalf("metadata %+v from:\n%s", got, text)
	}
}
