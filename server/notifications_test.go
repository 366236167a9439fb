package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"billhound/archive"
	"billhound/credentials"
	"billhound/notify"
	"billhound/secrets"
	"billhound/store"
)

// TestNotificationSettings saves the three channels through the API, checks that no answer
// carries a secret, and sends a test: ntfy (a real HTTP server checking ntfy's headers) gets
// it with the link, the webhook's failure is reported beside it.
func TestNotificationSettings(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := New(Deps{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: dir}, Logger: log,
		Notifier: &notify.Notifier{Store: st, Box: box, PublicURL: "http://bills.test:8080", Logger: log}})
	ts := httptest.NewServer(s.Handler())
	servers.Store(ts.URL, s)
	defer ts.Close()

	var mu sync.Mutex
	var got []*http.Request
	ntfy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
		io.WriteString(w, `{"id":"1"}`)
	}))
	defer ntfy.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer hook.Close()

	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	if code, body, _ := c.call("POST", "/api/settings/notifications/test", nil); code != 400 || !strings.Contains(body["error"].(string), "turn on at least one channel") {
		t.Fatalf("test without channels: %d %v", code, body)
	}
	token, password, hookSecret := "tk_Zq8secretToken", "smtp-Zq8secret", "hook-Zq8secret"
	update := map[string]any{
		"ntfy":    map[string]any{"enabled": true, "url": ntfy.URL + "/bills", "token": token},
		"webhook": map[string]any{"enabled": true, "url": hook.URL + "/hook", "headers": []map[string]string{{"name": "X-Key", "value": hookSecret}}},
		"email": map[string]any{"enabled": false, "host": "smtp.example.com", "username": "me", "password": password,
			"from": "billhound@example.com", "to": "me@example.com"},
	}
	code, body, raw := c.call("PUT", "/api/settings/notifications", update)
	if code != 200 {
		t.Fatalf("save: %d %s", code, raw)
	}
	_, _, getRaw := c.call("GET", "/api/settings/notifications", nil)
	for _, answer := range [][]byte{raw, getRaw} {
		for _, secret := range []string{token, password, hookSecret} {
			if bytes.Contains(answer, []byte(secret)) {
				t.Fatalf("a secret in an API answer: %s", answer)
			}
		}
	}
	email := body["email"].(map[string]any)
	if body["ntfy"].(map[string]any)["tokenSet"] != true || email["passwordSet"] != true || email["port"] != float64(587) ||
		body["publicUrl"] != "http://bills.test:8080" {
		t.Fatalf("view: %s", raw)
	}

	code, body, raw = c.call("POST", "/api/settings/notifications/test", nil)
	if code != 200 {
		t.Fatalf("test: %d %s", code, raw)
	}
	var answer struct{ Results []notify.Result }
	json.Unmarshal(raw, &answer)
	if len(answer.Results) != 2 || !answer.Results[0].OK || answer.Results[1].OK ||
		!strings.Contains(answer.Results[1].Error, "404 Not Found") {
		t.Fatalf("results: %s", raw)
	}
	mu.Lock()
	if len(got) != 1 || got[0].Header.Get("Click") != "http://bills.test:8080/settings" ||
		got[0].Header.Get("Authorization") != "Bearer "+token || got[0].Header.Get("Tags") != "white_check_mark" {
		t.Fatalf("ntfy got %d requests: %v", len(got), got)
	}
	mu.Unlock()

	// Bad input is a sentence; the stored settings stay.
	update["email"] = map[string]any{"enabled": true, "host": "smtp.example.com", "from": "nobody", "to": "me@example.com"}
	if code, body, _ := c.call("PUT", "/api/settings/notifications", update); code != 400 || !strings.Contains(body["error"].(string), "sender address") {
		t.Fatalf("bad sender: %d %v", code, body)
	}
	for _, secret := range []string{token, password, hookSecret} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret in the log:\n%s", logs.String())
		}
	}
}
