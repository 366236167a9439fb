package scripts

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"

	"billhound/sandbox"
)

// ErrScriptCrashed is wrapped by the error of a run whose script process ended abnormally: it
// used too much memory, overflowed its stack, or was killed.
var ErrScriptCrashed = errors.New("the script's process ended abnormally")

// remote serves the host calls of one sandboxed run. The session's bindings run here, in the
// server, on a runtime that never runs script code: it only carries the values the bindings take
// and return.
type remote struct {
	s       *session
	codec   *valueCodec
	handles map[int]*goja.Object
	types   map[int]*iface
	ids     map[*goja.Object]int
	next    int
	errs    map[int]error
}

func newRemote(s *session) *remote {
	r := &remote{s: s, handles: map[int]*goja.Object{}, types: map[int]*iface{},
		ids: map[*goja.Object]int{}, next: firstDynamic, errs: map[int]error{}}
	r.codec = &valueCodec{b: s.builtins, handle: r.handleOf, object: r.objectFor}
	g := s.rt.GlobalObject()
	for h, global := range map[int]string{handlePage: "page", handleAuto: "auto", handleConsole: "console"} {
		obj := g.Get(global).ToObject(s.rt)
		r.handles[h], r.ids[obj] = obj, h
		in, _ := lookup(typeOf(obj))
		r.types[h] = in
	}
	r.handles[handleGlobals], r.types[handleGlobals] = g, &api[0]
	return r
}

// runSandboxed runs the script in a child process and serves its host calls until it ends.
func (e *Engine) runSandboxed(parent context.Context, s *session, opt RunOptions, limit time.Duration) error {
	// Starting the child is billhound's time, not the script's: the limit starts when it is ready.
	resume := PauseRunLimit(s.ctx)
	resumed := false
	defer func() {
		if !resumed {
			resume()
		}
	}()
	child, err := sandbox.Start(s.ctx, sandbox.Options{MemoryLimit: e.opt.MemoryLimit, Executable: e.opt.Executable})
	if err != nil {
		return err
	}
	defer child.Conn.Close()
	defer child.Kill("run over")
	child.Conn.RecvLimit = maxCallFrame
	r := newRemote(s)
	deadline, _ := s.ctx.Deadline()
	in := wireInit{Source: opt.Source, Filename: s.file,
		RegexpTimeout: regexp2.DefaultMatchTimeout.Milliseconds()}
	for _, m := range api[0].Members {
		if !m.Value {
			continue
		}
		w, err := r.codec.encode(s.rt.Get(jsName(m.Go)), 0)
		if err != nil {
			return fmt.Errorf("scripts: pass the global %s to the script: %w", jsName(m.Go), err)
		}
		in.Globals = append(in.Globals, wireGlobal{Name: jsName(m.Go), V: w})
	}
	if err := child.Conn.Send(in); err != nil {
		return r.died(child, parent, limit, err)
	}
	var ready wireMsg
	if err := child.Conn.Recv(&ready); err != nil {
		return r.died(child, parent, limit, err)
	}
	if !ready.Ready {
		if ready.Done != nil { // it could not even start
			return r.outcome(ready.Done, parent, limit)
		}
		return r.died(child, parent, limit, errors.New("no ready message"))
	}
	resume()
	resumed = true
	deadline, _ = s.ctx.Deadline()
	if err := child.Conn.Send(wireGo{Deadline: deadline.UnixMilli()}); err != nil {
		return r.died(child, parent, limit, err)
	}
	for {
		var msg wireMsg
		if err := child.Conn.Recv(&msg); err != nil {
			return r.died(child, parent, limit, err)
		}
		switch {
		case msg.Done != nil:
			select { // it exits on its own; a child that lingers is killed by the deferred Kill
			case <-child.Done():
			case <-time.After(2 * time.Second):
			}
			return r.outcome(msg.Done, parent, limit)
		case msg.Call != nil:
			rep := r.serve(msg.Call)
			rep.Stop = s.ctx.Err() != nil
			if dl, _ := s.ctx.Deadline(); dl.UnixMilli() != deadline.UnixMilli() {
				deadline, rep.Deadline = dl, dl.UnixMilli()
			}
			if err := child.Conn.Send(rep); err != nil {
				return r.died(child, parent, limit, err)
			}
		default:
			return r.died(child, parent, limit, errors.New("an empty message"))
		}
	}
}

// serve carries out one host call on the server's runtime.
func (r *remote) serve(c *wireCall) (rep wireReply) {
	s := r.s
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic in a script binding", "panic", v, "stack", string(debug.Stack()))
			rep = wireReply{Err: &wireErr{Name: "Error", Message: internalError{v}.Error()}}
		}
	}()
	if err := s.ctx.Err(); err != nil {
		return errReply("Error", "stopped: the run is over")
	}
	obj, in := r.handles[c.H], r.types[c.H]
	if obj == nil || in == nil {
		return errReply("TypeError", "the object is no longer available")
	}
	if !in.hasMethod(c.M) {
		return errReply("TypeError", fmt.Sprintf("%s is not a function", c.M))
	}
	fn, ok := goja.AssertFunction(obj.Get(c.M))
	if !ok {
		return errReply("TypeError", fmt.Sprintf("%s is not a function", c.M))
	}
	args := make([]goja.Value, len(c.Args))
	for i, a := range c.Args {
		v, err := r.codec.decode(a, 0)
		if err != nil {
			return errReply("TypeError", fmt.Sprintf("argument %d: %v", i+1, err))
		}
		args[i] = v
	}
	var this goja.Value = obj
	if c.H == handleGlobals {
		this = goja.Undefined()
	}
	v, err := fn(this, args...)
	if err != nil {
		return r.failure(err)
	}
	w, err := r.codec.encode(v, 0)
	if err != nil {
		return errReply("TypeError", err.Error())
	}
	return wireReply{V: w}
}

