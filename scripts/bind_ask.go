package scripts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dop251/goja"

	"billhound/redact"
)

// Waiting for a person (ask) or for a message (mail.code, sms.code). These waits pause the
// run's time limit (clock.go) and end at their own timeout.

// Default timeouts of the waits.
const (
	DefaultAskTimeout  = 10 * time.Minute
	DefaultCodeTimeout = 2 * time.Minute
)

// ErrWaitOver is returned by WaitPaused when the wait's own timeout ended it.
var ErrWaitOver = errors.New("the wait is over")

// DefaultCodePattern finds a code of 4 to 8 digits standing alone.
var DefaultCodePattern = regexp.MustCompile(`\b(\d{4,8})\b`)

// WaitPaused runs fn, a wait for a person or a message, with the run's time limit paused. fn's
// context ends after timeout (never later than the run may wait, see MaxWait) or when the run
// ends; WaitPaused then returns ErrWaitOver or the run's error.
func WaitPaused[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	resume := PauseRunLimit(ctx)
	defer resume()
	if left := WaitLeft(ctx); left < timeout {
		timeout = max(left, time.Millisecond)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// A timer, not WithTimeout: the run's deadline moves while paused, and a derived deadline
	// context would be capped by the deadline it saw when it began.
	t := time.AfterFunc(timeout, func() { cancel(ErrWaitOver) })
	defer t.Stop()
	v, err := fn(wctx)
	if err != nil && ctx.Err() == nil && context.Cause(wctx) == ErrWaitOver {
		return v, ErrWaitOver
	}
	return v, err
}

type askOptions struct {
	Kind    string
	Timeout float64
	Until   string // kind "takeover": a selector that shows the user is done
}

// Ask pauses the script and asks the user; see names.go.
func (g *globalsAPI) Ask(promptV, optsV goja.Value) (any, error) {
	s := g.s
	prompt, err := argString(promptV, "the question")
	c := s.begin("ask", prompt)
	c.noURL = true
	defer c.end()
	if err == nil && strings.TrimSpace(prompt) == "" {
		err = errors.New("the question is empty; say what the user should answer")
	}
	var o askOptions
	if err == nil {
		err = s.decodeOptions(optsV, &o, "the options")
	}
	q := Question{Kind: strings.ToLower(strings.TrimSpace(o.Kind)), Prompt: strings.TrimSpace(prompt)}
	if err == nil {
		q.Timeout, err = optTimeout(o.Timeout, DefaultAskTimeout)
	}
	switch q.Kind {
	case "":
		q.Kind = AskCode
	case AskCode, AskText, AskConfirm, AskTakeover:
	default:
		if err == nil {
			err = fmt.Errorf("kind must be \"code\", \"text\", \"confirm\" or \"takeover\", not %q", o.Kind)
		}
	}
	if err != nil {
		return nil, c.failMsg(err, err.Error())
	}
	if q.Kind == AskTakeover {
		return g.takeover(c, q, o.Until)
	}
	asker, ok := s.host.(Asker)
	if !ok {
		return nil, c.failMsg(nil, "this billhound cannot ask anyone here (no user to ask)")
	}
	answer, err := await(s, func() (string, error) {
		return WaitPaused(s.ctx, q.Timeout, func(ctx context.Context) (string, error) { return asker.Ask(ctx, q) })
	})
	if errors.Is(err, ErrWaitOver) {
		return nil, c.failMsg(err, "nobody answered within "+humanDuration(q.Timeout)+"; answer sooner under \"Needs you\", or give ask() a longer timeout")
	}
	if err != nil {
		return nil, c.fail(err)
	}
	if q.Kind == AskConfirm {
		return true, nil
	}
	s.secrets.Add(answer, redact.Text)
	return answer, nil
}

// takeover waits until the user has handled the page in the live view: until the selector
// matches (polled) or the user presses Done.
func (g *globalsAPI) takeover(c *call, q Question, until string) (any, error) {
	s := g.s
	tk, ok := s.host.(TakeoverHost)
	if !ok {
		return nil, c.failMsg(nil, "this billhound has no live view here (a run from the command line); run the portal from the web UI to take over")
	}
	done := func() (bool, error) {
		if until == "" || s.ctx.Err() != nil {
			return false, nil
		}
		n, err := s.page.Locator(until).Count()
		return n > 0, err
	}
	_, err := await(s, func() (struct{}, error) {
		return WaitPaused(s.ctx, q.Timeout, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, tk.Takeover(ctx, q, done)
		})
	})
	if errors.Is(err, ErrWaitOver) {
		return nil, c.failMsg(err, "nobody took over within "+humanDuration(q.Timeout)+"; open the run page and press Take over, or give ask() a longer timeout")
	}
	if err != nil {
		return nil, c.fail(err)
	}
	return true, nil
}

