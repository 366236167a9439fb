package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestNotificationSettingsOnAPhone sets up ntfy and a webhook on the Settings page of a 390 px
// phone screen, sends a test, and sees per channel what happened: the ntfy server (a real HTTP
// server checking ntfy's headers) got the message with a link back to billhound, the webhook's
// server error is shown beside it. The stored token never comes back to the page.
func TestNotificationSettingsOnAPhone(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var ntfyHeaders []http.Header
	ntfy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		mu.Lock()
		ntfyHeaders = append(ntfyHeaders, r.Header.Clone())
		mu.Unlock()
		io.WriteString(w, `{"id":"1","event":"message"}`)
	}))
	defer ntfy.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "hook is down", http.StatusBadGateway)
	}))
	defer hook.Close()

	u := openUI(t, "notify-phone", 390, 844)
	p := u.page
	u.must(p.Locator("#nav-settings").Click())
	const token = "tk_e2eSecretToken42"
	u.must(p.Locator("#ntfy-enabled").Check())
	u.must(p.Locator("#ntfy-url").Fill(ntfy.URL + "/billhound-e2e"))
	u.must(p.Locator("#ntfy-token").Fill(token))
	u.must(p.Locator("#webhook-enabled").Check())
	u.must(p.Locator("#webhook-url").Fill(hook.URL + "/hook"))
	u.noSideScroll("settings")
	u.must(p.Locator("#settings-test").Click())
	u.must(p.Locator(`[data-testid=test-results] li[data-channel=webhook]`).WaitFor())
	if got := u.text(`[data-testid=test-results] li[data-channel=ntfy]`); got != "ntfy: sent" {
		t.Errorf("ntfy result %q", got)
	}
	if got := u.text(`[data-testid=test-results] li[data-channel=webhook]`); !strings.Contains(got, "502 Bad Gateway") || !strings.Contains(got, "hook is down") {
		t.Errorf("webhook result %q", got)
	}
	u.noSideScroll("test results")
	u.shot("01-test-sent")
	mu.Lock()
	if len(ntfyHeaders) != 1 || ntfyHeaders[0].Get("Click") != u.in.base+"/settings" || ntfyHeaders[0].Get("Authorization") != "Bearer "+token {
		t.Errorf("ntfy got %v", ntfyHeaders)
	}
	mu.Unlock()

	// After a reload the token is stored, not shown.
	_, err := p.Reload()
	u.must(err)
	u.must(p.Locator("#ntfy-url").WaitFor())
	ph, err := p.Locator("#ntfy-token").GetAttribute("placeholder")
	u.must(err)
	value, err := p.Locator("#ntfy-token").InputValue()
	u.must(err)
	html, err := p.Content()
	u.must(err)
	if !strings.Contains(ph, "stored") || value != "" || strings.Contains(html, token) {
		t.Errorf("token field after reload: placeholder %q value %q", ph, value)
	}
}

// TestLoginWindowInTheForm gives a scheduled portal office hours on the portal form and finds
// them on the portal page and in the API.
func TestLoginWindowInTheForm(t *testing.T) {
	t.Parallel()
	u := openUI(t, "window-phone", 390, 844)
	p := u.page
	u.must(p.Locator("#nav-portals").Click())
	u.must(p.Locator("#portal-add").Click())
	_, err := p.Locator("#portal-script-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"demo.js"}})
	u.must(err)
	u.must(p.Locator("#portal-name").Fill("Office hours"))
	_, err = p.Locator("#portal-schedule").SelectOption(playwright.SelectOptionValues{Values: &[]string{"24h"}})
	u.must(err)
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		u.must(p.Locator("#window-" + d).Check())
	}
	u.must(p.Locator("#window-from").Fill("07:30"))
	u.must(p.Locator("#window-to").Fill("19:00"))
	u.noSideScroll("portal form")
	u.shot("02-window-form")
	u.must(p.Locator("#portal-save").Click())
	u.must(p.Locator("[data-testid=portal-login-window]").WaitFor())
	if got := u.text("[data-testid=portal-login-window]"); !strings.HasPrefix(got, "Mon–Fri 07:30–19:00") {
		t.Errorf("portal page shows %q", got)
	}
	var portals []struct {
		LoginWindow struct {
			Days     []string
			From, To string
		}
	}
	// The page's session cookie is not the test client's; log the client in.
	u.in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil)
	u.in.call("GET", "/api/portals", nil, &portals)
	if len(portals) != 1 || strings.Join(portals[0].LoginWindow.Days, ",") != "mon,tue,wed,thu,fri" || portals[0].LoginWindow.From != "07:30" || portals[0].LoginWindow.To != "19:00" {
		t.Errorf("API: %+v", portals)
	}
}
