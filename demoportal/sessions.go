package demoportal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	sessionCookie = "nimbus_session"
	// sessionIdle ends a session nobody used for this long, so memory stays bounded on a demo
	// that runs for days.
	sessionIdle = 12 * time.Hour
)

// session is one browser's state. Sessions are created only after a correct password, so
// anonymous traffic costs no memory.
type session struct {
	id       string
	user     string // signed-in username; "" while a sign-in waits for its code
	lastSeen time.Time
	login    *pendingLogin // password accepted, second factor outstanding
	setup    *pendingSetup // 2FA enrolment shown on /settings/2fa, not yet confirmed
	flash    string        // one-time notice for the next page

	// The challenge (Options.Challenge): the picture shown, and whether it was solved.
	target   *challengeTarget
	verified bool
}

// sessionLocked returns the request's live session, or nil. Caller holds p.mu.
func (p *Portal) sessionLocked(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s := p.sessions[c.Value]
	if s == nil {
		return nil
	}
	now := p.now()
	if now.Sub(s.lastSeen) > sessionIdle {
		delete(p.sessions, s.id)
		return nil
	}
	s.lastSeen = now
	return s
}

// newSessionLocked starts a session and sets its cookie. Any session the request came with is
// dropped first: a fresh id at every privilege change prevents session fixation. Caller holds
// p.mu.
func (p *Portal) newSessionLocked(w http.ResponseWriter, r *http.Request) *session {
	if old := p.sessionLocked(r); old != nil {
		delete(p.sessions, old.id)
	}
	now := p.now()
	for id, s := range p.sessions {
		if now.Sub(s.lastSeen) > sessionIdle {
			delete(p.sessions, id)
		}
	}
	s := &session{id: randomToken(), lastSeen: now}
	p.sessions[s.id] = s
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    s.id,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	return s
}

// endSessionLocked forgets the request's session and clears the cookie. Caller holds p.mu.
func (p *Portal) endSessionLocked(w http.ResponseWriter, r *http.Request) {
	if s := p.sessionLocked(r); s != nil {
		delete(p.sessions, s.id)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// signedIn returns the signed-in username of the request.
func (p *Portal) signedIn(r *http.Request) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessionLocked(r); s != nil && s.user != "" {
		return s.user, true
	}
	return "", false
}

// redirectToLogin sends a signed-out visitor to the login page and remembers where they were
// going, like real portals do (also for PDF links: a script that downloads without a session
// gets the login page, not an error).
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// safeNext keeps only same-site paths, so ?next= cannot send a user to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/account"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/login") || u.Path == "/logout" {
		return "/account"
	}
	return next
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics instead of returning an error since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
