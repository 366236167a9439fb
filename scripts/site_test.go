package scripts

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// demoSite is a small invoice portal for the tests: a login form, a 2FA step, an invoice table
// with PDF links served as attachments (behind the session cookie), an iframe, pages with a
// two-step login and six code boxes.
type demoSite struct {
	*httptest.Server
	mu       sync.Mutex
	otp      bool   // ask for a code after the password
	otpStyle string // "field" (autocomplete=one-time-code), "name" (name=otp, no autocomplete), "boxes"
	sessions map[string]string
	posts    []string // form posts seen, "path user=.. code=.."
}

const (
	siteUser = "demo"
	sitePass = "s3cret-pw"
	siteCode = "123456"
)

// invoices on the site: number, date, amount
var siteInvoices = [][3]string{
	{"INV-1001", "2024-01-31", "12,50 €"},
	{"INV-1002", "2024-02-29", "13,00 €"},
	{"INV-1003", "2024-03-31", "99,99 €"},
}

func pdfBytes(id string) []byte {
	return []byte("%PDF-1.4\n% " + id + "\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
}

func newSite(t *testing.T) *demoSite {
	s := &demoSite{otp: true, otpStyle: "field", sessions: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /2fa", s.otpPage)
	mux.HandleFunc("POST /2fa", s.otpPost)
	mux.HandleFunc("GET /invoices", s.invoices)
	mux.HandleFunc("GET /files/{name}", s.file)
	mux.HandleFunc("GET /inline/{name}", s.inline)
	mux.HandleFunc("GET /two-step", s.twoStepUser)
	mux.HandleFunc("POST /two-step", s.twoStepUserPost)
	mux.HandleFunc("GET /two-step/password", s.twoStepPassword)
	mux.HandleFunc("GET /combined", s.combined)
	mux.HandleFunc("GET /frame", page("Frame", `<h1>outer</h1><iframe id="inner" src="/inner"></iframe>`))
	mux.HandleFunc("GET /inner", page("Inner", `<p id="msg">inside the frame</p><input id="q"><button id="b" onclick="document.getElementById('msg').textContent='clicked '+document.getElementById('q').value">go</button>`))
	mux.HandleFunc("GET /widgets", page("Widgets", widgetsHTML))
	mux.HandleFunc("GET /empty", page("Empty", `<p>nothing to log into here</p>`))
	mux.HandleFunc("/api/echo", s.echo)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func page(title, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body>%s</body></html>", title, body)
	}
}

func (s *demoSite) record(r *http.Request, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts = append(s.posts, r.URL.Path+" "+what)
}

// session states: "password" (password ok, code pending), "in" (logged in)
func (s *demoSite) state(r *http.Request) string {
	c, err := r.Cookie("sid")
	if err != nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[c.Value]
}

func (s *demoSite) setState(w http.ResponseWriter, r *http.Request, st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("sid-%d", len(s.sessions)+1)
	if c, err := r.Cookie("sid"); err == nil {
		id = c.Value
	}
	s.sessions[id] = st
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", HttpOnly: true})
}

func (s *demoSite) loginPage(w http.ResponseWriter, r *http.Request) {
	msg := ""
	if r.URL.Query().Get("error") != "" {
		msg = `<div class="alert" role="alert">Invalid username or password</div>`
	}
	page("Sign in", msg+`
<form method="post" action="/login">
  <label for="email">E-mail</label> <input id="email" name="email" autocomplete="username">
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">
  <input type="search" name="q" placeholder="Search help">
  <button type="submit">Sign in</button>
</form>`)(w, r)
}

func (s *demoSite) loginPost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.record(r, "user="+r.Form.Get("email"))
	if r.Form.Get("email") != siteUser || r.Form.Get("password") != sitePass {
		http.Redirect(w, r, "/login?error=1", http.StatusSeeOther)
		return
	}
	if !s.otp {
		s.setState(w, r, "in")
		http.Redirect(w, r, "/invoices", http.StatusSeeOther)
		return
	}
	s.setState(w, r, "password")
	http.Redirect(w, r, "/2fa", http.StatusSeeOther)
}

func (s *demoSite) otpPage(w http.ResponseWriter, r *http.Request) {
	if s.state(r) != "password" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	msg := ""
	if r.URL.Query().Get("error") != "" {
		msg = `<p class="error">That code did not work</p>`
	}
	var field string
	switch s.otpStyle {
	case "boxes": // six boxes; a script joins them into the hidden field and submits when full
		field = `<div class="code">` + strings.Repeat(`<input class="box" maxlength="1" inputmode="numeric">`, 6) + `</div>
<input type="hidden" name="code" id="code">
<script>
const boxes = [...document.querySelectorAll('.box')];
boxes.forEach((b, i) => b.addEventListener('input', () => {
  if (b.value && i < boxes.length - 1) boxes[i + 1].focus();
  const code = boxes.map(x => x.value).join('');
  document.getElementById('code').value = code;
  if (code.length === 6) document.forms[0].submit();
}));
</script>`
	case "name":
		field = `<label>Authenticator code <input name="code" id="otp" inputmode="numeric"></label>`
	default:
		field = `<input name="code" autocomplete="one-time-code" placeholder="6-digit code">`
	}
	page("Two-factor", msg+`<form method="post" action="/2fa"><h2>Enter your code</h2>`+field+`<button type="submit">Verify</button></form>`)(w, r)
}

func (s *demoSite) otpPost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.record(r, "code="+r.Form.Get("code"))
	if s.state(r) != "password" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if r.Form.Get("code") != siteCode {
		http.Redirect(w, r, "/2fa?error=1", http.StatusSeeOther)
		return
	}
	s.setState(w, r, "in")
	http.Redirect(w, r, "/invoices", http.StatusSeeOther)
}

