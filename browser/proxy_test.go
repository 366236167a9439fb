package browser

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"billhound/netpolicy"
)

// TestProxy: the context's proxy carries http and CONNECT (https) to allowed servers and
// refuses billhound's own address on both, recording the refusal for the script.
func TestProxy(t *testing.T) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	web, webTLS := httptest.NewServer(hello), httptest.NewTLSServer(hello)
	own, ownTLS := httptest.NewServer(hello), httptest.NewTLSServer(hello)
	for _, s := range []*httptest.Server{web, webTLS, own, ownTLS} {
		defer s.Close()
	}
	var logged []string
	pol := netpolicy.New(own.Listener.Addr().String(), ownTLS.Listener.Addr().String()).
		ForRun(func(target, reason string) { logged = append(logged, reason+": "+target) })
	px, err := startProxy(pol)
	if err != nil {
		t.Fatal(err)
	}
	defer px.close()
	pu, _ := url.Parse(px.URL())
	client := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(pu),
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	get := func(u string) (string, error) {
		resp, err := client.Get(u)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, b), nil
	}
	for _, u := range []string{web.URL, webTLS.URL} {
		if got, err := get(u); err != nil || got != "200 hello" {
			t.Errorf("GET %s through the proxy = %q, %v", u, got, err)
		}
	}
	if got, _ := get(own.URL + "/api"); !strings.HasPrefix(got, "403 billhound's own address") {
		t.Errorf("http to billhound's own address = %q, want 403", got)
	}
	if got, err := get(ownTLS.URL); err == nil || strings.Contains(got, "hello") {
		t.Errorf("CONNECT to billhound's own address = %q, %v; want refused", got, err)
	}
	if err := pol.Take(); !errors.Is(err, netpolicy.ErrBlocked) {
		t.Errorf("Take = %v, want the refusal", err)
	}
	if len(logged) != 2 {
		t.Errorf("log = %q, want two refusals", logged)
	}
	if got, _ := get("http://" + px.ln.Addr().String() + "/"); strings.HasPrefix(got, "200") {
		t.Errorf("the proxy proxied to itself: %q", got)
	}
}

// TestProxyPassword: a proxy reachable from the network (for a browser on another machine)
// answers only the context's own credentials.
func TestProxyPassword(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") }))
	defer web.Close()
	px, err := startProxyOn(netpolicy.New().ForRun(nil), "127.0.0.1:0", "Basic dTpw") // u:p
	if err != nil {
		t.Fatal(err)
	}
	defer px.close()
	for _, tc := range []struct {
		user *url.Userinfo
		want int
	}{{nil, http.StatusProxyAuthRequired}, {url.UserPassword("u", "wrong"), http.StatusProxyAuthRequired}, {url.UserPassword("u", "p"), http.StatusOK}} {
		pu, _ := url.Parse(px.URL())
		pu.User = tc.user
		resp, err := (&http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}).Get(web.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("credentials %v: status %d, want %d", tc.user, resp.StatusCode, tc.want)
		}
	}
}
