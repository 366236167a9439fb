package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

// tokenPrefix starts every personal API token, so a leaked one is recognisable (secret
// scanners) and never mistaken for a session cookie.
const tokenPrefix = "bh_"

const maxTokenName = 100

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	h := r.Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// tokenUser checks a bearer token; ok is false when the request carries none.
func (s *Server) tokenUser(c echo.Context) (u *store.User, ok bool, err error) {
	tok := bearerToken(c.Request())
	if tok == "" {
		return nil, false, nil
	}
	u, err = s.deps.Store.APITokenUser(tokenHash(tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, true, errUnauthorized("this API token is not valid (revoked or mistyped); create a new one on the Security page")
	}
	return u, true, err
}

// sessionOnly guards what an API token must not do: manage tokens or the account's 2FA. A
// leaked token cannot make itself permanent or lock the owner out.
func sessionOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if via, _ := c.Get("viaToken").(bool); via {
			return &apiError{Status: http.StatusForbidden, Message: "API tokens cannot manage tokens or the account's two-factor login; sign in to billhound's web UI for that"}
		}
		return next(c)
	}
}

func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.deps.Store.APITokens(currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": ts})
}

// createToken makes a token and shows it once: only its hash is kept.
func (s *Server) createToken(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := c.Bind(&body); err != nil {
		return errBadRequest("expected JSON {name}")
	}
	body.Name = strings.TrimSpace(body.Name)
	if body.Name == "" {
		return errBadRequest("name the token after what uses it, like \"home assistant\"")
	}
	if err := checkText("the token's name", body.Name, maxTokenName); err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := &store.APIToken{UserID: currentUser(c).ID, Name: body.Name, TokenHash: tokenHash(tok),
		Prefix: tok[:len(tokenPrefix)+6], CreatedAt: time.Now().UTC()}
	if err := s.deps.Store.CreateAPIToken(t); err != nil {
		return err
	}
	s.deps.Logger.Info("API token created", "name", t.Name, "prefix", t.Prefix)
	return c.JSON(http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name, "prefix": t.Prefix,
		"createdAt": t.CreatedAt, "token": tok})
}

func (s *Server) deleteToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return errNotFound("no such token")
	}
	if err := s.deps.Store.DeleteAPIToken(currentUser(c).ID, id); errors.Is(err, store.ErrNotFound) {
		return errNotFound("no such token; it may have been revoked already")
	} else if err != nil {
		return err
	}
	s.deps.Logger.Info("API token revoked", "id", id)
	return c.NoContent(http.StatusNoContent)
}
