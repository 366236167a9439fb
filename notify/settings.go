package notify

import (
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"billhound/secrets"
	"billhound/store"
)

// Settings are the channels as configured, secrets included (in memory only).
type Settings struct {
	Ntfy    Ntfy
	Webhook Webhook
	Email   Email
}

// Ntfy publishes to one topic of an ntfy server.
type Ntfy struct {
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"` // the topic's URL, e.g. https://ntfy.sh/billhound-7f3k
	Token   string `json:"-"`   // access token (tk_...), sealed; "" for an open topic
}

// Webhook posts JSON {title, body, link, kind, priority} to a URL.
type Webhook struct {
	Enabled bool     `json:"enabled"`
	URL     string   `json:"url"`
	Headers []Header `json:"-"` // sealed: they often carry a token
}

// Header is one extra HTTP header of the webhook.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Email sends over SMTP.
type Email struct {
	Enabled  bool   `json:"enabled"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"` // starttls, tls or none
	Username string `json:"username"`
	Password string `json:"-"` // sealed
	From     string `json:"from"`
	To       string `json:"to"` // one or more addresses, separated by commas
}

// SMTP security modes.
const (
	SecuritySTARTTLS = "starttls"
	SecurityTLS      = "tls"
	SecurityNone     = "none"
)

// The settings live in one row of the settings table: the plain parts as JSON, the secrets
// sealed together and bound to this purpose.
const (
	settingsKey   = "notifications"
	sealedPurpose = "settings/notifications"
)

type storedSettings struct {
	Ntfy    Ntfy    `json:"ntfy"`
	Webhook Webhook `json:"webhook"`
	Email   Email   `json:"email"`
	Sealed  []byte  `json:"sealed,omitempty"`
}

type sealedSecrets struct {
	NtfyToken    string   `json:"ntfyToken,omitempty"`
	SMTPPassword string   `json:"smtpPassword,omitempty"`
	Headers      []Header `json:"headers,omitempty"`
}

// Load reads the settings and opens their secrets. Nothing stored gives empty settings.
func Load(st *store.Store, box *secrets.Box) (Settings, error) {
	raw, err := st.Setting(settingsKey, "")
	if err != nil || raw == "" {
		return Settings{}, err
	}
	var ss storedSettings
	if err := json.Unmarshal([]byte(raw), &ss); err != nil {
		return Settings{}, fmt.Errorf("the stored notification settings are damaged: %w", err)
	}
	s := Settings{Ntfy: ss.Ntfy, Webhook: ss.Webhook, Email: ss.Email}
	plain, err := box.Open(sealedPurpose, ss.Sealed)
	if err != nil {
		return Settings{}, err
	}
	if len(plain) > 0 {
		var sec sealedSecrets
		if err := json.Unmarshal(plain, &sec); err != nil {
			return Settings{}, fmt.Errorf("the stored notification secrets are damaged: %w", err)
		}
		s.Ntfy.Token, s.Email.Password, s.Webhook.Headers = sec.NtfyToken, sec.SMTPPassword, sec.Headers
	}
	return s, nil
}

