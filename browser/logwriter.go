package browser

import (
	"bytes"
	"log/slog"
	"strings"
)

// logWriter turns the driver's stderr into log lines, so its complaints land in billhound's log
// instead of on the terminal.
type logWriter struct {
	log    *slog.Logger
	source string
}

func (w logWriter) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
		if s := strings.TrimSpace(string(line)); s != "" {
			w.log.Warn(s, "source", w.source)
		}
	}
	return len(p), nil
}

// firstLine keeps the first line of a Playwright error: the rest is a call log or a Node stack
// that helps nobody reading billhound's log.
func firstLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
