package scripts

import (
	"errors"
	"fmt"
	"math"

	"github.com/dop251/goja"
)

// The messages between the server (which holds the page, the host and the bindings) and the
// sandbox child (which holds the script's runtime). A script's host call crosses as a wireCall
// naming an object handle, a JS method name and the arguments; the answer is a wireReply.
//
// Values cross as JSON with a few tagged objects for what JSON lacks:
//
//	{"$u":1}                 undefined
//	{"$n":"NaN"}             NaN, Infinity, -Infinity
//	{"$d":1700000000000}     a Date (milliseconds)
//	{"$re":"src","$f":"gi"}  a RegExp
//	{"$fn":1}                a function (never called across)
//	{"$o":["k",v,...]}       a plain object: its keys and values in order
//	{"$h":12,"$t":"Element","$l":"page.all(\"tr\")[0]","$v":{...}}
//	                         an API object living in the server: its handle, interface, label
//	                         and value fields
//
// Fixed handles name the global objects; others are numbered by the server.
const (
	handleGlobals = 0
	handlePage    = 1
	handleAuto    = 2
	handleConsole = 3
	firstDynamic  = 10
)

// maxWireDepth bounds nesting of a value crossing the socket (and catches cycles).
const maxWireDepth = 64

// maxCallFrame bounds one host call from the child: selectors, values, options, evaluate args.
const maxCallFrame = 16 << 20

type wireInit struct {
	Source        string `json:"source"`
	Filename      string `json:"filename"`
	RegexpTimeout int64  `json:"regexpTimeout"`
	// Globals are the global values of the api table (page, credentials, since, ...), in
	// order: API objects as handles, plain values as they are. Plain objects are frozen.
	Globals []wireGlobal `json:"globals"`
}

type wireGlobal struct {
	Name string `json:"name"`
	V    any    `json:"v"`
}

type wireMsg struct {
	Ready bool      `json:"ready,omitempty"` // the child compiled the script and waits for wireGo
	Call  *wireCall `json:"call,omitempty"`
	Done  *wireDone `json:"done,omitempty"`
}

// wireGo starts the script once the child is ready, with the run's deadline as it is then: the
// child's start-up does not count against the run's time limit.
type wireGo struct {
	Deadline int64 `json:"deadline"` // Unix milliseconds
}

type wireCall struct {
	H    int    `json:"h"`
	M    string `json:"m"` // JS method name
	Args []any  `json:"a"`
}

type wireReply struct {
	V    any      `json:"v,omitempty"`
	Err  *wireErr `json:"err,omitempty"`
	Stop bool     `json:"stop,omitempty"` // the run is over: the script must stop now
	// Deadline is the run's new deadline (Unix milliseconds) when it moved during the call
	// (the run waited for a person); 0 when it did not.
	Deadline int64 `json:"deadline,omitempty"`
}

type wireErr struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	ID      int    `json:"id"` // the server's record of the Go error behind it
}

