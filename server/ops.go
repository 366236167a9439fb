package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Ops is what /healthz checks and /metrics reports besides the database. Nil parts are not
// checked (tests that run no queue or browser).
type Ops struct {
	Queue         interface{ Check(context.Context) error }
	Browser       Browser
	DataDir       string // its filesystem's free space is checked
	MinFreeDisk   int64  // bytes; less is not healthy
	MetricsPublic bool   // /metrics without an API token
}

// Browser is the part of browser.Manager the probes use.
type Browser interface {
	Check() error
	Processes() int
}

// healthTimeout bounds one check: a probe must answer even when the database is locked.
const healthTimeout = 3 * time.Second

// getHealth answers 200 {"status":"ok"} or 503 {"status":"unhealthy"} with a reason per
// failed check. It is public (probes carry no token), so reasons name what is wrong and what
// to do, never secrets, paths of the key or database contents.
func (s *Server) getHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	checks := map[string]string{}
	healthy := true
	note := func(name string, err error) {
		checks[name] = "ok"
		if err != nil {
			checks[name], healthy = err.Error(), false
		}
	}
	note("database", s.checkDatabase(ctx))
	if s.deps.Ops.Queue != nil {
		note("queue", s.deps.Ops.Queue.Check(ctx))
	}
	if s.deps.Ops.Browser != nil {
		note("browser", s.deps.Ops.Browser.Check())
	}
	if s.deps.Ops.DataDir != "" {
		note("disk", checkDisk(s.deps.Ops.DataDir, s.deps.Ops.MinFreeDisk))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if !healthy {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unhealthy", "checks": checks})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "checks": checks})
}

func (s *Server) checkDatabase(ctx context.Context) error {
	if err := s.deps.Store.Ping(ctx); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return errors.New("the database did not answer within 3 s (locked or on a slow disk)")
		}
		s.deps.Logger.Warn("health check: the database does not answer", "err", err)
		return errors.New("the database does not answer; see the server log")
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d KB", n>>10)
	}
}
