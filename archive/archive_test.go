package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func TestName(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	march := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		item Item
		data []byte
		want string
	}{
		{"pdf with id and date", Item{"nimbus", "INV-2025-0003", march}, pdf, "nimbus/2025/2025-03-01_INV-2025-0003.pdf"},
		{"unsafe id", Item{"nimbus", "../../etc/passwd", march}, pdf, "nimbus/2025/2025-03-01_etc-passwd.pdf"},
		{"id with spaces and slashes", Item{"shop", "RE 2025/17", march}, pdf, "shop/2025/2025-03-01_RE-2025-17.pdf"},
		{"no date: day of filing", Item{"shop", "7", time.Time{}}, pdf, "shop/2026/2026-11-25_7.pdf"},
		{"html receipt", Item{"shop", "7", march}, []byte("<!doctype html><html><body>Receipt</body></html>"), "shop/2025/2025-03-01_7.html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Name(c.item, Sum(c.data), Sniff(c.data), now)
			if got != c.want {
				t.Fatalf("Name = %q, want %q", got, c.want)
			}
		})
	}
	noID := Name(Item{"shop", "", march}, Sum(pdf), Sniff(pdf), now)
	if !strings.HasPrefix(noID, "shop/2025/2025-03-01_"+Sum(pdf)[:12]) {
		t.Fatalf("no id: %q", noID)
	}
}

func TestWriteIsAtomicAndNeverOverwrites(t *testing.T) {
	a := &Archive{Root: t.TempDir()}
	now := time.Now()
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f1, err := a.Write(Item{"p", "A/1", day}, bytes.NewReader(pdf), now)
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), pdf...)
	other = append(other, "% second\n"...)
	f2, err := a.Write(Item{"p", "A 1", day}, bytes.NewReader(other), now) // cleans up to the same name
	if err != nil {
		t.Fatal(err)
	}
	if f1.Path == f2.Path || f2.Path != filepath.Join("p", "2025", "2025-03-01_A-1-2.pdf") {
		t.Fatalf("paths %q %q", f1.Path, f2.Path)
	}
	got, _ := os.ReadFile(a.Path(f1.Path))
	if string(got) != string(pdf) || f1.ContentType != "application/pdf" || f1.SHA256 != Sum(pdf) || f1.Size != int64(len(pdf)) {
		t.Fatalf("first file changed or wrong metadata: %+v", f1)
	}
	entries, _ := os.ReadDir(filepath.Join(a.Root, "p", "2025"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incoming") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
	if _, err := a.Write(Item{"p", "x", day}, bytes.NewReader(nil), now); err == nil {
		t.Fatal("empty file accepted")
	}
	if _, err := a.Write(Item{"../x", "x", day}, bytes.NewReader(pdf), now); err == nil {
		t.Fatal("portal folder outside the archive accepted")
	}
	if p := a.Path("../../etc/passwd"); !strings.HasPrefix(p, a.Root) {
		t.Fatalf("Path escapes root: %s", p)
	}
}

func TestParseDate(t *testing.T) {
	want := "2024-03-01"
	for _, in := range []string{"2024-03-01", "01.03.2024", "1.3.2024", "Mar 1, 2024", "March 1, 2024", "1 Mar 2024", "03/01/2024", "2024-03-01T10:00:00Z", " 01.03.2024 "} {
		got, err := ParseDate(in)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if got, _ := ParseDate("13/02/2024"); got.Format("2006-01-02") != "2024-02-13" {
		t.Errorf("day-first slash date: %v", got)
	}
	if _, err := ParseDate("next tuesday"); err == nil {
		t.Error("nonsense date accepted")
	}
}

func TestParseAmount(t *testing.T) {
	cases := []struct{ in, amount, currency string }{
		{"1.234,56 €", "1234.56", "EUR"},
		{"19,99 €", "19.99", "EUR"},
		{"$1,234.56", "1234.56", "USD"},
		{"EUR 12.5", "12.50", "EUR"},
		{"1.234 €", "1234.00", "EUR"},
		{"-5,00 €", "-5.00", "EUR"},
		{"12", "12.00", ""},
		{"CHF 1'250.00", "1250.00", "CHF"},
	}
	for _, c := range cases {
		a, cur, err := ParseAmount(c.in)
		if err != nil || a != c.amount || cur != c.currency {
			t.Errorf("ParseAmount(%q) = %q %q %v; want %q %q", c.in, a, cur, err, c.amount, c.currency)
		}
	}
	if _, _, err := ParseAmount("free"); err == nil {
		t.Error("no digits accepted")
	}
}

func TestSniffIgnoresNames(t *testing.T) {
	cases := map[string]string{
		string(pdf):                         "application/pdf",
		"<html><body>Please log in</body>":  "text/html",
		"<?xml version=\"1.0\"?><Invoice/>": "application/xml",
		"\x89PNG\r\n\x1a\n0000":             "image/png",
	}
	for in, want := range cases {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%.20q) = %s, want %s", in, got, want)
		}
	}
}
