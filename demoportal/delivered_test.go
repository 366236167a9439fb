package demoportal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
)

// phone records the SMS codes a portal posts (as billhound's SMS inbox would receive them).
type phone struct {
	mu    sync.Mutex
	texts []map[string]string
	auth  string
}

func (ph *phone) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]string
	json.NewDecoder(r.Body).Decode(&m)
	ph.mu.Lock()
	ph.texts = append(ph.texts, m)
	ph.auth = r.Header.Get("Authorization")
	ph.mu.Unlock()
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

func deliveredFixture(t *testing.T, factor string, opt Options) *fixture {
	opt.Accounts = []Account{{Username: "ann", Password: "pw", Factor: factor}}
	p := New(opt)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &fixture{portal: p, srv: srv}
}

// TestSMSCode: the code is posted like a forwarder app's JSON; a wrong code is refused, the
// right one signs in.
func TestSMSCode(t *testing.T) {
	ph := &phone{}
	hook := httptest.NewServer(ph)
	defer hook.Close()
	f := deliveredFixture(t, FactorSMS, Options{SMSWebhook: hook.URL, SMSToken: "tok"})
	b := f.browser()
	pg := b.login(t, "ann", "pw")
	if pg.path != "/login/2fa" || !contains(pg.body, "by SMS") {
		t.Fatalf("after password: %s\n%s", pg.path, pg.body)
	}
	if len(ph.texts) != 1 || ph.texts[0]["from"] != "Nimbus" || ph.auth != "Bearer tok" {
		t.Fatalf("texts %v auth %q", ph.texts, ph.auth)
	}
	code := sixDigits.FindString(ph.texts[0]["text"])
	if pg := b.post(t, "/login/2fa", "code", "000000"); errorText(pg.body) != msgBadCode {
		t.Fatalf("wrong code: %q", errorText(pg.body))
	}
	if pg := b.post(t, "/login/2fa", "code", code); pg.path != "/account" {
		t.Fatalf("right code: %s %q", pg.path, errorText(pg.body))
	}
}

func TestEmailCode(t *testing.T) {
	var got []Mail
	f := deliveredFixture(t, FactorEmail, Options{SendMail: func(m Mail) error { got = append(got, m); return nil }})
	b := f.browser()
	if pg := b.login(t, "ann", "pw"); !contains(pg.body, "by e-mail to ann@example.com") {
		t.Fatalf("after password: %s", pg.body)
	}
	if len(got) != 1 || got[0].To != "ann@example.com" || !contains(got[0].Subject, "sign-in code") {
		t.Fatalf("mail: %+v", got)
	}
	if pg := b.post(t, "/login/2fa", "code", sixDigits.FindString(got[0].Body)); pg.path != "/account" {
		t.Fatalf("right code: %s %q", pg.path, errorText(pg.body))
	}
	// No delivery configured: the portal says so instead of waiting for a code never sent.
	f = deliveredFixture(t, FactorEmail, Options{})
	if pg := f.browser().login(t, "ann", "pw"); errorText(pg.body) != msgNotDelivered {
		t.Fatalf("no delivery: %q", errorText(pg.body))
	}
}

func TestAppApproval(t *testing.T) {
	f := deliveredFixture(t, FactorApp, Options{})
	b := f.browser()
	if pg := b.login(t, "ann", "pw"); pg.path != "/login/approve" || !contains(pg.body, `id="approve-wait"`) {
		t.Fatalf("after password: %s", pg.path)
	}
	if pg := b.post(t, "/login/approve"); errorText(pg.body) != msgNotApproved {
		t.Fatalf("before approval: %q", errorText(pg.body))
	}
	phone := f.browser()
	id := find(t, phone.get(t, "/app").body, `name="id" value="([^"]+)"`)
	phone.post(t, "/app/approve", "id", id)
	if pg := b.post(t, "/login/approve"); pg.path != "/account" {
		t.Fatalf("after approval: %s %q", pg.path, errorText(pg.body))
	}
	if contains(phone.get(t, "/app").body, id) {
		t.Fatal("the approved sign-in is still pending")
	}
}
