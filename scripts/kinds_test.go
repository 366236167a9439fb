package scripts

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/failure"
)

// kindHost is a fakeHost that records the kinds a script raises, as the runner does.
type kindHost struct {
	*fakeHost
	mu     sync.Mutex
	raised []failure.Kind
}

func (h *kindHost) RaisedKind(k failure.Kind, message string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.raised = append(h.raised, k)
}

// kindSite serves pages that fail in the ways portals do.
func kindSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /captcha", page("Sign in", `<form method="post" action="/captcha">
<input name="username" autocomplete="username"><input type="password" name="password" autocomplete="current-password">
<div class="g-recaptcha" style="width:304px;height:78px;border:1px solid #ccc">I'm not a robot</div>
<button type="submit">Sign in</button></form>`))
	mux.HandleFunc("POST /captcha", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/captcha?error=1", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /ok", page("Fine", `<h1>Fine</h1>`))
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// closedPort is a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestKindsRecognised: the engine and auto.login name the kind of the common failures
// themselves; the kind reaches Run's error through the sandbox.
func TestKindsRecognised(t *testing.T) {
	ks := kindSite(t)
	cases := []struct {
		name, src string
		base      string
		host      func(*fakeHost)
		want      failure.Kind
		msg       string
	}{
		{"wrong password", `auto.login({url: "/login"});`, "site", func(h *fakeHost) { h.creds["password"] = "wrong" },
			failure.Credentials, `(the page says: "Invalid username or password")`},
		{"code rejected", `auto.login({url: "/login"});`, "site", func(h *fakeHost) { h.code = "000000" },
			failure.CodeRejected, "did not accept the one-time code"},
		{"no 2FA secret", `auto.login({url: "/login"});`, "site", func(h *fakeHost) { h.code = "" },
			failure.CodeUnavailable, "totp() failed"},
		{"captcha on the login form", `auto.login({url: "/captcha"});`, "kinds", nil,
			failure.Captcha, "the portal shows a captcha"},
		{"expected element missing", `page.goto("/invoices"); page.click("#download-all");`, "site", nil,
			failure.PortalChanged, "no element matched"},
		{"waitFor that never comes", `page.goto("/ok"); page.waitFor("table.invoices");`, "kinds", nil,
			failure.PortalChanged, "no element matched"},
		{"HTTP 503", `page.goto("/down");`, "kinds", nil, failure.Unreachable, "503 Service Unavailable"},
		{"connection refused", `page.goto("http://` + closedPort(t) + `/");`, "kinds", nil, failure.Unreachable, "could not be reached (connection refused)"},
		{"DNS", `page.goto("http://portal.billhound-test.invalid/");`, "kinds", nil, failure.Unreachable, "does not resolve (DNS)"},
		{"plain throw", `throw new Error("my bug");`, "kinds", nil, "", "my bug"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := ks.URL
			if tc.base == "site" {
				base = newSite(t).URL
			}
			h := newHost()
			if tc.host != nil {
				tc.host(h)
			}
			_, err := runScript(t, tc.src, runOpts{base: base, host: h, action: 2 * time.Second})
			if err == nil {
				t.Fatal("the run did not fail")
			}
			if got := failure.Of(err); got != tc.want {
				t.Errorf("kind %q, want %q (%v)", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
		})
	}
}

// TestAutoLoginStartsAtThePortal: on a fresh (about:blank) page auto.login() goes to the
// portal's URL first instead of waiting on an empty page.
func TestAutoLoginStartsAtThePortal(t *testing.T) {
	site := newSite(t)
	var took time.Duration
	mustRun(t, asserts+`
auto.login();
ok(page.url().endsWith("/invoices"), "logged in: " + page.url());
`, runOpts{base: site.URL + "/login", took: &took})
	if took > 20*time.Second {
		t.Errorf("auto.login() took %s", took)
	}
}

// TestScriptsRaiseKinds: every fail.*() throws an Error with the script's message and the kind;
// the kind is recorded in the server even when the script catches it and throws another error.
func TestScriptsRaiseKinds(t *testing.T) {
	methods := map[failure.Kind]string{ // spelled out: names_test.go looks for each call
		failure.Credentials: `fail.credentials(msg)`, failure.CodeRejected: `fail.codeRejected(msg)`,
		failure.CodeUnavailable: `fail.codeUnavailable(msg)`, failure.Captcha: `fail.captcha(msg)`,
		failure.ActionNeeded: `fail.actionNeeded(msg)`, failure.PortalChanged: `fail.portalChanged(msg)`,
		failure.Timeout: `fail.timeout(msg)`, failure.Unreachable: `fail.unreachable(msg)`,
		failure.ScriptError: `fail.scriptError(msg)`,
	}
	if len(methods) != len(failure.Kinds) {
		t.Fatalf("test covers %d kinds, there are %d", len(methods), len(failure.Kinds))
	}
	for kind, method := range methods {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			h := &kindHost{fakeHost: newHost()}
			_, err := runScript(t, `const msg = "the portal says: Please accept our new terms"; `+method+`;`, runOpts{host: h.fakeHost, wrap: h})
			if failure.Of(err) != kind || !strings.HasSuffix(fmt.Sprint(err), "demo.js:8: the portal says: Please accept our new terms") {
				t.Fatalf("fail.%s: kind %q, error %v", method, failure.Of(err), err)
			}
			if len(h.raised) != 1 || h.raised[0] != kind {
				t.Errorf("recorded %v", h.raised)
			}
		})
	}
	t.Run("caught and rethrown", func(t *testing.T) {
		h := &kindHost{fakeHost: newHost()}
		_, err := runScript(t, `try { fail.actionNeeded("new terms") } catch (e) { throw new Error("wrapped: " + e.message) }`, runOpts{host: h.fakeHost, wrap: h})
		if err == nil || !strings.Contains(err.Error(), "wrapped: new terms") {
			t.Fatalf("error %v", err)
		}
		if len(h.raised) != 1 || h.raised[0] != failure.ActionNeeded {
			t.Errorf("the server did not keep the kind: %v", h.raised)
		}
	})
	t.Run("rethrown as is", func(t *testing.T) {
		_, err := runScript(t, `try { fail.captcha("hCaptcha") } catch (e) { log("seen"); throw e }`, runOpts{})
		if failure.Of(err) != failure.Captcha {
			t.Fatalf("kind %q: %v", failure.Of(err), err)
		}
	})
}
