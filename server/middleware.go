package server

import (
	"time"

	"github.com/labstack/echo/v4"
)

// securityHeaders keeps the UI out of frames and stops browsers guessing content types.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}

// accessLog logs API requests at debug level, and failures at info. Only the route pattern is
// logged, never bodies (they carry passwords and secrets).
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := s.deps.Logger.Debug
		if status >= 500 {
			level = s.deps.Logger.Warn
		}
		level("http", "method", c.Request().Method, "route", c.Path(), "status", status, "ms", time.Since(start).Milliseconds())
		return nil
	}
}
