package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/secrets"
	"billhound/store"
)

const (
	testToken    = "tk_s3cr3tNtfyT0ken"
	testPassword = "smtp-Passw0rd!"
	testHook     = "Bearer hook-s3cret-value"
)

func newNotifier(t *testing.T) (*Notifier, *bytes.Buffer) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, secrets.KeySize))
	var logs bytes.Buffer
	return &Notifier{Store: st, Box: box, PublicURL: "http://billhound.test:8080",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}, &logs
}

func save(t *testing.T, n *Notifier, s Settings) {
	t.Helper()
	if err := Save(n.Store, n.Box, &s); err != nil {
		t.Fatal(err)
	}
}

// TestAllChannels sends one question through ntfy, the webhook and e-mail (STARTTLS with a
// login) and checks what each server got: the text, the one-tap link, the headers.
func TestAllChannels(t *testing.T) {
	n, logs := newNotifier(t)
	cert, pool := testCert(t)
	n.SMTPTLS = &tls.Config{RootCAs: pool}
	ntfy := startRecorder(t, nil)
	hook := startRecorder(t, nil)
	mb, port := startSMTP(t, cert, false, "billhound", testPassword)
	save(t, n, Settings{
		Ntfy:    Ntfy{Enabled: true, URL: ntfy.URL + "/billhound-topic", Token: testToken},
		Webhook: Webhook{Enabled: true, URL: hook.URL + "/hook", Headers: []Header{{"Authorization", testHook}}},
		Email: Email{Enabled: true, Host: "127.0.0.1", Port: port, Security: SecuritySTARTTLS,
			Username: "billhound", Password: testPassword, From: "billhound@example.com", To: "me@example.com, you@example.com"},
	})

	msg := Message{Title: "Stadtwerke Köln needs a code", Body: "Type the code the portal sent by SMS.",
		Link: "/runs/7#answer", Kind: KindQuestion}
	results, err := n.Deliver(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.OK {
			t.Errorf("%s: %s", r.Channel, r.Error)
		}
	}
	if len(results) != 3 {
		t.Fatalf("results %+v, want ntfy, webhook and email", results)
	}
	link := "http://billhound.test:8080/runs/7#answer"

	hits := ntfy.all()
	if len(hits) != 1 {
		t.Fatalf("ntfy got %d requests", len(hits))
	}
	h := hits[0]
	var dec mime.WordDecoder
	title, _ := dec.DecodeHeader(h.Header.Get("Title"))
	for name, want := range map[string]string{"Click": link, "Priority": "4", "Tags": "question",
		"Authorization": "Bearer " + testToken, "Actions": "view, Answer, " + link + ", clear=true"} {
		if got := h.Header.Get(name); got != want {
			t.Errorf("ntfy header %s = %q, want %q", name, got, want)
		}
	}
	if h.Path != "/billhound-topic" || title != msg.Title || h.Body != msg.Body {
		t.Errorf("ntfy got path %q title %q body %q", h.Path, title, h.Body)
	}

	hits = hook.all()
	if len(hits) != 1 {
		t.Fatalf("webhook got %d requests", len(hits))
	}
	var p WebhookPayload
	if err := json.Unmarshal([]byte(hits[0].Body), &p); err != nil {
		t.Fatalf("webhook body %q: %v", hits[0].Body, err)
	}
	if p != (WebhookPayload{msg.Title, msg.Body, link, KindQuestion, 4}) {
		t.Errorf("webhook payload %+v", p)
	}
	if hits[0].Header.Get("Authorization") != testHook || hits[0].Header.Get("Content-Type") != "application/json" {
		t.Errorf("webhook headers %v", hits[0].Header)
	}

	mails := mb.all()
	if len(mails) != 1 {
		t.Fatalf("SMTP server got %d mails", len(mails))
	}
	m := mails[0]
	if !m.TLS || m.Auth != "billhound" || m.From != "billhound@example.com" || strings.Join(m.To, ",") != "me@example.com,you@example.com" {
		t.Errorf("SMTP envelope: tls %v auth %q from %q to %v", m.TLS, m.Auth, m.From, m.To)
	}
	pm := parseMail(t, m.Data)
	if pm.Subject != msg.Title || !strings.Contains(pm.Text, msg.Body) || !strings.Contains(pm.Text, "Answer: "+link) {
		t.Errorf("mail subject %q text %q", pm.Subject, pm.Text)
	}
	if !strings.Contains(pm.HTML, `href="`+link+`"`) {
		t.Errorf("mail HTML has no link to the answer field:\n%s", pm.HTML)
	}
	if strings.Contains(logs.String(), testPassword) || strings.Contains(logs.String(), testToken) {
		t.Errorf("a secret reached the log:\n%s", logs.String())
	}
}

