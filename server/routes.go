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

	api := e.Group("/api", middleware.BodyLimit("2M"))
	api.GET("/setup", s.getSetup)
	api.POST("/setup", s.postSetup)
	api.POST("/login", s.postLogin)
	api.POST("/login/2fa", s.postLogin2FA)
	// A phone's SMS forwarder app posts here with the SMS inbox's own token, not a session.
	e.POST("/api/inbox/sms", s.postSMS, middleware.BodyLimit("64K"))

	auth := api.Group("", s.requireSession)
	auth.POST("/logout", s.postLogout)
	auth.GET("/me", s.getMe)
	auth.POST("/logout-everywhere", s.postLogoutEverywhere)
	auth.POST("/account/2fa/setup", s.postTOTPSetup)
	auth.POST("/account/2fa/activate", s.postTOTPActivate)
	auth.POST("/account/2fa/deactivate", s.postTOTPDeactivate)

	auth.GET("/bundled-scripts", s.listBundledScripts)
	auth.GET("/portals", s.listPortals)
	auth.POST("/portals", s.createPortal)
	auth.GET("/portals/:id", s.getPortal)
	auth.PUT("/portals/:id", s.updatePortal)
	auth.DELETE("/portals/:id", s.deletePortal)

	// Images of QR codes can be large phone photos; the body limit of /api does not apply.
	e.PUT("/api/portals/:id/totp", s.putTOTP, middleware.BodyLimit(maxUpload), s.requireSession)
	auth.GET("/portals/:id/totp/code", s.getTOTPCode)
	auth.DELETE("/portals/:id/totp", s.deleteTOTP)
	auth.PUT("/portals/:id/recovery-codes", s.putRecoveryCodes)
	auth.POST("/portals/:id/recovery-codes/reveal", s.revealRecoveryCodes)
	auth.DELETE("/portals/:id/recovery-codes", s.deleteRecoveryCodes)

	auth.POST("/portals/:id/runs", s.startRun)
	auth.GET("/runs", s.listRuns)
	auth.GET("/runs/:id", s.getRun)
	auth.GET("/runs/:id/artifacts/:name", s.getArtifact)
	auth.POST("/runs/:id/answer", s.answerRun)
	auth.GET("/questions", s.listQuestions)

	auth.GET("/settings/mailbox", s.getMailbox)
	auth.PUT("/settings/mailbox", s.putMailbox)
	auth.GET("/settings/sms", s.getSMSSettings)
	auth.POST("/settings/sms/token", s.postSMSToken)

	auth.GET("/invoices", s.listInvoices)
	auth.GET("/invoices/:id/file", s.getInvoiceFile)

	api.Any("/*", func(c echo.Context) error { return errNotFound("no such API route") })
	e.GET("/*", s.serveUI)
}
