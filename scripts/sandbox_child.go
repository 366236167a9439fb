package scripts

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"

	"billhound/sandbox"
)

// The sandbox child: a process of the same binary that holds only the script's runtime. Every
// global and method a script calls is a stub that sends the call to the server over the
// sandbox socket and returns (or throws) the answer. It starts from init, before main, in any
// binary that links this package (billhound itself and the test binaries alike).
func init() {
	if sandbox.IsChild() && len(os.Args) > 1 && os.Args[1] == "sandbox-child" {
		os.Exit(childMain())
	}
}

// childSession is the child's side of a run.
type childSession struct {
	*builtins
	rt      *goja.Runtime
	conn    *sandbox.Conn
	codec   *valueCodec
	file    string
	proxies map[*goja.Object]int    // API stubs → server handle
	byID    map[int]*goja.Object    // server handle → stub
	labels  map[*goja.Object]string // Element stubs → their label
	errIDs  map[*goja.Object]int    // errors thrown for failed host calls → the server's record
	limit   *childLimit
}

func childMain() int {
	conn, err := sandbox.ChildConn()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var in wireInit
	if err := conn.Recv(&in); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox: no run:", err)
		return 2
	}
	done := runChild(conn, in)
	if err := conn.Send(wireMsg{Done: done}); err != nil {
		return 2
	}
	return 0
}

func runChild(conn *sandbox.Conn, in wireInit) *wireDone {
	if in.RegexpTimeout > 0 { // before compiling: regexp2 reads it when a pattern is compiled
		regexp2.DefaultMatchTimeout = time.Duration(in.RegexpTimeout) * time.Millisecond
	}
	prg, err := compile(in.Filename, in.Source)
	if err != nil { // the server compiled it first; this cannot happen
		return &wireDone{Kind: "internal", Message: err.Error()}
	}
	rt := goja.New()
	rt.SetFieldNameMapper(fieldMapper{})
	rt.SetMaxCallStackSize(maxCallStackSize)
	b, err := captureBuiltins(rt)
	if err != nil {
		return &wireDone{Kind: "internal", Message: err.Error()}
	}
	cs := &childSession{builtins: b, rt: rt, conn: conn, file: in.Filename,
		proxies: map[*goja.Object]int{}, byID: map[int]*goja.Object{},
		labels: map[*goja.Object]string{}, errIDs: map[*goja.Object]int{}}
	cs.codec = &valueCodec{b: b, handle: cs.handleOf, object: cs.stubFor}
	if err := cs.install(in); err != nil {
		return &wireDone{Kind: "internal", Message: err.Error()}
	}
	if err := conn.Send(wireMsg{Ready: true}); err != nil {
		return &wireDone{Kind: "internal", Message: err.Error()}
	}
	var start wireGo
	if err := conn.Recv(&start); err != nil {
		return &wireDone{Kind: "internal", Message: "no start from the server: " + err.Error()}
	}
	cs.limit = newChildLimit(rt, time.UnixMilli(start.Deadline))
	defer cs.limit.stop()
	return cs.done(runProgram(rt, prg, slog.New(slog.NewTextHandler(os.Stderr, nil))))
}

// done describes how the program ended.
func (cs *childSession) done(err error) *wireDone {
	if err == nil {
		return &wireDone{Kind: "ok"}
	}
	d := &wireDone{Where: whereIn(cs.file, err)}
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	var internal internalError
	switch {
	case errors.As(err, &internal):
		d.Kind, d.Message = "internal", fmt.Sprint(internal.v)
	case errors.As(err, &ie):
		d.Kind = "interrupted"
	case errors.As(err, &so):
		d.Kind = "stackoverflow"
		d.Line, d.Column, d.Stack = position(cs.file, so.Stack())
	case errors.As(err, &ex):
		d.Kind = "exception"
		d.Line, d.Column, d.Stack = position(cs.file, ex.Stack())
		d.Name, d.Message = exceptionText(ex)
		if obj, ok := ex.Value().(*goja.Object); ok {
			d.ErrID = cs.errIDs[obj]
		}
	default:
		d.Kind, d.Message = "internal", err.Error()
	}
	return d
}

