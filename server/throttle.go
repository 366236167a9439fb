package server

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/argon2"

	"billhound/store"
)

// The front door of the login: who is guessing (the peer address, or the client a trusted
// proxy names), how often it may guess, and how many password hashes run at once.
const (
	throttleFree      = 5                // failures from one address before it has to wait
	throttleMaxWait   = 15 * time.Minute // the longest wait between two guesses
	throttleForget    = time.Hour        // an address quiet this long starts afresh
	throttleMaxAddrs  = 10000            // addresses remembered; the least recently seen is dropped
	throttleGoodAddrs = 64               // addresses that signed in, whose sign-ins go first
	hashSlots         = 2                // argon2 takes 64 MiB each: at most this many at once
	hashQueueWait     = 20 * time.Second // how long a sign-in waits for a free slot
)

// loginLimiter slows down password guessing per client address: after 5 failures, each further
// attempt waits twice as long as the last (up to 15 minutes). An attempt counts as soon as it
// starts, so concurrent guesses from one address cannot slip past the count. Its memory is
// bounded: at most throttleMaxAddrs addresses, the least recently seen evicted first.
type loginLimiter struct {
	mu    sync.Mutex
	order *list.List // of *failState, most recently seen at the front
	byKey map[string]*list.Element
	max   int
	good  map[string]time.Time // addresses that signed in, when; only a password adds one
}

type failState struct {
	key   string
	count int
	seen  time.Time
	until time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{order: list.New(), byKey: map[string]*list.Element{}, max: throttleMaxAddrs, good: map[string]time.Time{}}
}

// attempt records a sign-in attempt from key, or says how long key must still wait.
func (l *loginLimiter) attempt(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	el := l.byKey[key]
	if el != nil && now.Sub(el.Value.(*failState).seen) > throttleForget {
		l.order.Remove(el)
		delete(l.byKey, key)
		el = nil
	}
	if el == nil {
		for l.order.Len() >= l.max {
			oldest := l.order.Back()
			delete(l.byKey, oldest.Value.(*failState).key)
			l.order.Remove(oldest)
		}
		el = l.order.PushFront(&failState{key: key})
		l.byKey[key] = el
	}
	f := el.Value.(*failState)
	l.order.MoveToFront(el)
	if wait := f.until.Sub(now); wait > 0 {
		return wait
	}
	f.count++
	f.seen = now
	if f.count >= throttleFree {
		f.until = now.Add(min(time.Second<<min(f.count-throttleFree, 10), throttleMaxWait))
	}
	return 0
}

// succeeded forgets key's failures and remembers it as an address the admin uses.
func (l *loginLimiter) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := l.byKey[key]; el != nil {
		l.order.Remove(el)
		delete(l.byKey, key)
	}
	if _, ok := l.good[key]; !ok && len(l.good) >= throttleGoodAddrs {
		oldest := ""
		for k, t := range l.good {
			if oldest == "" || t.Before(l.good[oldest]) {
				oldest = k
			}
		}
		delete(l.good, oldest)
	}
	l.good[key] = time.Now()
}

// known says whether key signed in successfully within a session's lifetime.
func (l *loginLimiter) known(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.good[key]
	return ok && time.Since(t) < sessionLifetime
}

func (l *loginLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// throttleKey is the unit the throttle counts: one IPv4 address, or one IPv6 /64 (the block a
// single home connection or server gets, so rotating within it gains nothing).
func throttleKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// ipExtractor believes X-Forwarded-For only from the trusted proxies; without any it uses the
// TCP peer address, whatever the headers say.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		_, n, err := net.ParseCIDR(p.String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// errTooManyLogins is the answer while an address has to wait.
func errTooManyLogins(wait time.Duration) error {
	return &apiError{Status: http.StatusTooManyRequests, Message: "too many failed sign-ins from your address; try again in " + wait.Round(time.Second).String()}
}

// withHashSlot runs fn (an argon2 hash) in one of the hash gate's slots; addresses that signed
// in before go first.
func (s *Server) withHashSlot(ctx context.Context, key string, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, hashQueueWait)
	defer cancel()
	if err := s.hashes.acquire(ctx, s.logins.known(key)); err != nil {
		return err
	}
	defer s.hashes.release()
	err := fn()
	// argon2's 64 MiB is garbage now; without this the heap goal stays doubled from it and
	// the process keeps hundreds of MB it no longer uses. A GC costs little next to the hash.
	debug.FreeOSMemory()
	return err
}

// dummyHash has the parameters of a real hash and matches no password.
var dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
	b64.EncodeToString(make([]byte, 16)), b64.EncodeToString(make([]byte, argonKeyLen)))

// checkLogin returns the user when the password is right. An unknown user costs the same hash
// (against a dummy) as a known one, so timing does not tell which usernames exist.
func (s *Server) checkLogin(ctx context.Context, key, username, password string) (*store.User, bool, error) {
	u, err := s.deps.Store.UserByName(strings.TrimSpace(username))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	ok := false
	err = s.withHashSlot(ctx, key, func() error {
		hash := dummyHash
		if u != nil {
			hash = u.PasswordHash
		}
		var err error
		ok, err = checkPassword(hash, password)
		return err
	})
	return u, ok && u != nil, err
}
