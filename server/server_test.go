package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/archive"
	"billhound/credentials"
	"billhound/scripts/portals"
	"billhound/secrets"
	"billhound/store"
)

// testServer is the API over a real SQLite file, without a browser (no runs).
func testServer(t *testing.T) (*httptest.Server, *store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "billhound.db")
	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	s := New(Deps{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: dir},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, st, dbPath
}

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t, base, &http.Client{Jar: jar}}
}

func (c *client) call(method, path string, body any) (int, map[string]any, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, m, raw
}

func TestEveryAPIRouteNeedsASession(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/me"}, {"GET", "/api/portals"}, {"POST", "/api/portals"}, {"GET", "/api/portals/1"},
		{"PUT", "/api/portals/1/totp"}, {"GET", "/api/portals/1/totp/code"}, {"POST", "/api/portals/1/runs"},
		{"GET", "/api/runs"}, {"GET", "/api/runs/1/artifacts/x.png"}, {"GET", "/api/invoices"},
		{"GET", "/api/invoices/1/file"}, {"GET", "/api/bundled-scripts"}, {"POST", "/api/logout"},
		{"GET", "/api/questions"}, {"POST", "/api/runs/1/answer"}, {"GET", "/api/settings/mailbox"}, {"PUT", "/api/settings/mailbox"},
		{"GET", "/api/settings/sms"}, {"POST", "/api/settings/sms/token"},
	} {
		if code, body, _ := c.call(r.method, r.path, nil); code != 401 || body["error"] == "" {
			t.Errorf("%s %s without a session: %d %v", r.method, r.path, code, body)
		}
	}
	if code, body, _ := c.call("GET", "/api/setup", nil); code != 200 || body["needsSetup"] != true {
		t.Fatalf("setup status: %d %v", code, body)
	}
}

func TestSetupLoginLogout(t *testing.T) {
	ts, st, _ := testServer(t)
	admin := newClient(t, ts.URL)
	if code, body, _ := admin.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "short"}); code != 400 || !strings.Contains(body["error"].(string), "8 characters") {
		t.Fatalf("short password: %d %v", code, body)
	}
	if code, _, _ := admin.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "long enough"}); code != 201 {
		t.Fatalf("setup: %d", code)
	}
	if code, _, _ := admin.call("GET", "/api/me", nil); code != 200 {
		t.Fatalf("me after setup: %d", code)
	}
	other := newClient(t, ts.URL)
	if code, _, _ := other.call("POST", "/api/setup", map[string]string{"username": "eve", "password": "long enough"}); code != 409 {
		t.Fatalf("second setup: %d", code)
	}
	if code, _, _ := other.call("POST", "/api/login", map[string]string{"username": "admin", "password": "wrong password"}); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	if code, _, _ := other.call("POST", "/api/login", map[string]string{"username": "ADMIN", "password": "long enough"}); code != 200 {
		t.Fatalf("login: %d", code)
	}
	u, _ := st.UserByName("admin")
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || strings.Contains(u.PasswordHash, "long enough") {
		t.Fatalf("password stored as %q", u.PasswordHash)
	}
	other.call("POST", "/api/logout", nil)
	if code, _, _ := other.call("GET", "/api/me", nil); code != 401 {
		t.Fatalf("me after logout: %d", code)
	}
	if code, _, _ := admin.call("GET", "/api/me", nil); code != 200 {
		t.Fatalf("the other session ended too: %d", code)
	}
}

func TestLoginThrottling(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "long enough"})
	codes := []int{}
	for i := 0; i < 7; i++ {
		code, _, _ := c.call("POST", "/api/login", map[string]string{"username": "admin", "password": "guess"})
		codes = append(codes, code)
	}
	if codes[0] != 401 || codes[len(codes)-1] != 429 {
		t.Fatalf("status codes of repeated wrong passwords: %v", codes)
	}
}

