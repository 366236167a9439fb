// Package netpolicy decides what a portal script may reach: the web (http and https) and nothing
// else of this machine. It refuses other schemes (file:, data:, chrome:, view-source:,
// devtools:, ...) and billhound's own HTTP address, by name and by the address actually dialed.
// The browser applies it to every request Chromium makes; the Go HTTP client of downloads and
// page.fetch applies it to the URL, every redirect and every dial.
package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by every refusal, so callers can tell a policy refusal from a network error.
var ErrBlocked = errors.New("blocked by billhound's sandbox")

// Error is a refused URL or address with the reason, written for the script author.
type Error struct {
	Target string // the URL or address
	Reason string // "file: URLs are not allowed"
	logged bool   // already handed to the run's OnBlocked
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (a portal script may reach the web and nothing else of this machine)", e.Reason, e.Target)
}

func (e *Error) Unwrap() error { return ErrBlocked }

// Policy is safe for concurrent use. The zero value allows every http(s) URL; a nil *Policy too.
//
// A process has one Policy (New); each run gets its own with ForRun, which shares the rules
// and adds the run's side: a log line for every refusal, and the refusal the browser made on its
// own (a blocked frame, redirect or request) kept until the script's next call takes it.
type Policy struct {
	mu       sync.Mutex
	ownPorts map[int]bool // ports billhound's HTTP server listens on, on this machine
	resolved map[string]resolution
	lookup   func(ctx context.Context, host string) ([]netip.Addr, error)

	rules     *Policy                     // the process's policy of a run's; nil: this one
	onBlocked func(target, reason string) // the run's log; nil: none
	logged    int                         // refusals logged so far
	pending   *Error                      // the first refusal the script has not seen yet
}

type resolution struct {
	local bool
	at    time.Time
}

// New returns a policy that also refuses billhound's own listen addresses (like ":8080" or
// "127.0.0.1:8080"): any address of this machine on those ports.
func New(ownAddrs ...string) *Policy {
	p := &Policy{ownPorts: map[int]bool{}, resolved: map[string]resolution{}}
	for _, a := range ownAddrs {
		p.AddOwnAddr(a)
	}
	return p
}

// ForRun returns a policy for one run with p's rules (also those added later). Every refusal
// it makes is reported to onBlocked (at most maxLogged of them, so a hostile page cannot flood
// the run's log); onBlocked may be nil.
func (p *Policy) ForRun(onBlocked func(target, reason string)) *Policy {
	r := &Policy{onBlocked: onBlocked}
	if p != nil {
		r.rules = p.root()
	}
	return r
}

// maxLogged bounds the refusals one run logs.
const maxLogged = 20

func (p *Policy) root() *Policy {
	if p.rules != nil {
		return p.rules
	}
	return p
}

// report hands a refusal to the run's log, once.
func (p *Policy) report(e *Error) *Error {
	if p == nil || e.logged {
		return e
	}
	e.logged = true
	p.mu.Lock()
	p.logged++
	n, log := p.logged, p.onBlocked
	p.mu.Unlock()
	switch {
	case log == nil || n > maxLogged+1:
	case n == maxLogged+1:
		log("...", "more refusals in this run are not logged")
	default:
		log(e.Target, e.Reason)
	}
	return e
}

// Blocked records a refusal made in the browser, after the fact (Chromium's own, or
// billhound's interception): it is logged (unless CheckURL already did) and kept for Take. err
// is a *Error; anything else is ignored.
func (p *Policy) Blocked(err error) {
	var e *Error
	if p == nil || !errors.As(err, &e) {
		return
	}
	p.report(e)
	p.mu.Lock()
	if p.pending == nil {
		p.pending = e
	}
	p.mu.Unlock()
}

// Take returns the first refusal recorded by Blocked since the last Take, or nil. The script's
// next call fails with it, so an attempt the browser stopped does not pass silently.
func (p *Policy) Take() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.pending
	p.pending = nil
	if e == nil {
		return nil
	}
	return e
}

// OwnPorts lists the ports of billhound's own addresses (for interception patterns).
func (p *Policy) OwnPorts() []int {
	if p == nil {
		return nil
	}
	r := p.root()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int, 0, len(r.ownPorts))
	for n := range r.ownPorts {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// AddOwnAddr adds a listen address of billhound itself (host:port; the host is ignored: the
// port on any local address is refused).
func (p *Policy) AddOwnAddr(addr string) {
	if p == nil {
		return
	}
	p = p.root()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ownPorts == nil {
		p.ownPorts = map[int]bool{}
	}
	p.ownPorts[n] = true
}

// CheckURL refuses a URL a script must not reach: any scheme but http and https, and
// billhound's own address. Host names are resolved (and cached for a minute) to catch names
// that point at this machine.
func (p *Policy) CheckURL(raw string) error {
	if e := p.checkURL(raw); e != nil {
		return p.report(e)
	}
	return nil
}

func (p *Policy) checkURL(raw string) *Error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return &Error{Target: shorten(raw), Reason: "not a valid URL"}
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "http", "https":
	case "":
		return &Error{Target: shorten(raw), Reason: "not an absolute URL"}
	default:
		return &Error{Target: shorten(raw), Reason: scheme + ": URLs are not allowed"}
	}
	if p == nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	n, _ := strconv.Atoi(port)
	if !p.isOwnPort(n) {
		return nil
	}
	if p.hostIsLocal(u.Hostname()) {
		return &Error{Target: shorten(raw), Reason: "billhound's own address is not reachable from scripts"}
	}
	return nil
}

// CheckAddr refuses a dial to billhound's own port on a local address (ip:port as dialed).
func (p *Policy) CheckAddr(address string) error {
	if e := p.checkAddr(address); e != nil {
		return p.report(e)
	}
	return nil
}

func (p *Policy) checkAddr(address string) *Error {
	if p == nil {
		return nil
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return &Error{Target: address, Reason: "not an address"}
	}
	n, _ := strconv.Atoi(port)
	if !p.isOwnPort(n) {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || isLocalIP(ip.Unmap()) {
		return &Error{Target: address, Reason: "billhound's own address is not reachable from scripts"}
	}
	return nil
}

// Control is a net.Dialer.Control that applies CheckAddr to the address actually dialed, so a
// DNS name or redirect that leads to billhound itself is refused too.
func (p *Policy) Control(network, address string, _ syscall.RawConn) error {
	return p.CheckAddr(address)
}

func (p *Policy) isOwnPort(n int) bool {
	p = p.root()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ownPorts[n]
}

func (p *Policy) hostIsLocal(host string) bool {
	p = p.root()
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return isLocalIP(ip.Unmap())
	}
	p.mu.Lock()
	r, ok := p.resolved[host]
	p.mu.Unlock()
	if ok && time.Since(r.at) < time.Minute {
		return r.local
	}
	lookup := p.lookup
	if lookup == nil {
		lookup = func(ctx context.Context, h string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", h)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := lookup(ctx, host)
	local := false
	for _, a := range addrs {
		if isLocalIP(a.Unmap()) {
			local = true
		}
	}
	if err == nil {
		p.mu.Lock()
		if len(p.resolved) > 1000 {
			p.resolved = map[string]resolution{}
		}
		p.resolved[host] = resolution{local: local, at: time.Now()}
		p.mu.Unlock()
	}
	return local
}

// isLocalIP is true for loopback, unspecified and this machine's own interface addresses.
func isLocalIP(ip netip.Addr) bool {
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if pfx, err := netip.ParsePrefix(a.String()); err == nil && pfx.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}

func shorten(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}
