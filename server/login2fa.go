package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

// The second step of a sign-in. When the password is right and 2FA is on, POST /api/login
// answers {"twofaRequired": true} and a short-lived challenge cookie instead of a session;
// POST /api/login/2fa with a code (or a recovery code) then starts the session.

const (
	challengeCookie      = "billhound_login"
	challengePath        = "/api/login" // the cookie goes to /api/login/2fa and nowhere else
	challengeLifetime    = 5 * time.Minute
	challengeMaxFailures = 5 // then the password is needed again
)

// askSecondFactor starts the second step when the user has 2FA on; done reports that the
// answer has been sent (no session yet).
func (s *Server) askSecondFactor(c echo.Context, u *store.User) (done bool, err error) {
	t, err := s.deps.Store.UserTOTP(u.ID)
	if err != nil || !t.Enabled() {
		return false, err
	}
	token, err := newToken()
	if err != nil {
		return true, err
	}
	expires := time.Now().Add(challengeLifetime)
	if err := s.deps.Store.CreateLoginChallenge(&store.LoginChallenge{TokenHash: tokenHash(token), UserID: u.ID, ExpiresAt: expires}); err != nil {
		return true, err
	}
	c.SetCookie(&http.Cookie{
		Name: challengeCookie, Value: token, Path: challengePath, Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https",
	})
	return true, c.JSON(http.StatusOK, map[string]any{"twofaRequired": true})
}

// errSignInAgain ends the second step: the password is needed again.
func errSignInAgain(c echo.Context, msg string) error {
	clearCookie(c, challengeCookie, challengePath)
	return &apiError{Status: http.StatusUnauthorized, Message: msg, Extra: map[string]any{"signInAgain": true}}
}

// postLogin2FA completes a sign-in with a TOTP code or a recovery code. Wrong codes count
// against the same throttle as wrong passwords, and a challenge ends after a few of them.
func (s *Server) postLogin2FA(c echo.Context) error {
	var body secondFactorBody
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {code} or {recoveryCode}")
	}
	if err := s.throttled(c); err != nil {
		return err
	}
	ck, err := c.Cookie(challengeCookie)
	if err != nil || ck.Value == "" {
		return errSignInAgain(c, "enter your username and password first")
	}
	hash := tokenHash(ck.Value)
	ch, err := s.deps.Store.LoginChallenge(hash)
	if errors.Is(err, store.ErrNotFound) {
		return errSignInAgain(c, "the sign-in has expired; enter your username and password again")
	} else if err != nil {
		return err
	}
	t, err := s.deps.Store.UserTOTP(ch.UserID)
	if err != nil {
		return err
	}
	if !t.Enabled() { // turned off in another session meanwhile
		s.deps.Store.DeleteLoginChallenge(hash)
		return errSignInAgain(c, "two-factor sign-in was turned off; enter your username and password again")
	}
	if code, recovery := body.split(); code == "" && recovery == "" {
		return errBadRequest(msgNoCode)
	}
	msg, err := s.checkSecondFactor(t, body)
	if err != nil {
		return err
	}
	if msg != "" {
		open, err := s.deps.Store.FailLoginChallenge(hash, challengeMaxFailures)
		if err != nil {
			return err
		}
		if !open {
			return errSignInAgain(c, "too many wrong codes; enter your username and password again")
		}
		return errUnauthorized(msg)
	}
	if err := s.deps.Store.DeleteLoginChallenge(hash); err != nil {
		return err
	}
	clearCookie(c, challengeCookie, challengePath)
	s.logins.succeeded(throttleKey(c.RealIP()))
	u, err := s.deps.Store.UserByID(ch.UserID)
	if err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	answer := map[string]any{"username": u.Username}
	if _, recovery := body.split(); recovery != "" {
		left, err := s.deps.Store.RecoveryCodesLeft(u.ID)
		if err != nil {
			return err
		}
		s.deps.Logger.Warn("signed in with a recovery code", "username", u.Username, "recovery_codes_left", left)
		answer["recoveryCodesLeft"] = left
	}
	return c.JSON(http.StatusOK, answer)
}

// newToken is a random 256-bit token for a cookie; only its hash is stored.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}
