package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/notify"
)

// notificationsView is the settings page's data: the channels without their secrets, and the
// address links in notifications start with.
type notificationsView struct {
	notify.View
	PublicURL string `json:"publicUrl"`
}

func (s *Server) notificationsAnswer(c echo.Context, set notify.Settings) error {
	return c.JSON(http.StatusOK, notificationsView{notify.ViewOf(set), s.deps.Notifier.PublicURL})
}

func (s *Server) getNotifications(c echo.Context) error {
	n := s.deps.Notifier
	set, err := notify.Load(n.Store, n.Box)
	if err != nil {
		return err
	}
	return s.notificationsAnswer(c, set)
}

func (s *Server) putNotifications(c echo.Context) error {
	n := s.deps.Notifier
	var u notify.Update
	if err := c.Bind(&u); err != nil {
		return errBadRequest("expected JSON {ntfy, webhook, email} as GET /api/settings/notifications answers")
	}
	old, err := notify.Load(n.Store, n.Box)
	if err != nil {
		return err
	}
	set := u.Apply(old)
	if err := notify.Save(n.Store, n.Box, &set); err != nil {
		var ie *notify.InputError
		if errors.As(err, &ie) {
			return errBadRequest(ie.Msg)
		}
		return err
	}
	return s.notificationsAnswer(c, set)
}

// postNotificationsTest sends a test message through every channel that is on (as saved) and
// answers how each fared; a failing channel is an answer, not an error of the request.
func (s *Server) postNotificationsTest(c echo.Context) error {
	n := s.deps.Notifier
	set, err := notify.Load(n.Store, n.Box)
	if err != nil {
		return err
	}
	if !set.Configured() {
		return errBadRequest("turn on at least one channel and save it, then send a test")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Minute)
	defer cancel()
	results, err := n.Deliver(ctx, notify.Message{
		Title: "billhound test notification",
		Body:  "Notifications from billhound arrive here. Questions from portal runs will look like this, with a link to answer them.",
		Link:  "/settings", Kind: notify.KindTest,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"results": results})
}
