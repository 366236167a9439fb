package scripts

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/playwright-community/playwright-go"

	"billhound/browser"
	"billhound/failure"
)

// autoAPI is the JS `auto` object.
type autoAPI struct {
	s     *session
	frame playwright.Frame // where the last scan found the form: the page or one of its iframes
	url   string           // the page's URL when that scan was made
}

// loginOptions are auto.login's opts.
type loginOptions struct {
	URL string
}

//go:embed auto_scan.js
var autoScanJS string

// scan is what auto_scan.js found on the page.
type scan struct {
	User      bool   `json:"user"`
	UserValue string `json:"userValue"`
	UserEmail bool   `json:"userEmail"`
	Password  bool   `json:"password"`
	OTP       bool   `json:"otp"`
	Boxes     int    `json:"boxes"`
	Submit    bool   `json:"submit"`
	Message   string `json:"message"`
	Captcha   bool   `json:"captcha"`
	// SignedIn: the page shows signs of a signed-in session (a logout link or button).
	SignedIn bool `json:"signedIn"`
	// Remember is an unticked "remember this device" (trust, keep me signed in) checkbox.
	Remember      bool   `json:"remember"`
	RememberLabel string `json:"rememberLabel"`
}

func (f scan) any() bool { return f.User || f.Password || f.OTP || f.Boxes > 0 }

const autoMark = "data-billhound-auto"

func marked(what string) string { return "[" + autoMark + "=" + what + "]" }

// Login fills a login form without selectors, step by step: each step scans the page, fills
// what it finds and submits, then waits for the page to move on.
//
//   - a code field (one-time-code, otp/totp/2fa/… names, or a row of one-character boxes): fill
//     totp() (together with username and password when they are on the same page);
//   - a password field: fill the username (if its field is there) and the password;
//   - a username field alone (first page of a two-step login): fill it;
//   - nothing left after at least one submit: logged in;
//   - a "remember this device" (trust, keep me signed in) checkbox next to any of these: tick it
//     before filling, so the next run skips the code (code boxes may submit by themselves);
//   - no field at all on the first page: already signed in (a kept session); returns at once.
//
// A password is submitted once and a code twice at most (the second time with the next code),
// so a wrong password cannot lock the account; then it throws, quoting the portal's message.
func (a *autoAPI) Login(optsV goja.Value) error {
	s := a.s
	c := s.begin("auto.login")
	defer c.end()
	var opts loginOptions
	if err := s.decodeOptions(optsV, &opts, "opts"); err != nil {
		return c.failMsg(err, err.Error())
	}
	if err := a.start(c, opts.URL); err != nil {
		return err
	}
	creds := s.host.Credentials()
	username := firstNonEmpty(creds["username"], creds["email"], creds["login"], creds["user"])
	password := creds["password"]

	var userSent, passSent, codeSent int
	for step := 0; step < 8; step++ {
		var f scan
		var err error
		if step == 0 {
			f, err = a.firstLook(c)
		} else {
			f, err = a.scan(c, 2*time.Second) // the page a submit led to may still be rendering
		}
		if err != nil {
			return err
		}
		a.mark()
		switch {
		case f.OTP || f.Boxes > 0:
			if codeSent >= 2 {
				return a.fail(c, failure.CodeRejected, "the portal did not accept the one-time code", f)
			}
			if f.Password && passSent == 0 { // username, password and code on one page
				if err := a.fillCredentials(c, f, username, password); err != nil {
					return err
				}
				passSent++
			}
			a.tickRemember(c, f)
			if f.Boxes > 0 {
				a.note(fmt.Sprintf("%d one-character code boxes; filling one digit of totp() into each", f.Boxes))
			} else {
				a.note("a one-time code field; filling the code from totp()")
			}
			code, err := await(s, func() (string, error) { return s.host.TOTP(s.ctx) })
			if err != nil {
				k := failure.Of(err)
				if k == "" {
					k = failure.CodeUnavailable
				}
				return a.fail(c, k, "the portal asks for a one-time code, but totp() failed: "+err.Error(), f)
			}
			if err := a.fillCode(c, f, code); err != nil {
				return err
			}
			if f.Boxes > 0 {
				a.s.host.Log("info", fmt.Sprintf("auto.login: filled all %d code boxes", f.Boxes))
			}
			codeSent++
			if err := a.submit(c, f, "otp"); err != nil {
				return err
			}
		case f.SignedIn && !f.User && !f.OTP && f.Boxes == 0:
			// A password field on a page with a logout link is the page's own (confirm an
			// action, change the password), not a login form.
			if userSent+passSent+codeSent == 0 { // a kept session (or a remembered device) at work
				a.s.host.Log("info", "auto.login: no login form: already signed in on "+a.s.page.URL())
				return nil
			}
			a.note("a signed-in page (it has a logout link): logged in")
			return nil
		case f.Password:
			if passSent > 0 && f.Message == "" && a.answered(f, 5*time.Second) {
				// A single-page app may change its URL before it draws the next view: the old
				// form is still there for a moment. Look again once it changed.
				continue
			}
			if passSent > 0 {
				return a.fail(c, failure.Credentials, "still on the login form after submitting the password", f)
			}
			if f.User {
				a.note("username and password fields; filling credentials")
			} else {
				a.note("a password field (the username is given already); filling the password")
			}
			if err := a.fillCredentials(c, f, username, password); err != nil {
				return err
			}
			a.tickRemember(c, f)
			passSent++
			if err := a.submit(c, f, "password"); err != nil {
				return err
			}
		case f.User && passSent == 0:
			if userSent > 0 {
				return a.fail(c, failure.Credentials, "still on the username page after submitting it", f)
			}
			if username == "" {
				return a.fail(c, failure.Credentials, "found a username field but credentials has no username or email", f)
			}
			field := "a username field"
			if f.UserEmail {
				field = "an e-mail field"
			}
			a.note(field + " without a password (two-step login); filling the username")
			if err := a.fillField(c, "user", username); err != nil {
				return err
			}
			a.tickRemember(c, f)
			userSent++
			if err := a.submit(c, f, "user"); err != nil {
				return err
			}
		default: // nothing to fill (a stray email field after the password step does not count)
			if userSent+passSent+codeSent == 0 {
				// A kept session (or a remembered device) can land the run on a signed-in page.
				a.s.host.Log("info", "auto.login: no login form: already signed in on "+s.page.URL())
				return nil
			}
			a.note("no login or code field left: logged in")
			return nil
		}
	}
	return a.fail(c, failure.PortalChanged, "the login did not finish after 8 steps", scan{})
}

