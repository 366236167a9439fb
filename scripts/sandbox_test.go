package scripts

import (
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestHostileScripts: scripts that crash, exhaust memory or ignore interrupts end their own run,
// as failed with a clear message, within the time limit plus a few seconds; this process (the
// server) keeps working and its memory stays where it was.
func TestHostileScripts(t *testing.T) {
	// Generous limits: the crashes must come from memory and stack, not the clock, also on a
	// busy machine; the one case about the clock has a short limit.
	cases := []struct {
		name, src, want string
		limit           time.Duration
	}{
		// The issue's own example: nesting 3e6 arrays deep runs out of memory or stack first,
		// depending on the machine; either way the message says which.
		{"stack overflow in a built-in", `let a = [1]; for (let i = 0; i < 3e6; i++) a = [a]; a.flat(Infinity);`,
			"stack overflow|more than 512 MB", time.Minute},
		{"huge string", `let s = "x".repeat(2**30); s = s + s; log(s.length);`,
			"the script used more than 512 MB of memory and was stopped", time.Minute},
		{"growing array", `const a = []; for (;;) a.push({i: a.length, s: "x".repeat(1 << 16) + a.length});`,
			"the script used more than 512 MB of memory and was stopped", time.Minute},
		{"stringify ignores interrupts", `let a = [1]; for (let i = 0; i < 40; i++) a = [a, a]; JSON.stringify(a);`,
			"the script ran longer than its 5s limit", 5 * time.Second},
		{"sort comparator recursion", `function f(n) { return [n, n + 1].sort(() => f(n + 1)); } f(0);`,
			"maximum call stack size exceeded", time.Minute},
	}
	before := residentMB(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var took time.Duration
			_, err := runScript(t, tc.src, runOpts{timeout: tc.limit, took: &took})
			if err == nil {
				t.Fatal("the run succeeded")
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if took > tc.limit+5*time.Second {
				t.Errorf("the run took %s, limit %s", took, tc.limit)
			}
		})
	}
	// The server side is unharmed: the next run works and memory came back.
	h := mustRun(t, `log("still here", 1 + 1);`, runOpts{})
	if h.logText() != "info: still here 2" {
		t.Fatalf("log = %q", h.logText())
	}
	runtime.GC()
	if after := residentMB(t); after > before+150 {
		t.Errorf("this process grew from %d MB to %d MB", before, after)
	}
}

// TestSandboxIsolation: the script's process holds no host secrets (its environment is empty)
// and cannot reach beyond the api table through the socket.
func TestSandboxIsolation(t *testing.T) {
	t.Setenv("BILLHOUND_SECRET_KEY", strings.Repeat("ab", 32))
	// The script runtime has no process, require or file access at all.
	h := mustRun(t, asserts+`
eq(typeof process, "undefined", "process");
eq(typeof require, "undefined", "require");
eq(typeof globalThis.os, "undefined", "os");
log("ok");`, runOpts{})
	if h.logText() != "info: ok" {
		t.Fatalf("log = %q", h.logText())
	}
}

// TestRemoteRefusesOtherMethods: a child can only call what the api table lists, on objects
// the server gave it.
func TestRemoteRefusesOtherMethods(t *testing.T) {
	rt := goja.New()
	rt.SetFieldNameMapper(fieldMapper{})
	b, err := captureBuiltins(rt)
	if err != nil {
		t.Fatal(err)
	}
	_ = rt.Set("page", rt.ToValue(&pageAPI{}))
	_ = rt.Set("auto", rt.ToValue(&autoAPI{}))
	_ = rt.Set("console", rt.ToValue(&consoleAPI{}))
	_ = rt.Set("eval", rt.Get("eval"))
	s := &session{rt: rt, builtins: b, ctx: t.Context()}
	r := newRemote(s)
	for _, c := range []wireCall{
		{H: handleGlobals, M: "eval", Args: []any{"1+1"}},
		{H: handleGlobals, M: "Function"},
		{H: handlePage, M: "constructor"},
		{H: 99, M: "text"},
	} {
		rep := r.serve(&c)
		if rep.Err == nil || rep.Err.Name != "TypeError" {
			t.Errorf("call %+v: reply %+v, want a TypeError", c, rep)
		}
	}
	if _, err := r.objectFor(map[string]any{"$h": float64(handleGlobals)}); err == nil {
		t.Error("the global object was handed out as an argument")
	}
}

func residentMB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
