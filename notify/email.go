package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// emailChannel sends over SMTP with go-mail: it speaks STARTTLS and implicit TLS, picks the
// strongest login the server offers (SCRAM, CRAM-MD5, PLAIN, LOGIN) and writes correct MIME
// (encoded subjects, quoted-printable bodies, a text and an HTML part), which net/smtp leaves
// to the caller.
type emailChannel struct {
	cfg Email
	tls *tls.Config
}

func (c *emailChannel) name() string { return "email" }

func (c *emailChannel) send(ctx context.Context, m Message) error {
	msg, err := c.message(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(c.cfg.Host, c.options(ctx)...)
	if err != nil {
		return inputErr("the SMTP settings cannot be used: %v", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return smtpError(c.cfg, err)
	}
	return nil
}

func (c *emailChannel) options(ctx context.Context) []gomail.Option {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tls != nil {
		tc = c.tls.Clone()
	}
	tc.ServerName = c.cfg.Host
	timeout := DefaultTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	opts := []gomail.Option{gomail.WithPort(c.cfg.Port), gomail.WithTLSConfig(tc), gomail.WithTimeout(timeout)}
	switch c.cfg.Security {
	case SecurityTLS:
		opts = append(opts, gomail.WithSSL())
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if c.cfg.Security == SecurityNone {
			auth = gomail.SMTPAuthPlain // allowed by Check only towards this machine
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.cfg.Username), gomail.WithPassword(c.cfg.Password))
	}
	return opts
}

var emailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;line-height:1.5">
<p style="white-space:pre-line">{{.Body}}</p>
{{if .Link}}<p><a href="{{.Link}}" style="display:inline-block;padding:.6em 1.2em;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">{{.Label}}</a></p>
<p style="color:#666;font-size:.9em">{{.Link}}</p>{{end}}
</body></html>`))

func (c *emailChannel) message(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(c.cfg.From); err != nil {
		return nil, inputErr("the sender address %q is not usable: %v", c.cfg.From, err)
	}
	to, err := mail.ParseAddressList(c.cfg.To)
	if err != nil {
		return nil, inputErr("the recipient addresses are not usable: %v", err)
	}
	rcpts := make([]string, len(to))
	for i, a := range to {
		rcpts[i] = a.String()
	}
	if err := msg.To(rcpts...); err != nil {
		return nil, inputErr("the recipient addresses are not usable: %v", err)
	}
	msg.Subject(m.Title)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetUserAgent("billhound")
	label := "Open billhound"
	if m.Kind == KindQuestion {
		label = "Answer"
	}
	text := m.Body
	if m.Link != "" {
		text += "\n\n" + label + ": " + m.Link + "\n"
	}
	msg.SetBodyString(gomail.TypeTextPlain, text)
	var html strings.Builder
	if err := emailHTML.Execute(&html, map[string]string{"Body": m.Body, "Link": m.Link, "Label": label}); err != nil {
		return nil, err
	}
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

// smtpError says what failed in words the settings page can show.
func smtpError(cfg Email, err error) error {
	where := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	var se *gomail.SendError
	text := strings.ToLower(err.Error())
	switch {
	case strings.Contains(text, "auth ") || strings.Contains(text, "authentication"):
		return fmt.Errorf("the SMTP server %s refused the login (%v); check the user name and password", where, err)
	case strings.Contains(text, "starttls"):
		return fmt.Errorf("the SMTP server %s does not offer STARTTLS (%v); choose TLS or another port", where, err)
	case errors.As(err, &se):
		return fmt.Errorf("the SMTP server %s did not take the message (%v); check the sender and recipient addresses", where, err)
	case strings.Contains(text, "dial"):
		return fmt.Errorf("cannot connect to the SMTP server %s (%v); check the host, port and security", where, err)
	}
	return fmt.Errorf("sending through %s failed: %v", where, err)
}
