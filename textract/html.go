package textract

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

const maxHTMLSize = 4 << 20

// invisible are the elements whose text a reader never sees.
var invisible = map[string]bool{"script": true, "style": true, "head": true, "template": true,
	"noscript": true, "svg": true, "iframe": true, "object": true, "title": true}

// block elements end a line, so table cells and paragraphs do not run together.
var block = map[string]bool{"p": true, "div": true, "br": true, "tr": true, "li": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "table": true, "section": true,
	"article": true, "header": true, "footer": true, "dt": true, "dd": true}

// htmlText is the visible text of an HTML receipt: the tokenizer never runs script and never
// fetches anything; hidden elements are skipped.
func htmlText(data []byte) string {
	if len(data) > maxHTMLSize {
		data = data[:maxHTMLSize]
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return clean(b.String())
		case html.StartTagToken:
			name, _ := z.TagName()
			if invisible[string(name)] {
				skip++
			}
			if block[string(name)] {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if invisible[string(name)] && skip > 0 {
				skip--
			}
			if block[string(name)] {
				b.WriteByte('\n')
			} else if string(name) == "td" || string(name) == "th" {
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			if name, _ := z.TagName(); string(name) == "br" {
				b.WriteByte('\n')
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
}
