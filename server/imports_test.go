package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"billhound/scripts/portals"
	"billhound/twofa"
)

// upload posts a file (and a password) to /api/import as the SPA does.
func (c *client) upload(name string, data []byte, password string) (int, map[string]any, []byte) {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	if password != "" {
		w.WriteField("password", password)
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/import", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
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

const (
	githubSecret = "JBSWY3DPEHPK3PXP"
	steamSecret  = "63BEDWCQZKTQWPESARIERL5DTTQFCJTK"
)

// TestImportAndAssign: a Bitwarden export is read, its accounts are listed without secrets,
// and the chosen ones are sealed into the chosen portals, whose live codes then match.
func TestImportAndAssign(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	var ids []string
	for _, name := range []string{"Git host", "Games"} {
		_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": name, "script": demo, "username": "u", "password": "pw-long-enough"})
		ids = append(ids, jsonID(p))
	}
	export := `{"encrypted": false, "items": [
	  {"type": 1, "name": "GitHub", "login": {"username": "bob", "totp": "otpauth://totp/bob?secret=` + githubSecret + `"}},
	  {"type": 1, "name": "Steam", "login": {"username": "gabe", "totp": "steam://` + steamSecret + `"}}]}`
	code, body, raw := c.upload("bitwarden_export.json", []byte(export), "")
	if code != 200 || body["format"] != "Bitwarden" {
		t.Fatalf("import: %d %s", code, raw)
	}
	if strings.Contains(string(raw), githubSecret) || strings.Contains(string(raw), steamSecret) {
		t.Fatalf("the import answer shows a secret: %s", raw)
	}
	accounts := body["accounts"].([]any)
	if len(accounts) != 2 || accounts[1].(map[string]any)["type"] != "steam" || accounts[0].(map[string]any)["issuer"] != "GitHub" {
		t.Fatalf("accounts: %s", raw)
	}
	ref := body["id"].(string)

	code, body, raw = c.call("POST", "/api/import/"+ref+"/assign", map[string]any{"assignments": []map[string]any{
		{"account": 0, "portal": json.Number(ids[0])}, {"account": 1, "portal": json.Number(ids[1])}}})
	if code != 200 || len(body["assigned"].([]any)) != 2 {
		t.Fatalf("assign: %d %s", code, raw)
	}
	_, p, raw := c.call("GET", "/api/portals/"+ids[1], nil)
	tf := p["twofa"].(map[string]any)
	if tf["configured"] != true || tf["source"] != "import" || tf["type"] != "steam" || tf["issuer"] != "Steam" {
		t.Fatalf("portal after import: %s", raw)
	}
	_, live, _ := c.call("GET", "/api/portals/"+ids[0]+"/totp/code", nil)
	k, _ := twofa.ParseSecret(githubSecret)
	now := time.Now()
	if want, _ := k.Code(now); live["code"] != want {
		if prev, _ := k.Code(now.Add(-2 * time.Second)); live["code"] != prev {
			t.Fatalf("live code %v, want %s", live["code"], want)
		}
	}

	// Bad assignments are refused before anything is stored.
	for _, bad := range []map[string]any{
		{"assignments": []map[string]any{{"account": 5, "portal": json.Number(ids[0])}}},
		{"assignments": []map[string]any{{"account": 0, "portal": 999}}},
		{"assignments": []map[string]any{{"account": 0, "portal": json.Number(ids[0])}, {"account": 1, "portal": json.Number(ids[0])}}},
		{"assignments": []map[string]any{}},
	} {
		if code, _, raw := c.call("POST", "/api/import/"+ref+"/assign", bad); code != 400 && code != 404 {
			t.Errorf("%v: %d %s", bad, code, raw)
		}
	}
	if code, body, _ := c.call("POST", "/api/import/0123456789abcdef0123456789abcdef/assign", map[string]any{"assignments": []map[string]any{{"account": 0, "portal": 1}}}); code != 404 || !strings.Contains(body["error"].(string), "upload the export again") {
		t.Errorf("an unknown import: %d %v", code, body)
	}
}

// TestImportErrors: files billhound cannot read say what to do, Microsoft Authenticator
// included, and encrypted exports ask for their password.
func TestImportErrors(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	code, body, _ := c.upload("backup.pdf", []byte("%PDF-1.7 not an export at all\n1 0 obj\n<<>>\nendobj\n%%EOF"), "")
	if code != 400 || !strings.Contains(body["error"].(string), "Microsoft Authenticator has no export") {
		t.Fatalf("unknown file: %d %v", code, body)
	}
	code, body, _ = c.upload("vault.json", []byte(`{"encrypted": true, "passwordProtected": true, "data": "x"}`), "")
	if code != 400 || body["needPassword"] != true {
		t.Fatalf("encrypted Bitwarden: %d %v", code, body)
	}
	code, body, _ = c.upload("list.txt", []byte("otpauth://totp/x?secret="+githubSecret+"\notpauth://tot"), "")
	if code != 200 || len(body["skipped"].([]any)) != 1 {
		t.Fatalf("a list with one broken line: %d %v", code, body)
	}
}

// TestPortalShowsRecoveryAndClock: the portal answer says how many recovery codes are left,
// warns at two or fewer, and shows a portal clock that is off by more than 10 s.
func TestPortalShowsRecoveryAndClock(t *testing.T) {
	ts, st, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Clocky", "script": demo, "username": "u", "password": "pw-long-enough"})
	id := jsonID(p)
	if p["clock"] != nil || p["recoveryCodesLow"] != false {
		t.Fatalf("new portal: %v", p)
	}
	c.call("PUT", "/api/portals/"+id+"/recovery-codes", map[string]string{"codes": "aaaa-1111\nbbbb-2222\ncccc-3333"})
	_, p, _ = c.call("GET", "/api/portals/"+id, nil)
	if p["recoveryCodes"] != 3.0 || p["recoveryCodesLow"] != false {
		t.Fatalf("three codes: %v", p)
	}
	var pid int64
	json.Unmarshal([]byte(id), &pid)
	s, _ := servers.Load(ts.URL)
	if _, _, err := s.(*Server).deps.Vault.TakeRecoveryCode(pid); err != nil {
		t.Fatal(err)
	}
	st.SetClockSkew(pid, 45200*time.Millisecond, time.Now())
	_, p, raw := c.call("GET", "/api/portals/"+id, nil)
	if p["recoveryCodes"] != 2.0 || p["recoveryCodesLow"] != true || p["recoveryCodesUsed"] != 1.0 {
		t.Fatalf("after one was used: %s", raw)
	}
	clock := p["clock"].(map[string]any)
	if clock["skewSeconds"] != 45.2 || clock["corrected"] != true {
		t.Fatalf("clock: %s", raw)
	}
}
