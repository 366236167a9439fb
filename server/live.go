package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"billhound/liveview"
)

// getLive serves the live view of a running run over a WebSocket (see package liveview for
// the messages). Only the signed-in admin gets here (requireSession), and only from
// billhound's own pages (the Origin check).
func (s *Server) getLive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = s.deps.Live.Serve(c.Response(), c.Request(), id)
	switch {
	case errors.Is(err, liveview.ErrForeignOrigin):
		return &apiError{Status: http.StatusForbidden, Message: err.Error()}
	case errors.Is(err, liveview.ErrNotLive):
		return errNotFound("this run is not in progress in this billhound process; the live view shows running runs only")
	case err != nil && !c.Response().Committed:
		return err
	case err != nil:
		s.deps.Logger.Warn("live view ended", "run", id, "err", err)
	}
	return nil
}
