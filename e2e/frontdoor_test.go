package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"billhound/browser"
)

// attackPage is a page on another port of the same host. While the browser holds a billhound
// session, it tries to start a run twice: a form POST into a hidden frame and a no-cors fetch
// (both "simple" requests, which a browser sends without asking the target first).
const attackPage = `<!doctype html><title>cute cats</title>
<iframe name="sink" id="sink"></iframe>
<form id="f" method="POST" action="%[1]s" target="sink"><input name="x" value="1"></form>
<script>
(async () => {
  let fetched = "fetch-sent";
  try {
    await fetch(%[1]q, { method: "POST", mode: "no-cors", credentials: "include", body: "x=1",
      headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  } catch (e) { fetched = "fetch-failed"; }
  document.getElementById("sink").addEventListener("load", () => { document.title = "done " + fetched; });
  document.getElementById("f").submit();
})();
</script>`

// TestCrossSitePageCannotStartARun: the SPA's setup needs the link from the log; then, logged
// in, the browser visits a page on another port, which must not start a run.
func TestCrossSitePageCannotStartARun(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	bc, err := browsers.NewContext(ctxFor(t, 2*time.Minute), browser.ContextOptions{BaseURL: in.base})
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Close()
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	page.SetDefaultTimeout(20000)
	must := func(err error) {
		t.Helper()
		if err != nil {
			snap(t, page, "frontdoor-failure")
			t.Fatal(err)
		}
	}

	// Without the link's token the setup page says where to find it, and the server refuses.
	_, err = page.Goto(in.base + "/")
	must(err)
	must(page.Locator("#setup-token-missing").WaitFor())
	must(page.Locator("#setup-username").Fill("admin"))
	must(page.Locator("#setup-password").Fill("correct horse battery"))
	must(page.Locator("#setup-password2").Fill("correct horse battery"))
	must(page.Locator("form button[type=submit]").Click())
	must(page.Locator("#setup-error").WaitFor())
	if msg, _ := page.Locator("#setup-error").InnerText(); !strings.Contains(msg, "setup link") {
		t.Fatalf("setup without the token says %q", msg)
	}
	// With the link from the log it works, and the token leaves the address bar.
	_, err = page.Goto(in.setupLink())
	must(err)
	must(page.Locator("#setup-username").Fill("admin"))
	must(page.Locator("#setup-password").Fill("correct horse battery"))
	must(page.Locator("#setup-password2").Fill("correct horse battery"))
	must(page.Locator("form button[type=submit]").Click())
	must(page.Locator("#nav-portals").WaitFor())
	if strings.Contains(page.URL(), "token=") {
		t.Errorf("the spent token stays in the address bar: %s", page.URL())
	}
	in.login()
	script := "// ==Portal==\n// @name Quick\n// @url http://127.0.0.1:1/\n// ==/Portal==\nlog('started');\n"
	var p portalJSON
	if code := in.call("POST", "/api/portals", map[string]string{"name": "Quick", "script": script}, &p); code != 201 {
		t.Fatalf("add portal: %d", code)
	}
	runURL := fmt.Sprintf("%s/api/portals/%d/runs", in.base, p.ID)

	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, attackPage, runURL)
	}))
	defer evil.Close()
	if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") || evil.URL == in.base {
		t.Fatalf("the attack page %s is not on another port of billhound's host %s", evil.URL, in.base)
	}
	_, err = page.Goto(evil.URL)
	must(err)
	_, err = page.WaitForFunction(`() => document.title.startsWith("done")`, nil)
	must(err)
	title, _ := page.Title()
	snap(t, page, "frontdoor-attack-page")

	var runs []runJSON
	if code := in.call("GET", "/api/runs", nil, &runs); code != 200 || len(runs) != 0 {
		t.Fatalf("after the other port's page (%q): %d runs, status %d", title, len(runs), code)
	}

	// The same browser, from billhound's own page, can start the run: the session was there.
	_, err = page.Goto(in.base + "/")
	must(err)
	must(page.Locator("#nav-portals").WaitFor())
	status, err := page.Evaluate(`async (u) => (await fetch(u, { method: "POST", credentials: "same-origin" })).status`, runURL)
	must(err)
	if fmt.Sprint(status) != "202" {
		t.Fatalf("billhound's own page starting the run: %v", status)
	}
	if code := in.call("GET", "/api/runs", nil, &runs); code != 200 || len(runs) != 1 {
		t.Fatalf("after the own page's request: %d runs", len(runs))
	}
	in.waitRun(runs[0].ID)
}

// login signs the test's own HTTP client in as the admin.
func (in *instance) login() {
	in.t.Helper()
	if code := in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); code != 200 {
		in.t.Fatalf("login: %d", code)
	}
}
