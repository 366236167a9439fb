package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"billhound/runner"
	"billhound/store"
	"billhound/twofa"
)

// apiError is an error with the status and message the user sees.
type apiError struct {
	Status  int
	Message string
	Extra   map[string]any
}

func (e *apiError) Error() string { return e.Message }

func errBadRequest(msg string) error { return &apiError{Status: http.StatusBadRequest, Message: msg} }
func errNotFound(msg string) error   { return &apiError{Status: http.StatusNotFound, Message: msg} }
func errConflict(msg string) error   { return &apiError{Status: http.StatusConflict, Message: msg} }
func errUnauthorized(msg string) error {
	return &apiError{Status: http.StatusUnauthorized, Message: msg}
}

// handleError turns every error into {"error": "..."} with a fitting status. Errors that are
// not the user's fault are logged and answered with a generic message, so internals (paths,
// SQL) do not leak.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := http.StatusInternalServerError, map[string]any{"error": "internal error; see the server log"}
	var ae *apiError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		status, body = ae.Status, map[string]any{"error": ae.Message}
		for k, v := range ae.Extra {
			body[k] = v
		}
	case twofa.IsInputError(err):
		status, body = http.StatusBadRequest, map[string]any{"error": err.Error()}
	case errors.Is(err, store.ErrNotFound):
		status, body = http.StatusNotFound, map[string]any{"error": "not found"}
	case errors.Is(err, runner.ErrAlreadyRunning):
		status, body = http.StatusConflict, map[string]any{"error": err.Error()}
	case errors.As(err, &he):
		status = he.Code
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			msg = "the upload is too large (limit " + maxUploadText + ")"
		}
		body = map[string]any{"error": msg}
	default:
		s.deps.Logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.JSON(status, body)
}
