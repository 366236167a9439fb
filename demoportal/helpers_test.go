package demoportal

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// start is 10 s into a TOTP step, so ±1 step arithmetic in tests stays clear of edges.
var start = time.Date(2026, 3, 15, 10, 0, 10, 0, time.UTC)

// clock is the portal's Now in tests; Add moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	portal *Portal
	srv    *httptest.Server
	clock  *clock
}

func newFixture(t *testing.T, accounts ...Account) *fixture {
	t.Helper()
	c := &clock{t: start}
	p := New(Options{Accounts: accounts, Now: c.Now})
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return &fixture{portal: p, srv: srv, clock: c}
}

// browser is an HTTP client with its own cookie jar: one browser profile.
type browser struct {
	base string
	c    *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &browser{base: f.srv.URL, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// page is a fetched response after redirects.
type page struct {
	status int
	path   string // final URL path
	header http.Header
	body   string
}

func (b *browser) do(t *testing.T, method, path string, form url.Values) page {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = b.c.PostForm(b.base+path, form)
	} else {
		resp, err = b.c.Get(b.base + path)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return page{status: resp.StatusCode, path: resp.Request.URL.Path, header: resp.Header, body: string(body)}
}

func (b *browser) get(t *testing.T, path string) page { t.Helper(); return b.do(t, "GET", path, nil) }

func (b *browser) post(t *testing.T, path string, kv ...string) page {
	t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return b.do(t, "POST", path, form)
}

// noFollow returns the first response of a request without following redirects.
func (b *browser) noFollow(t *testing.T, path string) *http.Response {
	t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(b.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp
}

func (b *browser) login(t *testing.T, user, password string) page {
	t.Helper()
	return b.post(t, "/login", "username", user, "password", password)
}

// find returns the first submatch of re in s, or fails the test.
func find(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no match for %s in:\n%s", re, s)
	}
	return html.UnescapeString(m[1])
}

// errorText is the page's alert, "" without one.
func errorText(s string) string {
	m := regexp.MustCompile(`<p class="error" role="alert">(.*?)</p>`).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// codeAt is what an authenticator shows for secret at step.
func codeAt(t *testing.T, secret string, step int64) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func stepOf(t time.Time) int64 { return t.Unix() / 30 }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