func errReply(name, msg string) wireReply {
	return wireReply{Err: &wireErr{Name: name, Message: msg}}
}

// failure turns what a binding threw into the reply, keeping the Go error for the run's outcome.
func (r *remote) failure(err error) wireReply {
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return errReply("Error", r.s.redact(err.Error()))
	}
	name, msg := exceptionText(ex)
	e := &wireErr{Name: name, Message: r.s.redact(msg)}
	if cause := ex.Unwrap(); cause != nil {
		r.next++
		e.ID = r.next
		r.errs[e.ID] = cause
	}
	return wireReply{Err: e}
}

// handleOf gives an API object a handle the child can call it by.
func (r *remote) handleOf(obj *goja.Object) (map[string]any, bool) {
	in, ok := lookup(typeOf(obj))
	if !ok {
		return nil, false
	}
	h, known := r.ids[obj]
	if !known {
		r.next++
		h = r.next
		r.ids[obj], r.handles[h], r.types[h] = h, obj, in
	}
	out := map[string]any{"$h": h, "$t": in.Name}
	if el, ok := obj.Export().(*elementAPI); ok {
		out["$l"] = el.label
	}
	values := map[string]any{}
	for _, m := range in.Members {
		if m.Value {
			if w, err := r.codec.encode(obj.Get(jsName(m.Go)), 1); err == nil {
				values[jsName(m.Go)] = w
			}
		}
	}
	if len(values) > 0 {
		out["$v"] = values
	}
	return out, true
}

func (r *remote) objectFor(x map[string]any) (goja.Value, error) {
	hf, _ := x["$h"].(float64)
	if obj, ok := r.handles[int(hf)]; ok && int(hf) != handleGlobals {
		return obj, nil
	}
	return nil, errors.New("an unknown billhound object")
}

// typeOf is the Go type behind a JS object (for the api table), or nil.
func typeOf(obj *goja.Object) reflect.Type {
	return reflect.TypeOf(obj.Export())
}

// outcome maps how the child said the script ended to Run's documented errors. As in process,
// the run's context is checked first.
func (r *remote) outcome(d *wireDone, parent context.Context, limit time.Duration) error {
	s := r.s
	if d.Kind == "ok" && s.ctx.Err() == nil {
		return nil
	}
	if s.ctx.Err() != nil || d.Kind == "interrupted" {
		if s.ctx.Err() != nil && context.Cause(s.ctx) != errRunLimit && parent.Err() != nil {
			return fmt.Errorf("the script was stopped at %s: %w", d.Where, context.Cause(parent))
		}
		if d.Kind != "ok" {
			return &TimeoutError{Limit: limit, Where: d.Where, Call: s.redact(s.current)}
		}
		return nil
	}
	switch d.Kind {
	case "stackoverflow":
		return &ScriptError{File: s.file, Name: "RangeError", Message: "maximum call stack size exceeded (endless recursion?)",
			Line: d.Line, Column: d.Column, Stack: d.Stack}
	case "exception":
		return &ScriptError{File: s.file, Name: d.Name, Message: s.redact(d.Message), Line: d.Line, Column: d.Column,
			Stack: s.redact(d.Stack), cause: r.errs[d.ErrID]}
	}
	return internalError{s.redact(d.Message)}
}

// died explains a child that stopped answering: the time limit, or a crash.
func (r *remote) died(child *sandbox.Child, parent context.Context, limit time.Duration, ioErr error) error {
	s := r.s
	select { // a child that crashed is gone already; one that is alive broke the protocol
	case <-child.Done():
	case <-time.After(2 * time.Second):
		child.Kill("protocol")
	}
	exit := child.Wait()
	reason := exit.Reason()
	if exit.Killed == "protocol" { // it was alive: the socket broke or it sent something bad
		reason = "the script's process broke the protocol (" + ioErr.Error() + ")"
	}
	s.log.Debug("script process ended", "file", s.file, "exit", exit.Code, "signal", exit.Signal,
		"killed", exit.Killed, "stderr", exit.Stderr)
	if s.ctx.Err() != nil && exit.Killed != "memory" {
		if context.Cause(s.ctx) != errRunLimit && parent.Err() != nil {
			return fmt.Errorf("the script was stopped: %w", context.Cause(parent))
		}
		return &TimeoutError{Limit: limit, Call: s.redact(s.current)}
	}
	if reason == "" {
		reason = "the script's process ended without an answer"
	}
	return &ScriptError{File: s.file, Message: reason, cause: ErrScriptCrashed}
}
