// Package exports sends archived invoices on to where the user keeps them: a folder (e.g.
// paperless-ngx's consume folder), an e-mail address (over the notifications' SMTP server), a
// WebDAV folder (Nextcloud and friends) or a webhook. Each (invoice, target) pair is one row of
// the exports table, sent once; failures are retried with a backoff by the job queue (package
// jobs) and shown on the invoice.
package exports

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"billhound/notify"
	"billhound/store"
	"billhound/textrule"
)

// Kinds of target.
const (
	KindFolder  = "folder"
	KindEmail   = "email"
	KindWebDAV  = "webdav"
	KindWebhook = "webhook"
)

// Config is a target's plain settings; which fields count depends on the kind.
type Config struct {
	Path     string `json:"path,omitempty"`     // folder: an absolute folder on the server
	Template string `json:"template,omitempty"` // folder, webdav: the file name template
	To       string `json:"to,omitempty"`       // email: addresses, separated by commas
	URL      string `json:"url,omitempty"`      // webdav: the folder's URL; webhook: where to POST
	Username string `json:"username,omitempty"` // webdav
	// SecretHeader (webhook) also sends the secret itself in this header, for receivers that
	// check a fixed token; the HMAC signature is sent whenever a secret is set.
	SecretHeader string `json:"secretHeader,omitempty"`
}

// InputError is a problem with what the user typed; its message says what to fix.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, a ...any) error { return &InputError{Msg: fmt.Sprintf(format, a...)} }

// ConfigOf reads a stored target's settings.
func ConfigOf(t *store.ExportTarget) (Config, error) {
	var c Config
	if err := json.Unmarshal([]byte(t.Config), &c); err != nil {
		return c, fmt.Errorf("the stored settings of export target %q are damaged: %w", t.Name, err)
	}
	return c, nil
}

// Encode is the JSON the store keeps.
func (c Config) Encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Check normalises a target's name and settings and reports the first thing to fix. secretSet
// says whether the target has (or will have) a secret.
func Check(name, kind string, c *Config, secretSet bool) error {
	if err := textrule.Check("the target's name", name, 60); err != nil {
		return &InputError{Msg: err.Error()}
	}
	c.Path, c.Template, c.To = strings.TrimSpace(c.Path), strings.TrimSpace(c.Template), strings.TrimSpace(c.To)
	c.URL, c.Username, c.SecretHeader = strings.TrimSpace(c.URL), strings.TrimSpace(c.Username), strings.TrimSpace(c.SecretHeader)
	if (kind == KindFolder || kind == KindWebDAV) && c.Template == "" {
		c.Template = DefaultTemplate
	}
	switch kind {
	case KindFolder:
		if !filepath.IsAbs(c.Path) {
			return inputErr("give the folder as an absolute path on the billhound server, like /srv/paperless/consume")
		}
		c.Path = filepath.Clean(c.Path)
		return CheckTemplate(c.Template)
	case KindEmail:
		return notify.CheckAddresses(c.To)
	case KindWebDAV:
		if err := checkURL(c.URL, "WebDAV folder URL"); err != nil {
			return err
		}
		if !strings.HasSuffix(c.URL, "/") {
			c.URL += "/"
		}
		if c.Username == "" && secretSet {
			return inputErr("give the WebDAV user name that goes with the password")
		}
		return CheckTemplate(c.Template)
	case KindWebhook:
		if err := checkURL(c.URL, "webhook URL"); err != nil {
			return err
		}
		if c.SecretHeader != "" && !secretSet {
			return inputErr("set a secret to send in the header %s, or leave the header name empty", c.SecretHeader)
		}
		if strings.ContainsAny(c.SecretHeader, " :\r\n") {
			return inputErr("the secret header name may hold only letters, digits and dashes, like X-Token")
		}
		return nil
	}
	return inputErr("the kind of target must be folder, email, webdav or webhook, not %q", kind)
}

func checkURL(raw, what string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return inputErr("the %s must be a full address starting with https:// (or http://)", what)
	}
	if u.User != nil {
		return inputErr("put the user name and password in their own fields, not in the %s", what)
	}
	return nil
}
