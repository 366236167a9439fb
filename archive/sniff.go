package archive

import (
	"bytes"
	"net/http"
	"strings"
)

// Sniff tells a file's type from its content only: a portal's suggested file name or
// Content-Type is not trusted (they lie: "invoice.pdf" that is an HTML login page).
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "application/zip"
	case looksLikeXML(data):
		return "application/xml" // e-invoices: XRechnung, UBL
	}
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i > 0 {
		ct = ct[:i]
	}
	return ct
}

func looksLikeXML(data []byte) bool {
	head := bytes.TrimLeft(data[:min(len(data), 512)], "\xef\xbb\xbf \t\r\n")
	return bytes.HasPrefix(head, []byte("<?xml")) && !bytes.Contains(bytes.ToLower(head), []byte("<html"))
}

var extensions = map[string]string{
	"application/pdf": ".pdf",
	"application/zip": ".zip",
	"application/xml": ".xml",
	"text/html":       ".html",
	"text/plain":      ".txt",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"image/gif":       ".gif",
	"image/webp":      ".webp",
}

func extension(contentType string) string {
	if e, ok := extensions[contentType]; ok {
		return e
	}
	return ".bin"
}
