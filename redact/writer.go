package redact

import "io"

// Writer redacts a stream: a secret split across two Writes is still found. It holds back the
// tail that could be the start of a secret until more arrives or Close is called.
type Writer struct {
	r    *Redactor
	w    io.Writer
	held []byte
	err  error
}

// NewWriter returns a Writer that writes the redacted stream to w. Close flushes it.
func (r *Redactor) NewWriter(w io.Writer) *Writer { return &Writer{r: r, w: w} }

// maxEscape bounds how many source bytes one decoded byte can take: an HTML entity (up to 34)
// around a JavaScript escape around a percent-escape.
const maxEscape = 40

func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	m := w.r.compiled()
	if m == nil {
		return w.pass(p)
	}
	buf := append(w.held, p...)
	hold := m.forms.maxLen*maxEscape + 64
	cut := len(buf) - hold
	if cut < hold { // scan only once there is as much new text as old: tiny writes stay cheap
		w.held = buf
		return len(p), nil
	}
	// A secret starting before cut ends inside buf, so every span before cut is complete; one
	// that straddles cut may still grow by an overlapping secret, so it waits.
	spans := m.find(buf)
	var done []span
	for _, s := range spans {
		if s.end <= cut {
			done = append(done, s)
			continue
		}
		if s.start < cut {
			cut = s.start
		}
		break
	}
	out := replace(buf[:cut], done)
	w.held = append([]byte(nil), buf[cut:]...)
	if _, err := w.w.Write(out); err != nil {
		w.err = err
		return 0, err
	}
	return len(p), nil
}

func (w *Writer) pass(p []byte) (int, error) { // no secrets: nothing is ever held back
	n, err := w.w.Write(p)
	w.err = err
	return n, err
}

// Close writes what is held back; it does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if len(w.held) > 0 {
		_, w.err = w.w.Write(w.r.ApplyBytes(w.held))
		w.held = nil
	}
	return w.err
}