// wireDone is how the script ended, with its position already worked out by the child.
type wireDone struct {
	Kind    string `json:"kind"` // ok, exception, interrupted, stackoverflow, internal
	Name    string `json:"name,omitempty"`
	Message string `json:"message,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Stack   string `json:"stack,omitempty"`
	Where   string `json:"where,omitempty"`
	ErrID   int    `json:"errId,omitempty"`
}

var errTooDeep = errors.New("the value is nested too deeply (or refers to itself) to pass to billhound")

// valueCodec converts JS values of one runtime to and from wire values. handle and object
// are the side-specific parts: how an API object is written, and found again.
type valueCodec struct {
	b      *builtins
	handle func(obj *goja.Object) (map[string]any, bool)   // an API object → its tagged form
	object func(tagged map[string]any) (goja.Value, error) // a tagged "$h" form → the object
}

// encode turns a JS value into a JSON-able wire value.
func (c *valueCodec) encode(v goja.Value, depth int) (any, error) {
	if depth > maxWireDepth {
		return nil, errTooDeep
	}
	switch {
	case v == nil || goja.IsUndefined(v):
		return map[string]any{"$u": 1}, nil
	case goja.IsNull(v):
		return nil, nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return map[string]any{"$n": v.String()}, nil
			}
			return x, nil
		case int64, string, bool:
			return x, nil
		default:
			return v.String(), nil // symbols, big ints: as text
		}
	}
	if h, ok := c.handle(obj); ok {
		return h, nil
	}
	switch {
	case c.b.rt.InstanceOf(obj, c.b.dateCtor):
		return map[string]any{"$d": dateMillis(obj)}, nil
	case c.b.rt.InstanceOf(obj, c.b.regexpCtor):
		return map[string]any{"$re": obj.Get("source").String(), "$f": obj.Get("flags").String()}, nil
	case obj.ClassName() == "Function":
		return map[string]any{"$fn": 1}, nil
	case obj.ClassName() == "Array":
		n := int(obj.Get("length").ToInteger())
		out := make([]any, n)
		for i := range n {
			e, err := c.encode(obj.Get(fmt.Sprint(i)), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	keys := obj.Keys()
	pairs := make([]any, 0, 2*len(keys)) // [key, value, key, value, ...]: keeps the key order
	for _, k := range keys {
		e, err := c.encode(obj.Get(k), depth+1)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, k, e)
	}
	return map[string]any{"$o": pairs}, nil
}

// decode turns a wire value into a JS value of this side's runtime.
func (c *valueCodec) decode(w any, depth int) (goja.Value, error) {
	if depth > maxWireDepth {
		return nil, errTooDeep
	}
	rt := c.b.rt
	switch x := w.(type) {
	case nil:
		return goja.Null(), nil
	case bool, string:
		return rt.ToValue(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 && !(x == 0 && math.Signbit(x)) {
			return rt.ToValue(int64(x)), nil
		}
		return rt.ToValue(x), nil
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			v, err := c.decode(e, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return rt.NewArray(items...), nil
	case map[string]any:
		return c.decodeTagged(x, depth)
	}
	return nil, fmt.Errorf("unexpected value of type %T", w)
}

func (c *valueCodec) decodeTagged(x map[string]any, depth int) (goja.Value, error) {
	rt := c.b.rt
	switch {
	case x["$u"] != nil:
		return goja.Undefined(), nil
	case x["$n"] != nil:
		switch x["$n"] {
		case "Infinity":
			return rt.ToValue(math.Inf(1)), nil
		case "-Infinity":
			return rt.ToValue(math.Inf(-1)), nil
		}
		return rt.ToValue(math.NaN()), nil
	case x["$d"] != nil:
		ms, _ := x["$d"].(float64)
		return rt.New(c.b.dateCtor, rt.ToValue(ms))
	case x["$re"] != nil:
		src, _ := x["$re"].(string)
		flags, _ := x["$f"].(string)
		return rt.New(c.b.regexpCtor, rt.ToValue(src), rt.ToValue(flags))
	case x["$fn"] != nil:
		return rt.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() }), nil
	case x["$h"] != nil:
		return c.object(x)
	case x["$o"] != nil:
		pairs, ok := x["$o"].([]any)
		if !ok || len(pairs)%2 != 0 {
			return nil, errors.New("malformed object")
		}
		obj := rt.NewObject()
		for i := 0; i < len(pairs); i += 2 {
			k, ok := pairs[i].(string)
			if !ok {
				return nil, errors.New("malformed object key")
			}
			v, err := c.decode(pairs[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			if err := obj.Set(k, v); err != nil {
				return nil, err
			}
		}
		return obj, nil
	}
	return nil, errors.New("malformed tagged value")
}

func dateMillis(obj *goja.Object) float64 {
	if f, ok := goja.AssertFunction(obj.Get("getTime")); ok {
		if v, err := f(obj); err == nil {
			return v.ToFloat()
		}
	}
	return math.NaN()
}

// builtins are a runtime's built-ins captured before a script runs (it may overwrite the
// globals).
type builtins struct {
	rt                               *goja.Runtime
	jsonParse, jsonStringify, freeze goja.Callable
	errorCtor, dateCtor, regexpCtor  *goja.Object
}

func captureBuiltins(rt *goja.Runtime) (*builtins, error) {
	b := &builtins{rt: rt}
	get := func(path ...string) goja.Value {
		var v goja.Value = rt.GlobalObject()
		for _, p := range path {
			v = v.ToObject(rt).Get(p)
		}
		return v
	}
	var ok bool
	if b.jsonParse, ok = goja.AssertFunction(get("JSON", "parse")); !ok {
		return nil, errors.New("no JSON.parse")
	}
	if b.jsonStringify, ok = goja.AssertFunction(get("JSON", "stringify")); !ok {
		return nil, errors.New("no JSON.stringify")
	}
	if b.freeze, ok = goja.AssertFunction(get("Object", "freeze")); !ok {
		return nil, errors.New("no Object.freeze")
	}
	b.errorCtor, b.dateCtor, b.regexpCtor = get("Error").ToObject(rt), get("Date").ToObject(rt), get("RegExp").ToObject(rt)
	// Host-call failures are goja GoErrors (instances of Error); name them plain "Error", as the
	// contract promises, so String(e) reads "Error: page.click(...)".
	if proto := rt.NewGoError(errors.New("probe")).Prototype(); proto != nil {
		_ = proto.Set("name", "Error")
	}
	return b, nil
}

// formatLog writes one console argument the way a browser console does: strings as they are,
// objects as JSON, Errors as "Error: message". label names API objects (Elements).
func (b *builtins) formatLog(v goja.Value, label func(*goja.Object) (string, bool)) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if l, ok := label(obj); ok {
		return "Element " + l
	}
	switch {
	case b.rt.InstanceOf(obj, b.errorCtor):
		return obj.String()
	case b.rt.InstanceOf(obj, b.dateCtor):
		if iso, ok := goja.AssertFunction(obj.Get("toISOString")); ok {
			if r, err := iso(obj); err == nil {
				return r.String()
			}
		}
		return obj.String()
	case obj.ClassName() == "Function":
		return "[Function]"
	}
	js, err := b.jsonStringify(goja.Undefined(), obj)
	if err != nil || js == nil || goja.IsUndefined(js) {
		return obj.String() // cyclic objects and the like
	}
	return js.String()
}
