package notify

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// ntfyChannel publishes with ntfy's header API: the body is the message, and the headers carry
// the title, the link opened by a tap on the notification (Click), a button to the same link
// (Actions), the priority (1-5) and tags (emoji short codes shown before the title).
type ntfyChannel struct {
	cfg    Ntfy
	client *http.Client
}

func (c *ntfyChannel) name() string { return "ntfy" }

// ntfyTags are emoji short codes ntfy shows in front of the title.
var ntfyTags = map[string]string{
	KindQuestion: "question",
	KindFailure:  "warning",
	KindInvoice:  "page_facing_up",
	KindTest:     "white_check_mark",
}

func (c *ntfyChannel) send(ctx context.Context, m Message) error {
	body := m.Body
	if body == "" {
		body = m.Title // ntfy would otherwise show "triggered"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, strings.NewReader(body))
	if err != nil {
		return inputErr("the ntfy URL cannot be used: %v", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	// HTTP headers are not reliably UTF-8; ntfy decodes RFC 2047 encoded words in the title.
	req.Header.Set("Title", encodeWord(m.Title))
	req.Header.Set("Priority", strconv.Itoa(m.Priority))
	if tag := ntfyTags[m.Kind]; tag != "" {
		req.Header.Set("Tags", tag)
	}
	if m.Link != "" {
		req.Header.Set("Click", m.Link)
		label := "Open"
		if m.Kind == KindQuestion {
			label = "Answer"
		}
		req.Header.Set("Actions", "view, "+label+", "+m.Link+", clear=true")
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	return postDone(c.client, req, "the ntfy server", "check the topic URL and the access token")
}

// encodeWord leaves ASCII as it is and encodes anything else as an RFC 2047 word.
func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return mime.BEncoding.Encode("utf-8", s)
		}
	}
	return s
}
