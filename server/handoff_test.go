package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/qrscan"
	"billhound/scripts/portals"
)

// handoffSetup: a signed-in desktop client, a portal, a clock the test moves, and a phone
// client without any session.
func handoffSetup(t *testing.T) (desk, phone *client, clock func(time.Duration)) {
	t.Helper()
	var mu sync.Mutex
	now := time.Now()
	ts, _, _ := testServerWith(t, func(d *Deps) {
		d.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	desk = newClient(t, ts.URL)
	desk.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	if code, _, _ := desk.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo}); code != 201 {
		t.Fatalf("create portal: %d", code)
	}
	return desk, newClient(t, ts.URL), func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

func newHandoff(t *testing.T, desk *client) (token, link string) {
	t.Helper()
	code, body, _ := desk.call("POST", "/api/portals/1/handoff", nil)
	if code != 201 || !strings.HasPrefix(body["qr"].(string), "data:image/png;base64,") {
		t.Fatalf("create hand-off: %d %v", code, body)
	}
	token, link = body["token"].(string), body["link"].(string)
	if len(token) < 22 || !strings.HasSuffix(link, "/phone/"+token) {
		t.Fatalf("token %q, link %q", token, link)
	}
	return token, link
}

// upload sends data as the phone page does: multipart field "image".
func (c *client) uploadPhoto(path, name string, data []byte) (int, string) {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("image", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("PUT", c.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

func qrOf(t *testing.T, uri string) []byte {
	png, err := qrscan.QRPNG(uri, 300)
	if err != nil {
		t.Fatal(err)
	}
	return png
}

const handoffURI = "otpauth://totp/Nimbus:demo@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Nimbus"

func TestHandoffSingleUse(t *testing.T) {
	desk, phone, _ := handoffSetup(t)
	token, _ := newHandoff(t, desk)
	if _, body, _ := desk.call("GET", "/api/portals/1/handoff", nil); body["state"] != "pending" {
		t.Fatalf("before the photo: %v", body)
	}
	code, body, _ := phone.call("GET", "/api/handoff/"+token, nil)
	if code != 200 || body["portal"] != "Nimbus" || len(body) != 2 {
		t.Fatalf("the phone page's lookup: %d %v", code, body)
	}
	// A file that is no image is refused with a sentence; the link still works afterwards.
	if code, text := phone.uploadPhoto("/api/handoff/"+token+"/image", "notes.txt", []byte("hello")); code != 400 && code != 422 || !strings.Contains(text, "error") {
		t.Fatalf("a text file: %d %s", code, text)
	}
	if _, body, _ := desk.call("GET", "/api/portals/1/handoff", nil); body["state"] != "failed" || body["error"] == "" {
		t.Fatalf("after a bad photo the desktop sees %v", body)
	}
	code, text := phone.uploadPhoto("/api/handoff/"+token+"/image", "qr.png", qrOf(t, handoffURI))
	if code != 200 || !strings.Contains(text, "demo@example.com") || strings.Contains(text, "JBSWY3DP") {
		t.Fatalf("the photo: %d %s", code, text)
	}
	_, body, _ = desk.call("GET", "/api/portals/1/handoff", nil)
	if body["state"] != "received" || body["account"] != "demo@example.com" {
		t.Fatalf("the desktop sees %v", body)
	}
	if code, body, _ := desk.call("GET", "/api/portals/1/totp/code", nil); code != 200 || body["code"] == nil {
		t.Fatalf("no live code after the hand-off: %d %v", code, body)
	}
	// Single use: the same link is dead for a second photo and for the lookup.
	if code, text := phone.uploadPhoto("/api/handoff/"+token+"/image", "qr.png", qrOf(t, handoffURI)); code != 404 || !strings.Contains(text, "no longer valid") {
		t.Fatalf("second use: %d %s", code, text)
	}
	if code, _, _ := phone.call("GET", "/api/handoff/"+token, nil); code != 404 {
		t.Fatalf("lookup after use: %d", code)
	}
}

func TestHandoffExpiresAfterTenMinutes(t *testing.T) {
	desk, phone, advance := handoffSetup(t)
	token, _ := newHandoff(t, desk)
	advance(9*time.Minute + 59*time.Second)
	if code, _, _ := phone.call("GET", "/api/handoff/"+token, nil); code != 200 {
		t.Fatalf("at 9:59: %d", code)
	}
	advance(time.Second)
	if code, text := phone.uploadPhoto("/api/handoff/"+token+"/image", "qr.png", qrOf(t, handoffURI)); code != 404 || !strings.Contains(text, "10 minutes") {
		t.Fatalf("at 10:00: %d %s", code, text)
	}
	if _, body, _ := desk.call("GET", "/api/portals/1/handoff", nil); body["state"] != "expired" {
		t.Fatalf("the desktop sees %v", body)
	}
	if code, _, _ := desk.call("GET", "/api/portals/1/totp/code", nil); code != 404 {
		t.Fatalf("an expired link stored a secret: %d", code)
	}
	// A new link replaces the old one.
	old := token
	token, _ = newHandoff(t, desk)
	if token == old {
		t.Fatal("the new link has the old token")
	}
}

func TestHandoffTokenOpensNothingElse(t *testing.T) {
	desk, phone, _ := handoffSetup(t)
	token, _ := newHandoff(t, desk)
	phone.call("GET", "/api/handoff/"+token, nil)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/portals"}, {"GET", "/api/portals/1"}, {"GET", "/api/portals/1/totp/code"},
		{"GET", "/api/portals/1/handoff"}, {"POST", "/api/portals/1/handoff"}, {"GET", "/api/me"},
	} {
		for _, auth := range []string{"Bearer " + token, ""} {
			req, _ := http.NewRequest(r.method, phone.base+r.path+"?token="+token, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
			resp, err := phone.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Errorf("%s %s with the hand-off token: %d", r.method, r.path, resp.StatusCode)
			}
		}
	}
	// Guessed tokens find nothing.
	for _, guess := range []string{"x", strings.Repeat("A", 24), token[:len(token)-1] + "A"} {
		if code, _, _ := phone.call("GET", "/api/handoff/"+guess, nil); code != 404 {
			t.Errorf("guess %q: %d", guess, code)
		}
	}
}

func TestHandoffRateLimited(t *testing.T) {
	desk, phone, advance := handoffSetup(t)
	token, _ := newHandoff(t, desk)
	limited := 0
	for i := range handoffPerMin + 5 {
		code, body, _ := phone.call("GET", "/api/handoff/guess"+string(rune('a'+i%26)), nil)
		if code == 429 {
			limited++
			if !strings.Contains(body["error"].(string), "wait a minute") {
				t.Fatalf("429 says %v", body)
			}
		}
	}
	if limited != 5 {
		t.Fatalf("%d of %d guesses limited, want 5", limited, handoffPerMin+5)
	}
	if code, _, _ := phone.call("GET", "/api/handoff/"+token, nil); code != 429 {
		t.Fatalf("the real token within the limit: %d", code)
	}
	advance(time.Minute)
	if code, _, _ := phone.call("GET", "/api/handoff/"+token, nil); code != 200 {
		t.Fatalf("a minute later: %d", code)
	}
}