// note writes what auto.login saw and did to the run log (never a value).
func (a *autoAPI) note(what string) {
	a.s.host.Log("info", "auto.login: "+what+" on "+a.s.page.URL())
}

// firstLook scans the page the login starts on. A page without any field gets one more look
// once the network has been quiet for a moment (forms rendered by JavaScript after the load
// event) and no more: a page that is signed in already must not cost seconds of waiting.
func (a *autoAPI) firstLook(c *call) (scan, error) {
	s := a.s
	f, err := a.scan(c, 0)
	if err != nil || f.any() {
		return f, err
	}
	_ = await0(s, func() error {
		return s.page.WaitForLoadState(playwright.PageWaitForLoadStateOptions{State: playwright.LoadStateNetworkidle, Timeout: ms(s.budget(3 * time.Second))})
	})
	return a.scan(c, 0)
}

// scan runs auto_scan.js, retrying for up to settle while it finds nothing (forms rendered by
// JavaScript after the load event); a signed-in page (one with a logout link) needs no wait.
func (a *autoAPI) scan(c *call, settle time.Duration) (scan, error) {
	s := a.s
	deadline := time.Now().Add(settle)
	for {
		_ = await0(s, func() error {
			return s.page.WaitForLoadState(playwright.PageWaitForLoadStateOptions{State: playwright.LoadStateLoad, Timeout: ms(s.budget(0))})
		})
		f, err := a.scanFrames()
		if err != nil && s.ctx.Err() != nil {
			return f, c.fail(err)
		}
		// A navigation between the wait and the evaluate destroys the context: just look again.
		if err == nil && (f.any() || f.SignedIn) || time.Now().After(deadline) {
			return f, nil
		}
		if err := s.sleep(250 * time.Millisecond); err != nil {
			return f, c.fail(err)
		}
	}
}

