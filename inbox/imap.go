package inbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"
)

// Mailbox is where codes sent by e-mail are read.
type Mailbox struct {
	Host     string
	Port     int
	TLS      string // "tls" (implicit), "starttls" or "none"
	Username string
	Password string
	Folder   string // default INBOX
	// TLSConfig overrides the TLS settings (tests trust their own certificate with it).
	TLSConfig *tls.Config
}

// ErrPasswordRefused is wrapped by the error of a mailbox that refused the login.
var ErrPasswordRefused = errors.New("the mailbox refused the password; check the username and password under Settings → Mailbox")

// MailQuery says which e-mail holds the code.
type MailQuery struct {
	From, Subject string
	Pattern       *regexp.Regexp
	Since         time.Time // only mail that arrived at or after this (the run's start)
}

// PollInterval is how often a waiting reader looks for new mail.
var PollInterval = 1500 * time.Millisecond

// maxFetch bounds how many candidate messages one look reads in full.
const maxFetch = 10

// WaitForCode logs in and looks for the code every PollInterval until it is found or ctx ends.
// It returns at once with an error a user can act on when the mailbox cannot be reached or
// refuses the login.
func (m Mailbox) WaitForCode(ctx context.Context, q MailQuery) (string, error) {
	c, err := m.connect(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() }) // unblocks a command in flight
	defer stop()
	for {
		code, ok, err := m.look(c, q)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err != nil {
			return "", fmt.Errorf("reading the mailbox %s: %w", m.Host, err)
		}
		if ok {
			return code, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(PollInterval):
		}
	}
}

// connect dials, logs in and selects the folder.
func (m Mailbox) connect(ctx context.Context) (*imapclient.Client, error) {
	if m.Host == "" {
		return nil, errors.New("the mailbox has no server; set one under Settings → Mailbox")
	}
	port := m.Port
	if port == 0 {
		port = 993
		if m.TLS == "none" || m.TLS == "starttls" {
			port = 143
		}
	}
	addr := net.JoinHostPort(m.Host, strconv.Itoa(port))
	opt := &imapclient.Options{Dialer: &net.Dialer{Timeout: 15 * time.Second}, TLSConfig: m.TLSConfig}
	if opt.TLSConfig == nil {
		opt.TLSConfig = &tls.Config{ServerName: m.Host}
	}
	var c *imapclient.Client
	var err error
	switch m.TLS {
	case "none":
		c, err = imapclient.DialInsecure(addr, opt)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, opt)
	default:
		c, err = imapclient.DialTLS(addr, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach the mailbox at %s: %v", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(m.Username, m.Password).Wait(); err != nil {
		c.Close()
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
			return nil, ErrPasswordRefused
		}
		return nil, fmt.Errorf("cannot log in to the mailbox at %s: %v", addr, err)
	}
	folder := m.Folder
	if folder == "" {
		folder = "INBOX"
	}
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("cannot open the folder %q of the mailbox: %v", folder, err)
	}
	return c, nil
}

// look searches once: the newest matching message since q.Since that holds a code.
func (m Mailbox) look(c *imapclient.Client, q MailQuery) (string, bool, error) {
	if err := c.Noop().Wait(); err != nil { // lets the server tell us about new mail
		return "", false, err
	}
	// SINCE is a date without time: a day early covers every time zone; the exact time is
	// checked below.
	found, err := c.UIDSearch(&imap.SearchCriteria{Since: q.Since.Add(-24 * time.Hour)}, nil).Wait()
	if err != nil {
		return "", false, err
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return "", false, nil
	}
	envs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, Envelope: true, InternalDate: true}).Collect()
	if err != nil {
		return "", false, err
	}
	since := q.Since.Truncate(time.Second) // internal dates have whole seconds
	var cand []*imapclient.FetchMessageBuffer
	for _, e := range envs {
		if e.InternalDate.Before(since) || e.Envelope == nil {
			continue
		}
		if containsFold(q.Subject, e.Envelope.Subject) && containsFold(q.From, senders(e.Envelope)...) {
			cand = append(cand, e)
		}
	}
	sort.Slice(cand, func(i, j int) bool { // newest first
		if !cand[i].InternalDate.Equal(cand[j].InternalDate) {
			return cand[i].InternalDate.After(cand[j].InternalDate)
		}
		return cand[i].UID > cand[j].UID
	})
	if len(cand) > maxFetch {
		cand = cand[:maxFetch]
	}
	for _, e := range cand {
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(e.UID), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return "", false, err
		}
		if len(msgs) == 0 {
			continue
		}
		text := e.Envelope.Subject + "\n" + bodyText(msgs[0].FindBodySection(section))
		if code, ok := FindCode(q.Pattern, text); ok {
			return code, true, nil
		}
	}
	return "", false, nil
}

func senders(env *imap.Envelope) []string {
	var out []string
	for _, a := range env.From {
		out = append(out, a.Name, a.Addr())
	}
	return out
}

// bodyText is the readable text of a message: its text/plain parts, else its HTML as text.
func bodyText(raw []byte) string {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		if _, body, ok := strings.Cut(string(raw), "\r\n\r\n"); ok { // not MIME: the raw body
			return body
		}
		return string(raw)
	}
	var plain, htmls []string
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(p.Body, 1<<20))
		ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
		switch ct {
		case "text/html":
			htmls = append(htmls, htmlText(string(b)))
		case "", "text/plain":
			plain = append(plain, string(b))
		}
	}
	if len(plain) > 0 {
		return strings.Join(plain, "\n")
	}
	return strings.Join(htmls, "\n")
}
