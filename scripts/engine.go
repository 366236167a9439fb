package scripts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
	"billhound/sandbox"
)

// Defaults for EngineOptions.
const (
	DefaultTimeout       = 5 * time.Minute  // a whole run
	DefaultActionTimeout = 30 * time.Second // one page call
	maxCallStackSize     = 5000
)

// EngineOptions configure an Engine. The zero value uses the defaults.
type EngineOptions struct {
	DefaultTimeout time.Duration // run limit when RunOptions.Timeout is 0; default 5 min
	ActionTimeout  time.Duration // how long one page call waits (for an element, a load); default 30 s
	Logger         *slog.Logger  // engine diagnostics (never script output, never secrets); default slog.Default()
	// MemoryLimit is how much memory a script's process may use; default 512 MB.
	MemoryLimit int64
	// InProcess runs scripts on a runtime inside this process instead of a sandbox child. Only
	// for measuring the sandbox's cost: an in-process script can crash the whole server.
	InProcess bool
	// Executable is the binary started as the sandbox child; default this process's own.
	Executable  string
	MaxDownload int64  // largest download or page.fetch body in bytes; default DefaultMaxDownload
	TempDir     string // where downloads and fetch bodies are spooled (a folder per run); default os.TempDir()
}

// Engine runs portal scripts. It holds no per-run state and is safe for concurrent use: every
// Run gets a fresh goja runtime.
type Engine struct {
	opt EngineOptions
}

// NewEngine returns an Engine.
func NewEngine(opt EngineOptions) *Engine {
	if opt.DefaultTimeout <= 0 {
		opt.DefaultTimeout = DefaultTimeout
	}
	if opt.ActionTimeout <= 0 {
		opt.ActionTimeout = DefaultActionTimeout
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.MemoryLimit <= 0 {
		opt.MemoryLimit = sandbox.DefaultMemoryLimit
	}
	return &Engine{opt: opt}
}

// PortalInfo is exposed to scripts as the global `portal` (an addition to the contract).
type PortalInfo struct {
	Name string
	URL  string
}

// RunOptions describe one run of one script.
type RunOptions struct {
	Source   string          // the script, header included (line numbers match the file)
	Filename string          // used in errors and stacks, e.g. "demo.js"; default: the portal's name as a slug + ".js"
	Page     playwright.Page // a page of a fresh context whose BaseURL is the portal's URL
	Host     Host            // the runner's side of this run
	Portal   PortalInfo      // the global `portal`
	Timeout  time.Duration   // the run's limit; 0 → EngineOptions.DefaultTimeout

	Policy *netpolicy.Policy // what the script may reach: the run's policy (its browser context's too); nil = http(s) only
}

// regexpMatchTimeout bounds one match of a JS RegExp that goja runs with regexp2 (patterns with
// backreferences or lookaround). goja.Interrupt cannot stop a match in progress, so without a bound a
// catastrophic pattern would outlive the run's limit and burn a core. A match that takes longer
// is treated as no match (goja's behaviour on regexp2 errors). regexp2 reads the default when a
// pattern is compiled; nothing else in billhound uses regexp2.
const regexpMatchTimeout = 5 * time.Second

func init() {
	regexp2.DefaultMatchTimeout = regexpMatchTimeout
}

// errRunLimit is the cancel cause of a run's context when its time limit passed.
var errRunLimit = errors.New("run time limit")

// Run executes the script until it ends, throws, or hits its time limit. It returns nil on
// success, a *ScriptError when the script threw or does not compile, an error wrapping
// ErrTimeout (a *TimeoutError) when the limit stopped it, and an error wrapping ctx's cause when
// ctx ended first. Run leaves the page open: the runner owns it (and keeps its screenshot and HTML
// on failure).
func (e *Engine) Run(ctx context.Context, opt RunOptions) (err error) {
	if opt.Page == nil || opt.Host == nil {
		return errors.New("scripts: RunOptions.Page and RunOptions.Host are required")
	}
	if opt.Filename == "" {
		opt.Filename = slug(opt.Portal.Name, "script") + ".js"
	}
	limit := opt.Timeout
	if limit <= 0 {
		limit = e.opt.DefaultTimeout
	}
	prg, err := compile(opt.Filename, opt.Source)
	if err != nil {
		return err
	}

	// The run's context ends at its limit, which waiting for a person does not use up (clock.go).
	runCtx, cancel := newRunClock(ctx, limit, MaxWait)
	defer cancel()

	rt := goja.New()
	rt.SetFieldNameMapper(fieldMapper{})
	rt.SetMaxCallStackSize(maxCallStackSize)
	s := newSession(runCtx, rt, opt, e.opt)
	s.clock = runCtx
	if err := s.install(); err != nil {
		return fmt.Errorf("scripts: set up the runtime: %w", err)
	}
	defer s.close()

	start := time.Now()
	if e.opt.InProcess {
		err = e.runInProcess(ctx, s, prg, limit)
	} else {
		err = e.runSandboxed(ctx, s, opt, limit)
	}
	e.opt.Logger.Debug("script finished", "file", opt.Filename, "portal", opt.Portal.Name, "took", time.Since(start).Round(time.Millisecond), "ok", err == nil)
	return err
}

// runInProcess runs the script on this process's runtime (the measurement baseline).
func (e *Engine) runInProcess(ctx context.Context, s *session, prg *goja.Program, limit time.Duration) error {
	// goja stops JS code on Interrupt, but not a Go host call: those watch runCtx themselves.
	stop := context.AfterFunc(s.ctx, func() { s.rt.Interrupt(context.Cause(s.ctx)) })
	defer stop()
	return s.outcome(runProgram(s.rt, prg, e.opt.Logger), ctx, limit)
}

// runProgram runs prg and turns a Go panic inside a binding into an error instead of a crash.
func runProgram(rt *goja.Runtime, prg *goja.Program, log *slog.Logger) (err error) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("panic in script engine", "panic", v, "stack", string(debug.Stack()))
			err = internalError{v}
		}
	}()
	_, err = rt.RunProgram(prg)
	return err
}