func (a *autoAPI) fillCredentials(c *call, f scan, username, password string) error {
	if password == "" {
		return a.fail(c, failure.Credentials, "found a password field but credentials.password is empty", f)
	}
	if f.User && f.UserValue != username {
		if username == "" {
			return a.fail(c, failure.Credentials, "found a username field but credentials has no username or email", f)
		}
		if err := a.fillField(c, "user", username); err != nil {
			return err
		}
	}
	return a.fillField(c, "password", password)
}

func (a *autoAPI) fillField(c *call, what, value string) error {
	s := a.s
	loc := a.loc(what).First()
	err := await0(s, func() error {
		return loc.Fill(value, playwright.LocatorFillOptions{Timeout: ms(s.budget(0))})
	})
	if err != nil {
		return c.failf(err, "could not fill the %s field: %s", fieldWord(what), describe(err, s.budget(0)))
	}
	return nil
}

// fillCode types the code into the code field, or one digit per box.
func (a *autoAPI) fillCode(c *call, f scan, code string) error {
	if f.OTP {
		return a.fillField(c, "otp", code)
	}
	s := a.s
	boxes := a.loc("otp-box")
	digits := []rune(code)
	if len(digits) != f.Boxes {
		return a.fail(c, failure.PortalChanged, fmt.Sprintf("the page has %d code boxes but the code has %d digits", f.Boxes, len(digits)), f)
	}
	for i, d := range digits {
		box := boxes.Nth(i)
		err := await0(s, func() error {
			return box.Fill(string(d), playwright.LocatorFillOptions{Timeout: ms(s.budget(0))})
		})
		if err != nil {
			return c.failf(err, "could not fill code box %d: %s", i+1, describe(err, s.budget(0)))
		}
	}
	return nil
}

// submit clicks the form's submit button (or presses Enter in the field) unless the page moved
// on by itself (code boxes often submit when the last digit is in), then waits until the page
// answers (see answered). A page that does not answer is not an error here: the next scan sees
// the form again and explains.
func (a *autoAPI) submit(c *call, f scan, field string) error {
	s := a.s
	what := field
	if field == "otp" && !f.OTP {
		what = "otp-box"
	}
	if field == "otp" && a.answered(f, 700*time.Millisecond) {
		return a.settled()
	}
	var err error
	if f.Submit {
		btn := a.loc("submit").First()
		err = await0(s, func() error {
			return btn.Click(playwright.LocatorClickOptions{Timeout: ms(s.budget(10 * time.Second))})
		})
	}
	if !f.Submit || err != nil {
		last := a.loc(what).Last()
		err = await0(s, func() error {
			return last.Press("Enter", playwright.LocatorPressOptions{Timeout: ms(s.budget(0))})
		})
	}
	if err != nil && s.ctx.Err() != nil {
		return c.fail(err)
	}
	a.answered(f, 10*time.Second)
	return a.settled()
}

// settled waits for the page that the submit led to.
func (a *autoAPI) settled() error {
	s := a.s
	_ = await0(s, func() error {
		return s.page.WaitForLoadState(playwright.PageWaitForLoadStateOptions{State: playwright.LoadStateLoad, Timeout: ms(s.budget(0))})
	})
	return s.ctx.Err()
}

// fail throws an error of kind k with a screenshot of the page, quoting what the portal says, if
// anything. A captcha on the page explains any failure: it is why the login did not go through.
func (a *autoAPI) fail(c *call, k failure.Kind, msg string, f scan) error {
	s := a.s
	if f.Captcha {
		k = failure.Captcha
		msg = "the portal shows a captcha; " + msg
	}
	if f.Message != "" {
		msg += fmt.Sprintf(" (the page says: %q)", f.Message)
	}
	cause := failure.New(k, msg)
	if s.ctx.Err() == nil {
		png, err := await(s, func() ([]byte, error) {
			return browser.MaskedScreenshot(s.page, s.secrets.Secret, playwright.PageScreenshotOptions{FullPage: playwright.Bool(true), Timeout: ms(s.budget(10 * time.Second))})
		})
		if err == nil {
			if name, err := s.artifact("auto-login", "png", png); err == nil {
				e := c.failMsg(cause, msg).(*callError)
				e.note = "screenshot " + name
				return e
			}
		}
	}
	return c.failMsg(cause, msg)
}

func fieldWord(what string) string {
	switch what {
	case "user":
		return "username"
	case "otp":
		return "one-time code"
	}
	return what
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
