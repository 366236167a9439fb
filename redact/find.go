package redact

import "sort"

// matcher finds the forms of the secrets in a text. Reading a long text (a saved page) through
// every decoded view costs, so there it first looks for anchors: the longest run of ASCII
// letters and digits of each form, which HTML, URL, JSON and JavaScript escaping leave as they
// are. Only the text around an anchor is decoded. Short texts (log lines, errors) are read
// whole, which also finds forms whose very letters were escaped.
type matcher struct {
	forms   *automaton
	anchors *automaton // nil when a form has no anchor: long texts are then read whole too
}

// minAnchor is the shortest run of letters and digits that serves as an anchor.
const minAnchor = 3

// wholeText is the size up to which a text is read whole, without looking for anchors first.
const wholeText = 16 << 10

func newMatcher(patterns []string) *matcher {
	m := &matcher{forms: newAutomaton(patterns)}
	anchors := make([]string, 0, len(patterns))
	for _, p := range patterns {
		a := longestAlnum(p)
		if len(a) < minAnchor {
			return m
		}
		anchors = append(anchors, a)
	}
	m.anchors = newAutomaton(anchors)
	return m
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func longestAlnum(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isAlnum(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return best
}

// span is a source range to mask.
type span struct{ start, end int }

// find returns the merged, sorted source spans of every secret in b, in every view of b.
func (m *matcher) find(b []byte) []span {
	if m.anchors == nil || len(b) <= wholeText {
		return merge(m.findIn(b, 0, nil))
	}
	reach := m.forms.maxLen * maxEscape // how far a form's source reaches from its anchor
	var windows []span
	m.anchors.scan(b, func(end, length int) {
		windows = append(windows, span{max(0, end-length-reach), min(len(b), end+reach)})
	})
	var spans []span
	for _, w := range merge(windows) {
		spans = m.findIn(b[w.start:w.end], w.start, spans)
	}
	return merge(spans)
}

// findIn appends the spans of the secrets in every view of b, shifted by off.
func (m *matcher) findIn(b []byte, off int, spans []span) []span {
	views(b, func(v *view) {
		m.forms.scan(v.b, func(end, length int) {
			s, e := v.span(end-length, end)
			spans = append(spans, span{s + off, e + off})
		})
	})
	return spans
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

func replace(b []byte, spans []span) []byte {
	out := make([]byte, 0, len(b))
	last := 0
	for _, s := range spans {
		out = append(out, b[last:s.start]...)
		out = append(out, Mask...)
		last = s.end
	}
	return append(out, b[last:]...)
}
