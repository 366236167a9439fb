package scripts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/playwright-community/playwright-go"
)

// ErrTimeout is wrapped by the error Run returns when a script hit its time limit and was
// stopped. Use errors.Is(err, scripts.ErrTimeout).
var ErrTimeout = errors.New("script time limit exceeded")

// TimeoutError is the error Run returns when the time limit stopped the script.
type TimeoutError struct {
	Limit time.Duration // the limit that was hit
	Where string        // "demo.js:12", when known
	Call  string        // the host call the script was waiting in, e.g. `page.waitFor("#x")`, when known
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the script ran longer than its %s limit and was stopped", e.Limit)
	if e.Where != "" {
		b.WriteString(" at " + e.Where)
	}
	if e.Call != "" {
		b.WriteString(" while in " + e.Call)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// ScriptError is returned by Run when the script threw (or a host call failed and the script did
// not catch it), and when the script does not compile.
type ScriptError struct {
	File    string // the script's file name, e.g. "demo.js"
	Line    int    // 1-based line of the throw (or syntax error); 0 if unknown
	Column  int
	Name    string // the JS error's name: "Error", "TypeError", "SyntaxError", ...
	Message string // the JS error's message
	Stack   string // the JS stack, one "at ..." line per frame
	cause   error  // the Go error behind a failed host call, if any
}

// Error reads like `demo.js:12: login failed: Invalid username or password`. The error name is
// shown when it says something (TypeError, SyntaxError), not for plain Errors.
func (e *ScriptError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Name != "" && e.Name != "Error" {
		b.WriteString(e.Name + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the Go error behind a failed host call (for errors.Is), or nil.
func (e *ScriptError) Unwrap() error { return e.cause }

// callError is what a failed host call throws into the script. Its message names the call, says
// what went wrong in a sentence and, for page calls, the page URL:
//
//	page.click("#nope"): no element matched within 30s on http://127.0.0.1:9911/login
type callError struct {
	call  string // `page.click("#nope")`
	msg   string
	url   string // page URL, or ""
	note  string // added at the end, e.g. "screenshot 01-auto-login.png"
	cause error
}

func (e *callError) Error() string {
	s := e.call + ": " + e.msg
	if e.url != "" {
		s += " on " + e.url
	}
	if e.note != "" {
		s += "; " + e.note
	}
	return s
}

func (e *callError) Unwrap() error { return e.cause }

// describe turns an error from Playwright (or from waiting) into a short sentence, without the
// call logs and Node stacks Playwright attaches. timeout is what the call waited.
func describe(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "stopped: the run is over"
	case errors.Is(err, playwright.ErrTimeout):
		return "timed out after " + fmtDuration(timeout)
	case errors.Is(err, playwright.ErrTargetClosed):
		return "the page or browser was closed"
	}
	return cleanMessage(err.Error())
}

// cleanMessage keeps the first line of a Playwright message and drops the prefixes playwright-go
// and Playwright put before it.
func cleanMessage(s string) string {
	if i := strings.Index(s, "\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	for {
		before := s
		for _, p := range []string{"playwright: ", "timeout: ", "Error: ", "error: "} {
			s = strings.TrimPrefix(s, p)
		}
		// "Frame.Goto http://x: playwright: net::ERR..." → "net::ERR..."
		if i := strings.Index(s, ": playwright: "); i >= 0 {
			s = s[i+len(": playwright: "):]
		}
		if s == before {
			break
		}
	}
	return s
}

// fmtDuration prints 30s, 1.5s, 250ms, 5m0s.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

// internalError is returned when the engine itself failed (a Go panic in a binding).
type internalError struct{ v any }

func (e internalError) Error() string {
	return fmt.Sprintf("internal error in billhound's script engine (please report it): %v", e.v)
}
