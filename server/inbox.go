package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/credentials"
	"billhound/inbox"
	"billhound/runner"
	"billhound/store"
)

// The ways codes reach billhound without the user: the SMS inbox a forwarder app posts to, and
// the mailbox mail.code() reads.

// postSMS receives a text from a forwarder app. It is authenticated by the SMS inbox's own
// token (not the session): "Authorization: Bearer <token>", an X-Billhound-Token header, or
// ?token= in the URL for apps that cannot set headers.
func (s *Server) postSMS(c echo.Context) error {
	token := c.Request().Header.Get("X-Billhound-Token")
	if a := c.Request().Header.Get("Authorization"); token == "" && len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		token = a[7:]
	}
	if token == "" {
		token = c.QueryParam("token")
	}
	ok, err := s.deps.Vault.CheckSMSToken(token)
	if err != nil {
		return err
	}
	if !ok {
		return errUnauthorized("wrong or missing SMS inbox token; copy it from Settings → SMS inbox into the forwarder app")
	}
	msg, err := inbox.ParseSMS(c.Request())
	if err != nil {
		return errBadRequest(err.Error())
	}
	sealed, err := s.deps.Vault.SealSMS(msg.Text)
	if err != nil {
		return err
	}
	if err := s.deps.Store.AddSMS(&store.SMSMessage{ReceivedAt: time.Now(), Sender: msg.From, TextSealed: sealed}, runner.SMSKeep); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true})
}

type smsSettingsView struct {
	TokenSet bool   `json:"tokenSet"`
	Path     string `json:"path"` // where the forwarder app posts, relative to billhound's URL
	Token    string `json:"token,omitempty"`
}

func (s *Server) getSMSSettings(c echo.Context) error {
	set, err := s.deps.Vault.SMSTokenSet()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, smsSettingsView{TokenSet: set, Path: "/api/inbox/sms"})
}

// postSMSToken makes a new token (the old one stops working) and shows it this once.
func (s *Server) postSMSToken(c echo.Context) error {
	token, err := s.deps.Vault.NewSMSToken()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, smsSettingsView{TokenSet: true, Path: "/api/inbox/sms", Token: token})
}

func (s *Server) getMailbox(c echo.Context) error {
	m, _, err := s.deps.Vault.Mailbox()
	if errors.Is(err, credentials.ErrNoMailbox) {
		return c.JSON(http.StatusOK, credentials.Mailbox{TLS: "tls", Port: 993, Folder: "INBOX"})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) putMailbox(c echo.Context) error {
	var body struct {
		credentials.Mailbox
		Password *string `json:"password"` // absent or null keeps the stored one
	}
	if err := c.Bind(&body); err != nil {
		return errBadRequest("send JSON like {\"host\": \"imap.example.com\", \"port\": 993, \"tls\": \"tls\", \"username\": \"me@example.com\", \"password\": \"…\"}")
	}
	m := body.Mailbox
	m.Host, m.Username, m.Folder = strings.TrimSpace(m.Host), strings.TrimSpace(m.Username), strings.TrimSpace(m.Folder)
	switch {
	case m.Host == "" || strings.ContainsAny(m.Host, "/: "):
		return errBadRequest("the server must be a host name such as imap.example.com (no scheme, no port)")
	case m.Port < 0 || m.Port > 65535:
		return errBadRequest("the port must be between 1 and 65535 (993 for TLS, 143 for STARTTLS)")
	case m.TLS != "tls" && m.TLS != "starttls" && m.TLS != "none":
		return errBadRequest(`tls must be "tls", "starttls" or "none"`)
	case m.Username == "":
		return errBadRequest("the username is missing (usually your e-mail address)")
	}
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if err := s.deps.Vault.SetMailbox(m, body.Password); err != nil {
		return err
	}
	return s.getMailbox(c)
}
