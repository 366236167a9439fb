package browser

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/playwright-community/playwright-go"

	"billhound/netpolicy"
)

// A remote browser (BILLHOUND_BROWSER_WS on another machine) cannot reach a proxy on this
// machine's loopback, so its contexts get a proxy on the address this machine uses toward the
// browser server. Anyone on that network could reach it too, so it asks for a password: a
// random one per context, which Playwright answers for the context.

// contextProxy starts the proxy of one context and returns it with what Playwright is told.
func (m *Manager) contextProxy(pol *netpolicy.Policy) (*proxy, *playwright.Proxy, error) {
	host := m.proxyHost()
	if host == "" {
		px, err := startProxy(pol)
		if err != nil {
			return nil, nil, err
		}
		// "<-loopback>": Chromium would otherwise connect to this machine directly.
		return px, &playwright.Proxy{Server: px.URL(), Bypass: playwright.String("<-loopback>")}, nil
	}
	user, pass := randomHex(8), randomHex(16)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	px, err := startProxyOn(pol, net.JoinHostPort(host, "0"), auth)
	if err != nil {
		return nil, nil, err
	}
	return px, &playwright.Proxy{Server: px.URL(), Bypass: playwright.String("<-loopback>"),
		Username: playwright.String(user), Password: playwright.String(pass)}, nil
}

// proxyHost is the address the remote browser server reaches this machine at, or "" when the
// browser runs here (or the server is on loopback).
func (m *Manager) proxyHost() string {
	if m.proxyHostForTest != "" {
		return m.proxyHostForTest
	}
	if m.opt.RemoteWS == "" {
		return ""
	}
	u, err := url.Parse(m.opt.RemoteWS)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"ws": "80", "wss": "443"}[u.Scheme]
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || ip != nil && ip.IsLoopback() {
		return ""
	}
	// A UDP "connection" sends nothing; it only asks the routing table for the local address.
	c, err := net.Dial("udp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		m.opt.Logger.Warn("cannot tell which address the browser server reaches billhound at; its pages will not load", "err", err)
		return ""
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String()
}

// authorized checks the client's Proxy-Authorization when the proxy asks for one; otherwise
// it answers 407, which makes Chromium (through Playwright) send the context's credentials.
func (p *proxy) authorized(w http.ResponseWriter, r *http.Request) bool {
	if p.auth == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("Proxy-Authorization")), []byte(p.auth)) == 1 {
		return true
	}
	w.Header().Set("Proxy-Authenticate", `Basic realm="billhound"`)
	http.Error(w, "billhound's browser proxy needs the context's password", http.StatusProxyAuthRequired)
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("no randomness: %v", err))
	}
	return hex.EncodeToString(b)
}
