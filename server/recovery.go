package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"billhound/credentials"
)

// putRecoveryCodes stores the one-time recovery codes a portal showed when 2FA was set up, so
// the user can still get in when the secret stops working. They are sealed like passwords.
func (s *Server) putRecoveryCodes(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Codes string `json:"codes"`
	}
	if err := c.Bind(&body); err != nil {
		return errBadRequest(`expected JSON {"codes": "one code a line"}`)
	}
	codes, err := credentials.ParseRecoveryCodes(body.Codes)
	if err != nil {
		return errBadRequest(err.Error())
	}
	if err := s.deps.Vault.SetRecoveryCodes(p.ID, codes); err != nil {
		return err
	}
	s.deps.Logger.Info("recovery codes stored", "portal", p.ID, "count", len(codes))
	return c.JSON(http.StatusOK, map[string]int{"recoveryCodes": len(codes)})
}

// revealRecoveryCodes is the one route that answers with stored secrets, because the user
// asked for them explicitly (a POST, so no prefetch or image tag can trigger it).
func (s *Server) revealRecoveryCodes(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	codes, err := s.deps.Vault.RecoveryCodes(p)
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		return errNotFound("no recovery codes are stored for this portal")
	}
	s.deps.Logger.Info("recovery codes revealed", "portal", p.ID)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string][]string{"codes": codes})
}

func (s *Server) deleteRecoveryCodes(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Store.SetRecoveryCodes(p.ID, nil, 0); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
