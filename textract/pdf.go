package textract

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"
)

// Bounds of one PDF's extraction. Past them the text is cut; the invoice's first pages say
// what matters (number, date, total).
const (
	maxPDFSize  = 32 << 20 // bytes of PDF read at all
	maxPages    = 30
	maxTextSize = 256 << 10 // bytes of text kept per invoice
)

// pdfText reads a PDF's text layer, page by page, as plain lines. It may panic on a broken
// file: it runs only in the extraction child (see child.go), which recovers.
func pdfText(data []byte) (string, error) {
	if len(data) > maxPDFSize {
		return "", fmt.Errorf("the PDF is larger than %d MB", maxPDFSize>>20)
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := 1; i <= min(r.NumPage(), maxPages) && b.Len() < maxTextSize; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		t, err := p.GetPlainText(nil)
		if err != nil {
			continue // one unreadable page does not lose the others
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return clean(b.String()), nil
}

// clean normalises extracted text: ligatures (ﬁ) and other compatibility forms become plain
// letters (NFKC), control characters go, runs of blank space become one, and it is cut to
// maxTextSize on a character boundary.
func clean(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for _, line := range lines {
		line = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f || r == 0xfffd {
				return ' '
			}
			return r
		}, line)), " ")
		if line == "" {
			continue
		}
		if b.Len()+len(line) > maxTextSize {
			break
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}
