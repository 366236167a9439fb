// Package notify is billhound's one way out to the user: ntfy, a generic webhook and e-mail over
// SMTP. A question from a run, a failed run or a new invoice becomes a Message; Send hands it to
// every channel the user turned on in the settings, each with its own time limit, so one dead
// channel neither hides the message from the others nor holds the caller for long.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"billhound/redact"
	"billhound/secrets"
	"billhound/store"
)

// Kinds of message. The kind picks the default priority and the ntfy tag.
const (
	KindQuestion = "question" // a run waits for the user's answer
	KindFailure  = "failure"  // a run failed
	KindInvoice  = "invoice"  // new invoices arrived
	KindTest     = "test"     // the settings page's "send a test"
)

// Message is one notification.
type Message struct {
	Title string
	Body  string
	// Link opens the page where the user acts, e.g. the answer field of a question. An absolute
	// URL, or a path ("/runs/7#answer") that Send puts under the server's public URL.
	Link string
	Kind string
	// Priority 1 (lowest) to 5 (urgent), ntfy's scale; 0 takes the kind's default.
	Priority int
}

// Result is how one channel fared with one message.
type Result struct {
	Channel string `json:"channel"` // ntfy, webhook or email
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"` // a sentence for the user; never holds a secret
}

// DefaultTimeout bounds each channel's delivery.
const DefaultTimeout = 15 * time.Second

// Notifier sends messages through the channels configured in the settings. The settings are
// read at each Send, so a change on the settings page applies to the next message.
type Notifier struct {
	Store     *store.Store
	Box       *secrets.Box
	PublicURL string        // base of relative links, e.g. http://localhost:8080
	Timeout   time.Duration // per channel; DefaultTimeout when 0
	Logger    *slog.Logger  // failures are logged here (redacted); nil: not logged
	// HTTP sends ntfy and webhook requests; nil uses a client without cookies or proxies
	// beyond the environment's. Tests leave it nil.
	HTTP *http.Client
	// SMTPTLS is the base TLS configuration for SMTP (tests trust their own CA with it); nil
	// checks the server's certificate against the system's roots.
	SMTPTLS *tls.Config
}

// channel delivers one message through one configured channel.
type channel interface {
	name() string
	send(ctx context.Context, m Message) error
}

// Send delivers m to every enabled channel and returns their errors joined (nil when all went
// through, or when no channel is on). It returns within the per-channel timeout; a caller
// that must not wait at all runs it in a goroutine.
func (n *Notifier) Send(ctx context.Context, m Message) error {
	results, err := n.Deliver(ctx, m)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range results {
		if !r.OK {
			errs = append(errs, fmt.Errorf("%s: %s", r.Channel, r.Error))
		}
	}
	return errors.Join(errs...)
}

// Deliver is Send with one result per enabled channel, in the order ntfy, webhook, email.
func (n *Notifier) Deliver(ctx context.Context, m Message) ([]Result, error) {
	s, err := Load(n.Store, n.Box)
	if err != nil {
		return nil, err
	}
	m = n.complete(m)
	chans := n.channels(s)
	results := make([]Result, len(chans))
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	red := s.redactor()
	var wg sync.WaitGroup
	for i, c := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			results[i] = Result{Channel: c.name(), OK: true}
			if err := c.send(cctx, m); err != nil {
				if cctx.Err() != nil && ctx.Err() == nil {
					err = fmt.Errorf("no answer within %s; check the address and that the server is up", timeout)
				}
				msg := red.Apply(err.Error())
				results[i] = Result{Channel: c.name(), Error: msg}
				if n.Logger != nil {
					n.Logger.Warn("notification not delivered", "channel", c.name(), "kind", m.Kind, "err", msg)
				}
			}
		}()
	}
	wg.Wait()
	return results, nil
}

// Link makes an absolute URL of a path under the server's public URL.
func (n *Notifier) Link(path string) string {
	if path == "" || strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return strings.TrimRight(n.PublicURL, "/") + path
}

// complete fills in what the channels need: an absolute link, a priority, a title.
func (n *Notifier) complete(m Message) Message {
	m.Link = n.Link(m.Link)
	if m.Kind == "" {
		m.Kind = KindFailure
	}
	if m.Priority < 1 || m.Priority > 5 {
		m.Priority = defaultPriority(m.Kind)
	}
	if m.Title == "" {
		m.Title = "billhound"
	}
	return m
}

func defaultPriority(kind string) int {
	switch kind {
	case KindQuestion, KindFailure:
		return 4 // high: a run waits, or something broke
	default:
		return 3
	}
}

func (n *Notifier) httpClient() *http.Client {
	if n.HTTP != nil {
		return n.HTTP
	}
	return http.DefaultClient // each request carries the channel's deadline
}

// channels lists the enabled channels of s.
func (n *Notifier) channels(s Settings) []channel {
	var out []channel
	if s.Ntfy.Enabled {
		out = append(out, &ntfyChannel{cfg: s.Ntfy, client: n.httpClient()})
	}
	if s.Webhook.Enabled {
		out = append(out, &webhookChannel{cfg: s.Webhook, client: n.httpClient()})
	}
	if s.Email.Enabled {
		out = append(out, &emailChannel{cfg: s.Email, tls: n.SMTPTLS})
	}
	return out
}

// redactor hides the settings' secrets in error messages: servers sometimes echo what they got.
func (s Settings) redactor() *redact.Redactor {
	r := redact.New()
	r.Add(s.Ntfy.Token, redact.Text)
	r.Add(s.Email.Password, redact.Text)
	for _, h := range s.Webhook.Headers {
		r.Add(h.Value, redact.Text)
	}
	return r
}

// Notify sends a question (a run that waits for the user) to every channel that is on; it is
// what the runner calls when a script asks. Failures are logged by Send.
func (n *Notifier) Notify(ctx context.Context, title, body, link string) {
	_ = n.Send(ctx, Message{Title: title, Body: body, Link: link, Kind: KindQuestion})
}
