package notify

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSettingsRoundTrip: secrets are sealed in the store, kept by an update that leaves them
// empty, removed by the clear flags, and never part of the view.
func TestSettingsRoundTrip(t *testing.T) {
	n, _ := newNotifier(t)
	var u Update
	u.Ntfy.Enabled, u.Ntfy.URL, u.Ntfy.Token = true, "https://ntfy.example.com/bills", testToken
	u.Webhook.URL, u.Webhook.Headers = "https://hooks.example.com/x", []Header{{"X-Key", testHook}}
	u.Email.Host, u.Email.Username, u.Email.Password = "smtp.example.com", "me", testPassword
	u.Email.From, u.Email.To = "billhound@example.com", "me@example.com"
	save(t, n, u.Apply(Settings{}))

	raw, _ := n.Store.Setting(settingsKey, "")
	for _, secret := range []string{testToken, testHook, testPassword} {
		if strings.Contains(raw, secret) {
			t.Fatalf("a secret is stored in clear: %s", raw)
		}
	}
	s, err := Load(n.Store, n.Box)
	if err != nil {
		t.Fatal(err)
	}
	if s.Ntfy.Token != testToken || s.Email.Password != testPassword || s.Webhook.Headers[0].Value != testHook {
		t.Fatalf("loaded %+v", s)
	}
	if s.Email.Port != 587 || s.Email.Security != SecuritySTARTTLS {
		t.Errorf("defaults: port %d security %q", s.Email.Port, s.Email.Security)
	}
	view, _ := json.Marshal(ViewOf(s))
	for _, secret := range []string{testToken, testHook, testPassword} {
		if strings.Contains(string(view), secret) {
			t.Fatalf("a secret in the view: %s", view)
		}
	}
	for _, want := range []string{`"tokenSet":true`, `"passwordSet":true`, `{"name":"X-Key","valueSet":true}`} {
		if !strings.Contains(string(view), want) {
			t.Errorf("view lacks %s: %s", want, view)
		}
	}

	// Empty secrets keep the stored ones; clear flags remove them.
	u.Ntfy.Token, u.Email.Password, u.Webhook.Headers = "", "", []Header{{"X-Key", ""}}
	kept := u.Apply(s)
	if kept.Ntfy.Token != testToken || kept.Email.Password != testPassword || kept.Webhook.Headers[0].Value != testHook {
		t.Errorf("kept %+v", kept)
	}
	u.Ntfy.ClearToken, u.Email.ClearPassword, u.Webhook.Headers = true, true, nil
	cleared := u.Apply(s)
	if cleared.Ntfy.Token != "" || cleared.Email.Password != "" || len(cleared.Webhook.Headers) != 0 {
		t.Errorf("cleared %+v", cleared)
	}
}

func TestSettingsCheck(t *testing.T) {
	mail := func(f func(e *Email)) Settings {
		e := Email{Enabled: true, Host: "smtp.example.com", From: "a@example.com", To: "b@example.com"}
		f(&e)
		return Settings{Email: e}
	}
	cases := []struct {
		s    Settings
		want string // "" = valid
	}{
		{Settings{}, ""},
		{Settings{Ntfy: Ntfy{Enabled: true, URL: "https://ntfy.sh/x"}}, ""},
		{Settings{Ntfy: Ntfy{Enabled: true, URL: "https://ntfy.sh/"}}, "needs the topic"},
		{Settings{Ntfy: Ntfy{Enabled: true, URL: "ntfy.sh/x"}}, "starting with https://"},
		{Settings{Webhook: Webhook{Enabled: true, URL: "ftp://x"}}, "starting with https://"},
		{Settings{Webhook: Webhook{URL: "https://x", Headers: []Header{{"Bad Name", "v"}}}}, "only letters"},
		{Settings{Webhook: Webhook{URL: "https://x", Headers: []Header{{"Host", "v"}}}}, "set by billhound"},
		{Settings{Webhook: Webhook{URL: "https://x", Headers: []Header{{"X-A", "a\nb"}}}}, "one line"},
		{mail(func(e *Email) {}), ""},
		{mail(func(e *Email) { e.Host = "smtp.example.com:587" }), "port goes in its own field"},
		{mail(func(e *Email) { e.To = "not an address" }), "recipient"},
		{mail(func(e *Email) { e.From = "" }), "sender address"},
		{mail(func(e *Email) { e.Security = "ssl" }), "starttls, tls or none"},
		{mail(func(e *Email) { e.Port = 70000 }), "between 1 and 65535"},
		{mail(func(e *Email) { e.Security, e.Password = SecurityNone, "pw" }), "in clear"},
		{mail(func(e *Email) { e.Host, e.Security, e.Password = "127.0.0.1", SecurityNone, "pw" }), ""},
	}
	for i, c := range cases {
		err := c.s.Check()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("case %d: %v, want %q", i, err, c.want)
		}
	}
}
