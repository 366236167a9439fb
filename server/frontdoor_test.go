package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/scripts/portals"
)

// publicRoutes answer without a session; every other route of the router must refuse.
var publicRoutes = map[string]bool{
	"GET /api/setup": true, "POST /api/setup": true, "POST /api/login": true,
	"GET /*":       true, // the web UI
	"GET /healthz": true, // probes: ok or why not, no secrets
	// The phone hand-off: good only with the one-time token of a link the signed-in user made.
	"GET /api/handoff/:token": true, "PUT /api/handoff/:token/image": true,
}

// TestRouteTableNeedsSessions walks the router's own list, so a route added without the
// session check fails here even when nobody remembers to list it.
func TestRouteTableNeedsSessions(t *testing.T) {
	ts, _, _ := testServer(t)
	s, _ := servers.Load(ts.URL)
	c := newClient(t, ts.URL)
	checked := 0
	for _, r := range s.(*Server).echo.Routes() {
		key := r.Method + " " + r.Path
		if publicRoutes[key] || strings.HasPrefix(r.Path, "/api/*") || r.Method == "echo_route_not_found" {
			continue // "/api/*" is the catch-all that answers 404 for unknown API routes
		}
		path := strings.NewReplacer(":id", "1", ":name", "x.png", "*", "x").Replace(r.Path)
		code, body, _ := c.call(r.Method, path, nil)
		if code != 401 || body["error"] == "" {
			t.Errorf("%s without a session: %d %v", key, code, body)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d routes checked: the route list is not the router's", checked)
	}
	if code, body, _ := c.call("GET", "/api/setup", nil); code != 200 || body["needsSetup"] != true {
		t.Fatalf("setup status: %d %v", code, body)
	}
	if code, _, _ := c.call("PATCH", "/api/nothing", nil); code != 404 {
		t.Fatalf("unknown API route: %d", code)
	}
}

func TestSetupNeedsTheTokenFromTheLog(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	for _, token := range []string{"", "guess", strings.Repeat("A", 32)} {
		code, body, _ := c.call("POST", "/api/setup", map[string]string{"username": "eve", "password": "long enough", "token": token})
		if msg, _ := body["error"].(string); code != 403 || !strings.Contains(msg, "setup?token=") || !strings.Contains(msg, "log") {
			t.Fatalf("setup with token %q: %d %v", token, code, body)
		}
	}
	s, _ := servers.Load(ts.URL)
	token := s.(*Server).SetupToken()
	if code, _ := c.setup("admin", "long enough"); code != 201 {
		t.Fatalf("setup with the token: %d", code)
	}
	if s.(*Server).SetupToken() != "" {
		t.Fatal("the setup token is still there after setup")
	}
	other := newClient(t, ts.URL)
	if code, _, _ := other.call("POST", "/api/setup", map[string]string{"username": "eve", "password": "long enough", "token": token}); code != 409 {
		t.Fatalf("reused token: %d", code)
	}
}

func TestStrictIDs(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo})
	if jsonID(p) != "1" {
		t.Fatalf("first portal has id %v", p["id"])
	}
	for _, id := range []string{"+1", "01", "007", "-1", "0", "1e0", "0x1", "1.0", "%201", "1%00", "9223372036854775808", "99999999999999999999"} {
		for _, r := range []struct{ method, path string }{
			{"DELETE", "/api/portals/" + id}, {"GET", "/api/portals/" + id}, {"POST", "/api/portals/" + id + "/runs"},
			{"GET", "/api/runs/" + id}, {"GET", "/api/invoices/" + id + "/file"}, {"GET", "/api/runs?portal=" + id},
		} {
			code, body, _ := c.call(r.method, r.path, nil)
			if msg, _ := body["error"].(string); code != 400 || !strings.Contains(msg, "digits only") {
				t.Errorf("%s %s: %d %v", r.method, r.path, code, body)
			}
		}
	}
	if code, _, _ := c.call("GET", "/api/portals/1", nil); code != 200 {
		t.Fatalf("the portal is gone after the bad ids: %d", code)
	}
	if code, _, _ := c.call("GET", "/api/portals/9223372036854775807", nil); code != 404 {
		t.Fatalf("largest id: %d", code)
	}
}