// TestImplicitTLSAndPlain covers the two other SMTP security modes.
func TestImplicitTLSAndPlain(t *testing.T) {
	cert, pool := testCert(t)
	for _, c := range []struct {
		security string
		implicit bool
		wantTLS  bool
	}{{SecurityTLS, true, true}, {SecurityNone, false, false}} {
		t.Run(c.security, func(t *testing.T) {
			n, _ := newNotifier(t)
			n.SMTPTLS = &tls.Config{RootCAs: pool}
			mb, port := startSMTP(t, cert, c.implicit, "u", testPassword)
			save(t, n, Settings{Email: Email{Enabled: true, Host: "127.0.0.1", Port: port, Security: c.security,
				Username: "u", Password: testPassword, From: "a@example.com", To: "b@example.com"}})
			if err := n.Send(context.Background(), Message{Title: "Test", Body: "hello", Kind: KindTest}); err != nil {
				t.Fatal(err)
			}
			if got := mb.all(); len(got) != 1 || got[0].TLS != c.wantTLS {
				t.Fatalf("mails %+v, want one with TLS %v", got, c.wantTLS)
			}
		})
	}
}

// TestFailingChannelsDoNotBlock: a webhook that never answers, an ntfy server refusing the
// token and an SMTP server refusing the password each report their own error, in about the
// time limit, while the working channel still delivers. No secret shows in the errors.
func TestFailingChannelsDoNotBlock(t *testing.T) {
	n, logs := newNotifier(t)
	n.Timeout = 2 * time.Second
	cert, pool := testCert(t)
	n.SMTPTLS = &tls.Config{RootCAs: pool}
	release := make(chan struct{})
	defer close(release)
	slow := startRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// ntfy refuses the token and, like some proxies, echoes the request's headers.
	ntfy := startRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"unauthorized: `+r.Header.Get("Authorization")+`"}`)
	})
	_, port := startSMTP(t, cert, false, "u", "another password")
	save(t, n, Settings{
		Ntfy:    Ntfy{Enabled: true, URL: ntfy.URL + "/t", Token: testToken},
		Webhook: Webhook{Enabled: true, URL: slow.URL},
		Email: Email{Enabled: true, Host: "127.0.0.1", Port: port, Username: "u", Password: testPassword,
			From: "a@example.com", To: "b@example.com"},
	})
	start := time.Now()
	results, err := n.Deliver(context.Background(), Message{Title: "Run failed", Kind: KindFailure})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took > 5*time.Second {
		t.Errorf("Deliver took %s with a 2s limit per channel", took)
	}
	want := map[string]string{"ntfy": "401 Unauthorized", "webhook": "no answer within 2s", "email": "refused the login"}
	for _, r := range results {
		if r.OK || !strings.Contains(r.Error, want[r.Channel]) {
			t.Errorf("%s: ok %v error %q, want %q", r.Channel, r.OK, r.Error, want[r.Channel])
		}
		if strings.Contains(r.Error, testToken) || strings.Contains(r.Error, testPassword) {
			t.Errorf("%s: a secret in the error %q", r.Channel, r.Error)
		}
	}
	if strings.Contains(logs.String(), testToken) || !strings.Contains(logs.String(), "notification not delivered") {
		t.Errorf("log:\n%s", logs.String())
	}

	// One working channel beside a dead one still delivers.
	ok := startRecorder(t, nil)
	save(t, n, Settings{Ntfy: Ntfy{Enabled: true, URL: ok.URL + "/t"}, Webhook: Webhook{Enabled: true, URL: "http://127.0.0.1:1/"}})
	err = n.Send(context.Background(), Message{Title: "Run failed", Kind: KindFailure})
	if err == nil || !strings.Contains(err.Error(), "webhook: cannot reach the webhook at 127.0.0.1:1") {
		t.Errorf("Send error %v", err)
	}
	if len(ok.all()) != 1 {
		t.Error("the working ntfy channel got nothing")
	}
}

func TestNothingConfigured(t *testing.T) {
	n, _ := newNotifier(t)
	if err := n.Send(context.Background(), Message{Title: "x"}); err != nil {
		t.Fatal(err)
	}
}