func (s *demoSite) invoices(w http.ResponseWriter, r *http.Request) {
	if s.state(r) != "in" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	var rows strings.Builder
	for _, inv := range siteInvoices {
		fmt.Fprintf(&rows, `<tr><td class="number">%s</td><td class="date">%s</td><td class="amount">%s</td>
<td><a class="pdf" href="/files/%s.pdf">PDF</a> <a class="view" href="/inline/%s.pdf">view</a> <a class="tab" target="_blank" href="/files/%s.pdf">tab</a></td></tr>`,
			inv[0], inv[1], html.EscapeString(inv[2]), inv[0], inv[0], inv[0])
	}
	page("Invoices", `<h1>Your invoices</h1><input type="email" name="newsletter" placeholder="Newsletter e-mail">
<table class="invoices"><thead><tr><th>No</th><th>Date</th><th>Amount</th><th></th></tr></thead><tbody>`+rows.String()+`</tbody></table>`)(w, r)
}

func (s *demoSite) file(w http.ResponseWriter, r *http.Request) {
	if s.state(r) != "in" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	id := strings.TrimSuffix(r.PathValue("name"), ".pdf")
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.pdf"`)
	_, _ = w.Write(pdfBytes(id))
}

func (s *demoSite) inline(w http.ResponseWriter, r *http.Request) {
	if s.state(r) != "in" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	id := strings.TrimSuffix(r.PathValue("name"), ".pdf")
	w.Header().Set("Content-Type", "application/pdf")
	_, _ = w.Write(pdfBytes(id))
}

// two-step login: the username on one page, the password on the next (via JS navigation).
func (s *demoSite) twoStepUser(w http.ResponseWriter, r *http.Request) {
	page("Sign in", `<form method="post" action="/two-step">
<input name="login" id="login" placeholder="Your login">
<button type="submit">Next</button></form>`)(w, r)
}

func (s *demoSite) twoStepUserPost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.record(r, "user="+r.Form.Get("login"))
	http.Redirect(w, r, "/two-step/password?user="+r.Form.Get("login"), http.StatusSeeOther)
}

func (s *demoSite) twoStepPassword(w http.ResponseWriter, r *http.Request) {
	page("Password", `<form method="post" action="/login">
<input type="hidden" name="email" value="`+html.EscapeString(r.URL.Query().Get("user"))+`">
<p>Signing in as `+html.EscapeString(r.URL.Query().Get("user"))+`</p>
<input type="password" name="password" id="pw">
<button type="submit">Sign in</button></form>`)(w, r)
}

// combined: username, password and code on one page, rendered by JavaScript after load.
func (s *demoSite) combined(w http.ResponseWriter, r *http.Request) {
	page("Sign in", `<div id="app">loading…</div><script>
setTimeout(() => {
  document.getElementById('app').innerHTML = '<form method="post" action="/combined-post" onsubmit="return check(event)">' +
    '<input name="user" aria-label="Username"><input type="password" name="pass" aria-label="Password">' +
    '<input name="totp" aria-label="Authenticator code"><input type="submit" value="Log in"></form>';
}, 300);
function check(e) {
  e.preventDefault();
  const f = e.target;
  const ok = f.user.value === '`+siteUser+`' && f.pass.value === '`+sitePass+`' && f.totp.value === '`+siteCode+`';
  document.getElementById('app').innerHTML = ok ? '<h1 id="welcome">Welcome</h1>' : '<p class="error">Wrong</p>' + document.getElementById('app').innerHTML;
  return false;
}
</script>`)(w, r)
}

// echo answers page.fetch tests with what it received, including the cookie.
func (s *demoSite) echo(w http.ResponseWriter, r *http.Request) {
	body := new(strings.Builder)
	_, _ = fmt.Fprint(body, "")
	b := make([]byte, 1<<16)
	n, _ := r.Body.Read(b)
	cookie := ""
	if c, err := r.Cookie("sid"); err == nil {
		cookie = c.Value
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", "yes")
	if r.URL.Query().Get("status") == "418" {
		w.WriteHeader(http.StatusTeapot)
	}
	fmt.Fprintf(w, `{"method":%q,"body":%q,"contentType":%q,"cookie":%q,"x":%q}`,
		r.Method, string(b[:n]), r.Header.Get("Content-Type"), cookie, r.Header.Get("X-Test"))
}

const widgetsHTML = `
<form id="f" onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'submitted ' + this.name.value">
  <input id="name" name="name">
  <input id="typed" onkeydown="document.getElementById('keys').textContent += event.key">
  <select id="plan"><option value="free">Free</option><option value="pro">Professional</option></select>
  <input type="checkbox" id="agree">
  <button id="go" type="submit">Go</button>
  <button id="disabled" disabled>Nope</button>
  <input id="ro" readonly value="fixed">
  <input id="hidden" style="display:none">
</form>
<p id="out"></p><p id="keys"></p>
<ul class="items"><li data-id="a">  Apple  </li><li data-id="b">Banana</li><li>Cherry</li></ul>
<a id="link" href="/frame?from=widgets" title="">Frames</a>
<div id="later"></div>
<script>
setTimeout(() => { document.getElementById('later').innerHTML = '<span id="late">here now</span>'; }, 400);
document.cookie = "theme=dark; path=/";
</script>`