func TestBodyLimits(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	_, p, _ := c.call("POST", "/api/portals", map[string]string{"name": "Nimbus", "script": demo})
	id := "/api/portals/" + jsonID(p)
	// A 20 MB issuer in an otpauth URI: refused before it is read, and never stored.
	uri := "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=" + strings.Repeat("A", 20<<20)
	code, body, _ := c.call("PUT", id+"/totp", map[string]string{"uri": uri})
	if msg, _ := body["error"].(string); code != 413 || !strings.Contains(msg, "64 KB") {
		t.Fatalf("20 MB issuer: %d %v", code, body)
	}
	// The same without Content-Length (chunked): cut at the limit.
	req, _ := http.NewRequest("PUT", ts.URL+id+"/totp", io.MultiReader(strings.NewReader(`{"uri":"`+uri), strings.NewReader(`"}`)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("chunked 20 MB issuer: %d", resp.StatusCode)
	}
	if code, body, _ := c.call("POST", "/api/login", map[string]string{"username": "admin", "password": strings.Repeat("x", 70<<10)}); code != 413 {
		t.Fatalf("70 KB login: %d %v", code, body)
	}
	// A portal carries its script: up to 512 KB, so its route takes more.
	big := demo + "\n//" + strings.Repeat("x", 300<<10) + "\n"
	if code, body, _ := c.call("PUT", id, map[string]string{"name": "Nimbus", "script": big}); code != 200 {
		t.Fatalf("300 KB script: %d %v", code, body)
	}
	// A 300 KB issuer is within the upload limit but not a sane name.
	code, body, _ = c.call("PUT", id+"/totp", map[string]string{"uri": "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=" + strings.Repeat("A", 300)})
	if msg, _ := body["error"].(string); code != 400 || !strings.Contains(msg, "issuer") {
		t.Fatalf("300-character issuer: %d %v", code, body)
	}
}

func TestTextFieldsRefuseHiddenCharacters(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	if code, body := c.setup("ad\u202emin", "long enough"); code != 400 || !strings.Contains(body["error"].(string), "username") {
		t.Fatalf("setup with a bidi override: %d %v", code, body)
	}
	c.setup("admin", "long enough")
	demo, _ := portals.Source("demo.js")
	withName := func(name string) string {
		return strings.Replace(demo, "// @name", "// @name "+name+" //", 1)
	}
	cases := []struct {
		name string
		body map[string]string
		want string
	}{
		{"NUL", map[string]string{"name": "Nim\x00bus", "script": demo}, "the name contains a control character (U+0000)"},
		{"C1", map[string]string{"name": "Nim\u0085bus", "script": demo}, "control character (U+0085)"},
		{"zero width", map[string]string{"name": "Nim\u200bbus", "script": demo}, "the name contains an invisible"},
		{"right-to-left override", map[string]string{"name": "invoice\u202efdp.exe", "script": demo}, "U+202E"},
		{"isolate", map[string]string{"name": "a\u2067b", "script": demo}, "U+2067"},
		{"too long", map[string]string{"name": strings.Repeat("n", 101), "script": demo}, "longer than 100"},
		{"portal username", map[string]string{"name": "N", "script": demo, "username": "de\u200dmo"}, "the username"},
		{"script @name", map[string]string{"name": "N", "script": withName("Ev\u202eil")}, "@name"},
	}
	for _, tc := range cases {
		code, body, _ := c.call("POST", "/api/portals", tc.body)
		if msg, _ := body["error"].(string); code != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %v", tc.name, code, body)
		}
	}
	if code, body, _ := c.call("POST", "/api/portals", map[string]string{"name": "Café Ünïcode 请求 🧾", "script": demo}); code != 201 {
		t.Fatalf("a plain Unicode name: %d %v", code, body)
	}
	_, p, _ := c.call("GET", "/api/portals/1", nil)
	code, body, _ := c.call("PUT", "/api/portals/"+jsonID(p)+"/totp", map[string]string{"uri": "otpauth://totp/Acme:b%E2%80%AEob?secret=JBSWY3DPEHPK3PXP&issuer=Acme"})
	if msg, _ := body["error"].(string); code != 400 || !strings.Contains(msg, "account name") {
		t.Fatalf("account with an override: %d %v", code, body)
	}
}

