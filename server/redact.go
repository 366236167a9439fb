package server

import (
	"io"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"billhound/redact"
	"billhound/store"
)

// redactors hide a portal's secrets in the run errors and logs of one answer. The runner
// stores them redacted already; this is the last line of defence (a run stored by an older
// version, a secret in a form the runner missed). Each portal's secrets are opened once per
// answer and only when there is text to redact.
type redactors struct {
	s    *Server
	byID map[int64]*redact.Redactor
}

func (s *Server) redactors() *redactors {
	return &redactors{s: s, byID: map[int64]*redact.Redactor{}}
}

// of returns the portal's redactor; nil (hides nothing) when its secrets cannot be opened: the
// stored text is then shown as the runner redacted it.
func (rs *redactors) of(portalID int64, p *store.Portal) *redact.Redactor {
	if r, ok := rs.byID[portalID]; ok {
		return r
	}
	var err error
	if p == nil {
		p, err = rs.s.deps.Store.Portal(portalID)
	}
	var r *redact.Redactor
	if err == nil {
		r, err = rs.s.deps.Vault.Redactor(p)
	}
	if err != nil {
		rs.s.deps.Logger.Warn("cannot open a portal's secrets to redact a run", "portal", portalID, "err", err)
	}
	rs.byID[portalID] = r
	return r
}

// run redacts a run's error in place.
func (rs *redactors) run(v *runView, p *store.Portal) {
	if v.Error != "" {
		v.Error = rs.of(v.PortalID, p).Apply(v.Error)
	}
}

// serveRedacted streams a text artifact (a saved page) with the portal's secrets hidden.
func (s *Server) serveRedacted(c echo.Context, runID int64, path string) error {
	run, err := s.deps.Store.Run(runID)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c.Response().WriteHeader(http.StatusOK)
	w := s.redactors().of(run.PortalID, nil).NewWriter(c.Response())
	if _, err := io.Copy(w, f); err != nil {
		return nil // the client went away: the status is sent already
	}
	_ = w.Close()
	return nil
}