// optTimeout reads a timeout option in milliseconds (0 → def).
func optTimeout(msF float64, def time.Duration) (time.Duration, error) {
	switch {
	case msF < 0:
		return 0, errors.New("timeout must be a number of milliseconds ≥ 0")
	case msF == 0:
		return def, nil
	case msF > float64(MaxWait/time.Millisecond):
		return MaxWait, nil
	}
	return time.Duration(msF * float64(time.Millisecond)), nil
}

// humanDuration writes 10m as "10 minutes", 90s as "90 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d >= time.Second:
		return fmt.Sprintf("%d seconds", (d+time.Second/2)/time.Second)
	}
	return d.String()
}

// mailAPI is the global `mail`: codes from the mailbox configured in billhound's settings.
type mailAPI struct{ s *session }

// smsAPI is the global `sms`: codes from billhound's SMS inbox (a forwarder app on a phone).
type smsAPI struct{ s *session }

type mailCodeOptions struct {
	From    string
	Subject string
	Pattern goja.Value
	Timeout float64
}

type smsCodeOptions struct {
	From    string
	Pattern goja.Value
	Timeout float64
}

func (m *mailAPI) Code(optsV goja.Value) (string, error) {
	var o mailCodeOptions
	err := m.s.decodeOptions(optsV, &o, "the options")
	q := CodeQuery{From: o.From, Subject: o.Subject}
	return m.s.readCode("mail.code", "e-mail", optsV, err, o.Pattern, o.Timeout, q,
		func(r CodeReader) func(context.Context, CodeQuery) (string, error) { return r.MailCode })
}

func (m *smsAPI) Code(optsV goja.Value) (string, error) {
	var o smsCodeOptions
	err := m.s.decodeOptions(optsV, &o, "the options")
	q := CodeQuery{From: o.From}
	return m.s.readCode("sms.code", "SMS", optsV, err, o.Pattern, o.Timeout, q,
		func(r CodeReader) func(context.Context, CodeQuery) (string, error) { return r.SMSCode })
}

// readCode is mail.code and sms.code: check the options, then wait for the code.
func (s *session) readCode(name, what string, optsV goja.Value, err error, pattern goja.Value, timeoutMS float64,
	q CodeQuery, pick func(CodeReader) func(context.Context, CodeQuery) (string, error)) (string, error) {
	c := s.begin(name)
	c.noURL = true
	defer c.end()
	if err == nil {
		q.Pattern, err = s.codePattern(pattern)
	}
	if err == nil {
		q.Timeout, err = optTimeout(timeoutMS, DefaultCodeTimeout)
	}
	if err != nil {
		return "", c.failMsg(err, err.Error())
	}
	reader, ok := s.host.(CodeReader)
	if !ok {
		return "", c.failMsg(nil, "this billhound cannot read codes from "+what+" here")
	}
	read := pick(reader)
	code, err := await(s, func() (string, error) {
		return WaitPaused(s.ctx, q.Timeout, func(ctx context.Context) (string, error) { return read(ctx, q) })
	})
	if errors.Is(err, ErrWaitOver) {
		return "", c.failMsg(err, fmt.Sprintf("no %s with a code%s arrived within %s", what, q.describe(), humanDuration(q.Timeout)))
	}
	if err != nil {
		return "", c.failMsg(err, err.Error())
	}
	s.secrets.Add(code, redact.Text)
	return code, nil
}

// describe says which messages were looked for: ` from "Bank" with "code" in the subject`.
func (q CodeQuery) describe() string {
	var b strings.Builder
	if q.From != "" {
		fmt.Fprintf(&b, " from %q", q.From)
	}
	if q.Subject != "" {
		fmt.Fprintf(&b, " with %q in the subject", q.Subject)
	}
	return b.String()
}

// codePattern turns the pattern option (a RegExp or a string) into a Go regexp.
func (s *session) codePattern(v goja.Value) (*regexp.Regexp, error) {
	if missing(v) {
		return DefaultCodePattern, nil
	}
	src, flags := "", ""
	if obj, ok := v.(*goja.Object); ok && s.rt.InstanceOf(obj, s.regexpCtor) {
		src, flags = obj.Get("source").String(), obj.Get("flags").String()
	} else if str, err := argString(v, "pattern"); err == nil {
		src = str
	} else {
		return nil, errors.New("pattern must be a RegExp or a string")
	}
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			prefix += string(f)
		}
	}
	if prefix != "" {
		src = "(?" + prefix + ")" + src
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("pattern %s cannot be used: %v (lookahead and backreferences are not supported)", v.String(), err)
	}
	return re, nil
}
