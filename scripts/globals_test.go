package scripts

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGlobals(t *testing.T) {
	site := newSite(t)
	h := newHost()
	last := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	h.since = &last
	h.known["INV-7"] = true
	mustRun(t, asserts+`
eq(typeof require, "undefined", "no require");
eq(typeof process, "undefined", "no process");
eq(typeof module, "undefined", "no module");
eq(typeof globalThis.fetch, "undefined", "no global fetch");
eq(credentials.username, "demo", "credentials");
ok(Object.isFrozen(credentials), "credentials are frozen");
credentials.username = "x";
eq(credentials.username, "demo", "credentials cannot change");
eq(Object.keys(credentials).sort(), ["password", "username"], "only this portal's fields");
ok(since instanceof Date, "since is a Date");
eq(since.toISOString(), "2024-03-01T12:00:00.000Z", "since");
eq(portal.name, "Demo Cloud", "portal.name");
eq(portal.url, "`+site.URL+`", "portal.url");
ok(known("INV-7") && !known("INV-8"), "known");
ok(known(7) === false, "known with a number");
eq(totp(), "123456", "totp");
const t0 = Date.now();
sleep(120);
ok(Date.now() - t0 >= 100, "sleep");
log("plain", 1, true, null, undefined, {a: [1, 2]}, new Error("oops"), new Date(0));
console.log("log", credentials.password);
console.info("info");
console.warn("warn");
console.error("error", page.all("ul"));
const res = (function f(n) { return n ? f(n - 1) + 1 : 0; })(1000);
eq(res, 1000, "recursion within the stack limit");
`, runOpts{base: site.URL, host: h})
	want := `info: plain 1 true null undefined {"a":[1,2]} Error: oops 1970-01-01T00:00:00.000Z
info: log [redacted]
info: info
warn: warn
error: error []`
	if got := h.logText(); got != want {
		t.Errorf("log\n got: %s\nwant: %s", got, want)
	}
}

func TestGlobalsEmpty(t *testing.T) {
	site := newSite(t)
	h := newHost()
	mustRun(t, asserts+`
eq(since, null, "since without a previous run");
page.goto("/widgets");
log(page.all("li")[1]);
`, runOpts{base: site.URL, host: h})
	if got := h.logText(); got != `info: Element page.all("li")[1]` {
		t.Errorf("log = %q", got)
	}
}

func TestStackOverflow(t *testing.T) {
	_, err := runScript(t, `function f() { return f() + 1; }
f();`, runOpts{})
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "maximum call stack size exceeded") || se.Line != 8 {
		t.Fatalf("err = %#v", err)
	}
}

func TestLogLimit(t *testing.T) {
	h := mustRun(t, `for (let i = 0; i < 3000; i++) log("line", i);`, runOpts{})
	if n := len(h.logs); n != maxLogLines+1 || !strings.Contains(h.logs[n-1], "further lines are dropped") {
		t.Fatalf("%d lines, last %q", n, h.logs[len(h.logs)-1])
	}
}

func TestHostErrorUnwraps(t *testing.T) {
	h := newHost()
	h.code = ""
	_, err := runScript(t, `totp();`, runOpts{host: h})
	var se *ScriptError
	if !errors.As(err, &se) || errors.Unwrap(err) == nil || !strings.Contains(errors.Unwrap(err).Error(), "no TOTP secret") {
		t.Fatalf("err = %v, unwrap = %v", err, errors.Unwrap(err))
	}
}

// TestSession: session.restored says how the run began (and stays so after forget());
// session.forget() reaches the host.
func TestSession(t *testing.T) {
	for _, restored := range []bool{true, false} {
		h := newHost()
		h.restored = restored
		mustRun(t, asserts+`
eq(session.restored, `+map[bool]string{true: "true", false: "false"}[restored]+`, "session.restored");
eq(typeof session.forget, "function", "session.forget is a method");
session.forget();
eq(session.restored, `+map[bool]string{true: "true", false: "false"}[restored]+`, "session.restored after forget");
`, runOpts{host: h})
		if h.forgets != 1 {
			t.Errorf("restored=%v: ForgetSession called %d times, want 1", restored, h.forgets)
		}
	}
}

// TestRecoveryCode: recoveryCode() hands out the host's codes one by one and throws a clear
// error, which the script can catch, when none is left.
func TestRecoveryCode(t *testing.T) {
	site := newSite(t)
	h := newHost()
	h.recovery = []string{"aaaa-1111", "bbbb-2222"}
	mustRun(t, asserts+`
eq(recoveryCode(), "aaaa-1111", "first code");
eq(recoveryCode(), "bbbb-2222", "second code");
let msg = "";
try { recoveryCode(); } catch (e) { msg = e.message; }
ok(msg.includes("no unused recovery code is left"), "none left: " + msg);
`, runOpts{base: site.URL, host: h})
}
