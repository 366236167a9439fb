package scripts

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
	"billhound/redact"
)

// session is the state of one run: the runtime, the page, the host and the run's context. The
// bindings (globalsAPI, pageAPI, ...) are small types pointing at it. Everything here is used on
// the runtime's goroutine only, except where a comment says otherwise.
type session struct {
	ctx    context.Context // the run's context: ends at the time limit
	clock  *runClock       // the same context: its deadline moves while the run waits for a person
	rt     *goja.Runtime
	page   playwright.Page
	host   Host
	file   string
	portal PortalInfo
	action time.Duration     // EngineOptions.ActionTimeout
	log    *slog.Logger      // EngineOptions.Logger
	policy *netpolicy.Policy // RunOptions.Policy
	files  *runFiles         // downloads and fetch bodies on disk

	secrets *redact.Redactor // every secret of the run → [redacted]
	current string           // the host call in progress, for timeout messages
	shots   int              // artifacts saved so far (for their names)
	lines   int              // log lines written so far
	dl      *downloadWatch

	*builtins // captured before the script runs: a script may overwrite the globals
}

func newSession(ctx context.Context, rt *goja.Runtime, opt RunOptions, eo EngineOptions) *session {
	return &session{
		ctx:    ctx,
		rt:     rt,
		page:   opt.Page,
		host:   opt.Host,
		file:   opt.Filename,
		portal: opt.Portal,
		action: eo.ActionTimeout,
		log:    eo.Logger,
		policy: opt.Policy,
		files:  newRunFiles(eo),
	}
}

// install defines the script's globals, walking the global members of the api table.
func (s *session) install() error {
	rt := s.rt
	b, err := captureBuiltins(rt)
	if err != nil {
		return err
	}
	s.builtins = b

	s.secrets = redactor(s.host)
	s.dl = s.watchDownloads()

	values := map[string]goja.Value{
		"Page":        rt.ToValue(&pageAPI{s: s, frame: s.page.MainFrame(), name: "page"}),
		"Credentials": s.credentials(),
		"Since":       s.since(),
		"Portal":      s.plain(s.portal, true),
		"Console":     rt.ToValue(&consoleAPI{s: s}),
		"Auto":        rt.ToValue(&autoAPI{s: s}),
		"Session":     rt.ToValue(newSessionAPI(s)),
		"Fail":        rt.ToValue(&failAPI{s: s}),
		"Mail":        rt.ToValue(&mailAPI{s: s}),
		"SMS":         rt.ToValue(&smsAPI{s: s}),
	}
	g := reflect.ValueOf(&globalsAPI{s: s})
	for _, m := range api[0].Members {
		if m.Value {
			v, ok := values[m.Go]
			if !ok {
				return fmt.Errorf("global %s is declared in names.go but has no value", jsName(m.Go))
			}
			if err := rt.Set(jsName(m.Go), v); err != nil {
				return err
			}
			continue
		}
		fn := g.MethodByName(m.Go)
		if !fn.IsValid() {
			return fmt.Errorf("global %s is declared in names.go but globalsAPI has no method %s", jsName(m.Go), m.Go)
		}
		if err := rt.Set(jsName(m.Go), fn.Interface()); err != nil {
			return err
		}
	}
	return nil
}

// close detaches what the session hooked into the browser.
func (s *session) close() {
	if s.dl != nil {
		s.dl.detach()
	}
	s.files.removeAll()
}

// credentials is the frozen `credentials` object. Values are never logged.
func (s *session) credentials() goja.Value {
	obj := s.rt.NewObject()
	creds := s.host.Credentials()
	keys := make([]string, 0, len(creds))
	for k := range creds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = obj.Set(k, creds[k])
	}
	v, _ := s.freeze(goja.Undefined(), obj)
	return v
}

func (s *session) since() goja.Value {
	t := s.host.Since()
	if t == nil {
		return goja.Null()
	}
	return s.date(*t)
}

func (s *session) date(t time.Time) goja.Value {
	d, err := s.rt.New(s.dateCtor, s.rt.ToValue(t.UnixMilli()))
	if err != nil {
		return goja.Null()
	}
	return d
}

// plain converts a Go struct to a plain JS object, naming fields with the one mapper.
func (s *session) plain(v any, frozen bool) goja.Value {
	rv := reflect.ValueOf(v)
	obj := s.rt.NewObject()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if name := (fieldMapper{}).FieldName(rv.Type(), f); name != "" {
			_ = obj.Set(name, rv.Field(i).Interface())
		}
	}
	if frozen {
		fv, _ := s.freeze(goja.Undefined(), obj)
		return fv
	}
	return obj
}

