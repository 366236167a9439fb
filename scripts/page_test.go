package scripts

import (
	"bytes"
	"strings"
	"testing"
)

func TestPageActions(t *testing.T) {
	site := newSite(t)
	h := mustRun(t, asserts+`
page.goto("/widgets");
eq(page.url(), portal.url + "/widgets", "url after relative goto");
page.fill("#name", "Ada");
eq(page.evaluate("document.getElementById('name').value"), "Ada", "fill");
page.type("#typed", "xyz");
eq(page.text("#keys"), "xyz", "type sends key events");
page.select("#plan", "pro");
eq(page.evaluate("() => document.getElementById('plan').value"), "pro", "select by value");
page.select("#plan", "Free");
eq(page.evaluate("() => document.getElementById('plan').value"), "free", "select by label");
page.check("#agree");
eq(page.evaluate("document.getElementById('agree').checked"), true, "check");
page.click("#go");
eq(page.text("#out"), "submitted Ada", "click submits");
page.fill("#name", "Bob");
page.press("#name", "Enter");
eq(page.text("#out"), "submitted Bob", "press Enter");
page.waitFor("#late");
eq(page.text("#late"), "here now", "waitFor visible");
page.waitFor("#hidden", {state: "hidden"});
page.waitFor("#hidden", {state: "attached", timeout: 1000});
page.waitFor("#gone", {state: "detached"});
page.click("#link");
page.waitForURL("from=widgets");
page.waitForURL(/frame\?from=\w+$/g);
page.waitForURL(/FRAME/i, {timeout: 2000});
ok(page.url().endsWith("/frame?from=widgets"), "waitForURL");
page.screenshot("after frames link");
`, runOpts{base: site.URL})
	if len(h.artifacts) != 1 {
		t.Fatalf("artifacts = %v, want one screenshot", keys(h.artifacts))
	}
	for name, png := range h.artifacts {
		if name != "01-after-frames-link.png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("screenshot artifact %q (%d bytes) is not the PNG expected", name, len(png))
		}
	}
}

func TestPageReading(t *testing.T) {
	site := newSite(t)
	mustRun(t, asserts+`
page.goto(portal.url + "/widgets");
ok(page.exists("ul.items li"), "exists");
ok(!page.exists("#never"), "exists is false without waiting");
eq(page.text("ul.items li"), "Apple", "text is trimmed, first match");
eq(page.attr("ul.items li", "data-id"), "a", "attr");
eq(page.attr("#link", "title"), "", "empty attr");
eq(page.attr("#link", "nope"), null, "missing attr");
const items = page.all("ul.items li");
eq(items.length, 3, "all");
ok(Array.isArray(items), "all returns an array");
eq(items.map(e => e.text()), ["Apple", "Banana", "Cherry"], "Element.text");
eq(items[1].attr("data-id"), "b", "Element.attr");
eq(items[2].attr("data-id"), null, "Element.attr missing");
eq(page.all(".none"), [], "all may be empty");
const list = page.all("ul.items")[0];
eq(list.find("li:nth-child(2)").text(), "Banana", "Element.find");
eq(list.find("table"), null, "Element.find without match");
eq(list.all("li").length, 3, "Element.all");
const form = page.all("#f")[0];
form.find("#name").fill("Eve");
form.find("#go").click();
eq(page.text("#out"), "submitted Eve", "Element.fill + Element.click");
ok(page.content().indexOf('<ul class="items">') > 0, "content");
eq(page.evaluate("(a) => a.x * 2", {x: 21}), 42, "evaluate a function with an argument");
eq(page.evaluate("({a: [1, 'two'], b: null})"), {a: [1, "two"], b: null}, "evaluate returns JSON");
eq(page.evaluate("() => undefined"), null, "undefined comes back as null");
`, runOpts{base: site.URL})
}

