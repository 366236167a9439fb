package browser

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"syscall"
	"time"

	"billhound/netpolicy"
)

// proxy is one browser context's forward proxy: Chromium sends every http, https and WebSocket
// connection of the context through it, loopback included. It dials only what the policy
// allows, checked on the address actually dialed, so what the context's route never sees
// cannot reach billhound either: a redirect's target (Playwright follows redirects without
// routing them), a host name that resolves to this machine, a service worker.
type proxy struct {
	pol    *netpolicy.Policy
	ln     net.Listener
	srv    *http.Server
	rp     *httputil.ReverseProxy
	dialer *net.Dialer

	mu      sync.Mutex
	tunnels map[net.Conn]bool // open CONNECT tunnels (both ends), closed with the proxy

	auth string // the Proxy-Authorization a client must send; "" on loopback (see proxyauth.go)
}

func startProxy(pol *netpolicy.Policy) (*proxy, error) {
	return startProxyOn(pol, "127.0.0.1:0", "")
}

func startProxyOn(pol *netpolicy.Policy, addr, auth string) (*proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &proxy{pol: pol, ln: ln, tunnels: map[net.Conn]bool{}, auth: auth}
	p.dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: p.control}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL = r.In.URL // a proxy request carries the absolute URL
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{
			DialContext:         p.dialer.DialContext,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     30 * time.Second,
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, err) },
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is what Chromium is told to use.
func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

// control refuses a dial to billhound's own address and to the proxy itself (a loop).
func (p *proxy) control(network, address string, _ syscall.RawConn) error {
	if address == p.ln.Addr().String() {
		return &netpolicy.Error{Target: address, Reason: "the browser's proxy is not reachable from scripts"}
	}
	return p.pol.CheckAddr(address)
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(w, r) {
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "this is billhound's browser proxy", http.StatusBadRequest)
		return
	}
	if err := p.pol.CheckURL(r.URL.String()); err != nil {
		p.fail(w, err)
		return
	}
	p.rp.ServeHTTP(w, r)
}

// fail answers a refused request (and records it for the script) or a failed one.
func (p *proxy) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, netpolicy.ErrBlocked) {
		p.pol.Blocked(err)
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	// The page then is the proxy's, not the portal's: say so, so the run can tell the user that
	// the portal could not be reached rather than that it answered 502.
	w.Header().Set(UnreachableHeader, unreachableReason(err))
	http.Error(w, "billhound's browser proxy: "+err.Error(), http.StatusBadGateway)
}

// UnreachableHeader marks the proxy's own 502 answer when the portal could not be reached; its
// value says why in a few words.
const UnreachableHeader = "X-Billhound-Unreachable"

func unreachableReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "no such host"), strings.Contains(msg, "server misbehaving"):
		return "its name does not resolve (DNS)"
	case strings.Contains(msg, "timeout"), strings.Contains(msg, "deadline exceeded"):
		return "the connection timed out"
	case strings.Contains(msg, "connection reset"):
		return "the connection was reset"
	case strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "no route to host"):
		return "no route to it"
	}
	return "the connection failed"
}

// tunnel carries a CONNECT (https, wss) to an allowed address.
func (p *proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	if err := p.pol.CheckURL("https://" + r.Host + "/"); err != nil {
		p.fail(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	up, err := p.dialer.DialContext(ctx, "tcp", r.Host)
	cancel()
	if err != nil {
		p.fail(w, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	down, buf, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	if !p.track(up, down) {
		return
	}
	defer p.untrack(up, down)
	if _, err := down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, buf); closeWrite(up); done <- struct{}{} }()
	go func() { _, _ = io.Copy(down, up); closeWrite(down); done <- struct{}{} }()
	<-done
	<-done
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}

// track registers a tunnel's ends; false (and both closed) when the proxy is closed already.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tunnels == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.tunnels[c] = true
	}
	return true
}

func (p *proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.tunnels, c)
	}
}

// close stops the proxy and every connection through it.
func (p *proxy) close() {
	_ = p.srv.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.tunnels {
		c.Close()
	}
	p.tunnels = nil
	if t, ok := p.rp.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}