// redactor is the host's redactor when it has one (the runner's knows every secret of the
// portal, one-time codes included), else one made from the credential values. The username is
// not a secret: the UI shows it.
func redactor(h Host) *redact.Redactor {
	if hr, ok := h.(interface{ Redactor() *redact.Redactor }); ok && hr.Redactor() != nil {
		return hr.Redactor()
	}
	r := redact.New()
	for k, v := range h.Credentials() {
		if k != "username" {
			r.Add(v, redact.Text)
		}
	}
	return r
}

func (s *session) redact(text string) string {
	return s.secrets.Apply(text) // a nil Redactor hides nothing
}

// --- host calls ---

// call is one host call in progress: its label for messages, and how long it may wait.
type call struct {
	s       *session
	label   string        // `page.click("#nope")`
	timeout time.Duration // what the Playwright side waits at most
	noURL   bool          // the message does not end with "on <page URL>"
}

// begin starts a host call labelled name(args...). Each arg is quoted and shortened.
func (s *session) begin(name string, args ...string) *call {
	c := &call{s: s, label: label(name, args...), timeout: s.budget(0)}
	s.current = c.label
	return c
}

// relabel changes the call's label (once its arguments are known).
func (c *call) relabel(l string) {
	c.label = l
	c.s.current = l
}

// end clears the current call unless the run is over (then it names where the script stood).
func (c *call) end() {
	if c.s.ctx.Err() == nil {
		c.s.current = ""
	}
}

func label(name string, args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "\x00") { // already a JS expression (an Element's label)
			q[i] = a[1:]
			continue
		}
		if r := []rune(a); len(r) > 60 {
			a = string(r[:57]) + "..."
		}
		q[i] = strconv.Quote(a)
	}
	return name + "(" + strings.Join(q, ", ") + ")"
}

// hideLast adds an elided last argument to a label: page.fill("#pw") → page.fill("#pw", …).
func hideLast(lbl string) string {
	if strings.HasSuffix(lbl, "()") {
		return strings.TrimSuffix(lbl, ")") + "…)"
	}
	return strings.TrimSuffix(lbl, ")") + ", …)"
}

// expr marks a label argument that is a JS expression, not a string to quote.
func expr(s string) string { return "\x00" + s }

// fail wraps err (from Playwright, the host or waiting) into the error the script sees.
func (c *call) fail(err error) error {
	return c.failMsg(err, describe(err, c.timeout))
}

func (c *call) failf(cause error, format string, args ...any) error {
	return c.failMsg(cause, fmt.Sprintf(format, args...))
}

func (c *call) failMsg(cause error, msg string) error {
	e := &callError{call: c.label, msg: c.s.redact(msg), cause: cause}
	if !c.noURL {
		e.url = c.s.page.URL()
	}
	return e
}

// budget is how long a page call may wait: want (or the action timeout when want is 0), never
// past the run's deadline.
func (s *session) budget(want time.Duration) time.Duration {
	if want <= 0 {
		want = s.action
	}
	if dl, ok := s.ctx.Deadline(); ok {
		if left := time.Until(dl); left < want {
			want = left
		}
	}
	if want < time.Millisecond {
		want = time.Millisecond
	}
	return want
}

// ms converts a duration to Playwright's milliseconds option.
func ms(d time.Duration) *float64 {
	return playwright.Float(math.Max(1, float64(d.Milliseconds())))
}

// await runs fn (a blocking Playwright or host call) on its own goroutine and returns when it
// does or when the run's context ends, whichever is first. Every blocking call goes through it,
// so no call outlives the run's limit even if Playwright's own timeout does not apply (evaluate,
// content, downloads). fn must not touch the goja runtime.
func await[T any](s *session, fn func() (T, error)) (T, error) {
	var zero T
	if err := s.ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-s.ctx.Done():
		return zero, s.ctx.Err()
	}
}

// await0 is await for calls that return only an error.
func await0(s *session, fn func() error) error {
	_, err := await(s, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// sleep waits d or until the run ends.
func (s *session) sleep(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// resolve makes raw absolute against the page's URL (or the portal URL before any navigation).
func (s *session) resolve(raw string) (string, error) {
	ref, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL: %v", err)
	}
	if ref.IsAbs() {
		return ref.String(), nil
	}
	base, err := url.Parse(s.page.URL())
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		base, err = url.Parse(s.portal.URL)
		if err != nil || !base.IsAbs() {
			return "", fmt.Errorf("%q is relative and the page has no http(s) URL to resolve it against yet", raw)
		}
	}
	return base.ResolveReference(ref).String(), nil
}

// artifact saves data with the run under a numbered, readable name such as "03-login-page.png"
// and returns that name.
func (s *session) artifact(label, ext string, data []byte) (string, error) {
	s.shots++
	name := fmt.Sprintf("%02d-%s.%s", s.shots, slug(label, "screenshot"), ext)
	return name, s.host.Artifact(name, data)
}

// slug keeps letters, digits and single dashes, at most 40 characters.
func slug(text, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(text) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return fallback
	}
	return out
}
