package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"billhound/inbox/imaptest"
)

// Codes from anywhere: the demo portal sends its sign-in code by SMS (posted to billhound's SMS
// inbox like a forwarder app, or to the user's "phone"), by e-mail (into a real IMAP server on
// loopback), or asks for an approval in its app; billhound reads the code itself or asks the user.

// bundled returns a bundled script's source.
func (in *instance) bundled(file string) string {
	in.t.Helper()
	var list []struct{ File, Source string }
	in.call("GET", "/api/bundled-scripts", nil, &list)
	for _, s := range list {
		if s.File == file {
			return s.Source
		}
	}
	in.t.Fatalf("no bundled %s", file)
	return ""
}

// startDemo starts a demo portal with extra flags and returns its URL.
func startDemo(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	start(t, addr, nil, append([]string{"demo-portal", "--addr", addr, "--password", demoPassword}, args...)...)
	return "http://" + addr
}

func (in *instance) addScript(name, script, portalURL string) int64 {
	in.t.Helper()
	var p portalJSON
	body := map[string]string{"name": name, "script": script, "url": portalURL + "/login", "username": "demo", "password": demoPassword}
	if code := in.call("POST", "/api/portals", body, &p); code != 201 {
		in.t.Fatalf("add portal: %d", code)
	}
	return p.ID
}

type questionJSON struct {
	RunID  int64  `json:"runId"`
	Kind   string `json:"kind"`
	Prompt string `json:"prompt"`
}