// Save checks and normalises s (see Check), then stores it with its secrets sealed.
func Save(st *store.Store, box *secrets.Box, s *Settings) error {
	if err := s.Check(); err != nil {
		return err
	}
	sec := sealedSecrets{NtfyToken: s.Ntfy.Token, SMTPPassword: s.Email.Password, Headers: s.Webhook.Headers}
	ss := storedSettings{Ntfy: s.Ntfy, Webhook: s.Webhook, Email: s.Email}
	if sec.NtfyToken != "" || sec.SMTPPassword != "" || len(sec.Headers) > 0 {
		plain, err := json.Marshal(sec)
		if err != nil {
			return err
		}
		if ss.Sealed, err = box.Seal(sealedPurpose, plain); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(ss)
	if err != nil {
		return err
	}
	return st.SetSetting(settingsKey, string(raw))
}

// InputError is a problem with the settings the user typed; its message says what to fix.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, a ...any) error { return &InputError{Msg: fmt.Sprintf(format, a...)} }

// Check normalises s (trims, default ports) and reports the first thing to fix. Channels that
// are off are checked too when filled in, so a typo does not wait until they are turned on.
func (s *Settings) Check() error {
	n, w, e := &s.Ntfy, &s.Webhook, &s.Email
	n.URL, n.Token = strings.TrimSpace(n.URL), strings.TrimSpace(n.Token)
	if n.Enabled || n.URL != "" {
		u, err := httpURL(n.URL, "ntfy topic URL")
		if err != nil {
			return err
		}
		if strings.Trim(u.Path, "/") == "" {
			return inputErr("the ntfy URL needs the topic after the server, like https://ntfy.sh/my-billhound")
		}
	}
	if err := checkHeaderText(n.Token, "the ntfy access token"); err != nil {
		return err
	}
	w.URL = strings.TrimSpace(w.URL)
	if w.Enabled || w.URL != "" {
		if _, err := httpURL(w.URL, "webhook URL"); err != nil {
			return err
		}
	}
	if err := checkHeaders(w.Headers); err != nil {
		return err
	}
	return e.check()
}

func (e *Email) check() error {
	e.Host, e.Username = strings.TrimSpace(e.Host), strings.TrimSpace(e.Username)
	e.From, e.To = strings.TrimSpace(e.From), strings.TrimSpace(e.To)
	if e.Security == "" {
		e.Security = SecuritySTARTTLS
	}
	if !e.Enabled && e.Host == "" && e.From == "" && e.To == "" {
		return nil
	}
	switch e.Security {
	case SecuritySTARTTLS, SecurityTLS, SecurityNone:
	default:
		return inputErr("the SMTP security must be starttls, tls or none, not %q", e.Security)
	}
	if e.Host == "" || strings.ContainsAny(e.Host, " /:") && net.ParseIP(e.Host) == nil {
		return inputErr("give the SMTP server's host name, like smtp.example.com (the port goes in its own field)")
	}
	if e.Port == 0 {
		e.Port = map[string]int{SecuritySTARTTLS: 587, SecurityTLS: 465, SecurityNone: 25}[e.Security]
	}
	if e.Port < 1 || e.Port > 65535 {
		return inputErr("the SMTP port must be between 1 and 65535, not %d", e.Port)
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		return inputErr("the sender address %q is not an e-mail address like billhound@example.com", e.From)
	}
	if _, err := mail.ParseAddressList(e.To); err != nil || e.To == "" {
		return inputErr("give one or more recipient addresses, separated by commas")
	}
	if e.Security == SecurityNone && e.Password != "" && !isLoopback(e.Host) {
		return inputErr("without TLS the SMTP password would cross the network in clear; choose STARTTLS or TLS")
	}
	return nil
}

func httpURL(raw, what string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, inputErr("the %s must be a full address starting with https:// (or http://)", what)
	}
	return u, nil
}

func checkHeaders(hs []Header) error {
	seen := map[string]bool{}
	for i := range hs {
		h := &hs[i]
		h.Name, h.Value = strings.TrimSpace(h.Name), strings.TrimSpace(h.Value)
		if h.Name == "" || strings.IndexFunc(h.Name, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) >= 0 {
			return inputErr("the webhook header name %q may hold only letters, digits and dashes", h.Name)
		}
		switch strings.ToLower(h.Name) {
		case "host", "content-length", "content-type", "transfer-encoding", "connection":
			return inputErr("the webhook header %s is set by billhound itself; remove it", h.Name)
		}
		if seen[strings.ToLower(h.Name)] {
			return inputErr("the webhook header %s is given twice", h.Name)
		}
		seen[strings.ToLower(h.Name)] = true
		if h.Value == "" {
			return inputErr("give the webhook header %s a value, or remove it", h.Name)
		}
		if err := checkHeaderText(h.Value, "the value of the webhook header "+h.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkHeaderText(v, what string) error {
	if strings.ContainsAny(v, "\r\n\x00") || len(v) > 4096 {
		return inputErr("%s must be one line of at most 4096 characters", what)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Configured reports whether at least one channel is on.
func (s Settings) Configured() bool {
	return s.Ntfy.Enabled || s.Webhook.Enabled || s.Email.Enabled
}
