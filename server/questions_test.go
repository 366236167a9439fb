package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"billhound/credentials"
	"billhound/secrets"
	"billhound/store"
)

func loggedIn(t *testing.T, base string) *client {
	c := newClient(t, base)
	if code, _ := c.setup("admin", "long enough"); code != 201 {
		t.Fatalf("setup: %d", code)
	}
	return c
}

// TestAnswerAQuestion: an open question shows in /api/questions and makes the run "waiting";
// the answer is stored sealed, taken once, and never shown back.
func TestAnswerAQuestion(t *testing.T) {
	ts, st, _ := testServer(t)
	c := loggedIn(t, ts.URL)
	p := &store.Portal{Name: "Bank", Slug: "bank", Script: "x"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	run, _ := st.StartRun(p.ID, "manual")
	if code, _, _ := c.call("POST", "/api/runs/"+itoa(run.ID)+"/answer", map[string]string{"answer": "1"}); code != 409 {
		t.Fatalf("answer without a question: %d", code)
	}
	st.SetQuestion(run.ID, "code", "Enter the code Bank sent by SMS", time.Now().Add(10*time.Minute))
	_, _, raw := c.call("GET", "/api/questions", nil)
	var qs []map[string]any
	json.Unmarshal(raw, &qs)
	if len(qs) != 1 || qs[0]["prompt"] != "Enter the code Bank sent by SMS" || qs[0]["portalName"] != "Bank" || qs[0]["kind"] != "code" {
		t.Fatalf("questions: %s", raw)
	}
	runView := func() (map[string]any, string) {
		_, _, raw := c.call("GET", "/api/runs", nil)
		var rs []map[string]any
		json.Unmarshal(raw, &rs)
		if len(rs) != 1 {
			t.Fatalf("runs: %s", raw)
		}
		return rs[0], string(raw)
	}
	if body, _ := runView(); body["status"] != "waiting" || body["question"] == nil {
		t.Fatalf("run: %v", body)
	}
	if code, body, _ := c.call("POST", "/api/runs/"+itoa(run.ID)+"/answer", map[string]string{"answer": "  "}); code != 400 || !strings.Contains(body["error"].(string), "empty") {
		t.Fatalf("empty answer: %d %v", code, body)
	}
	if code, _, _ := c.call("POST", "/api/runs/"+itoa(run.ID)+"/answer", map[string]string{"answer": "482 913"}); code != 204 {
		t.Fatalf("answer: %d", code)
	}
	if code, _, _ := c.call("POST", "/api/runs/"+itoa(run.ID)+"/answer", map[string]string{"answer": "1"}); code != 409 {
		t.Fatalf("second answer: %d", code)
	}
	r, _ := st.Run(run.ID)
	if bytes.Contains(r.AnswerSealed, []byte("482913")) || len(r.AnswerSealed) == 0 {
		t.Fatalf("the answer is not sealed: %q", r.AnswerSealed)
	}
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	v := &credentials.Vault{Store: st, Box: box}
	if a, err := v.OpenAnswer(run.ID, r.AnswerSealed); a != "482913" || err != nil {
		t.Fatalf("answer = %q %v", a, err)
	}
	if body, raw := runView(); body["status"] != "running" || strings.Contains(raw, "482913") {
		t.Fatalf("after the answer: %s", raw)
	}
}

// TestSMSInboxAndMailbox: the SMS inbox takes texts only with its token (shown once, stored
// hashed); the mailbox settings never give the password back.
func TestSMSInboxAndMailbox(t *testing.T) {
	ts, st, _ := testServer(t)
	c := loggedIn(t, ts.URL)
	post := func(token, ct, body string) int {
		req, _ := http.NewRequest("POST", ts.URL+"/api/inbox/sms", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("anything", "application/json", `{"from":"Bank","text":"code 123456"}`); code != 401 {
		t.Fatalf("before a token exists: %d", code)
	}
	_, body, _ := c.call("POST", "/api/settings/sms/token", nil)
	token, _ := body["token"].(string)
	if !strings.HasPrefix(token, "bhsms_") {
		t.Fatalf("token: %v", body)
	}
	if _, body, raw := c.call("GET", "/api/settings/sms", nil); body["tokenSet"] != true || strings.Contains(string(raw), token) {
		t.Fatalf("settings show the token again: %s", raw)
	}
	if code := post("wrong", "application/json", `{"from":"Bank","text":"code 123456"}`); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code := post(token, "application/json", `{"from":"Bank","text":"Your code 123456"}`); code != 200 {
		t.Fatalf("json: %d", code)
	}
	if code := post(token, "application/x-www-form-urlencoded", "from=Shop&content=PIN+9876"); code != 200 {
		t.Fatalf("form: %d", code)
	}
	if code := post(token, "application/json", `{"from":"Bank"}`); code != 400 {
		t.Fatalf("no text: %d", code)
	}
	msgs, _ := st.SMSSince(time.Time{})
	if len(msgs) != 2 || msgs[1].Sender != "Bank" || bytes.Contains(msgs[1].TextSealed, []byte("123456")) {
		t.Fatalf("stored texts: %+v", msgs)
	}

	if code, body, _ := c.call("PUT", "/api/settings/mailbox", map[string]any{"host": "imap.example.com:993", "tls": "tls", "username": "me"}); code != 400 || !strings.Contains(body["error"].(string), "host name") {
		t.Fatalf("bad host: %d %v", code, body)
	}
	code, body, raw := c.call("PUT", "/api/settings/mailbox", map[string]any{"host": "imap.example.com", "port": 993, "tls": "tls", "username": "me@example.com", "password": "mail-secret"})
	if code != 200 || body["passwordSet"] != true || strings.Contains(string(raw), "mail-secret") {
		t.Fatalf("put: %d %s", code, raw)
	}
	c.call("PUT", "/api/settings/mailbox", map[string]any{"host": "imap2.example.com", "port": 993, "tls": "starttls", "username": "me@example.com"})
	_, body, raw = c.call("GET", "/api/settings/mailbox", nil)
	if body["host"] != "imap2.example.com" || body["passwordSet"] != true || strings.Contains(string(raw), "mail-secret") {
		t.Fatalf("get: %s", raw)
	}
	if v, _ := st.Setting("mailbox.password", ""); strings.Contains(v, "mail-secret") || v == "" {
		t.Fatalf("the password is stored as %q", v)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