// compile parses the script itself (goja.Compile drops the position of parse errors).
func compile(file, src string) (*goja.Program, error) {
	src = strings.TrimPrefix(src, "\uFEFF")
	ast, err := parser.ParseFile(nil, file, src, 0)
	if err != nil {
		se := &ScriptError{File: file, Name: "SyntaxError", Message: err.Error()}
		var list parser.ErrorList
		var one *parser.Error
		if errors.As(err, &list) && len(list) > 0 {
			one = list[0]
		} else {
			errors.As(err, &one)
		}
		if one != nil {
			se.Line, se.Column, se.Message = one.Position.Line, one.Position.Column, one.Message
		}
		return nil, se
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		se := &ScriptError{File: file, Name: "SyntaxError", Message: err.Error()}
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) {
			se.Message = ce.Message
			if ce.File != nil {
				p := ce.File.Position(ce.Offset)
				se.Line, se.Column = p.Line, p.Column
			}
		}
		return nil, se
	}
	return prg, nil
}

// outcome maps what RunProgram returned to Run's documented errors. The run's context is checked
// first: once the limit passed, whatever the script threw on the way out is only a symptom.
func (s *session) outcome(err error, parent context.Context, limit time.Duration) error {
	if err == nil {
		return nil
	}
	var internal internalError
	if errors.As(err, &internal) {
		return err
	}
	where := s.where(err)
	if s.ctx.Err() != nil {
		if context.Cause(s.ctx) == errRunLimit {
			return &TimeoutError{Limit: limit, Where: where, Call: s.redact(s.current)}
		}
		if parent.Err() != nil {
			return fmt.Errorf("the script was stopped at %s: %w", where, context.Cause(parent))
		}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		se := &ScriptError{File: s.file, Name: "RangeError", Message: "maximum call stack size exceeded (endless recursion?)"}
		se.Line, se.Column, se.Stack = s.position(so.Stack())
		return se
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return s.scriptError(ex)
	}
	return err
}

// scriptError builds a ScriptError from a JS exception; secrets are redacted from its text.
func (s *session) scriptError(ex *goja.Exception) *ScriptError {
	se := &ScriptError{File: s.file, cause: ex.Unwrap()}
	se.Line, se.Column, se.Stack = s.position(ex.Stack())
	se.Name, se.Message = exceptionText(ex)
	se.Message, se.Stack = s.redact(se.Message), s.redact(se.Stack)
	return se
}

// position finds the innermost frame in the script's own file: its line, column and the stack.
func (s *session) position(frames []goja.StackFrame) (line, col int, stack string) {
	return position(s.file, frames)
}

// position finds the innermost frame in file: its line, column and the stack.
func position(file string, frames []goja.StackFrame) (line, col int, stack string) {
	var b strings.Builder
	for _, f := range frames {
		p := f.Position()
		if p.Line == 0 {
			continue
		}
		if line == 0 && f.SrcName() == file {
			line, col = p.Line, p.Column
		}
		fn := f.FuncName()
		if fn == "" {
			fn = "<script>"
		}
		fmt.Fprintf(&b, "at %s (%s:%d:%d)\n", fn, f.SrcName(), p.Line, p.Column)
	}
	return line, col, strings.TrimSuffix(b.String(), "\n")
}

// where is "file:line" of the innermost script frame of err, or the file name alone.
func (s *session) where(err error) string { return whereIn(s.file, err) }

func whereIn(file string, err error) string {
	var frames []goja.StackFrame
	var ie *goja.InterruptedError
	var ex *goja.Exception
	switch {
	case errors.As(err, &ie):
		frames = ie.Stack()
	case errors.As(err, &ex):
		frames = ex.Stack()
	}
	if line, _, _ := position(file, frames); line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}
