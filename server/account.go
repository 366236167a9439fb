package server

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/credentials"
	"billhound/qrscan"
	"billhound/store"
	"billhound/twofa"
)

// The account's own two-factor sign-in, the way portals do it: setup hands out a fresh secret
// as a QR code and a key to type; activate confirms it with a current code and answers the
// one-time recovery codes, the only time they are shown; deactivate needs a code again.

const (
	pendingTOTPLifetime = 10 * time.Minute // how long a started setup waits for its code
	qrImageSize         = 240              // pixels
)

// secondFactorBody is a TOTP code or a recovery code. "code" takes either: six digits are a
// TOTP code, anything else a recovery code, so one field on a form is enough.
type secondFactorBody struct {
	Code         string `json:"code"`
	RecoveryCode string `json:"recoveryCode"`
}

func (b secondFactorBody) split() (totp, recovery string) {
	code := strings.Join(strings.Fields(b.Code), "")
	if b.RecoveryCode != "" {
		return "", b.RecoveryCode
	}
	if code != "" && strings.Trim(code, "0123456789") != "" {
		return "", b.Code
	}
	return code, ""
}

const msgNoCode = "type the 6-digit code from your authenticator app, or one of your recovery codes"

func currentUser(c echo.Context) *store.User { return c.Get("user").(*store.User) }

// twofaStatus is the "twofa" object of GET /api/me.
func (s *Server) twofaStatus(u *store.User) (map[string]any, error) {
	t, err := s.deps.Store.UserTOTP(u.ID)
	if err != nil {
		return nil, err
	}
	left, err := s.deps.Store.RecoveryCodesLeft(u.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"enabled": t.Enabled(), "enabledAt": t.EnabledAt, "recoveryCodesLeft": left}, nil
}

func (s *Server) getMe(c echo.Context) error {
	u := currentUser(c)
	status, err := s.twofaStatus(u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"username": u.Username, "twofa": status})
}

// postTOTPSetup starts (or restarts) the activation with a fresh secret.
func (s *Server) postTOTPSetup(c echo.Context) error {
	u := currentUser(c)
	t, err := s.deps.Store.UserTOTP(u.ID)
	if err != nil {
		return err
	}
	if t.Enabled() {
		return errConflict("two-factor sign-in is already on; turn it off first to move it to another authenticator")
	}
	k, err := credentials.NewAccountKey(u.Username)
	if err != nil {
		return err
	}
	until := time.Now().Add(pendingTOTPLifetime)
	if err := s.deps.Vault.SetPendingAccountTOTP(u.ID, k, until); err != nil {
		return err
	}
	png, err := qrscan.QRPNG(k.URI(), qrImageSize)
	if err != nil {
		return err
	}
	// The one answer that carries the secret: the user must get it into the authenticator.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{
		"uri": k.URI(), "secret": k.Base32(), "qr": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		"issuer": k.Issuer, "account": k.Account, "digits": k.Digits, "period": k.Period, "expiresAt": until,
	})
}

// postTOTPActivate confirms the pending secret with a current code and turns 2FA on.
func (s *Server) postTOTPActivate(c echo.Context) error {
	var body secondFactorBody
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {code}")
	}
	u := currentUser(c)
	t, err := s.deps.Store.UserTOTP(u.ID)
	if err != nil {
		return err
	}
	if t.Enabled() {
		return errConflict("two-factor sign-in is already on")
	}
	now := time.Now()
	k, ok, err := s.deps.Vault.PendingAccountTOTP(t, now)
	if err != nil {
		return err
	}
	if !ok {
		return errBadRequest("the setup has expired (it waits 10 minutes); start again and scan the new QR code")
	}
	if strings.TrimSpace(body.Code) == "" {
		return errBadRequest("type the 6-digit code your authenticator app shows for billhound")
	}
	step, ok := twofa.MatchCode(k, body.Code, now)
	if !ok {
		return errBadRequest("that code does not match; type the code your authenticator app shows now " +
			"(a code works for 60 seconds after it appears; check that the phone's clock is right)")
	}
	codes, err := credentials.NewRecoveryCodes()
	if err != nil {
		return err
	}
	if err := s.deps.Vault.EnableAccountTOTP(u.ID, k, step, codes, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errConflict("two-factor sign-in is already on")
		}
		return err
	}
	s.deps.Logger.Info("two-factor sign-in turned on", "username", u.Username)
	status, err := s.twofaStatus(u)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"recoveryCodes": codes, "twofa": status})
}

// postTOTPDeactivate turns 2FA off; it takes a code (or a recovery code) so that a session
// left open somewhere cannot quietly remove the second factor.
func (s *Server) postTOTPDeactivate(c echo.Context) error {
	var body secondFactorBody
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {code} or {recoveryCode}")
	}
	if err := s.throttled(c); err != nil {
		return err
	}
	u := currentUser(c)
	t, err := s.deps.Store.UserTOTP(u.ID)
	if err != nil {
		return err
	}
	if !t.Enabled() {
		return errConflict("two-factor sign-in is not on")
	}
	if msg, err := s.checkSecondFactor(t, body); err != nil || msg != "" {
		if msg != "" {
			return errBadRequest(msg)
		}
		return err
	}
	if err := s.deps.Store.DisableTOTP(u.ID); err != nil {
		return err
	}
	s.deps.Logger.Info("two-factor sign-in turned off", "username", u.Username)
	status, err := s.twofaStatus(u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"twofa": status})
}

// checkSecondFactor checks a TOTP code or a recovery code and marks it used. msg is why it
// was refused, for the user; "" with a nil error means it was right.
func (s *Server) checkSecondFactor(t *store.UserTOTP, body secondFactorBody) (msg string, err error) {
	code, recovery := body.split()
	now := time.Now()
	switch {
	case recovery != "":
		ok, err := s.deps.Vault.UseAccountRecoveryCode(t.UserID, recovery, now)
		if err != nil || ok {
			return "", err
		}
		return "that recovery code is not right or was already used; each code works once", nil
	case code == "":
		return msgNoCode, nil
	}
	switch res, err := s.deps.Vault.CheckAccountCode(t, code, now); {
	case err != nil:
		return "", err
	case res == credentials.CodeReused:
		return "that code was already used; wait for the next code in your authenticator app", nil
	case res == credentials.CodeWrong:
		return "that code is not right; type the code your authenticator app shows now", nil
	}
	return "", nil
}

// throttled counts an attempt at a code against the requester's address, as a password
// attempt counts, and answers 429 while the address waits after too many.
func (s *Server) throttled(c echo.Context) error {
	if wait := s.logins.attempt(throttleKey(c.RealIP())); wait > 0 {
		return &apiError{Status: http.StatusTooManyRequests, Message: "too many failed sign-ins; try again in " + wait.Round(time.Second).String()}
	}
	return nil
}

// postLogoutEverywhere ends every session of the account, this one included, and any sign-in
// waiting for its second step.
func (s *Server) postLogoutEverywhere(c echo.Context) error {
	u := currentUser(c)
	n, err := s.deps.Store.DeleteUserSessions(u.ID)
	if err != nil {
		return err
	}
	s.deps.Logger.Info("logged out everywhere", "username", u.Username, "sessions", n)
	clearCookie(c, sessionCookie, "/")
	return c.NoContent(http.StatusNoContent)
}

// endPresentedSession deletes the session whose cookie came with a login: every login starts
// a new session id, so an id known from before the login (planted, or seen) is worth nothing.
func (s *Server) endPresentedSession(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return s.deps.Store.DeleteSession(tokenHash(ck.Value))
	}
	return nil
}

func clearCookie(c echo.Context, name, path string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}
