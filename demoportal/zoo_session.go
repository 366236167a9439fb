package demoportal

import (
	"net/http"
	"strings"
)

// zooState is the zoo's memory: its sessions (apart from the main portal's) and the accounts
// that accepted the new terms. Guarded by Portal.mu.
type zooState struct {
	sessions map[string]*zooSession
	accepted map[string]bool // username → accepted the "terms" shape's new terms
}

func newZooState() zooState {
	return zooState{sessions: map[string]*zooSession{}, accepted: map[string]bool{}}
}

// zooSession is one browser signed in to one shape.
type zooSession struct {
	id, shape, user string
	// left counts the requests an "expiry" session still serves; it ends when they are used up.
	left int
}

// expiryRequests is how many signed-in requests an "expiry" session serves: the invoice list
// and a few downloads, so a script that fetches every invoice meets the end of its session.
const expiryRequests = 9

const (
	msgZooBadLogin  = "The e-mail or password you entered is incorrect."
	msgZooExpired   = "Your session has expired. Please sign in again."
	msgZooBot       = "We could not verify that you are a person: this browser reports itself as automated (HeadlessChrome or navigator.webdriver). Sign in with a regular browser."
	msgZooBanner    = "Scheduled maintenance on Sunday, 02:00–04:00 UTC: invoices may load slowly."
	zooCookiePrefix = "zoo_"
	consentCookie   = "zoo_cookie_consent"
)

func zooCookie(z zooShape) string { return zooCookiePrefix + z.Key }

// zooUser is the user signed in to shape z, if any. It does not count as a request.
func (p *Portal) zooUser(r *http.Request, z zooShape) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.zooSessionLocked(r, z); s != nil {
		return s.user, true
	}
	return "", false
}

func (p *Portal) zooSessionLocked(r *http.Request, z zooShape) *zooSession {
	c, err := r.Cookie(zooCookie(z))
	if err != nil {
		return nil
	}
	if s := p.zoo.sessions[c.Value]; s != nil && s.shape == z.Key {
		return s
	}
	return nil
}

type gate int

const (
	gateIn gate = iota
	gateOut
	gateExpired
	gateTerms
)

// zooGate decides what a request for a signed-in page of shape z gets.
func (p *Portal) zooGate(r *http.Request, z zooShape) (string, gate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.zooSessionLocked(r, z)
	if s == nil {
		return "", gateOut
	}
	if z.Key == "expiry" {
		if s.left <= 0 {
			delete(p.zoo.sessions, s.id)
			return "", gateExpired
		}
		s.left--
	}
	if z.Key == "terms" && !p.zoo.accepted[s.user] && !strings.HasSuffix(r.URL.Path, "/terms") {
		return s.user, gateTerms
	}
	return s.user, gateIn
}

// zooSignIn starts a session of shape z (dropping the request's old one) and sets its cookie,
// scoped to the shape's path.
func (p *Portal) zooSignIn(w http.ResponseWriter, r *http.Request, z zooShape, user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.zooSessionLocked(r, z); old != nil {
		delete(p.zoo.sessions, old.id)
	}
	if len(p.zoo.sessions) > 10000 { // a demo that runs for days stays small
		clear(p.zoo.sessions)
	}
	s := &zooSession{id: randomToken(), shape: z.Key, user: user, left: expiryRequests}
	p.zoo.sessions[s.id] = s
	http.SetCookie(w, &http.Cookie{Name: zooCookie(z), Value: s.id, Path: z.base() + "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (p *Portal) handleZooLogout(w http.ResponseWriter, r *http.Request) {
	z, ok := p.shape(w, r)
	if !ok {
		return
	}
	p.mu.Lock()
	if s := p.zooSessionLocked(r, z); s != nil {
		delete(p.zoo.sessions, s.id)
	}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: zooCookie(z), Value: "", Path: z.base() + "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, z.base()+"/login?signed_out=1", http.StatusSeeOther)
}

func (p *Portal) handleZooLoginPage(w http.ResponseWriter, r *http.Request) {
	z, ok := p.shape(w, r)
	if !ok {
		return
	}
	if _, in := p.zooUser(r, z); in {
		http.Redirect(w, r, z.base()+z.Landing, http.StatusFound)
		return
	}
	v := view{Title: "Sign in", Next: r.URL.Query().Get("next")}
	q := r.URL.Query()
	switch {
	case q.Has("expired"):
		v.Notice = msgZooExpired
	case q.Has("signed_out"):
		v.Notice = "You have been signed out."
	}
	if q.Has("error") {
		v.Error = msgZooBadLogin
	}
	p.zooLoginPage(w, r, z, http.StatusOK, v)
}

// zooLoginPage renders shape z's login page, the way that shape shows it.
func (p *Portal) zooLoginPage(w http.ResponseWriter, r *http.Request, z zooShape, status int, v view) {
	if p.demoHint {
		v.DemoUser, v.DemoPassword = DefaultUsername, DefaultPassword
	}
	v.Zoo.Action = z.base() + "/login"
	switch z.Key {
	case "iframe": // the form is in the frame; the frame shows the error
		v.Zoo.Frame = z.base() + "/frame"
		if v.Error != "" {
			v.Zoo.Frame += "?error=1"
		}
		v.Error = ""
	case "profile":
		v.Zoo.Quiet, v.Zoo.Banner = true, msgZooBanner
	case "botcheck":
		if headless(r) || v.Error == msgZooBot {
			v.Error, v.Zoo.Refused, status = msgZooBot, true, http.StatusForbidden
		}
		v.Zoo.Probe, v.Zoo.Script = true, z.base()+"/app.js"
	case "stacked":
		v.Zoo.Stacked, v.Zoo.Script, v.Zoo.Action = true, z.base()+"/app.js", z.base()+"/api/login"
	}
	p.zooRender(w, r, status, z, "zoo_login", v)
}

// headless is true for Chromium's headless user agent.
func headless(r *http.Request) bool {
	return strings.Contains(r.UserAgent(), "HeadlessChrome")
}

func (p *Portal) handleZooLogin(w http.ResponseWriter, r *http.Request) {
	z, ok := p.shape(w, r)
	if !ok {
		return
	}
	if z.Key == "spa" || z.Key == "stacked" {
		p.handleNotFound(w, r) // these sign in through their JSON API
		return
	}
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	if z.Key == "botcheck" && (headless(r) || r.PostFormValue("probe") != "human") {
		p.zooLoginPage(w, r, z, http.StatusForbidden, view{Title: "Sign in", Error: msgZooBot, Username: username})
		return
	}
	p.mu.Lock()
	a := p.checkPasswordLocked(username, password)
	p.mu.Unlock()
	if a == nil {
		if z.Key == "iframe" { // the form posted to the top window: show the login page again
			http.Redirect(w, r, z.base()+"/login?error=1", http.StatusSeeOther)
			return
		}
		p.zooLoginPage(w, r, z, http.StatusOK, view{Title: "Sign in", Error: msgZooBadLogin, Username: username, Next: r.PostFormValue("next")})
		return
	}
	p.zooSignIn(w, r, z, a.username)
	next := r.PostFormValue("next")
	if !strings.HasPrefix(next, z.base()+"/") || strings.HasPrefix(next, z.base()+"/login") || strings.Contains(next, "//") {
		next = z.base() + z.Landing
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// cookieConsent is true once the browser answered the "terms" shape's cookie banner.
func (p *Portal) cookieConsent(r *http.Request) bool {
	_, err := r.Cookie(consentCookie)
	return err == nil
}
