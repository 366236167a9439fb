package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// SMS is one text as a forwarder app sent it.
type SMS struct {
	From string
	Text string
}

// The field names the common Android SMS forwarder apps use, first match wins: "Incoming SMS to
// URL forwarder" ({from, text, sentStamp, receivedStamp, sim}), "SMS Webhooks" ({from, body,
// timestamp}), SmsForwarder ({from, content, timestamp}, often form-encoded), and raw
// Android SMS rows ({address, body, date}). Times are not taken from the phone: the inbox
// stamps a text when it arrives, so a phone's wrong clock cannot hide a code.
var (
	fromKeys = []string{"from", "sender", "number", "address", "phone", "phoneNumber", "fromName"}
	textKeys = []string{"text", "message", "body", "content", "msg", "sms"}
)

// ErrNoText is returned for a request that carries no SMS text.
var ErrNoText = errors.New(`no SMS text found: send JSON or a form with the text in "text" (or "message", "body", "content") and the sender in "from"`)

// ParseSMS reads a forwarder's request: a JSON body, a form (urlencoded or multipart), query
// parameters, or (as a last resort) a plain-text body.
func ParseSMS(r *http.Request) (SMS, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return SMS{}, fmt.Errorf("the form cannot be read: %v", err)
		}
		return pick(r.FormValue)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return SMS{}, err
	}
	trimmed := strings.TrimSpace(string(body))
	switch {
	case mt == "application/json" || strings.HasPrefix(trimmed, "{"):
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return SMS{}, fmt.Errorf("the body is not valid JSON: %v", err)
		}
		return pick(func(k string) string { return jsonString(m[k]) })
	case trimmed == "":
		return pick(r.URL.Query().Get) // some apps put everything in the URL
	}
	return SMS{Text: trimmed}, nil
}

func pick(get func(string) string) (SMS, error) {
	var s SMS
	for _, k := range fromKeys {
		if s.From = strings.TrimSpace(get(k)); s.From != "" {
			break
		}
	}
	for _, k := range textKeys {
		if s.Text = strings.TrimSpace(get(k)); s.Text != "" {
			break
		}
	}
	if s.Text == "" {
		return s, ErrNoText
	}
	return s, nil
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

// MatchSMS reports whether a text is from from (a part of the sender, any case) and holds a
// code, and returns the code.
func MatchSMS(s SMS, from string, find func(string) (string, bool)) (string, bool) {
	if !containsFold(from, s.From) {
		return "", false
	}
	return find(s.Text)
}
