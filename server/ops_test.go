package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"billhound/browser"
	"billhound/scripts/portals"
	"billhound/store"
)

// bearer calls the API with only a token: no cookies, like a script or Home Assistant.
func bearer(t *testing.T, base, token, method, path string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestAPITokens(t *testing.T) {
	ts, _, dbPath := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	code, made, _ := c.call("POST", "/api/account/tokens", map[string]string{"name": "home assistant"})
	tok, _ := made["token"].(string)
	if code != 201 || !strings.HasPrefix(tok, "bh_") || len(tok) < 40 {
		t.Fatalf("create token: %d %v", code, made)
	}
	if code, _, _ := c.call("POST", "/api/account/tokens", map[string]string{"name": " "}); code != 400 {
		t.Fatalf("a token without a name: %d", code)
	}
	// It works like a session, also for changes (no CSRF check without cookies).
	demo, _ := portals.Source("demo.js")
	if code, body := bearer(t, ts.URL, tok, "GET", "/api/portals", ""); code != 200 {
		t.Fatalf("list portals with the token: %d %s", code, body)
	}
	if code, body := bearer(t, ts.URL, tok, "POST", "/api/portals", `{"name":"Nimbus","script":`+quote(demo)+`}`); code != 201 {
		t.Fatalf("add a portal with the token: %d %s", code, body)
	}
	// ...but cannot manage tokens or 2FA.
	for _, r := range [][2]string{{"GET", "/api/account/tokens"}, {"POST", "/api/account/tokens"}, {"POST", "/api/account/2fa/setup"},
		{"POST", "/api/account/2fa/deactivate"}, {"DELETE", "/api/account/tokens/" + jsonID(made)}} {
		if code, body := bearer(t, ts.URL, tok, r[0], r[1], `{"name":"x"}`); code != 403 || !strings.Contains(body, "sign in") {
			t.Errorf("%s %s with a token: %d %s", r[0], r[1], code, body)
		}
	}
	// The list names it by prefix; neither the token nor its hash is shown, and the database
	// holds only the hash.
	_, list, raw := c.call("GET", "/api/account/tokens", nil)
	if strings.Contains(string(raw), tok) || strings.Contains(string(raw), tokenHash(tok)) || !strings.Contains(string(raw), tok[:9]) {
		t.Fatalf("token list: %s", raw)
	}
	if ts, _ := list["tokens"].([]any); len(ts) != 1 || ts[0].(map[string]any)["lastUsedAt"] == nil {
		t.Fatalf("token list: %v", list)
	}
	db, _ := os.ReadFile(dbPath)
	wal, _ := os.ReadFile(dbPath + "-wal")
	if bytes.Contains(append(db, wal...), []byte(tok)) {
		t.Fatal("the token is stored in clear in the database")
	}
	// A wrong token is refused with a sentence, not treated as "no session".
	if code, body := bearer(t, ts.URL, "bh_wrong", "GET", "/api/portals", ""); code != 401 || !strings.Contains(body, "not valid") {
		t.Fatalf("wrong token: %d %s", code, body)
	}
	// A bearer request that also carries cookies is a browser's: the cross-site check applies.
	req, _ := http.NewRequest("DELETE", ts.URL+"/api/portals/1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Cookie", "billhound_session=x")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Fatalf("cross-site request with a token and cookies: %v %v", resp.StatusCode, err)
	}
	// Revoked: refused at once.
	if code, _, _ := c.call("DELETE", "/api/account/tokens/"+jsonID(made), nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := bearer(t, ts.URL, tok, "GET", "/api/portals", ""); code != 401 {
		t.Fatalf("revoked token still works: %d", code)
	}
	if code, _, _ := c.call("DELETE", "/api/account/tokens/"+jsonID(made), nil); code != 404 {
		t.Fatalf("revoke twice: %d", code)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestHealthz(t *testing.T) {
	dir := t.TempDir()
	ts, st, _ := testServerWith(t, func(d *Deps) {
		d.Ops = Ops{DataDir: dir, MinFreeDisk: 1 << 20, Browser: browser.New(browser.Options{
			DriverDir: os.Getenv("BILLHOUND_PLAYWRIGHT_DRIVER"), ChromiumPath: "/usr/bin/chromium"})}
	})
	c := newClient(t, ts.URL)
	code, body, raw := c.call("GET", "/healthz", nil)
	if code != 200 || body["status"] != "ok" {
		t.Fatalf("healthy server: %d %s", code, raw)
	}
	// Not healthy: too little disk, and no Chromium. 503 with the reasons.
	ts2, _, _ := testServerWith(t, func(d *Deps) {
		d.Ops = Ops{DataDir: dir, MinFreeDisk: 1 << 60, Browser: browser.New(browser.Options{
			DriverDir: os.Getenv("BILLHOUND_PLAYWRIGHT_DRIVER"), ChromiumPath: "/nonexistent/chromium"})}
	})
	code, body, raw = newClient(t, ts2.URL).call("GET", "/healthz", nil)
	checks, _ := body["checks"].(map[string]any)
	if code != 503 || body["status"] != "unhealthy" || checks["database"] != "ok" ||
		!strings.Contains(checks["disk"].(string), "free") || !strings.Contains(checks["browser"].(string), "/nonexistent/chromium") {
		t.Fatalf("unhealthy server: %d %s", code, raw)
	}
	// The database gone: 503, and the reason reveals nothing of it.
	st.Close()
	code, body, raw = c.call("GET", "/healthz", nil)
	if code != 503 || body["checks"].(map[string]any)["database"] == "ok" || strings.Contains(string(raw), dir) {
		t.Fatalf("closed database: %d %s", code, raw)
	}
}

func TestMetrics(t *testing.T) {
	ts, st, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	if code, _ := bearer(t, ts.URL, "", "GET", "/metrics", ""); code != 401 {
		t.Fatalf("metrics without a token: %d", code)
	}
	_, made, _ := c.call("POST", "/api/account/tokens", map[string]string{"name": "prometheus"})
	demo, _ := portals.Source("demo.js")
	_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo})
	id := int64(p["id"].(float64))
	r, err := st.StartRun(id, "manual")
	if err != nil {
		t.Fatal(err)
	}
	r.Status, r.FailureKind = store.RunFailed, "credentials"
	if err := st.FinishRun(r); err != nil {
		t.Fatal(err)
	}
	if _, err := st.QueueRun(id, "manual", 1); err != nil {
		t.Fatal(err)
	}
	code, out := bearer(t, ts.URL, made["token"].(string), "GET", "/metrics", "")
	for _, want := range []string{
		`billhound_runs_total{failure_kind="credentials",status="failed"} 1`,
		`billhound_queue_depth 1`, `billhound_invoices_archived 0`, `billhound_run_duration_seconds_count 1`,
		`billhound_database_up 1`, `go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics (%d) lack %q:\n%s", code, want, out)
		}
	}
	pub, _, _ := testServerWith(t, func(d *Deps) { d.Ops.MetricsPublic = true })
	if code, out := bearer(t, pub.URL, "", "GET", "/metrics", ""); code != 200 || !strings.Contains(out, "billhound_queue_depth 0") {
		t.Fatalf("public metrics: %d %s", code, out)
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts, _, _ := testServer(t)
	s, _ := servers.Load(ts.URL)
	seen := map[string]bool{}
	for _, r := range s.(*Server).echo.Routes() {
		if r.Path == "/*" || r.Path == "/api/*" || r.Method == "echo_route_not_found" {
			continue
		}
		key := r.Method + " " + r.Path
		seen[key] = true
		d, ok := apiDocs[key]
		if !ok {
			t.Errorf("route %s is missing from the OpenAPI description (apiDocs in openapi.go)", key)
		} else if d.public != publicRoutes[key] && key != "POST /api/login/2fa" && key != "POST /api/inbox/sms" {
			t.Errorf("%s: described as public=%v, the router says %v", key, d.public, publicRoutes[key])
		}
	}
	for key := range apiDocs {
		if !seen[key] {
			t.Errorf("the OpenAPI description lists %s, which the router does not have", key)
		}
	}
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	code, doc, _ := c.call("GET", "/api/openapi.json", nil)
	paths, _ := doc["paths"].(map[string]any)
	if code != 200 || doc["openapi"] != "3.1.0" || paths["/api/portals/{id}"] == nil || len(paths) < 30 {
		t.Fatalf("openapi.json: %d %v", code, doc["openapi"])
	}
}
