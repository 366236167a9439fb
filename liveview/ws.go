package liveview

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// ErrForeignOrigin refuses a WebSocket opened by a page of another site: browsers send the
// session cookie with it, so only billhound's own pages may open one.
var ErrForeignOrigin = errors.New("the live view only accepts connections from billhound's own pages")

const (
	writeTimeout = 10 * time.Second
	pingEvery    = 25 * time.Second // keeps proxies from closing a view of a page that is still
	readLimit    = 16 << 10
)

// serverMsg is every JSON message the server sends. A "frame" message is followed by one
// binary message: the frame's JPEG.
type serverMsg struct {
	Type    string  `json:"type"`             // "hello", "frame", "waiting", "ended", "error"
	Width   float64 `json:"width,omitempty"`  // frame: the page's viewport in CSS pixels
	Height  float64 `json:"height,omitempty"` // frame
	URL     string  `json:"url,omitempty"`    // frame
	TS      int64   `json:"ts,omitempty"`     // frame: when Chromium drew it, Unix milliseconds
	Waiting bool    `json:"waiting"`          // hello, waiting: the script waits for the user
	Error   string  `json:"error,omitempty"`  // error
}

// clientMsg is every JSON message a viewer sends: a control message or one Input event.
type clientMsg struct {
	Takeover *bool `json:"takeover"`
	Done     bool  `json:"done"`
	Input
}

// Serve upgrades the request to the live view of runID and serves it until either side ends.
// Before the upgrade it returns ErrForeignOrigin or ErrNotLive for the caller to answer; after
// it, errors end the connection and are returned for logging.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, runID int64) error {
	if !sameOrigin(r) {
		return ErrForeignOrigin
	}
	if !h.Live(runID) {
		return ErrNotLive
	}
	conn, err := websocket.Accept(w, r, nil) // also checks the Origin against the Host
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(readLimit)
	v, err := h.Attach(runID)
	if err != nil {
		conn.Close(websocket.StatusInternalError, "cannot attach to the run's page")
		return err
	}
	defer v.Close()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s := &session{hub: h, conn: conn, viewer: v, runID: runID}
	go func() {
		defer cancel()
		s.readLoop(ctx)
	}()
	err = s.writeLoop(ctx)
	if errors.Is(err, context.Canceled) || websocket.CloseStatus(err) != -1 {
		return nil
	}
	return err
}

// sameOrigin accepts only requests whose Origin is the host they were sent to. Browsers always
// send Origin on WebSocket requests; a request without one did not come from a page.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// session is one viewer's connection.
type session struct {
	hub      *Hub
	conn     *websocket.Conn
	viewer   *Viewer
	runID    int64
	takeover bool // set only by readLoop
}

func (s *session) send(ctx context.Context, m serverMsg) error {
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, b)
}

func (s *session) writeLoop(ctx context.Context) error {
	waiting := s.hub.Waiting(s.runID)
	if err := s.send(ctx, serverMsg{Type: "hello", Waiting: waiting}); err != nil {
		return err
	}
	check := time.NewTicker(pollEvery)
	defer check.Stop()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.viewer.Gone():
			s.send(ctx, serverMsg{Type: "ended"})
			return s.conn.Close(websocket.StatusNormalClosure, "the run ended")
		case f := <-s.viewer.Frames():
			m := serverMsg{Type: "frame", Width: f.Width, Height: f.Height, URL: f.URL, TS: f.Captured.UnixMilli()}
			if err := s.send(ctx, m); err != nil {
				return err
			}
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := s.conn.Write(wctx, websocket.MessageBinary, f.JPEG)
			cancel()
			if err != nil {
				return err
			}
		case <-check.C:
			if now := s.hub.Waiting(s.runID); now != waiting {
				waiting = now
				if err := s.send(ctx, serverMsg{Type: "waiting", Waiting: now}); err != nil {
					return err
				}
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := s.conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		}
	}
}

// readLoop takes the viewer's messages. Input is relayed only after the viewer took over, so
// an open view cannot click anything by accident.
func (s *session) readLoop(ctx context.Context) {
	for {
		typ, data, err := s.conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		var m clientMsg
		if err := json.Unmarshal(data, &m); err != nil {
			s.send(ctx, serverMsg{Type: "error", Error: "messages must be JSON objects"})
			continue
		}
		switch {
		case m.Takeover != nil:
			s.takeover = *m.Takeover
			s.hub.logger.Info("live view", "run", s.runID, "takeover", s.takeover)
		case m.Done:
			s.hub.Done(s.runID)
		case m.Type != "":
			if !s.takeover {
				s.send(ctx, serverMsg{Type: "error", Error: "press Take over before using the page"})
				continue
			}
			if err := s.viewer.Send(m.Input); err != nil {
				s.send(ctx, serverMsg{Type: "error", Error: err.Error()})
			}
		}
	}
}