func TestPageFrame(t *testing.T) {
	site := newSite(t)
	mustRun(t, asserts+`
page.goto("/frame");
const f = page.frame("#inner");
eq(f.text("#msg"), "inside the frame", "frame text");
f.fill("#q", "hi");
f.click("#b");
eq(f.text("#msg"), "clicked hi", "frame actions");
ok(f.url().endsWith("/inner"), "frame url");
ok(f.exists("#q") && !page.exists("#q"), "frame scope");
eq(f.all("button").length, 1, "frame all");
eq(f.evaluate("location.pathname"), "/inner", "frame evaluate");
const e = throws(() => page.frame("h1"), "not an iframe");
ok(e instanceof Error, "host errors are Errors");
eq(e.name, "Error", "error name");
`, runOpts{base: site.URL})
}

func TestPageFetch(t *testing.T) {
	site := newSite(t)
	site.otp = false
	mustRun(t, asserts+`
page.goto("/login");
page.fill("#email", credentials.username);
page.fill("#password", credentials.password);
page.click("button[type=submit]");
page.waitForURL("/invoices");
let r = page.fetch("/api/echo");
eq(r.status, 200, "status");
ok(r.ok, "ok");
eq(r.headers["x-echo"], "yes", "headers");
const j = r.json();
eq(j.method, "GET", "method");
ok(j.cookie.startsWith("sid-"), "the browser's cookie is sent: " + j.cookie);
ok(r.text().startsWith("{"), "text");
r = page.fetch("api/echo?status=418", {method: "post", body: {a: 1}, headers: {"X-Test": "t"}});
eq(r.status, 418, "status without throwing");
eq(r.ok, false, "not ok");
eq(r.json().body, '{"a":1}', "object body as JSON");
eq(r.json().contentType, "application/json", "JSON content type");
eq(r.json().x, "t", "request headers");
r = page.fetch(portal.url + "/api/echo", {method: "PUT", body: "raw"});
eq(r.json().body, "raw", "string body");
throws(() => page.fetch("/login").json(), "not JSON");
throws(() => page.fetch("/x", {methd: "GET"}), 'no field "methd"');
`, runOpts{base: site.URL})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The action timeout is 3 s, not less: the page loads before each failing call share it, and
// on a loaded two-core machine a load can take over a second.
func TestPageErrors(t *testing.T) {
	site := newSite(t)
	cases := []struct {
		name, src, want string
	}{
		{"no match", `page.goto("/login");
page.click("#nope");`, `demo.js:9: page.click("#nope"): no element matched within 3s on ` + site.URL + `/login`},
		{"hidden", `page.goto("/widgets");
page.fill("#hidden", "x");`, `demo.js:9: page.fill("#hidden", …): the element did not become visible within 3s on ` + site.URL + `/widgets`},
		{"disabled", `page.goto("/widgets");
page.click("#disabled");`, `demo.js:9: page.click("#disabled"): the element stayed disabled for 3s on ` + site.URL + `/widgets`},
		{"read-only", `page.goto("/widgets");
page.fill("#ro", "x");`, `demo.js:9: page.fill("#ro", …): the element is not editable (disabled or read-only) after 3s on ` + site.URL + `/widgets`},
		{"bad selector", `page.goto("/widgets");
page.text("#[bad");`, `demo.js:9: page.text("#[bad"): Unexpected token "#" while parsing css selector "#[bad". Did you mean to CSS.escape it? on ` + site.URL + `/widgets`},
		{"undefined value", `page.goto("/widgets");
page.fill("#name", credentials.pin);`, `demo.js:9: page.fill("#name", …): the value is missing (undefined) on ` + site.URL + `/widgets`},
		{"element label", `page.goto("/widgets");
page.all("ul.items")[0].find("li").all("a")[0];
page.all("ul.items li")[2].text();
page.all("#f")[0].find("#disabled").click();`, `demo.js:11: page.all("#f")[0].find("#disabled").click(): the element stayed disabled for 3s on ` + site.URL + `/widgets`},
		{"waitFor", `page.goto("/widgets");
page.waitFor("#never", {timeout: 300});`, `demo.js:9: page.waitFor("#never"): no element matched within 300ms on ` + site.URL + `/widgets`},
		{"waitFor state", `page.goto("/widgets");
page.waitFor("#name", {state: "gone"});`, `demo.js:9: page.waitFor("#name"): opts.state must be visible, hidden, attached or detached, not "gone" on ` + site.URL + `/widgets`},
		{"waitForURL", `page.goto("/widgets");
page.waitForURL("/invoices", {timeout: 300});`, `demo.js:9: page.waitForURL("/invoices"): the URL did not match within 300ms (it is ` + site.URL + `/widgets) on ` + site.URL + `/widgets`},
		{"evaluate", `page.goto("/widgets");
page.evaluate("() => { throw new Error('boom') }");`, `demo.js:9: page.evaluate("() => { throw new Error('boom') }"): boom on ` + site.URL + `/widgets`},
		{"goto", `page.goto("http://127.0.0.1:1/");`, `demo.js:8: page.goto("http://127.0.0.1:1/"): net::ERR_UNSAFE_PORT at http://127.0.0.1:1/ on about:blank`},
		{"select option", `page.goto("/widgets");
page.select("#plan", "enterprise");`, `demo.js:9: page.select("#plan", "enterprise"): the <select> had no option with value or label "enterprise" within 3s on ` + site.URL + `/widgets`},
		{"frame", `page.goto("/frame");
page.frame("#inner").click("#missing");`, `demo.js:9: page.frame("#inner").click("#missing"): no element matched within 3s on ` + site.URL + `/frame`},
		{"no download", `page.goto("/widgets");
download("ul.items li", {id: "x"});`, `demo.js:9: download("ul.items li"): the click started no download within 3s on ` + site.URL + `/widgets`},
		{"relative URL without slash", `page.goto("/widgets");
download("files/INV-1.pdf");`, `demo.js:9: download("files/INV-1.pdf"): Unexpected token "/" while parsing css selector "files/INV-1.pdf". Did you mean to CSS.escape it? on ` + site.URL + `/widgets; to download a URL relative to the page, start it with / or ./`},
		{"script throw", `
throw new Error("login failed: Invalid username or password");`, `demo.js:9: login failed: Invalid username or password`},
		{"type error", `undefinedFunction();`, `demo.js:8: ReferenceError: undefinedFunction is not defined`},
		{"syntax error", `let x = ;`, `demo.js:8: SyntaxError: Unexpected token ;`},
		{"thrown string", `throw "plain";`, `demo.js:8: plain`},
		{"totp without secret", `totp();`, `demo.js:8: totp(): this portal has no TOTP secret; add one on the portal's 2FA tab`},
		{"sleep", `sleep("soon");`, `demo.js:8: sleep(soon): ms must be a number of milliseconds ≥ 0, not soon`},
		{"secret in message", `throw new Error("pw is " + credentials.password);`, `demo.js:8: pw is [redacted]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHost()
			if tc.name == "totp without secret" {
				h.code = ""
			}
			_, err := runScript(t, tc.src, runOpts{base: site.URL, action: 3e9, host: h})
			if err == nil {
				t.Fatal("the script did not fail")
			}
			// After a failed navigation Chromium may already show its own error page when the
			// message is built; which of the two it names is a race, not the engine's choice.
			got := strings.Replace(err.Error(), "on chrome-error://chromewebdata/", "on about:blank", 1)
			if got != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.want)
			}
			if se, ok := err.(*ScriptError); !ok || se.File != "demo.js" {
				t.Errorf("error is %T, want *ScriptError", err)
			} else if strings.Contains(se.Stack, "playwright") {
				t.Errorf("stack mentions Playwright internals: %s", se.Stack)
			}
		})
	}
}
