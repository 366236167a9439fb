package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
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
		return errBadRequest("expected JSON {username, password}")
	}
	body.Username = strings.TrimSpace(body.Username)
	if body.Username == "" {
		return errBadRequest("choose a username")
	}
	if len([]rune(body.Password)) < minPassword {
		return errBadRequest("the password needs at least 8 characters")
	}
	hash, err := hashPassword(body.Password)
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
	ip := c.RealIP()
	if wait := s.logins.blocked(ip); wait > 0 {
		return &apiError{Status: http.StatusTooManyRequests, Message: "too many failed sign-ins; try again in " + wait.Round(time.Second).String()}
	}
	u, err := s.deps.Store.UserByName(strings.TrimSpace(body.Username))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ok := false
	if u != nil {
		if ok, err = checkPassword(u.PasswordHash, body.Password); err != nil {
			return err
		}
	}
	if !ok {
		s.logins.failed(ip)
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
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return errUnauthorized("sign in first")
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

// loginLimiter slows down password guessing: after 5 failures from one address, each further
// attempt waits twice as long as the last (up to 15 minutes).
type loginLimiter struct {
	mu    sync.Mutex
	fails map[string]*failState
}

type failState struct {
	count int
	until time.Time
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{fails: map[string]*failState{}} }

func (l *loginLimiter) blocked(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.fails[ip]; f != nil {
		return time.Until(f.until)
	}
	return 0
}

func (l *loginLimiter) failed(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[ip]
	if f == nil {
		f = &failState{}
		l.fails[ip] = f
	}
	f.count++
	if f.count >= 5 {
		wait := time.Second << min(f.count-5, 10)
		f.until = time.Now().Add(min(wait, 15*time.Minute))
	}
}

func (l *loginLimiter) succeeded(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, ip)
}
