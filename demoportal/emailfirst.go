package demoportal

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The "email-first" shape (Options.Shape), as many large portals sign in: a page that asks for
// the e-mail address alone ("Next"), then a page for the password, then the authenticator code
// in six one-character boxes that move on by themselves (boxes.js) next to "Remember this device
// for 30 days". Behind the pages it is the same sign-in as the classic form: POST /login checks
// the password, /login/2fa the code.

// ShapeEmailFirst selects the e-mail first sign-in (Options.Shape).
const ShapeEmailFirst = "email-first"

// DefaultEmail is the default account's username on the email-first shape: its first page asks
// for an e-mail address, which "demo" is not.
const DefaultEmail = "demo@example.com"

// emailCookie carries the address from the first page to the password page. It is not a
// session: sessions start only after a correct password (see sessions.go).
const emailCookie = "nimbus_email"

func (p *Portal) emailFirst() bool { return p.loginShape == ShapeEmailFirst }

// handleEmailPage is GET /login on the email-first shape.
func (p *Portal) handleEmailPage(w http.ResponseWriter, r *http.Request, v view) {
	if c, err := r.Cookie(emailCookie); err == nil {
		v.Username = c.Value
	}
	if p.demoHint {
		v.DemoUser = DefaultEmail
	}
	p.render(w, http.StatusOK, "login-email", v)
}

// handleEmail takes the address of the first page. Like most such portals it does not tell
// whether an account exists: every well-formed address moves on to the password page.
func (p *Portal) handleEmail(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := r.PostFormValue("next")
	if !strings.Contains(email, "@") || len(email) > 254 {
		v := p.loginView()
		v.Error, v.Username, v.Next = "Enter your e-mail address.", email, next
		p.render(w, http.StatusOK, "login-email", v)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: emailCookie, Value: email, Path: "/login", HttpOnly: true,
		MaxAge: int(pendingLoginTTL / time.Second), SameSite: http.SameSiteLaxMode})
	target := "/login/password"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// handlePasswordPage is the second page: the address as text (with "Not you?") and the password.
func (p *Portal) handlePasswordPage(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(emailCookie)
	if err != nil || c.Value == "" {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	if _, ok := p.signedIn(r); ok {
		http.Redirect(w, r, "/account", http.StatusFound)
		return
	}
	v := view{Title: "Enter your password", Username: c.Value, Next: r.URL.Query().Get("next")}
	p.render(w, http.StatusOK, "login-password", v)
}

// loginFailed answers a wrong password: the classic form again, or the password page.
func (p *Portal) loginFailed(w http.ResponseWriter, r *http.Request, username string) {
	if p.emailFirst() {
		v := view{Title: "Enter your password", Error: msgBadLogin, Username: username, Next: r.PostFormValue("next")}
		p.render(w, http.StatusOK, "login-password", v)
		return
	}
	v := p.loginView()
	v.Error, v.Username, v.Next = msgBadLogin, username, r.PostFormValue("next")
	p.render(w, http.StatusOK, "login", v)
}

// codePage is the page that asks for the authenticator code.
func (p *Portal) codePage() string {
	if p.emailFirst() {
		return "code-boxes"
	}
	return "code"
}

// submittedCode is the code of a POST to /login/2fa: one field, or one digit per box (the
// boxes post without JavaScript too).
func submittedCode(r *http.Request) string {
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		_ = r.ParseForm()
		code = strings.Join(r.PostForm["digit"], "")
	}
	return code
}

func handleBoxesJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(boxesJS)
}
