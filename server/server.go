// Package server is billhound's HTTP side: the JSON API under /api and the embedded SPA. It
// holds no state of its own; handlers call the store, the runner and the 2FA package.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/archive"
	"billhound/credentials"
	"billhound/exports"
	"billhound/liveview"
	"billhound/notify"
	"billhound/runner"
	"billhound/store"
)

// Deps is what the server needs; main builds them.
type Deps struct {
	Store    *store.Store
	Vault    *credentials.Vault
	Runner   *runner.Runner
	Queue    RunQueue // where POST /api/portals/:id/runs queues runs; nil: Runner.Start
	Archive  *archive.Archive
	Live     *liveview.Hub    // the live pages of runs in progress; nil: no live view
	Notifier *notify.Notifier // sends notifications; its settings are edited through the API
	Exports  *exports.Service // sends invoices on to the export targets; nil: one without a job queue
	UI       fs.FS            // the built SPA (index.html at its root); nil serves a "not built" page
	Logger   *slog.Logger
	// TrustedProxies may name the client in X-Forwarded-For; nobody else can.
	TrustedProxies []netip.Prefix
	Now            func() time.Time // the clock for computed warnings (a missing invoice); default time.Now
	Ops            Ops              // what /healthz and /metrics look at
}

// RunQueue queues a portal's run (package jobs): the run comes back queued, and starts when a
// slot is free. A portal with a queued or running run gives runner.ErrAlreadyRunning.
type RunQueue interface {
	Enqueue(ctx context.Context, portalID int64, trigger string) (*store.Run, error)
}

// Server is the HTTP server.
type Server struct {
	deps    Deps
	echo    *echo.Echo
	http    *http.Server
	logins  *loginLimiter
	hashes  *hashGate
	setup   *setupGate
	imports *importCache
	// metrics serves /metrics (see metrics.go)
	metrics http.Handler
	// handoffs are the phone upload links of the Connect 2FA dialog (handoff.go).
	handoffs *handoffs
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Notifier == nil && d.Vault != nil {
		d.Notifier = &notify.Notifier{Store: d.Store, Box: d.Vault.Box, Logger: d.Logger}
	}
	if d.Exports == nil && d.Vault != nil {
		d.Exports = &exports.Service{Store: d.Store, Vault: d.Vault, Archive: d.Archive, Mail: d.Notifier, Logger: d.Logger, Inline: true}
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if d.Now == nil {
		d.Now = time.Now
	}
	has, err := d.Store.HasUsers()
	s := &Server{deps: d, echo: e, logins: newLoginLimiter(), hashes: newHashGate(hashSlots), setup: newSetupGate(err != nil || !has), imports: newImportCache(), handoffs: newHandoffs()}
	s.metrics = s.metricsHandler()
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(d.TrustedProxies)
	s.routes()
	return s
}

// Handler is the server's http.Handler (for tests with httptest).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.http = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.http == nil {
		return nil
	}
	return s.http.Shutdown(ctx)
}
