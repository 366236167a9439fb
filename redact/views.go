package redact

import (
	"bytes"
	"html"
	"unicode/utf16"
	"unicode/utf8"
)

// A secret reaches a text escaped in ways too many to list: a browser writes "&quot;" where Go
// writes "&#34;", JSON may write "ü" or "\u00fc", a URL "%C3%BC" or "%c3%bc", and escapes nest
// (a URL inside JSON inside an HTML attribute). So instead of listing every escaped form, the
// text is also read decoded, a view per decoding and chain of decodings, and each view keeps
// where every decoded byte came from: a secret found in a view masks its source span.

// view is a text decoded some way. start[i]:end[i] is the source span of b[i]; nil spans mean
// the view is the source itself.
type view struct {
	b          []byte
	start, end []int32
}

func (v *view) span(i, j int) (int, int) { // the source span of b[i:j]
	if v.start == nil {
		return i, j
	}
	return int(v.start[i]), int(v.end[j-1])
}

// decoder decodes src into o: o.raw for bytes kept as they are, o.piece for decoded ones. It
// reports whether anything was decoded at all.
type decoder func(src []byte, o *builder) bool

// decoders, applied in chains of up to three, each at most once, except that URL decoding may
// repeat (a URL inside a URL is percent-encoded twice). "form" reads '+' as a space; "url" keeps
// it, as a path does.
var decoders = []struct {
	trigger string // a text without any of these bytes has nothing to decode
	fn      decoder
}{
	{"&", decodeHTML},
	{"\\", decodeJS},
	{"%", func(s []byte, o *builder) bool { return decodeURL(s, false, o) }},
	{"%+", func(s []byte, o *builder) bool { return decodeURL(s, true, o) }},
}

const maxChain = 3

// views calls fn with the source and every decoded view of it that differs from the source.
func views(src []byte, fn func(*view)) {
	root := &view{b: src}
	fn(root)
	const url, form = 2, 3 // indexes in decoders: the two readings of percent-escapes
	var walk func(v *view, used uint8, depth int)
	walk = func(v *view, used uint8, depth int) {
		if depth == maxChain {
			return
		}
		for k, d := range decoders {
			percent := k == url || k == form
			if (!percent && used&(1<<k) != 0) || (k == url && used&(1<<form) != 0) || (k == form && used&(1<<url) != 0) {
				continue
			}
			if !bytes.ContainsAny(v.b, d.trigger) {
				continue
			}
			if next := decodeView(v, d.fn); next != nil {
				fn(next)
				walk(next, used|1<<k, depth+1)
			}
		}
	}
	walk(root, 0, 0)
}

// builder makes a view decoded from its parent.
type builder struct {
	parent *view
	out    *view
}

// raw keeps parent bytes i:j as they are.
func (o *builder) raw(i, j int) {
	if i >= j {
		return
	}
	p, v := o.parent, o.out
	v.b = append(v.b, p.b[i:j]...)
	if p.start != nil {
		v.start = append(v.start, p.start[i:j]...)
		v.end = append(v.end, p.end[i:j]...)
		return
	}
	for k := i; k < j; k++ {
		v.start = append(v.start, int32(k))
		v.end = append(v.end, int32(k+1))
	}
}

// piece adds the decoded form of parent bytes i:j.
func (o *builder) piece(b []byte, i, j int) {
	s, e := o.parent.span(i, j)
	v := o.out
	for range b {
		v.start = append(v.start, int32(s))
		v.end = append(v.end, int32(e))
	}
	v.b = append(v.b, b...)
}

// decodeView decodes v; nil when nothing was decoded.
func decodeView(v *view, d decoder) *view {
	n := len(v.b)
	o := &builder{parent: v, out: &view{b: make([]byte, 0, n), start: make([]int32, 0, n), end: make([]int32, 0, n)}}
	if !d(v.b, o) {
		return nil
	}
	return o.out
}

