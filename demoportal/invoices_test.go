package demoportal

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestInvoicesPage(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.login(t, "demo", "demo-password")
	got := b.get(t, "/invoices")
	if got.path != "/invoices" || got.status != http.StatusOK {
		t.Fatalf("got %d at %s", got.status, got.path)
	}
	if !contains(got.body, `<table class="invoices">`) || !contains(got.body, "<thead>") {
		t.Fatal("no invoice table with a head")
	}
	rowRE := regexp.MustCompile(`<tr><td class="number">([^<]+)</td><td class="date">([^<]+)</td>` +
		`<td class="description">[^<]*</td><td class="amount">([^<]+)</td>.*?<a class="pdf" href="([^"]+)">PDF</a></td></tr>`)
	rows := rowRE.FindAllStringSubmatch(got.body, -1)
	want := f.portal.Invoices("demo")
	if len(rows) != len(want) {
		t.Fatalf("page lists %d rows, Invoices() has %d", len(rows), len(want))
	}
	for i, inv := range want {
		w := []string{inv.Number, inv.Date.Format("02.01.2006"), inv.Amount, "/invoices/" + inv.Number + ".pdf"}
		if g := rows[i][1:]; strings.Join(g, "|") != strings.Join(w, "|") {
			t.Errorf("row %d = %q, want %q", i, g, w)
		}
	}
}

func TestInvoiceData(t *testing.T) {
	for _, now := range []time.Time{
		start,
		time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), // a whole calendar year back still spans two
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			invs := invoicesFor("demo", now)
			if len(invs) < 6 {
				t.Fatalf("%d invoices, want at least 6", len(invs))
			}
			years, numbers := map[int]bool{}, map[string]bool{}
			var big, small bool
			for i, inv := range invs {
				years[inv.Date.Year()] = true
				if i > 0 && !inv.Date.Before(invs[i-1].Date) {
					t.Errorf("not newest first at %d", i)
				}
				if !regexp.MustCompile(`^INV-\d{4}-\d{4}$`).MatchString(inv.Number) || numbers[inv.Number[9:]] {
					t.Errorf("number %q malformed or its sequence repeats", inv.Number)
				}
				numbers[inv.Number[9:]] = true
				if inv.Amount != formatEUR(inv.Cents) || inv.Cents <= 0 {
					t.Errorf("%s: amount %q, cents %d", inv.Number, inv.Amount, inv.Cents)
				}
				big = big || inv.Cents >= 100_000
				small = small || inv.Cents < 10_000
			}
			if len(years) < 2 || !big || !small {
				t.Errorf("years %v, four-digit amount %v, two-digit amount %v", years, big, small)
			}
		})
	}
	// Deterministic per account, different between accounts.
	if a, b := invoicesFor("demo", start), invoicesFor("demo", start); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("invoices change between calls")
	}
	if a, b := invoicesFor("demo", start), invoicesFor("alice", start); a[0].Number == b[0].Number || a[0].Cents == b[0].Cents {
		t.Error("two accounts share invoice numbers or amounts")
	}
	// Next month, one more invoice at the top and the rest unchanged.
	later := invoicesFor("demo", start.AddDate(0, 1, 0))
	if now := invoicesFor("demo", start); fmt.Sprint(later[1:]) != fmt.Sprint(now[:len(now)-1]) {
		t.Error("a new month rewrote old invoices")
	}
	if New(Options{}).Invoices("nobody") != nil {
		t.Error("Invoices of an unknown user")
	}
}

func TestFormatEUR(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{
		{5, "0,05 €"}, {1999, "19,99 €"}, {99900, "999,00 €"}, {123456, "1.234,56 €"},
		{100000000, "1.000.000,00 €"}, {-123456, "-1.234,56 €"},
	} {
		if got := formatEUR(tc.cents); got != tc.want {
			t.Errorf("formatEUR(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestInvoicePDF(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.login(t, "demo", "demo-password")
	for _, inv := range f.portal.Invoices("demo") {
		got := b.get(t, "/invoices/"+inv.Number+".pdf")
		if got.status != http.StatusOK || got.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s: %d %s", inv.Number, got.status, got.header.Get("Content-Type"))
		}
		if cd, want := got.header.Get("Content-Disposition"), `attachment; filename="invoice-`+inv.Number+`.pdf"`; cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
		data := []byte(got.body)
		checkPDF(t, data)
		for _, want := range []string{"(" + inv.Number + ") Tj", "(" + inv.Date.Format("02.01.2006") + ") Tj", "(Nimbus Cloud) Tj"} {
			if !bytes.Contains(data, []byte(want)) {
				t.Errorf("%s: PDF lacks %q", inv.Number, want)
			}
		}
		if !bytes.Contains(data, []byte("("+winAnsi(inv.Amount)+") Tj")) {
			t.Errorf("%s: PDF lacks the amount %q", inv.Number, inv.Amount)
		}
	}
	for _, path := range []string{"/invoices/INV-1999-0001.pdf", "/invoices/" + f.portal.Invoices("demo")[0].Number, "/invoices/x.pdf"} {
		if got := b.get(t, path); got.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, got.status)
		}
	}
}

// checkPDF checks the structure a strict reader needs: header, trailer, and an xref table whose
// every offset points at its "N 0 obj".
func checkPDF(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimRight(data, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q ... %q", data[:min(20, len(data))], data[max(0, len(data)-20):])
	}
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(data) || !bytes.HasPrefix(data[xref:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	var first, count int
	if _, err := fmt.Sscanf(string(data[xref+5:]), "%d %d\n", &first, &count); err != nil || first != 0 {
		t.Fatalf("xref subsection header: %v", err)
	}
	entries := data[bytes.IndexByte(data[xref+5:], '\n')+xref+6:]
	for i := range count {
		e := entries[i*20 : i*20+20] // fixed-width entries
		if !regexp.MustCompile(`^\d{10} \d{5} [nf] \n$`).Match(e) {
			t.Fatalf("xref entry %d malformed: %q", i, e)
		}
		if e[17] != 'n' {
			continue
		}
		off, _ := strconv.Atoi(string(e[:10]))
		if !bytes.HasPrefix(data[off:], fmt.Appendf(nil, "%d 0 obj", i)) {
			t.Errorf("xref entry %d points at %q", i, data[off:min(off+12, len(data))])
		}
	}
	if !bytes.Contains(data, fmt.Appendf(nil, "/Size %d", count)) {
		t.Errorf("trailer /Size is not %d", count)
	}
	// The stream length must be exact too.
	sm := regexp.MustCompile(`(?s)/Length (\d+) >>\nstream\n(.*?)\nendstream`).FindSubmatch(data)
	if sm == nil {
		t.Fatal("no content stream")
	}
	if n, _ := strconv.Atoi(string(sm[1])); n != len(sm[2]) {
		t.Errorf("/Length %d, stream has %d bytes", n, len(sm[2]))
	}
	// With poppler installed, a real reader must accept it without complaint.
	if pdfinfo, err := exec.LookPath("pdfinfo"); err == nil {
		path := filepath.Join(t.TempDir(), "invoice.pdf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdfinfo, path).CombinedOutput()
		if err != nil || bytes.Contains(bytes.ToLower(out), []byte("error")) {
			t.Errorf("pdfinfo: %v\n%s", err, out)
		}
	}
}
