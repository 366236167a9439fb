package server

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the one table of every route. docs/API.md describes the same list.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(s.accessLog)
	e.Use(sameOrigin)
	e.Use(strictIDs)
	e.Use(limitBody) // per route: see frontdoor.go

	api := e.Group("/api")
	api.GET("/setup", s.getSetup)
	api.POST("/setup", s.postSetup)
	api.POST("/login", s.postLogin)
	api.POST("/login/2fa", s.postLogin2FA)
	// A phone's SMS forwarder app posts here with the SMS inbox's own token, not a session.
	e.POST("/api/inbox/sms", s.postSMS, middleware.BodyLimit("64K"))
	// The phone hand-off page uploads here with the one-time token of its link, not a session;
	// the token opens this one portal's 2FA upload and nothing else (handoff.go).
	api.GET("/handoff/:token", s.getHandoff, s.limitHandoff)
	api.PUT("/handoff/:token/image", s.putHandoffImage, s.limitHandoff)

	auth := api.Group("", s.requireSession)
	auth.POST("/logout", s.postLogout)
	auth.GET("/me", s.getMe)
	auth.POST("/logout-everywhere", s.postLogoutEverywhere)
	auth.POST("/account/2fa/setup", s.postTOTPSetup, sessionOnly)
	auth.POST("/account/2fa/activate", s.postTOTPActivate, sessionOnly)
	auth.POST("/account/2fa/deactivate", s.postTOTPDeactivate, sessionOnly)
	auth.GET("/account/tokens", s.listTokens, sessionOnly)
	auth.POST("/account/tokens", s.createToken, sessionOnly)
	auth.DELETE("/account/tokens/:id", s.deleteToken, sessionOnly)
	auth.GET("/openapi.json", s.getOpenAPI)

	auth.GET("/bundled-scripts", s.listBundledScripts)
	auth.GET("/portals", s.listPortals)
	auth.POST("/portals", s.createPortal)
	auth.GET("/portals/:id", s.getPortal)
	auth.PUT("/portals/:id", s.updatePortal)
	auth.DELETE("/portals/:id", s.deletePortal)

	auth.PUT("/portals/:id/totp", s.putTOTP) // QR photos may be large: an upload route in frontdoor.go
	auth.GET("/portals/:id/totp/code", s.getTOTPCode)
	auth.DELETE("/portals/:id/totp", s.deleteTOTP)
	auth.POST("/portals/:id/handoff", s.postHandoff)
	auth.GET("/portals/:id/handoff", s.getPortalHandoff)
	auth.POST("/portals/:id/handoff/send", s.postHandoffSend)
	auth.PUT("/portals/:id/recovery-codes", s.putRecoveryCodes)
	auth.POST("/portals/:id/recovery-codes/reveal", s.revealRecoveryCodes)
	auth.DELETE("/portals/:id/recovery-codes", s.deleteRecoveryCodes)
	auth.DELETE("/portals/:id/session", s.deleteSession)

	auth.POST("/import", s.postImport) // an upload route in frontdoor.go
	auth.POST("/import/:ref/assign", s.postImportAssign)

	auth.POST("/portals/:id/runs", s.startRun)
	auth.GET("/runs", s.listRuns)
	auth.GET("/runs/:id", s.getRun)
	auth.GET("/runs/:id/artifacts/:name", s.getArtifact)
	auth.GET("/runs/:id/live", s.getLive)

	auth.GET("/settings/notifications", s.getNotifications)
	auth.PUT("/settings/notifications", s.putNotifications)
	auth.POST("/settings/notifications/test", s.postNotificationsTest)

	auth.POST("/runs/:id/answer", s.answerRun)
	auth.GET("/questions", s.listQuestions)

	auth.GET("/settings/mailbox", s.getMailbox)
	auth.PUT("/settings/mailbox", s.putMailbox)
	auth.GET("/settings/sms", s.getSMSSettings)
	auth.POST("/settings/sms/token", s.postSMSToken)

	auth.GET("/invoices", s.listInvoices)
	auth.GET("/invoices/totals", s.invoiceTotals)
	auth.POST("/invoices/zip", s.zipInvoices)
	auth.GET("/invoices/:id", s.getInvoice)
	auth.GET("/invoices/:id/file", s.getInvoiceFile)

	// Outside /api: for probes and scrapers. /healthz says only ok or why not; /metrics needs
	// an API token unless BILLHOUND_METRICS_PUBLIC=1.
	e.GET("/healthz", s.getHealth)
	e.GET("/metrics", s.getMetrics)

	api.Any("/*", func(c echo.Context) error { return errNotFound("no such API route") })
	e.GET("/*", s.serveUI)
}
