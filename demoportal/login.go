package demoportal

import (
	"crypto/subtle"
	"net/http"
	"time"
)

const (
	// pendingLoginTTL is how long a correct password waits for its second factor.
	pendingLoginTTL = 5 * time.Minute
	// maxCodeAttempts wrong codes end a pending sign-in, as real portals throttle guessing.
	maxCodeAttempts = 5
)

// pendingLogin is a sign-in whose password was right and whose second factor is outstanding.
type pendingLogin struct {
	user     string
	next     string
	expires  time.Time
	attempts int
	code     string // the code sent by SMS or e-mail
	approval string // the request the app approves
}

const (
	msgBadLogin     = "Invalid username or password."
	msgBadCode      = "Invalid code."
	msgReusedCode   = "This code was already used. Wait for the next one."
	msgBadRecovery  = "Invalid recovery code."
	msgUsedRecovery = "This recovery code was already used."
	msgTooMany      = "Too many attempts. Sign in again."
	msgLoginExpired = "Your sign-in expired. Sign in again."
)

func (p *Portal) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	s := p.sessionLocked(r)
	if s != nil && s.user != "" {
		p.mu.Unlock()
		http.Redirect(w, r, "/account", http.StatusFound)
		return
	}
	v := p.loginView()
	if s != nil {
		v.Error, s.flash = s.flash, ""
	}
	p.mu.Unlock()
	v.Next = r.URL.Query().Get("next")
	if r.URL.Query().Has("signed_out") {
		v.Notice = "You have been signed out."
	}
	if p.emailFirst() {
		p.handleEmailPage(w, r, v)
		return
	}
	p.render(w, http.StatusOK, "login", v)
}

func (p *Portal) loginView() view {
	v := view{Title: "Sign in"}
	if p.demoHint {
		v.DemoUser, v.DemoPassword = DefaultUsername, DefaultPassword
	}
	return v
}

func (p *Portal) handleLogin(w http.ResponseWriter, r *http.Request) {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))

	p.mu.Lock()
	a := p.checkPasswordLocked(username, password)
	if a == nil {
		p.mu.Unlock()
		// Status 200 with the form again, as most portals answer a failed sign-in.
		p.loginFailed(w, r, username)
		return
	}
	s := p.newSessionLocked(w, r)
	if (a.secret == "" && a.factor == "") || p.rememberedLocked(r, a.username) {
		s.user = a.username
		p.mu.Unlock()
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.login = &pendingLogin{user: a.username, next: next, expires: p.now().Add(pendingLoginTTL)}
	target, send := "/login/2fa", func() error { return nil }
	if a.secret == "" {
		send = p.startDeliveredLocked(a, s.login)
		if a.factor == FactorApp {
			target = "/login/approve"
		}
	}
	p.mu.Unlock()
	if err := send(); err != nil {
		logSendError("send the sign-in code", err)
		v := p.loginView()
		v.Error, v.Username = msgNotDelivered, username
		p.render(w, http.StatusOK, "login", v)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// pendingLocked returns the session and account of a sign-in waiting for its second factor.
// Without one (or when it expired) it returns where to send the browser instead. Caller holds
// p.mu.
func (p *Portal) pendingLocked(r *http.Request) (*session, *account, string) {
	s := p.sessionLocked(r)
	if s != nil && s.user != "" {
		return nil, nil, "/account"
	}
	if s == nil || s.login == nil {
		return nil, nil, "/login"
	}
	a := p.accounts[s.login.user]
	if p.now().After(s.login.expires) || a == nil || (a.secret == "" && a.factor == "") {
		s.login = nil
		s.flash = msgLoginExpired
		return nil, nil, "/login"
	}
	return s, a, ""
}

func (p *Portal) handleCodePage(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	_, a, redirect := p.pendingLocked(r)
	v := view{Title: "Two-factor authentication"}
	if a != nil && a.secret == "" {
		switch a.factor {
		case FactorSMS:
			v.Sent = "We sent a 6-digit code by SMS to your phone. Enter it below."
		case FactorEmail:
			v.Sent = "We sent a 6-digit code by e-mail to " + a.email() + ". Enter it below."
		case FactorApp:
			redirect = "/login/approve"
		}
	}
	p.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, p.codePage(), v)
}

func (p *Portal) handleRecoveryPage(w http.ResponseWriter, r *http.Request) {
	p.secondFactorPage(w, r, "recovery", "Use a recovery code")
}

func (p *Portal) secondFactorPage(w http.ResponseWriter, r *http.Request, page, title string) {
	p.mu.Lock()
	_, _, redirect := p.pendingLocked(r)
	p.mu.Unlock()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, page, view{Title: title})
}

func (p *Portal) handleCode(w http.ResponseWriter, r *http.Request) {
	code := submittedCode(r)
	p.secondFactor(w, r, p.codePage(), "Two-factor authentication", func(a *account, login *pendingLogin) string {
		if a.secret == "" { // a code sent by SMS or e-mail
			if login.code != "" && subtle.ConstantTimeCompare([]byte(code), []byte(login.code)) == 1 {
				return ""
			}
			return msgBadCode
		}
		switch p.checkCodeLocked(a, a.secret, code) {
		case codeOK:
			if r.PostFormValue("remember") != "" {
				p.rememberDeviceLocked(w, a.username)
			}
			return ""
		case codeReused:
			return msgReusedCode
		}
		return msgBadCode
	})
}

func (p *Portal) handleRecovery(w http.ResponseWriter, r *http.Request) {
	code := normalizeRecovery(r.PostFormValue("recovery_code"))
	p.secondFactor(w, r, "recovery", "Use a recovery code", func(a *account, _ *pendingLogin) string {
		used, exists := a.recovery[code]
		switch {
		case exists && !used:
			a.recovery[code] = true
			return ""
		case exists:
			return msgUsedRecovery
		}
		return msgBadRecovery
	})
}

// secondFactor answers a submitted second factor. check runs under p.mu and returns "" when it
// accepts, else the message to show. Success signs in with a fresh session; too many failures
// end the pending sign-in.
func (p *Portal) secondFactor(w http.ResponseWriter, r *http.Request, page, title string, check func(*account, *pendingLogin) string) {
	redirect, msg := func() (string, string) {
		p.mu.Lock()
		defer p.mu.Unlock()
		s, a, redirect := p.pendingLocked(r)
		if redirect != "" {
			return redirect, ""
		}
		msg := check(a, s.login)
		if msg == "" {
			login := s.login
			p.newSessionLocked(w, r).user = login.user
			return login.next, ""
		}
		s.login.attempts++
		if s.login.attempts >= maxCodeAttempts {
			s.login = nil
			s.flash = msgTooMany
			return "/login", ""
		}
		return "", msg
	}()
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, page, view{Title: title, Error: msg})
}

func (p *Portal) handleLogout(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.endSessionLocked(w, r)
	p.mu.Unlock()
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
}
