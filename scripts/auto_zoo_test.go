package scripts

import (
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"billhound/demoportal"
)

// zooSecret is the zoo account's TOTP secret in these tests.
const zooSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// newZoo serves the demo portal (and its zoo) with one account that has 2FA on.
func newZoo(t *testing.T) (*httptest.Server, *fakeHost) {
	t.Helper()
	srv := httptest.NewServer(demoportal.New(demoportal.Options{Accounts: []demoportal.Account{
		{Username: "demo", Password: "s3cret-pw", TOTPSecret: zooSecret},
	}}))
	t.Cleanup(srv.Close)
	h := newHost()
	code, err := totp.GenerateCode(zooSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.code = code
	return srv, h
}

var tookInLog = regexp.MustCompile(`auto\.login took (\d+) ms`)

// loginTook is how long auto.login() took, as the script measured it.
func loginTook(t *testing.T, h *fakeHost) time.Duration {
	t.Helper()
	m := tookInLog.FindStringSubmatch(h.logText())
	if m == nil {
		t.Fatalf("the script logged no time:\n%s", h.logText())
	}
	n, _ := strconv.Atoi(m[1])
	t.Logf("auto.login took %d ms", n)
	return time.Duration(n) * time.Millisecond
}

const timed = `const t0 = Date.now(); auto.login(); log("auto.login took " + (Date.now() - t0) + " ms");`

func TestAutoLoginZoo(t *testing.T) {
	t.Run("code field below the password, from about:blank", func(t *testing.T) {
		t.Parallel()
		srv, h := newZoo(t)
		// No url: the tab is about:blank, so auto.login goes to the portal's URL first.
		mustRun(t, asserts+timed+`
ok(page.url().endsWith("/zoo/stacked/invoices"), "signed in: " + page.url());
ok(page.all("table.invoices tbody tr").length > 0, "invoices listed");
`, runOpts{base: srv.URL + "/zoo/stacked/login", host: h})
		// The password field never goes away on this page: waiting for it cost 10 s and more.
		if took := loginTook(t, h); took > 6*time.Second {
			t.Errorf("auto.login took %s on a page that keeps the password field; want well under 10 s\n%s", took, h.logText())
		}
		if h.codes != 1 {
			t.Errorf("totp() asked %d times, want 1", h.codes)
		}
	})

	t.Run("landing page with a change-password form", func(t *testing.T) {
		t.Parallel()
		srv, h := newZoo(t)
		mustRun(t, asserts+timed+`
ok(page.url().endsWith("/zoo/profile/profile"), "on the profile page: " + page.url());
ok(page.exists("input[autocomplete=new-password]"), "the profile's password form is there");
`, runOpts{base: srv.URL + "/zoo/profile/login", host: h})
		if !strings.Contains(h.logText(), "logged in") {
			t.Errorf("the log does not say it logged in:\n%s", h.logText())
		}
	})

	t.Run("wrong password quotes the message at the form, not the banner", func(t *testing.T) {
		t.Parallel()
		srv, h := newZoo(t)
		h.creds = map[string]string{"username": "demo", "password": "wrong"}
		_, err := runScript(t, `auto.login();`, runOpts{base: srv.URL + "/zoo/profile/login", host: h})
		if err == nil || !strings.Contains(err.Error(), "The e-mail or password you entered is incorrect.") ||
			strings.Contains(err.Error(), "maintenance") {
			t.Fatalf("error does not quote the form's message: %v", err)
		}
	})

	t.Run("login form in an iframe", func(t *testing.T) {
		t.Parallel()
		srv, h := newZoo(t)
		mustRun(t, asserts+`
page.goto("/zoo/iframe/login");
`+timed+`
ok(page.url().endsWith("/zoo/iframe/invoices"), "signed in: " + page.url());
`, runOpts{base: srv.URL, host: h})
		if took := loginTook(t, h); took > 6*time.Second {
			t.Errorf("auto.login took %s\n%s", took, h.logText())
		}
	})

	t.Run("single-page app, invoice saved from a blob download", func(t *testing.T) {
		t.Parallel()
		srv, h := newZoo(t)
		mustRun(t, asserts+`
auto.login({url: "/zoo/spa/login"});
page.waitFor("button.download");
const list = page.fetch("/zoo/spa/api/invoices").json().invoices;
ok(list.length > 0, "the API lists invoices");
const r = download(page.all("button.download")[0], { id: list[0].number, date: list[0].date });
ok(r.saved, "saved");
`, runOpts{base: srv.URL, host: h})
		if len(h.saved) != 1 || !strings.HasPrefix(string(h.saved[0].Data), "%PDF") {
			t.Fatalf("saved %d documents, want one PDF", len(h.saved))
		}
	})
}