func TestCrossOriginWritesAreRefused(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	host := strings.TrimPrefix(ts.URL, "http://")
	cases := []struct {
		headers map[string]string
		want    int
	}{
		{map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"}, 403},
		{map[string]string{"Origin": "http://127.0.0.1:1"}, 403}, // another port, older browser
		{map[string]string{"Origin": "null"}, 403},
		{map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://" + host}, 400},
		{map[string]string{"Origin": "http://" + host}, 400},
		{map[string]string{}, 400}, // curl: no browser, no ambient cookie
	}
	for _, tc := range cases {
		for _, method := range []string{"POST", "PUT", "DELETE"} {
			req, _ := http.NewRequest(method, ts.URL+"/api/portals/999999/runs", bytes.NewReader([]byte("{")))
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// 400/404/405 mean the request got past the origin check.
			passed := resp.StatusCode != 403
			if (tc.want == 403) == passed {
				t.Errorf("%s with %v: %d", method, tc.headers, resp.StatusCode)
			}
		}
	}
}

// TestThrottleKeysOnThePeer: X-Forwarded-For from an untrusted peer changes nothing, concurrent
// guesses from one address are counted, and known and unknown users take the same time.
func TestThrottleKeysOnThePeer(t *testing.T) {
	ts, _, _ := testServer(t)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", ts.URL+"/api/login", strings.NewReader(`{"username":"admin","password":"guess"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[401] > throttleFree || codes[429] < 20-throttleFree {
		t.Fatalf("20 concurrent guesses with rotating X-Forwarded-For: %v", codes)
	}
}

func TestKnownAndUnknownUsersTakeTheSameTime(t *testing.T) {
	ts, _, _ := testServer(t)
	s, _ := servers.Load(ts.URL)
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	timeLogin := func(user string) time.Duration {
		s.(*Server).logins.succeeded("127.0.0.1") // time the hash, not the throttle
		start := time.Now()
		code, _, _ := newClient(t, ts.URL).call("POST", "/api/login", map[string]string{"username": user, "password": "wrong password"})
		if code != 401 {
			t.Fatalf("login as %s: %d", user, code)
		}
		return time.Since(start)
	}
	var known, unknown []time.Duration
	for range 5 {
		known = append(known, timeLogin("admin"))
		unknown = append(unknown, timeLogin("nobody"))
	}
	k, u := median(known), median(unknown)
	t.Logf("median wrong login: known user %v, unknown user %v", k, u)
	if u < k/2 || u > k*2 {
		t.Fatalf("an unknown user answers in %v, a known one in %v", u, k)
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func TestLimiterStaysBounded(t *testing.T) {
	l := newLoginLimiter()
	l.max = 100
	for i := range 5000 {
		l.attempt(fmt.Sprintf("198.51.%d.%d", i/256, i%256))
	}
	if n := l.size(); n != 100 {
		t.Fatalf("the limiter remembers %d addresses, want at most 100", n)
	}
	for range throttleFree {
		l.attempt("192.0.2.1")
	}
	if l.attempt("192.0.2.1") <= 0 {
		t.Fatal("an address past its free guesses is not made to wait")
	}
	if l.attempt("192.0.2.2") != 0 {
		t.Fatal("another address has to wait for the first one's guesses")
	}
	if throttleKey("2001:db8::1") != throttleKey("2001:db8::ffff:1") || throttleKey("::ffff:192.0.2.1") != "192.0.2.1" {
		t.Fatal("IPv6 addresses of one /64 count separately, or mapped IPv4 is not unmapped")
	}
}

// TestTrustedProxy: behind a proxy every request comes from the proxy's address, so the
// throttle must key on the client it names; an attacker cannot lock out the admin's address.
func TestTrustedProxy(t *testing.T) {
	ts, _, _ := testServerWith(t, func(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	c := newClient(t, ts.URL)
	c.setup("admin", "long enough")
	login := func(xff, password string) int {
		req, _ := http.NewRequest("POST", ts.URL+"/api/login", strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// The attacker prepends the admin's address: the proxy appends the real one, which counts.
	codes := make(chan int, 12)
	for range cap(codes) {
		go func() { codes <- login("198.51.100.7, 203.0.113.9", "guess") }()
	}
	limited := 0
	for range cap(codes) {
		if <-codes == 429 {
			limited++
		}
	}
	if limited < cap(codes)-throttleFree {
		t.Fatalf("%d concurrent guesses from one client behind the proxy: only %d refused", cap(codes), limited)
	}
	if code := login("198.51.100.7", "long enough"); code != 200 {
		t.Fatalf("the admin from another address: %d", code)
	}
}

// TestHashGateLetsKnownAddressesFirst: with the slots taken, a sign-in from an address that
// signed in before is served before the queue of strangers; a waiter that gives up frees its
// place.
func TestHashGateLetsKnownAddressesFirst(t *testing.T) {
	g := newHashGate(1)
	ctx := t.Context()
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 3)
	waiting := func(n int) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			g.mu.Lock()
			l := len(g.first) + len(g.rest)
			g.mu.Unlock()
			if l == n {
				return
			}
		}
		t.Fatalf("waiters never reached %d", n)
	}
	for i := range 2 {
		go func() {
			if g.acquire(ctx, false) == nil {
				order <- fmt.Sprint("stranger", i)
				g.release()
			}
		}()
		waiting(i + 1)
	}
	quit, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error)
	go func() { gaveUp <- g.acquire(quit, false) }()
	waiting(3)
	cancel()
	if err := <-gaveUp; err == nil || !strings.Contains(err.Error(), "try again") {
		t.Fatalf("a waiter that gave up: %v", err)
	}
	go func() {
		if g.acquire(ctx, true) == nil {
			order <- "admin"
			g.release()
		}
	}()
	waiting(3)
	g.release()
	if got := []string{<-order, <-order, <-order}; strings.Join(got, " ") != "admin stranger0 stranger1" {
		t.Fatalf("served in the order %v", got)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.free != 1 {
		t.Fatalf("%d free slots after all released, want 1", g.free)
	}
}
