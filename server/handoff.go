package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/notify"
	"billhound/qrscan"
	"billhound/twofa"
)

// The phone hand-off: the desktop dialog makes a one-time link (shown as a QR code) to an
// upload page the phone opens without signing in. The link's token is good for one portal's
// 2FA photo only, for handoffLifetime, and is burned by the first photo that decodes.
const (
	handoffLifetime = 10 * time.Minute
	handoffAttempts = 5  // photos that do not decode before the link is burned anyway
	handoffPerMin   = 30 // public hand-off requests per client address and minute
	handoffMaxAddrs = 10000
)

// handoff is one link's state. Only the token's hash is kept; the token itself lives in the
// link the desktop showed.
type handoff struct {
	portalID int64
	hash     string
	expires  time.Time
	state    string // pending, received, failed (a photo did not decode; the link still works)
	issuer   string
	account  string
	err      string
	tries    int
}

type handoffs struct {
	mu       sync.Mutex
	byHash   map[string]*handoff
	byPortal map[int64]*handoff
	window   time.Time
	hits     map[string]int // requests per address in the current minute
}

func newHandoffs() *handoffs {
	return &handoffs{byHash: map[string]*handoff{}, byPortal: map[int64]*handoff{}, hits: map[string]int{}}
}

// allow counts a public request from addr; false once addr made handoffPerMin this minute.
func (h *handoffs) allow(addr string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Sub(h.window) >= time.Minute || len(h.hits) > handoffMaxAddrs {
		h.window, h.hits = now, map[string]int{}
	}
	h.hits[addr]++
	return h.hits[addr] <= handoffPerMin
}

// create replaces the portal's earlier link (if any) with a new one and returns its token.
func (h *handoffs) create(portalID int64, now time.Time) (string, *handoff) {
	raw := make([]byte, 18) // 144 bits: unguessable within any rate limit
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	ho := &handoff{portalID: portalID, hash: tokenHash(token), expires: now.Add(handoffLifetime), state: "pending"}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.byPortal[portalID]; old != nil {
		delete(h.byHash, old.hash)
	}
	h.byHash[ho.hash], h.byPortal[portalID] = ho, ho
	return token, ho
}

// live returns the usable hand-off of token, or nil (unknown, used or expired).
func (h *handoffs) live(token string, now time.Time) *handoff {
	h.mu.Lock()
	defer h.mu.Unlock()
	ho := h.byHash[tokenHash(token)]
	if ho == nil || !now.Before(ho.expires) {
		return nil
	}
	return ho
}

// view is what the desktop polls: a copy taken under the lock.
func (h *handoffs) view(portalID int64, now time.Time) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	ho := h.byPortal[portalID]
	if ho == nil {
		return map[string]any{"state": "none"}
	}
	state := ho.state
	if state != "received" && !now.Before(ho.expires) {
		state = "expired"
	}
	return map[string]any{"state": state, "issuer": ho.issuer, "account": ho.account, "error": ho.err, "expiresAt": ho.expires}
}

func (h *handoffs) finish(ho *handoff, key *twofa.Key, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		ho.state, ho.issuer, ho.account, ho.err = "received", key.Issuer, key.Account, ""
		delete(h.byHash, ho.hash) // single use
		return
	}
	ho.tries++
	ho.state, ho.err = "failed", err.Error()
	if ho.tries >= handoffAttempts {
		delete(h.byHash, ho.hash)
		ho.err += " The link is used up after " + strconv.Itoa(handoffAttempts) + " photos; make a new one on the computer."
	}
}

var errHandoffGone = errNotFound("this upload link is no longer valid: it was used, or it expired after 10 minutes. " +
	"Make a new one in billhound's Connect 2FA dialog on your computer.")

// postHandoff makes a new link for the portal: the link and a QR code of it for the phone.
func (s *Server) postHandoff(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	token, ho := s.handoffs.create(p.ID, s.deps.Now())
	req := c.Request()
	link := c.Scheme() + "://" + req.Host + "/phone/" + token
	png, err := qrscan.QRPNG(link, 280)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"token": token, "link": link, "expiresAt": ho.expires,
		"qr": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
	})
}

func (s *Server) getPortalHandoff(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.handoffs.view(p.ID, s.deps.Now()))
}

// postHandoffSend sends the link the desktop shows through the notification channels.
func (s *Server) postHandoffSend(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	var b struct {
		Token string `json:"token"`
	}
	if err := c.Bind(&b); err != nil || b.Token == "" {
		return errBadRequest("send the link's token as JSON {\"token\": ...}")
	}
	ho := s.handoffs.live(b.Token, s.deps.Now())
	if ho == nil || ho.portalID != p.ID {
		return errHandoffGone
	}
	msg := notify.Message{Title: "Photograph the 2FA QR code of " + p.Name,
		Body: "Open this link on your phone within 10 minutes and take a photo of the QR code.",
		Link: "/phone/" + b.Token, Kind: "handoff"}
	if err := s.deps.Notifier.Send(c.Request().Context(), msg); err != nil {
		return &apiError{Status: http.StatusBadGateway, Message: "the link could not be sent (" + err.Error() + "); check the channels in Settings, or scan the QR code"}
	}
	return c.NoContent(http.StatusNoContent)
}

// limitHandoff guards the public hand-off routes: a rate limit per client address.
func (s *Server) limitHandoff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.handoffs.allow(throttleKey(c.RealIP()), s.deps.Now()) {
			return &apiError{Status: http.StatusTooManyRequests, Message: "too many requests for upload links from your address; wait a minute and try again"}
		}
		return next(c)
	}
}

// getHandoff (public) tells the phone page which portal the photo is for; nothing secret.
func (s *Server) getHandoff(c echo.Context) error {
	ho := s.handoffs.live(c.Param("token"), s.deps.Now())
	if ho == nil {
		return errHandoffGone
	}
	p, err := s.deps.Store.Portal(ho.portalID)
	if err != nil {
		return errHandoffGone
	}
	return c.JSON(http.StatusOK, map[string]any{"portal": p.Name, "expiresAt": ho.expires})
}

// putHandoffImage (public) takes the phone's photo, decodes it like the desktop upload, and on
// success stores the secret for the link's portal and burns the link.
func (s *Server) putHandoffImage(c echo.Context) error {
	ho := s.handoffs.live(c.Param("token"), s.deps.Now())
	if ho == nil {
		return errHandoffGone
	}
	key, err := keyFromUpload(c)
	if err == nil && (c.FormValue("index") != "") {
		err = errBadRequest("choose the account on the computer")
	}
	if ae, ok := err.(*apiError); ok && ae.Status == http.StatusConflict {
		err = errBadRequest("this QR code holds several accounts (an authenticator app's export); import it on the computer instead")
	}
	if err == nil {
		err = checkText("the 2FA key's issuer", key.Issuer, maxLabel)
	}
	if err == nil {
		err = checkText("the 2FA key's account name", key.Account, maxLabel)
	}
	if err == nil {
		err = s.deps.Vault.SetTOTP(ho.portalID, key, "qr")
	}
	s.handoffs.finish(ho, &key, err)
	if err != nil {
		return err
	}
	s.deps.Logger.Info("2FA secret set from a phone", "portal", ho.portalID, "issuer", key.Issuer)
	return c.JSON(http.StatusOK, map[string]any{"issuer": key.Issuer, "account": key.Account})
}
