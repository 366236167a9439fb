package scripts

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// consoleAPI is the JS `console`: log/info/warn/error write lines to the run log, like log().
type consoleAPI struct {
	s *session
}

func (c *consoleAPI) Log(args ...goja.Value)   { c.s.logLine("info", args) }
func (c *consoleAPI) Info(args ...goja.Value)  { c.s.logLine("info", args) }
func (c *consoleAPI) Warn(args ...goja.Value)  { c.s.logLine("warn", args) }
func (c *consoleAPI) Error(args ...goja.Value) { c.s.logLine("error", args) }

// Limits on what one run may write to its log, so a script logging in a loop cannot fill the
// database.
const (
	maxLogLines    = 2000
	maxLogLineSize = 8 << 10
)

// logLine joins args like a browser console (strings as they are, objects as JSON, Errors as
// "Error: message"), removes credential values and hands the line to the host.
func (s *session) logLine(level string, args []goja.Value) {
	s.lines++
	switch {
	case s.lines == maxLogLines+1:
		s.host.Log("warn", fmt.Sprintf("the script wrote more than %d log lines; further lines are dropped", maxLogLines))
		return
	case s.lines > maxLogLines:
		return
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = s.format(a)
	}
	line := s.redact(strings.Join(parts, " "))
	if len(line) > maxLogLineSize {
		line = strings.ToValidUTF8(line[:maxLogLineSize], "") + "… (truncated)"
	}
	s.host.Log(level, line)
}

// format writes one console argument.
func (s *session) format(v goja.Value) string {
	return s.formatLog(v, func(obj *goja.Object) (string, bool) {
		if el, ok := obj.Export().(*elementAPI); ok {
			return el.label, true
		}
		return "", false
	})
}
