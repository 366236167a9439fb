package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// badRequest is one malformed request: what a fuzzer or an attacker sends.
type badRequest struct {
	kind, method, path, ctype string
	body                      func() io.Reader // nil: no body
	length                    int64            // Content-Length; -1 chunked, 0 from the body
	header                    map[string]string
}

func bytesBody(b []byte) func() io.Reader  { return func() io.Reader { return bytes.NewReader(b) } }
func stringBody(s string) func() io.Reader { return bytesBody([]byte(s)) }

// malformedRequests is the catalogue; the test sends it round after round.
func malformedRequests() []badRequest {
	var out []badRequest
	add := func(kind, method, path, ctype string, body func() io.Reader) {
		out = append(out, badRequest{kind: kind, method: method, path: path, ctype: ctype, body: body})
	}
	for _, id := range []string{"+1", "007", "-1", "0", "0x1", "1e3", "1.0", "99999999999999999999", "9223372036854775808", "%00", "1%20", "%E2%80%AE1", "1;DROP%20TABLE%20portals"} {
		add("bad id", "DELETE", "/api/portals/"+id, "", nil)
		add("bad id", "GET", "/api/runs/"+id, "", nil)
		add("bad id", "POST", "/api/portals/"+id+"/runs", "", nil)
		add("bad id", "GET", "/api/invoices?portal="+id, "", nil)
	}
	huge := bytes.Repeat([]byte("A"), 2<<20)
	add("huge body", "POST", "/api/login", "application/json", bytesBody(huge))
	add("huge body", "PUT", "/api/portals/1/totp", "application/json", bytesBody(append([]byte(`{"uri":"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=`), huge...)))
	add("huge body", "POST", "/api/portals", "application/json", bytesBody(bytes.Repeat([]byte(" "), 3<<20)))
	out = append(out,
		badRequest{kind: "huge body", method: "PUT", path: "/api/portals/1/totp", ctype: "multipart/form-data; boundary=x", body: stringBody("--x\r\n"), length: 30 << 20},
		badRequest{kind: "huge body", method: "POST", path: "/api/setup", ctype: "application/json", body: bytesBody(huge), length: -1},
	)
	for _, b := range []string{"{", "[]", `"str"`, "null", `{"name": 5}`, `{"username": ["a"]}`, strings.Repeat("[", 20000), "{\"name\":\"\xff\xfe\"}", `{"name":"a"}{"name":"b"}`} {
		add("bad JSON", "POST", "/api/portals", "application/json", stringBody(b))
		add("bad JSON", "POST", "/api/login", "application/json", stringBody(b))
		add("bad JSON", "PUT", "/api/portals/1/totp", "application/json", stringBody(b))
	}
	for _, ct := range []string{"text/plain", "application/xml", "multipart/form-data", "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "image/png", "application/json; charset=utf-16"} {
		add("bad content type", "POST", "/api/portals", ct, stringBody(`<portal name="x"/>`))
		add("bad content type", "PUT", "/api/portals/1/totp", ct, stringBody("--\r\n\r\n"))
		add("bad content type", "POST", "/api/login", ct, stringBody("username=admin&password=x"))
	}
	add("bad multipart", "PUT", "/api/portals/1/totp", "multipart/form-data; boundary=zz", stringBody("--zz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n--zz--"))
	for _, name := range []string{"a\x00b", "a\u202eb", "a\u200bb", "a\u2066b", "\u0085", "\x1b[31mred", strings.Repeat("n", 5000)} {
		add("control chars", "POST", "/api/portals", "application/json", stringBody(fmt.Sprintf(`{"name":%q,"script":"x"}`, name)))
		add("control chars", "PUT", "/api/portals/1/totp", "application/json", stringBody(fmt.Sprintf(`{"uri":"otpauth://totp/%s?secret=JBSWY3DPEHPK3PXP&issuer=%s"}`, "a%E2%80%AEb", "x%00y")))
	}
	for _, m := range []string{"PATCH", "TRACE", "OPTIONS", "PUT", "DELETE", "CONNECTX"} {
		add("wrong method", m, "/api/runs", "", nil)
		add("wrong method", m, "/api/login", "", nil)
		add("wrong method", m, "/api/invoices/1/file", "", nil)
	}
	for _, p := range []string{"/api/runs/1/artifacts/..%2f..%2fbillhound.db", "/api/runs/1/artifacts/.%2e", "/api/../../../etc/passwd", "//api//portals",
		"/api/portals/1/../../setup", "/%2e%2e/%2e%2e/etc/passwd", "/api/" + strings.Repeat("a/", 3000), "/api/portals/%ff%fe", "/assets/..%5c..%5csecret.key", "/api/invoices/1/file%00.pdf"} {
		add("path trick", "GET", p, "", nil)
	}
	out = append(out,
		badRequest{kind: "cross-site", method: "POST", path: "/api/portals/1/runs", header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		badRequest{kind: "cross-site", method: "DELETE", path: "/api/portals/1", header: map[string]string{"Origin": "http://evil.example"}},
		badRequest{kind: "huge header", method: "GET", path: "/api/portals", header: map[string]string{"X-Junk": strings.Repeat("j", 2<<20)}},
	)
	return out
}

type abuseResult struct {
	requests, fivexx, failed int
	byStatus                 map[int]int
	rssBefore, rssAfter      int64 // kB
}

// sendMalformed sends n requests from the catalogue over `workers` connections with the
// admin's session and counts the answers.
func sendMalformed(t *testing.T, in *instance, n, workers int) abuseResult {
	cat := malformedRequests()
	res := abuseResult{byStatus: map[int]int{}}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Jar: in.client.Jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r := cat[i%len(cat)]
				code := sendBad(client, in.base, r)
				mu.Lock()
				res.requests++
				res.byStatus[code]++
				if code >= 500 {
					res.fivexx++
					t.Errorf("%s %s %s: %d", r.kind, r.method, r.path[:min(len(r.path), 60)], code)
				}
				if code == 0 {
					res.failed++
					if !strings.HasPrefix(r.kind, "huge") {
						t.Errorf("%s %s %s: no answer", r.kind, r.method, r.path[:min(len(r.path), 60)])
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res
}

// sendBad returns the status, or 0 when the server closed the connection without an answer
// (what it may do after refusing a body it will not read).
func sendBad(client *http.Client, base string, r badRequest) int {
	var body io.Reader
	if r.body != nil {
		body = r.body()
	}
	req, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		req, _ = http.NewRequest(r.method, base+"/", body)
		req.URL.Opaque = r.path // paths that url.Parse refuses go out as written
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	switch {
	case r.length == -1:
		req.ContentLength = -1
		req.Body = io.NopCloser(io.MultiReader(body)) // hide the length: sent chunked
	case r.length > 0: // claims r.length bytes: what starts the body, then zeros
		req.ContentLength = r.length
		req.Body = io.NopCloser(io.LimitReader(io.MultiReader(body, zeros{}), r.length))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// rssKB reads a field (VmRSS, VmHWM) of a process's /proc status, in kB.
func rssKB(t *testing.T, pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

type loginFlood struct {
	attackers                 int
	byStatus                  map[int]int
	adminStatus               int
	adminTook, floodTook      time.Duration
	peakRSS, rssBefore, rssHW int64 // kB
}

// floodLogins sends wrong passwords for the admin from n loopback addresses (127.0.0.2, ...)
// at once, real TCP connections each, and meanwhile signs the admin in from 127.0.0.1.
func floodLogins(t *testing.T, in *instance, n int) loginFlood {
	pid := in.server.cmd.Process.Pid
	res := loginFlood{attackers: n, byStatus: map[int]int{}, rssBefore: rssKB(t, pid, "VmRSS")}
	stop := make(chan struct{})
	sampled := make(chan int64)
	go func() {
		peak := int64(0)
		for {
			select {
			case <-stop:
				sampled <- peak
				return
			case <-time.After(20 * time.Millisecond):
				peak = max(peak, rssKB(t, pid, "VmRSS"))
			}
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var sent sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		sent.Add(1)
		go func() {
			defer wg.Done()
			ip := net.IPv4(127, 0, byte((i+2)/256), byte((i+2)%256))
			code := loginFrom(in.base, ip, "admin", "wrong guess "+strconv.Itoa(i), sent.Done)
			mu.Lock()
			res.byStatus[code]++
			mu.Unlock()
		}()
	}
	sent.Wait() // every attacker's request is on the wire
	adminStart := time.Now()
	res.adminStatus = loginFrom(in.base, net.IPv4(127, 0, 0, 1), "admin", "correct horse battery", func() {})
	res.adminTook = time.Since(adminStart)
	wg.Wait()
	res.floodTook = time.Since(start)
	close(stop)
	res.peakRSS = <-sampled
	res.rssHW = rssKB(t, pid, "VmHWM")
	return res
}

// loginFrom signs in over a fresh TCP connection from the local address ip; sent is called
// once the request is written.
func loginFrom(base string, ip net.IP, user, password string, sent func()) int {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	var once sync.Once
	done := func() { once.Do(sent) }
	defer done()
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}}
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, user, password)
	req, _ := http.NewRequest("POST", base+"/api/login", &notifyReader{r: strings.NewReader(body), done: done})
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// notifyReader calls done when the body has been read to its end (written to the socket).
type notifyReader struct {
	r    io.Reader
	done func()
}

func (n *notifyReader) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err == io.EOF {
		n.done()
	}
	return k, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
