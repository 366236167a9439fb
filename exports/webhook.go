package exports

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// WebhookMeta is the JSON part of a webhook's POST.
type WebhookMeta struct {
	Event     string `json:"event"` // "invoice" or "test"
	InvoiceID int64  `json:"invoiceId"`
	Portal    string `json:"portal"`
	Number    string `json:"number"`
	Date      string `json:"date"`
	Title     string `json:"title"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	FileName  string `json:"fileName"`
	SHA256    string `json:"sha256"`
	Size      int    `json:"size"`
}

// Webhook headers. The signature is HMAC-SHA256 over "<timestamp>.<body>" with the secret,
// hex, so a receiver can check both who sent it and that it is not an old one replayed.
const (
	HeaderIdempotency = "Idempotency-Key"
	HeaderTimestamp   = "X-Billhound-Timestamp"
	HeaderSignature   = "X-Billhound-Signature"
)

// Sign is the signature header's value for a body sent at timestamp ts (Unix seconds).
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// sendWebhook POSTs multipart/form-data: a "metadata" part (JSON, WebhookMeta) and a "file"
// part. Every retry of one export carries the same Idempotency-Key, so a receiver that got it
// before (and answered too late) can drop it.
func sendWebhook(ctx context.Context, hc *http.Client, c Config, secret string, f file) (string, error) {
	name, err := Render("{portal}_{date}_{number}.{ext}", f.meta)
	if err != nil {
		return "", err
	}
	meta := WebhookMeta{Event: "invoice", InvoiceID: f.meta.ID, Portal: f.meta.Portal, Number: f.meta.Number,
		Date: f.meta.Date, Title: f.meta.Title, Amount: f.meta.Amount, Currency: f.meta.Currency,
		FileName: name, SHA256: f.sha256, Size: len(f.data)}
	if f.test {
		meta.Event = "test"
	}
	body, ctype, err := multipartBody(meta, name, f)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "billhound")
	req.Header.Set(HeaderIdempotency, f.key)
	if secret != "" {
		ts := time.Now().Unix()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, Sign(secret, ts, body))
		if c.SecretHeader != "" {
			req.Header.Set(c.SecretHeader, secret)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot reach the webhook %s (%v); check the URL and that the receiver is up", c.URL, unwrapURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		text := strings.TrimSpace(strings.ToValidUTF8(string(snippet), ""))
		if text != "" {
			text = ": " + text
		}
		return "", fmt.Errorf("the webhook %s answered %s%s; check the receiver", c.URL, resp.Status, text)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return c.URL, nil
}

func multipartBody(meta WebhookMeta, name string, f file) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="metadata"`)
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if err := json.NewEncoder(part).Encode(meta); err != nil {
		return nil, "", err
	}
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", f.contentType)
	if part, err = w.CreatePart(h); err != nil {
		return nil, "", err
	}
	part.Write(f.data)
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}
