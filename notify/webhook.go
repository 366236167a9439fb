package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// webhookChannel posts the message as JSON, for chat bridges, Home Assistant, n8n and the like.
type webhookChannel struct {
	cfg    Webhook
	client *http.Client
}

func (c *webhookChannel) name() string { return "webhook" }

// WebhookPayload is the JSON body a webhook receives.
type WebhookPayload struct {
	Title    string `json:"title"`
	Body     string `json:"body"`
	Link     string `json:"link"`
	Kind     string `json:"kind"`
	Priority int    `json:"priority"`
}

func (c *webhookChannel) send(ctx context.Context, m Message) error {
	raw, err := json.Marshal(WebhookPayload{m.Title, m.Body, m.Link, m.Kind, m.Priority})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(raw))
	if err != nil {
		return inputErr("the webhook URL cannot be used: %v", err)
	}
	for _, h := range c.cfg.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "billhound")
	return postDone(c.client, req, "the webhook", "check its URL and headers")
}

// postDone sends req and turns what went wrong into a sentence naming the server's host, never
// the whole URL (an ntfy topic is as good as a password).
func postDone(client *http.Client, req *http.Request, who, hint string) error {
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return err // Deliver words the timeout
		}
		return fmt.Errorf("cannot reach %s at %s (%v); check the address and that it is up", who, req.URL.Host, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		msg := fmt.Sprintf("%s at %s answered %s", who, req.URL.Host, resp.Status)
		if s := bytes.TrimSpace(snippet); len(s) > 0 && isText(s) {
			msg += ": " + string(s)
		}
		return fmt.Errorf("%s; %s", msg, hint)
	}
	return nil
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
