package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
)

// setupGate holds the one-time token that creating the admin account needs. Until the admin
// exists anyone who reaches the port could create it, so the server prints a link with the
// token in its log (only someone who can read the log, i.e. who runs billhound, gets it).
type setupGate struct {
	mu    sync.Mutex
	token string // "" once the admin exists
}

func newSetupGate(needed bool) *setupGate {
	g := &setupGate{}
	if needed {
		raw := make([]byte, 24)
		rand.Read(raw) // never fails (crypto/rand panics instead)
		g.token = base64.RawURLEncoding.EncodeToString(raw)
	}
	return g
}

// SetupToken is the token of the first-run setup link, or "" when the admin account exists.
// The caller prints http://<address>/setup?token=<token>.
func (s *Server) SetupToken() string {
	s.setup.mu.Lock()
	defer s.setup.mu.Unlock()
	return s.setup.token
}

// checkSetupToken compares in constant time; a missing or wrong token gets a 403 that says
// where the right one is.
func (s *Server) checkSetupToken(token string) error {
	s.setup.mu.Lock()
	want := s.setup.token
	s.setup.mu.Unlock()
	if want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return &apiError{Status: http.StatusForbidden, Message: "creating the admin account needs the setup link from billhound's log " +
			"(it looks like http://host:port/setup?token=...); open that link from the server's output"}
	}
	return nil
}

// setupDone retires the token: it worked once.
func (s *Server) setupDone() {
	s.setup.mu.Lock()
	s.setup.token = ""
	s.setup.mu.Unlock()
}
