package scripts

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const hostMarker = "BH-HOST-SECRET-9c2b"

// TestScriptCannotLeaveTheWeb runs attack scripts through the engine and real Chromium: every
// path to a file, a browser page or billhound itself fails a call with a clear message, logs a
// "blocked:" line, and what it aimed at never reaches the script.
func TestScriptCannotLeaveTheWeb(t *testing.T) {
	dataDir := t.TempDir()
	secret := filepath.Join(dataDir, "secret.key")
	if err := os.WriteFile(secret, []byte(hostMarker), 0o600); err != nil {
		t.Fatal(err)
	}
	fileURL := "file://" + secret
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hostMarker) }))
	defer own.Close()
	site := attackPages(t)
	q := strconv.Quote

	cases := []struct {
		name, attempt, want string
	}{
		{"goto file", `page.goto(` + q(fileURL) + `)`, `: file: URLs are not allowed: ` + fileURL + ` (a portal script may reach the web and nothing else of this machine) on about:blank`},
		{"data dir listing", `page.goto(` + q("file://"+dataDir+"/") + `)`, "file: URLs are not allowed"},
		{"goto data", `page.goto("data:text/html,<p>data document</p>")`, "data: URLs are not allowed"},
		{"goto chrome", `page.goto("chrome://version")`, "chrome: URLs are not allowed"},
		{"goto view-source", `page.goto(` + q("view-source:"+fileURL) + `)`, "view-source: URLs are not allowed"},
		{"goto devtools", `page.goto("devtools://devtools/bundled/inspector.html")`, "devtools: URLs are not allowed"},
		{"goto own address", `page.goto(` + q(own.URL+"/api/portals") + `)`, "billhound's own address is not reachable from scripts"},
		{"fetch own address", `page.goto("/"); console.log("GOT " + page.evaluate("u => fetch(u).then(r => r.text())", ` + q(own.URL+"/") + `))`,
			"page.evaluate(\"u => fetch(u).then(r => r.text())\"): blocked: billhound's own address"},
		{"link to file", `page.goto("/link?to=` + fileURL + `"); page.click("#l")`, "blocked: file: URLs are not allowed"},
		{"redirect to file", `page.goto("/redirect?to=` + fileURL + `")`, "it redirected to a URL that is not http(s)"},
		{"js location", `page.goto("/"); page.evaluate("location = " + ` + q(q(fileURL)) + `)`, "blocked: file: URLs are not allowed"},
		{"iframe file", `page.goto("/iframe?src=` + fileURL + `")`, "blocked: file: URLs are not allowed"},
		{"iframe data", `page.goto("/iframe?src=data:text/html,<p>data document</p>")`, "blocked: data: URLs are not allowed"},
		{"popup file", `page.goto("/"); page.evaluate("window.open(" + ` + q(q(fileURL)) + ` + "), 1")`, "blocked: file: URLs are not allowed"},
		{"popup data", `page.goto("/"); page.evaluate("window.open('data:text/html,<p>data document</p>'), 1")`, "blocked: data: URLs are not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := runScript(t, `
let seen = "no call failed";
try {
  `+c.attempt+`;
  // the browser may refuse on its own after the call returned: then the next call fails
  for (let i = 0; i < 50; i++) { page.exists("body"); sleep(100); }
} catch (e) { seen = "CAUGHT " + e.message; }
console.log(seen);
try { console.log("PAGE " + page.content()); } catch (e) { console.log("PAGE? " + e.message); }
`, runOpts{base: site.URL, own: own.Listener.Addr().String()})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			log := h.logText()
			if !strings.Contains(log, "info: CAUGHT ") || !strings.Contains(log, c.want) {
				t.Errorf("no call failed saying %q; log:\n%s", c.want, log)
			}
			if !strings.Contains(log, "warn: blocked: ") {
				t.Errorf("no \"blocked:\" line in the run's log:\n%s", log)
			}
			if strings.Contains(log, hostMarker) {
				t.Errorf("the secret file's content reached the script:\n%s", log)
			}
			for _, line := range strings.Split(log, "\n") { // what the page showed the script
				if strings.HasPrefix(line, "info: PAGE") && (strings.Contains(line, "<p>data document") || strings.Contains(line, ">secret.key<")) {
					t.Errorf("the page showed what was refused: %s", line)
				}
			}
		})
	}
}

// attackPages serves pages that lead off the web: a link, a redirect, an iframe.
func attackPages(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", page("Home", `<p id="home">home</p>`))
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		page("Link", `<a id="l" href="`+r.URL.Query().Get("to")+`">open</a>`)(w, r)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	mux.HandleFunc("/iframe", func(w http.ResponseWriter, r *http.Request) {
		page("Frame", `<iframe id="f" src="`+r.URL.Query().Get("src")+`"></iframe>`)(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestGotoChecksResolvedURL: a path relative to a portal that is billhound itself is refused
// before the browser is asked, and about:blank stays allowed.
func TestGotoChecksResolvedURL(t *testing.T) {
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hostMarker) }))
	defer own.Close()
	h, err := runScript(t, asserts+`
page.goto("about:blank");
throws(() => page.goto("/api/portals"), "billhound's own address is not reachable from scripts: `+own.URL+`/api/portals");
throws(() => page.goto("//localhost:`+own.URL[strings.LastIndex(own.URL, ":")+1:]+`/x"), "billhound's own address");
throws(() => page.goto(" FILE:///etc/passwd"), "file: URLs are not allowed");
`, runOpts{base: own.URL, own: own.Listener.Addr().String()})
	if err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, h.logText())
	}
	if strings.Contains(h.logText(), hostMarker) {
		t.Errorf("billhound's answer reached the script:\n%s", h.logText())
	}
}