// install defines the globals: the values the server sent (API objects become stubs), and a
// stub for every global function of the same api table the server's session binds.
func (cs *childSession) install(in wireInit) error {
	rt := cs.rt
	for _, g := range in.Globals {
		v, err := cs.codec.decode(g.V, 0)
		if err != nil {
			return fmt.Errorf("global %s: %w", g.Name, err)
		}
		if obj, ok := v.(*goja.Object); ok && cs.proxies[obj] == 0 && obj.ClassName() == "Object" {
			v = cs.frozen(obj)
		}
		if err := rt.Set(g.Name, v); err != nil {
			return err
		}
	}
	for _, m := range api[0].Members {
		if !m.Value {
			if err := rt.Set(jsName(m.Go), cs.method(handleGlobals, jsName(m.Go))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cs *childSession) frozen(obj *goja.Object) goja.Value {
	v, _ := cs.freeze(goja.Undefined(), obj)
	return v
}

// stub makes the JS object standing for an API object of the server: its methods call across,
// its value fields are copied.
func (cs *childSession) stub(h int, ifaceName string, values map[string]any) *goja.Object {
	obj := cs.rt.NewObject()
	for _, in := range api {
		if in.Name != ifaceName {
			continue
		}
		for _, m := range in.Members {
			name := jsName(m.Go)
			if m.Value {
				if v, err := cs.codec.decode(values[name], 0); err == nil {
					_ = obj.Set(name, v)
				}
				continue
			}
			_ = obj.Set(name, cs.method(h, name))
		}
	}
	cs.proxies[obj] = h
	cs.byID[h] = obj
	return obj
}

// method is a JS function that calls name on the server's object h.
func (cs *childSession) method(h int, name string) goja.Value {
	logLevel := map[string]bool{"log": true, "info": true, "warn": true, "error": true}
	return cs.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		args := call.Arguments
		if (h == handleConsole || (h == handleGlobals && name == "log")) && logLevel[name] {
			args = []goja.Value{cs.rt.ToValue(cs.logText(args))}
		}
		return cs.call(h, name, args)
	})
}

// logText formats console arguments here, where the objects are.
func (cs *childSession) logText(args []goja.Value) string {
	label := func(obj *goja.Object) (string, bool) { l, ok := cs.labels[obj]; return l, ok }
	out := ""
	for i, a := range args {
		if i > 0 {
			out += " "
		}
		out += cs.formatLog(a, label)
	}
	return out
}

// call sends one host call and waits for the answer; a failure is thrown as a JS Error.
func (cs *childSession) call(h int, name string, args []goja.Value) goja.Value {
	wa := make([]any, len(args))
	for i, a := range args {
		w, err := cs.codec.encode(a, 0)
		if err != nil {
			panic(cs.rt.NewTypeError("argument %d: %v", i+1, err))
		}
		wa[i] = w
	}
	cs.limit.enter()
	if err := cs.conn.Send(wireMsg{Call: &wireCall{H: h, M: name, Args: wa}}); err != nil {
		panic(cs.rt.NewGoError(fmt.Errorf("%s: %v", name, err)))
	}
	var rep wireReply
	err := cs.conn.Recv(&rep)
	cs.limit.leave(rep.Deadline)
	if err != nil {
		panic(cs.rt.NewGoError(errors.New("billhound stopped the script")))
	}
	if rep.Stop {
		cs.rt.Interrupt(errRunLimit) // uncatchable from the next instruction on
	}
	if rep.Err != nil {
		panic(cs.thrown(rep.Err))
	}
	v, err := cs.codec.decode(rep.V, 0)
	if err != nil {
		panic(cs.rt.NewGoError(fmt.Errorf("%s: %v", name, err)))
	}
	return v
}

// thrown builds the JS error for a failed host call, remembering the server's record of it.
func (cs *childSession) thrown(e *wireErr) *goja.Object {
	var obj *goja.Object
	if ctor, ok := cs.rt.Get(e.Name).(*goja.Object); ok && e.Name != "Error" && e.Name != "" {
		if v, err := cs.rt.New(ctor, cs.rt.ToValue(e.Message)); err == nil {
			obj = v
		}
	}
	if obj == nil {
		obj = cs.rt.NewGoError(errors.New(e.Message))
	}
	if e.ID > 0 {
		cs.errIDs[obj] = e.ID
	}
	return obj
}

func (cs *childSession) handleOf(obj *goja.Object) (map[string]any, bool) {
	h, ok := cs.proxies[obj]
	if !ok {
		return nil, false
	}
	return map[string]any{"$h": h}, true
}

// stubFor returns the stub for a handle the server sent, making it the first time.
func (cs *childSession) stubFor(x map[string]any) (goja.Value, error) {
	hf, _ := x["$h"].(float64)
	h := int(hf)
	if obj, ok := cs.byID[h]; ok {
		return obj, nil
	}
	name, _ := x["$t"].(string)
	values, _ := x["$v"].(map[string]any)
	obj := cs.stub(h, name, values)
	if l, ok := x["$l"].(string); ok {
		cs.labels[obj] = l
	}
	return obj, nil
}

// exceptionText is the name and message of a thrown value.
func exceptionText(ex *goja.Exception) (name, msg string) {
	switch v := ex.Value().(type) {
	case *goja.Object:
		if n := v.Get("name"); n != nil && !goja.IsUndefined(n) {
			name = n.String()
		}
		if m := v.Get("message"); m != nil && !goja.IsUndefined(m) {
			msg = m.String()
		} else {
			msg = v.String()
		}
	case nil:
		msg = "unknown error"
	default:
		msg = v.String() // throw "text"
	}
	return name, msg
}

// childLimit interrupts the script at the run's deadline. While a host call is in flight the
// server decides (it answers Stop when the run is over, or a moved deadline after a wait for a
// person), so a deadline that passes during a call only takes effect if the answer does not
// move it.
type childLimit struct {
	mu      sync.Mutex
	rt      *goja.Runtime
	timer   *time.Timer
	inCall  bool
	expired bool
}

func newChildLimit(rt *goja.Runtime, deadline time.Time) *childLimit {
	l := &childLimit{rt: rt}
	l.timer = time.AfterFunc(time.Until(deadline), l.fire)
	return l
}

func (l *childLimit) fire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inCall {
		l.expired = true
		return
	}
	l.rt.Interrupt(errRunLimit)
}

func (l *childLimit) enter() {
	l.mu.Lock()
	l.inCall = true
	l.mu.Unlock()
}

// leave ends a host call; deadline is the moved deadline the server sent, or 0.
func (l *childLimit) leave(deadline int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inCall = false
	if deadline > 0 {
		l.expired = false
		l.timer.Reset(time.Until(time.UnixMilli(deadline)))
		return
	}
	if l.expired {
		l.rt.Interrupt(errRunLimit)
	}
}

func (l *childLimit) stop() { l.timer.Stop() }
