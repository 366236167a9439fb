package server

import (
	"strings"
	"testing"
	"time"

	"billhound/scripts/portals"
)

// TestPortalLoginWindow: the login window is saved with the portal, shown with the server's
// time zone, moves nextRunAt into the window, and bad windows get a sentence.
func TestPortalLoginWindow(t *testing.T) {
	ts, st, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	window := map[string]any{"days": []string{"sat"}, "from": "03:00", "to": "04:00"}
	code, p, raw := c.call("POST", "/api/portals", map[string]any{"name": "Nimbus", "script": demo, "schedule": "24h", "loginWindow": window})
	if code != 201 {
		t.Fatalf("create: %d %s", code, raw)
	}
	lw, _ := p["loginWindow"].(map[string]any)
	if lw == nil || lw["from"] != "03:00" || lw["to"] != "04:00" || len(lw["days"].([]any)) != 1 || p["timeZone"] == "" {
		t.Fatalf("login window in the answer: %s", raw)
	}
	stored, _ := st.PortalByName("Nimbus")
	if stored.LoginWindow != "sat 03:00-04:00" {
		t.Fatalf("stored window %q", stored.LoginWindow)
	}
	// Never ran: due now, but it waits for Saturday 03:00 in the server's zone.
	next, err := time.Parse(time.RFC3339Nano, p["nextRunAt"].(string))
	if err != nil {
		t.Fatal(err)
	}
	next = next.In(time.Local)
	if next.Weekday() != time.Saturday || next.Hour() != 3 || next.Before(time.Now().Add(-time.Minute)) {
		t.Fatalf("nextRunAt %s is not inside the window", next)
	}

	id := "/api/portals/" + jsonID(p)
	for _, bad := range []struct {
		window map[string]any
		want   string
	}{
		{map[string]any{"days": []string{"mon"}, "from": "20:00", "to": "08:00"}, "must end after it starts"},
		{map[string]any{"days": []string{"monday"}, "from": "08:00", "to": "20:00"}, "is not a day"},
		{map[string]any{"days": []string{}, "from": "08:00", "to": "20:00"}, "choose the days"},
		{map[string]any{"days": []string{"mon"}, "from": "8am", "to": ""}, "not a time of day"},
	} {
		code, body, _ := c.call("PUT", id, map[string]any{"name": "Nimbus", "script": demo, "loginWindow": bad.window})
		if code != 400 || !strings.Contains(body["error"].(string), bad.want) {
			t.Errorf("window %v: %d %v, want %q", bad.window, code, body, bad.want)
		}
	}
	// No window: at any time again.
	code, p, raw = c.call("PUT", id, map[string]any{"name": "Nimbus", "script": demo, "schedule": "24h", "loginWindow": nil})
	if code != 200 || p["loginWindow"] != nil {
		t.Fatalf("clear the window: %d %s", code, raw)
	}
}
