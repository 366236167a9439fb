package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/credentials"
	"billhound/scripts/portals"
	"billhound/secrets"
	"billhound/store"
)

// TestKeptSessionAPI: the portal says since when its session is kept, never the session;
// DELETE /session forgets it (and the persistent profile), refuses while the portal runs, and
// a new username forgets it too.
func TestKeptSessionAPI(t *testing.T) {
	ts, st, dbPath := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo, "username": "demo", "password": "pw-long-enough"})
	path := "/api/portals/" + jsonID(p)
	if p["sessionKeptAt"] != nil {
		t.Fatalf("a new portal has a kept session: %v", p["sessionKeptAt"])
	}
	id := int64(p["id"].(float64))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	vault := &credentials.Vault{Store: st, Box: box}
	cookie := "kept-session-cookie-7f3a9c1e5b"
	keep := func() {
		t.Helper()
		state := `{"cookies":[{"name":"nimbus_session","value":"` + cookie + `","domain":"127.0.0.1","path":"/","expires":-1}],"origins":[]}`
		if err := vault.KeepSession(id, []byte(state), time.Date(2026, 5, 1, 8, 30, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	keep()
	profile := filepath.Join(filepath.Dir(dbPath), "profiles", jsonID(p))
	if err := os.MkdirAll(profile, 0o700); err != nil {
		t.Fatal(err)
	}

	code, got, raw := c.call("GET", path, nil)
	if code != 200 || got["sessionKeptAt"] != "2026-05-01T08:30:00Z" || strings.Contains(string(raw), cookie) {
		t.Fatalf("GET: %d %s", code, raw)
	}
	if _, _, raw := c.call("GET", "/api/portals", nil); !strings.Contains(string(raw), `"sessionKeptAt":"2026-05-01T08:30:00Z"`) || strings.Contains(string(raw), cookie) {
		t.Fatalf("list: %s", raw)
	}

	run, err := st.StartRun(id, "manual")
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := c.call("DELETE", path+"/session", nil)
	if code != 409 || body["error"] != "the portal is running now; forget its session when the run has ended" {
		t.Fatalf("DELETE while running: %d %v", code, body)
	}
	run.Status = store.RunSucceeded
	if err := st.FinishRun(run); err != nil {
		t.Fatal(err)
	}
	if code, _, raw := c.call("DELETE", path+"/session", nil); code != 204 {
		t.Fatalf("DELETE: %d %s", code, raw)
	}
	if _, got, _ := c.call("GET", path, nil); got["sessionKeptAt"] != nil {
		t.Fatalf("still kept after DELETE: %v", got["sessionKeptAt"])
	}
	if _, err := os.Stat(profile); !os.IsNotExist(err) {
		t.Fatalf("the browser profile is still there: %v", err)
	}
	if code, _, _ := c.call("DELETE", path+"/session", nil); code != 204 {
		t.Fatalf("forgetting twice: %d", code)
	}

	keep()
	c.call("PUT", path, map[string]string{"name": "Nimbus renamed", "script": demo, "username": "demo"})
	if _, got, _ := c.call("GET", path, nil); got["sessionKeptAt"] == nil {
		t.Fatal("renaming the portal forgot its session")
	}
	c.call("PUT", path, map[string]string{"name": "Nimbus renamed", "script": demo, "username": "someone-else"})
	if _, got, _ := c.call("GET", path, nil); got["sessionKeptAt"] != nil {
		t.Fatal("a session kept for another username survived the change")
	}
	if code, _, _ := c.call("DELETE", "/api/portals/999/session", nil); code != 404 {
		t.Fatalf("unknown portal: %d", code)
	}
}