func decodeHTML(src []byte, o *builder) bool {
	changed, last := false, 0
	for i := 0; i < len(src); i++ {
		if src[i] != '&' {
			continue
		}
		end := -1
		for k := i + 1; k < len(src) && k < i+34; k++ {
			if src[k] == ';' {
				end = k + 1
				break
			}
			if !isEntityByte(src[k]) { // "&<b>...&amp;" is not one entity
				break
			}
		}
		if end < 0 {
			continue
		}
		ent := string(src[i:end])
		dec := html.UnescapeString(ent)
		if dec == ent {
			continue
		}
		o.raw(last, i)
		o.piece([]byte(dec), i, end)
		changed, last, i = true, end, end-1
	}
	if changed {
		o.raw(last, len(src))
	}
	return changed
}

func isEntityByte(b byte) bool {
	return b == '#' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func unhex(b byte) (byte, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// hexAt reads n hex digits at src[i:].
func hexAt(src []byte, i, n int) (rune, bool) {
	if i+n > len(src) {
		return 0, false
	}
	var r rune
	for k := i; k < i+n; k++ {
		d, ok := unhex(src[k])
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// decodeURL reads %XX (and the old %uXXXX); plus also reads '+' as a space.
func decodeURL(src []byte, plus bool, o *builder) bool {
	changed, last := false, 0
	for i := 0; i < len(src); i++ {
		var piece []byte
		n := 0
		switch {
		case src[i] == '+' && plus:
			piece, n = []byte{' '}, 1
		case src[i] != '%':
			continue
		case i+1 < len(src) && (src[i+1] == 'u' || src[i+1] == 'U'):
			if r, ok := hexAt(src, i+2, 4); ok {
				piece, n = utf8.AppendRune(nil, r), 6
			}
		default:
			if r, ok := hexAt(src, i+1, 2); ok {
				piece, n = []byte{byte(r)}, 3
			}
		}
		if n == 0 {
			continue
		}
		o.raw(last, i)
		o.piece(piece, i, i+n)
		changed, last, i = true, i+n, i+n-1
	}
	if changed {
		o.raw(last, len(src))
	}
	return changed
}

var jsSimple = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f', 'v': '\v', '0': 0}

// decodeJS reads JavaScript and JSON string escapes: \uXXXX (and surrogate pairs), \u{X...},
// \xXX, \n and friends, and a backslash before any other character (\" \' \\ \/).
func decodeJS(src []byte, o *builder) bool {
	changed, last := false, 0
	for i := 0; i+1 < len(src); i++ {
		if src[i] != '\\' {
			continue
		}
		piece, n := jsEscape(src, i)
		if n == 0 {
			continue
		}
		o.raw(last, i)
		o.piece(piece, i, i+n)
		changed, last, i = true, i+n, i+n-1
	}
	if changed {
		o.raw(last, len(src))
	}
	return changed
}

// jsEscape decodes the escape at src[i] (a backslash): the bytes and the escape's length.
func jsEscape(src []byte, i int) ([]byte, int) {
	c := src[i+1]
	switch c {
	case 'u':
		if i+2 < len(src) && src[i+2] == '{' {
			for k := i + 3; k < len(src) && k < i+11; k++ {
				if src[k] == '}' {
					if r, ok := hexAt(src, i+3, k-i-3); ok && k > i+3 {
						return utf8.AppendRune(nil, r), k + 1 - i
					}
					break
				}
			}
			return nil, 0
		}
		r, ok := hexAt(src, i+2, 4)
		if !ok {
			return nil, 0
		}
		if utf16.IsSurrogate(r) && i+11 < len(src) && src[i+6] == '\\' && src[i+7] == 'u' {
			if r2, ok := hexAt(src, i+8, 4); ok {
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					return utf8.AppendRune(nil, p), 12
				}
			}
		}
		return utf8.AppendRune(nil, r), 6
	case 'x':
		if r, ok := hexAt(src, i+2, 2); ok {
			return utf8.AppendRune(nil, r), 4
		}
		return nil, 0
	}
	if b, ok := jsSimple[c]; ok {
		return []byte{b}, 2
	}
	return []byte{c}, 2
}
