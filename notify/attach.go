package notify

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"

	gomail "github.com/wneessen/go-mail"
)

// Mail is an e-mail with one attached file, sent over the notifications' SMTP server (exports
// of invoices to an accounting tool's inbox address).
type Mail struct {
	To          string // one or more addresses, separated by commas
	Subject     string
	Body        string
	FileName    string
	ContentType string
	Data        []byte
}

// SendMail sends m through the SMTP server configured for notifications, from its sender
// address. The e-mail channel need not be on for notifications; its server must be set up.
// Errors are sentences for the user, with the SMTP password hidden.
func (n *Notifier) SendMail(ctx context.Context, m Mail) error {
	s, err := Load(n.Store, n.Box)
	if err != nil {
		return err
	}
	cfg := s.Email
	if cfg.Host == "" || cfg.From == "" {
		return inputErr("no SMTP server is set up; fill in the e-mail part of Settings → Notifications first (it need not be turned on)")
	}
	cfg.To = m.To
	if err := cfg.check(); err != nil {
		return err
	}
	ch := &emailChannel{cfg: cfg, tls: n.SMTPTLS}
	msg, err := ch.message(Message{Title: m.Subject, Body: m.Body})
	if err != nil {
		return err
	}
	if len(m.Data) > 0 {
		ct := gomail.ContentType(m.ContentType)
		if err := msg.AttachReader(m.FileName, bytes.NewReader(m.Data), gomail.WithFileContentType(ct)); err != nil {
			return fmt.Errorf("attach %s: %w", m.FileName, err)
		}
	}
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client, err := gomail.NewClient(cfg.Host, ch.options(cctx)...)
	if err != nil {
		return inputErr("the SMTP settings cannot be used: %v", err)
	}
	if err := client.DialAndSendWithContext(cctx, msg); err != nil {
		return fmt.Errorf("%s", s.redactor().Apply(smtpError(cfg, err).Error()))
	}
	return nil
}

// CheckAddresses reports whether to is a list of e-mail addresses, in a sentence.
func CheckAddresses(to string) error {
	if list, err := mail.ParseAddressList(to); err != nil || len(list) == 0 {
		return inputErr("give one or more e-mail addresses, separated by commas, like invoices@example.com")
	}
	return nil
}
