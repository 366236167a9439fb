package server

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

const (
	sessionCookie   = "billhound_session"
	sessionLifetime = 30 * 24 * time.Hour
	minPassword     = 8
)

type credentialsBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Token    string `json:"token"` // setup only: the one-time token of the setup link
}

func (s *Server) getSetup(c echo.Context) error {
	has, err := s.deps.Store.HasUsers()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"needsSetup": !has})
}

// postSetup creates the admin account; it works only while none exists.
func (s *Server) postSetup(c echo.Context) error {
	var body credentialsBody
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {username, password, token}")
	}
	if has, err := s.deps.Store.HasUsers(); err != nil || has {
		return cmp.Or(err, errConflict("the admin account already exists; sign in instead"))
	}
	if err := s.checkSetupToken(body.Token); err != nil {
		return err
	}
	body.Username = strings.TrimSpace(body.Username)
	if body.Username == "" {
		return errBadRequest("choose a username")
	}
	if err := checkText("the username", body.Username, maxUsername); err != nil {
		return err
	}
	if len([]rune(body.Password)) < minPassword {
		return errBadRequest("the password needs at least 8 characters")
	}
	var hash string
	ip := throttleKey(c.RealIP())
	err := s.withHashSlot(c.Request().Context(), ip, func() (err error) {
		hash, err = hashPassword(body.Password)
		return err
	})
	if err != nil {
		return err
	}
	u := &store.User{Username: body.Username, PasswordHash: hash, CreatedAt: time.Now()}
	if err := s.deps.Store.CreateFirstUser(u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errConflict("the admin account already exists; sign in instead")
		}
		return err
	}
	s.setupDone()
	s.logins.succeeded(ip)
	s.deps.Logger.Info("admin account created", "username", u.Username)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"username": u.Username})
}

func (s *Server) postLogin(c echo.Context) error {
	var body credentialsBody
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {username, password}")
	}
	if body.Username == "" || body.Password == "" {
		return errBadRequest("enter your username and password")
	}
	ip := throttleKey(c.RealIP())
	if wait := s.logins.attempt(ip); wait > 0 {
		return errTooManyLogins(wait)
	}
	u, ok, err := s.checkLogin(c.Request().Context(), ip, body.Username, body.Password)
	if err != nil {
		return err
	}
	if !ok {
		return errUnauthorized("wrong username or password")
	}
	// With 2FA on, the throttle is reset only once the code is right too.
	if done, err := s.askSecondFactor(c, u); done || err != nil {
		return err
	}
	s.logins.succeeded(ip)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"username": u.Username})
}

func (s *Server) postLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		s.deps.Store.DeleteSession(tokenHash(ck.Value))
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return c.NoContent(http.StatusNoContent)
}

// startSession issues a random token; only its hash is stored.
func (s *Server) startSession(c echo.Context, u *store.User) error {
	if err := s.endPresentedSession(c); err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now()
	if err := s.deps.Store.CreateSession(&store.Session{TokenHash: tokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(sessionLifetime)}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: now.Add(sessionLifetime),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https",
	})
	return nil
}

func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// A personal API token works like a session (see sessionOnly for what it may not do).
		if u, ok, err := s.tokenUser(c); ok {
			if err != nil {
				return err
			}
			c.Set("user", u)
			c.Set("viaToken", true)
			return next(c)
		}
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return errUnauthorized("sign in first (or send a personal API token as Authorization: Bearer)")
		}
		u, err := s.deps.Store.SessionUser(tokenHash(ck.Value))
		if errors.Is(err, store.ErrNotFound) {
			return errUnauthorized("your session has ended; sign in again")
		}
		if err != nil {
			return err
		}
		c.Set("user", u)
		return next(c)
	}
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