func TestPortalSecretsStaySecret(t *testing.T) {
	ts, _, dbPath := testServer(t)
	c := newClient(t, ts.URL)
	c.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "long enough"})
	demo, _ := portals.Source("demo.js")
	password := "pw-Zq8#portal"
	code, p, raw := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo, "username": "demo", "password": password})
	if code != 201 || p["hasPassword"] != true || strings.Contains(string(raw), password) {
		t.Fatalf("create: %d %s", code, raw)
	}
	id := "/api/portals/" + jsonID(p)
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	code, body, raw := c.call("PUT", id+"/totp", map[string]string{"secret": strings.ToLower(secret[:16]) + " " + secret[16:]})
	if code != 200 || strings.Contains(string(raw), secret) {
		t.Fatalf("set key: %d %s", code, raw)
	}
	if body["twofa"].(map[string]any)["configured"] != true {
		t.Fatalf("twofa not configured: %s", raw)
	}
	// Editing without a password keeps the stored one.
	code, p, _ = c.call("PUT", id, map[string]string{"name": "Nimbus", "script": demo, "username": "demo2", "password": ""})
	if code != 200 || p["hasPassword"] != true || p["username"] != "demo2" {
		t.Fatalf("update: %d %v", code, p)
	}
	for _, path := range []string{"", "/totp/code"} {
		_, _, raw := c.call("GET", id+path, nil)
		if strings.Contains(string(raw), password) || strings.Contains(string(raw), secret) {
			t.Fatalf("GET %s shows a secret: %s", id+path, raw)
		}
	}
	_, _, raw = c.call("GET", "/api/portals", nil)
	if strings.Contains(string(raw), password) || strings.Contains(string(raw), secret) {
		t.Fatalf("list shows a secret")
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte(password)) || bytes.Contains(data, []byte(secret)) {
			t.Fatalf("%s holds a plaintext secret", f)
		}
	}
}

func TestPortalValidation(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "long enough"})
	demo, _ := portals.Source("demo.js")
	cases := []struct {
		name string
		body map[string]string
		want string
	}{
		{"no name", map[string]string{"script": demo}, "name"},
		{"no script", map[string]string{"name": "x"}, "script"},
		{"script without header", map[string]string{"name": "x", "script": "page.goto('/')"}, "header"},
		{"bad url", map[string]string{"name": "x", "script": demo, "url": "ftp://x"}, "http"},
		{"schedule too often", map[string]string{"name": "x", "script": demo, "schedule": "5m"}, "1 hour"},
		{"schedule not a duration", map[string]string{"name": "x", "script": demo, "schedule": "daily"}, "24h"},
	}
	for _, tc := range cases {
		code, body, _ := c.call("POST", "/api/portals", tc.body)
		msg, _ := body["error"].(string)
		if code != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q", tc.name, code, msg)
		}
	}
	code, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo, "schedule": "24h"})
	if code != 201 || p["schedule"] != "24h" || p["nextRunAt"] == nil {
		t.Errorf("scheduled portal: %d %v %v", code, p["schedule"], p["nextRunAt"])
	}
	if code, _, _ := c.call("POST", "/api/portals", map[string]string{"name": "nimbus", "script": demo}); code != 409 {
		t.Errorf("duplicate name: %d", code)
	}
	if code, _, _ := c.call("GET", "/api/portals/999", nil); code != 404 {
		t.Errorf("missing portal: %d", code)
	}
	if code, _, _ := c.call("GET", "/api/runs/1/artifacts/..%2f..%2fbillhound.db", nil); code != 400 && code != 404 {
		t.Errorf("artifact path traversal: %d", code)
	}
}

func TestOtherCredentialFields(t *testing.T) {
	ts, _, dbPath := testServer(t)
	c := newClient(t, ts.URL)
	c.call("POST", "/api/setup", map[string]string{"username": "admin", "password": "long enough"})
	script := "// ==Portal==\n// @name Shop\n// @url https://shop.example/login\n// @fields username password customer pin\n// ==/Portal==\nlog(1);\n"
	body := map[string]any{"name": "Shop", "script": script, "username": "u", "password": "pw-long-1",
		"fields": map[string]string{"customer": "C-778812", "pin": "90417"}}
	code, p, raw := c.call("POST", "/api/portals", body)
	if code != 201 || strings.Contains(string(raw), "C-778812") || strings.Contains(string(raw), "90417") {
		t.Fatalf("create: %d %s", code, raw)
	}
	if got := fmt.Sprint(p["storedFields"]); got != "[customer pin]" {
		t.Fatalf("storedFields %s", got)
	}
	id := "/api/portals/" + jsonID(p)
	// An empty value keeps the stored one; a field the script does not ask for is refused.
	body["fields"] = map[string]string{"customer": "", "pin": ""}
	body["password"] = ""
	if code, p, _ := c.call("PUT", id, body); code != 200 || fmt.Sprint(p["storedFields"]) != "[customer pin]" {
		t.Fatalf("update keeping fields: %d %v", code, p["storedFields"])
	}
	body["fields"] = map[string]string{"iban": "DE00"}
	if code, resp, _ := c.call("PUT", id, body); code != 400 || !strings.Contains(resp["error"].(string), "iban") {
		t.Fatalf("unknown field: %d %v", code, resp)
	}
	data, _ := os.ReadFile(dbPath + "-wal")
	if bytes.Contains(data, []byte("90417")) {
		t.Fatal("the database holds a field's value in plain text")
	}
}