// waitQuestion polls /api/questions until the run asks.
func (in *instance) waitQuestion(runID int64) questionJSON {
	in.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var qs []questionJSON
		in.call("GET", "/api/questions", nil, &qs)
		for _, q := range qs {
			if q.RunID == runID {
				var r runJSON
				in.call("GET", fmt.Sprintf("/api/runs/%d", runID), nil, &r)
				if r.Status != "waiting" {
					in.t.Fatalf("a run with an open question has status %q", r.Status)
				}
				return q
			}
		}
		var r runJSON
		in.call("GET", fmt.Sprintf("/api/runs/%d", runID), nil, &r)
		if r.Status == "failed" || r.Status == "succeeded" {
			in.t.Fatalf("run %d ended (%s: %s) without asking:\n%s", runID, r.Status, r.Error, r.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	in.t.Fatalf("run %d did not ask within 90 s", runID)
	return questionJSON{}
}

// finish waits for the run's end (a waiting run is not done).
func (in *instance) finish(runID int64) runJSON {
	in.t.Helper()
	for {
		r := in.waitRun(runID)
		if r.Status != "waiting" {
			return r
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (in *instance) answer(runID int64, answer string) {
	in.t.Helper()
	if code := in.call("POST", fmt.Sprintf("/api/runs/%d/answer", runID), map[string]string{"answer": answer}, nil); code != 204 {
		in.t.Fatalf("answer: %d", code)
	}
}

func mustSucceed(t *testing.T, r runJSON) {
	t.Helper()
	if r.Status != "succeeded" || r.NewCount == 0 {
		t.Fatalf("run %s (%s), %d new:\n%s", r.Status, r.Error, r.NewCount, r.logText())
	}
}

func mustFail(t *testing.T, r runJSON, want string) {
	t.Helper()
	if r.Status != "failed" || !strings.Contains(r.Error, want) {
		t.Fatalf("run %s with error %q, want one containing %q:\n%s", r.Status, r.Error, want, r.logText())
	}
}

// TestCodeFromSMSInbox: the portal's SMS reaches billhound's SMS inbox (as from a forwarder app
// on the phone) and the run signs in by itself; the code appears nowhere in the log.
func TestCodeFromSMSInbox(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.setupAdmin()
	var tok struct{ Token string }
	in.call("POST", "/api/settings/sms/token", nil, &tok)
	portal := startDemo(t, "--factor", "sms", "--sms-url", in.base+"/api/inbox/sms", "--sms-token", tok.Token)
	id := in.addScript("Nimbus SMS", in.bundled("demo-sms.js"), portal)
	r := in.finish(in.startRun(id).ID)
	mustSucceed(t, r)
	if !strings.Contains(r.logText(), "found the code in an SMS") {
		t.Fatalf("log:\n%s", r.logText())
	}
	if regexp.MustCompile(`\b\d{6}\b`).MatchString(r.logText()) {
		t.Fatalf("a code is in the log:\n%s", r.logText())
	}
}

// TestCodeFromMailbox: the portal e-mails the code into a real IMAP server; billhound reads the
// mailbox set up in its settings. With a wrong mailbox password the run fails saying so.
func TestCodeFromMailbox(t *testing.T) {
	t.Parallel()
	mail := imaptest.Start(t, "demo@example.com", "mailbox-pw-7")
	in := newInstance(t)
	in.setupAdmin()
	portal := startDemo(t, "--factor", "email", "--mail-imap", mail.Addr(), "--mail-user", mail.Username, "--mail-password", mail.Password)
	id := in.addScript("Nimbus mail", in.bundled("demo-email.js"), portal)

	setMailbox := func(pw string) {
		body := map[string]any{"host": mail.Host, "port": mail.Port, "tls": "none", "username": mail.Username, "password": pw}
		if code := in.call("PUT", "/api/settings/mailbox", body, nil); code != 200 {
			t.Fatalf("mailbox: %d", code)
		}
	}
	setMailbox("not-the-password")
	r := in.finish(in.startRun(id).ID)
	mustFail(t, r, "the mailbox refused the password")

	setMailbox(mail.Password)
	r = in.finish(in.startRun(id).ID)
	mustSucceed(t, r)
	if !strings.Contains(r.logText(), "found the code in an e-mail") || strings.Contains(r.logText(), mail.Password) {
		t.Fatalf("log:\n%s", r.logText())
	}
}

// TestApproveInApp: the run asks the user to approve the sign-in in the portal's app and waits
// ("waiting for you"); the user approves on the phone and confirms; the run signs in. Nobody
// confirming ends the run with "nobody answered".
func TestApproveInApp(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.setupAdmin()
	portal := startDemo(t, "--factor", "app")
	id := in.addScript("Nimbus app", in.bundled("demo-app.js"), portal)
	run := in.startRun(id)
	q := in.waitQuestion(run.ID)
	if q.Kind != "confirm" || !strings.Contains(q.Prompt, "Approve the sign-in") {
		t.Fatalf("question %+v", q)
	}
	approveInApp(t, portal)
	in.answer(run.ID, "")
	mustSucceed(t, in.finish(run.ID))

	script := strings.Replace(in.bundled("demo-app.js"), `{ kind: "confirm" }`, `{ kind: "confirm", timeout: 3000 }`, 1)
	id = in.addScript("Nimbus app, impatient", script, portal)
	run = in.startRun(id)
	in.waitQuestion(run.ID)
	mustFail(t, in.finish(run.ID), "nobody answered within 3 seconds")
}

// approveInApp presses Approve in the demo portal's app page, as the user would on the phone.
func approveInApp(t *testing.T, portal string) {
	t.Helper()
	resp, err := http.Get(portal + "/app")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("nothing to approve in the app:\n%s", b.String())
	}
	if _, err := http.PostForm(portal+"/app/approve", map[string][]string{"id": {m[1]}}); err != nil {
		t.Fatal(err)
	}
}

// phone is the user's phone: it receives the portal's SMS (billhound's SMS inbox is not set up).
type phone struct {
	mu    sync.Mutex
	texts []string
}

func newPhone(t *testing.T) (*phone, string) {
	p := &phone{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		p.mu.Lock()
		p.texts = append(p.texts, m["text"])
		p.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *phone) lastCode(t *testing.T) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.texts) == 0 {
		t.Fatal("the phone got no SMS")
	}
	return regexp.MustCompile(`\b(\d{6})\b`).FindString(p.texts[len(p.texts)-1])
}

// TestManualCodeTypedWrong: a portal with `@twofa manual` and no TOTP secret: totp() asks the
// user; a wrong code typed ends the run with the portal's refusal.
func TestManualCodeTypedWrong(t *testing.T) {
	t.Parallel()
	ph, phoneURL := newPhone(t)
	in := newInstance(t)
	in.setupAdmin()
	portal := startDemo(t, "--factor", "sms", "--sms-url", phoneURL)
	script := strings.Replace(in.bundled("demo.js"), "@twofa    optional", "@twofa    manual", 1)
	id := in.addScript("Nimbus manual", script, portal)
	run := in.startRun(id)
	q := in.waitQuestion(run.ID)
	if q.Kind != "code" || !strings.Contains(q.Prompt, "sign-in code") {
		t.Fatalf("question %+v", q)
	}
	wrong := "000000"
	if ph.lastCode(t) == wrong {
		wrong = "111111"
	}
	in.answer(run.ID, wrong)
	r := in.finish(run.ID)
	mustFail(t, r, "2FA code rejected: Invalid code.")
	if strings.Contains(r.logText(), wrong) {
		t.Fatalf("the typed code is in the log:\n%s", r.logText())
	}
}

// TestAnswerFromPhone: on a 390 px phone screen the navigation shows "Needs you" with the count;
// the question offers the number pad and the SMS code suggestion; the code typed there resumes
// the run, which signs in and files the invoices.
func TestAnswerFromPhone(t *testing.T) {
	t.Parallel()
	u := openUI(t, "phone-answer", 390, 844)
	in := u.in
	u.must(u.page.Locator("#nav-portals").WaitFor()) // the admin exists once the app shows its navigation
	if code := in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); code != 200 {
		t.Fatalf("API login: %d", code)
	}
	ph, phoneURL := newPhone(t)
	portal := startDemo(t, "--factor", "sms", "--sms-url", phoneURL)
	id := in.addScript("Nimbus SMS", in.bundled("demo-sms.js"), portal)
	run := in.startRun(id)
	in.waitQuestion(run.ID)

	p := u.page
	count := p.Locator("[data-testid=needs-you-count]")
	u.must(count.WaitFor())
	if got := u.text("[data-testid=needs-you-count]"); got != "1" {
		t.Fatalf("Needs you count = %q", got)
	}
	u.noSideScroll("the navigation with Needs you")
	u.must(p.Locator("#nav-questions").Click())
	input := p.Locator("[data-testid=answer-input]")
	u.must(input.WaitFor())
	for attr, want := range map[string]string{"inputmode": "numeric", "autocomplete": "one-time-code"} {
		if v, _ := input.GetAttribute(attr); v != want {
			t.Errorf("answer field %s = %q, want %q", attr, v, want)
		}
	}
	if !strings.Contains(u.text("[data-testid=question-prompt]"), "by SMS") {
		t.Errorf("prompt: %q", u.text("[data-testid=question-prompt]"))
	}
	u.shot("01-question")
	u.noSideScroll("the question")
	u.must(input.Fill(ph.lastCode(t)))
	u.must(p.Locator("[data-testid=answer-send]").Click())
	u.must(p.Locator("[data-testid=answer-sent]").WaitFor())
	u.shot("02-sent")
	mustSucceed(t, in.finish(run.ID))
	u.must(count.WaitFor(playwrightHidden()))
}

func playwrightHidden() playwright.LocatorWaitForOptions {
	return playwright.LocatorWaitForOptions{State: playwright.WaitForSelectorStateHidden, Timeout: playwright.Float(10000)}
}
