package demoportal

import (
	"net/http"
	"slices"
	"time"
)

// setupTTL is how long a 2FA setup shown on /settings/2fa can be confirmed. Short on purpose:
// billhound has to read the QR code and answer quickly, as on strict real portals.
const setupTTL = 60 * time.Second

// pendingSetup is a 2FA enrolment shown to one browser and not yet confirmed.
type pendingSetup struct {
	id      string // ties the QR image and the confirm form to this setup
	secret  string
	expires time.Time
}

// newSetupLocked starts a fresh enrolment in the session. Every visit of the page starts a new
// one, as real portals do: a secret that was on screen earlier is never enabled later.
func (p *Portal) newSetupLocked(s *session) *pendingSetup {
	s.setup = &pendingSetup{id: randomToken()[:16], secret: newSecret(), expires: p.now().Add(setupTTL)}
	return s.setup
}

func (p *Portal) setupView(user string, st *pendingSetup) view {
	return view{
		Title:        "Security",
		User:         user,
		Nav:          "security",
		SetupID:      st.id,
		SecretGroups: groupSecret(st.secret),
		QRURL:        "/settings/2fa/qr.png?setup=" + st.id,
		SetupSeconds: int(setupTTL / time.Second),
	}
}

func (p *Portal) enabledView(user string, a *account) view {
	left := 0
	for _, used := range a.recovery {
		if !used {
			left++
		}
	}
	return view{Title: "Security", User: user, Nav: "security", TwoFAOn: true, RecoveryLeft: left}
}

// securityLocked returns the signed-in session and its account, or nil. Caller holds p.mu.
func (p *Portal) securityLocked(r *http.Request) (*session, *account) {
	s := p.sessionLocked(r)
	if s == nil || s.user == "" {
		return nil, nil
	}
	return s, p.accounts[s.user]
}

func (p *Portal) handleSecurityPage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s, a := p.securityLocked(r)
	if a == nil {
		p.mu.Unlock()
		redirectToLogin(w, r)
		return
	}
	var v view
	if a.secret != "" {
		v = p.enabledView(s.user, a)
	} else {
		v = p.setupView(s.user, p.newSetupLocked(s))
	}
	v.Notice, s.flash = s.flash, ""
	p.mu.Unlock()
	p.render(w, http.StatusOK, "security", v)
}

func (p *Portal) handleQR(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s, a := p.securityLocked(r)
	var uri string
	if a != nil && s.setup != nil && s.setup.id == r.URL.Query().Get("setup") {
		uri = otpauthURI(p.name, a.username, s.setup.secret)
	}
	p.mu.Unlock()
	if a == nil {
		redirectToLogin(w, r)
		return
	}
	if uri == "" {
		http.NotFound(w, r)
		return
	}
	img, err := qrPNG(uri)
	if err != nil {
		http.Error(w, "cannot draw the QR code", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store") // it shows a secret
	w.Write(img)
}

func (p *Portal) handleEnable(w http.ResponseWriter, r *http.Request) {
	setupID, code := r.PostFormValue("setup"), r.PostFormValue("code")
	p.mu.Lock()
	s, a := p.securityLocked(r)
	if a == nil {
		p.mu.Unlock()
		redirectToLogin(w, r)
		return
	}
	if a.secret != "" { // enabled meanwhile, e.g. in another tab
		p.mu.Unlock()
		http.Redirect(w, r, "/settings/2fa", http.StatusSeeOther)
		return
	}
	var v view
	st := s.setup
	switch {
	case st == nil || st.id != setupID || p.now().After(st.expires):
		v = p.setupView(s.user, p.newSetupLocked(s))
		v.Error = "The setup expired. Start again."
	default:
		switch p.checkCodeLocked(a, st.secret, code) {
		case codeOK:
			a.secret = st.secret
			a.recovery = newRecoveryCodes()
			s.setup = nil
			v = p.enabledView(s.user, a)
			v.Notice = "Two-factor authentication is on."
			for c := range a.recovery {
				v.RecoveryCodes = append(v.RecoveryCodes, c)
			}
			slices.Sort(v.RecoveryCodes)
		case codeReused:
			v = p.setupView(s.user, st)
			v.Error = msgReusedCode
		default:
			v = p.setupView(s.user, st)
			v.Error = msgBadCode
		}
	}
	p.mu.Unlock()
	p.render(w, http.StatusOK, "security", v)
}

func (p *Portal) handleDisable(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("code")
	p.mu.Lock()
	s, a := p.securityLocked(r)
	if a == nil {
		p.mu.Unlock()
		redirectToLogin(w, r)
		return
	}
	if a.secret == "" {
		p.mu.Unlock()
		http.Redirect(w, r, "/settings/2fa", http.StatusSeeOther)
		return
	}
	msg := ""
	switch p.checkCodeLocked(a, a.secret, code) {
	case codeOK:
		a.secret, a.recovery = "", nil
		s.flash = "Two-factor authentication is off."
		p.mu.Unlock()
		http.Redirect(w, r, "/settings/2fa", http.StatusSeeOther)
		return
	case codeReused:
		msg = msgReusedCode
	default:
		msg = msgBadCode
	}
	v := p.enabledView(s.user, a)
	v.Error = msg
	p.mu.Unlock()
	p.render(w, http.StatusOK, "security", v)
}
