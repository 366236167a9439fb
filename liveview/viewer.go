package liveview

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/playwright-community/playwright-go"
)

// Screencast settings: JPEG at quality 60 and at most 1280 px wide keeps a frame around
// 30-80 KB, small enough for a phone on mobile data at several frames per second.
const (
	jpegQuality = 60
	maxWidth    = 1280
	maxHeight   = 1280
	cdpTimeout  = 10 * time.Second
)

// Frame is one screencast image of the page.
type Frame struct {
	JPEG []byte
	// Width and Height are the page's viewport in CSS pixels (input coordinates refer to them).
	Width, Height float64
	// Captured is when Chromium drew the frame.
	Captured time.Time
	URL      string
}

// Viewer is one attachment to a run's page: its own CDP session with a screencast running.
// Frames arrive on Frames(); the newest frame wins when the reader is slower than the page.
type Viewer struct {
	runID  int64
	page   playwright.Page
	cdp    playwright.CDPSession
	frames chan Frame
	acks   chan int
	gone   <-chan struct{}

	mu     sync.Mutex
	width  float64 // of the last frame, for scaling input
	height float64
	closed bool
	stop   chan struct{}
}

// Attach starts a screencast of runID's page for one viewer. Close the Viewer when done.
func (h *Hub) Attach(runID int64) (*Viewer, error) {
	lr, ok := h.get(runID)
	if !ok {
		return nil, ErrNotLive
	}
	var cdp playwright.CDPSession
	err := within(cdpTimeout, func() error {
		var err error
		cdp, err = lr.page.Context().NewCDPSession(lr.page)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("attach to the run's page: %w", err)
	}
	v := &Viewer{runID: runID, page: lr.page, cdp: cdp, gone: lr.gone,
		frames: make(chan Frame, 1), acks: make(chan int, 8), stop: make(chan struct{})}
	// Event handlers run on Playwright's dispatch goroutine, which also delivers the answers to
	// Send: a handler that called Send would wait for itself. So it only hands work over.
	cdp.On("Page.screencastFrame", v.onFrame)
	go v.ackLoop()
	err = within(cdpTimeout, func() error {
		_, err := cdp.Send("Page.startScreencast", map[string]any{
			"format": "jpeg", "quality": jpegQuality, "maxWidth": maxWidth, "maxHeight": maxHeight, "everyNthFrame": 1,
		})
		return err
	})
	if err != nil {
		v.Close()
		return nil, fmt.Errorf("start the screencast: %w", err)
	}
	return v, nil
}

// Frames delivers the page's frames; it is never closed (watch Gone).
func (v *Viewer) Frames() <-chan Frame { return v.frames }

// Gone is closed when the run ended (its page is no longer live).
func (v *Viewer) Gone() <-chan struct{} { return v.gone }

// Size is the page's viewport in CSS pixels as of the last frame (0 before the first).
func (v *Viewer) Size() (w, h float64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.width, v.height
}

func (v *Viewer) onFrame(params map[string]any) {
	if id, ok := params["sessionId"].(float64); ok {
		select {
		case v.acks <- int(id):
		default: // cannot happen: Chromium keeps at most two frames unacknowledged
		}
	}
	data, _ := params["data"].(string)
	jpeg, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(jpeg) == 0 {
		return
	}
	f := Frame{JPEG: jpeg, URL: v.page.URL(), Captured: time.Now()}
	if md, ok := params["metadata"].(map[string]any); ok {
		f.Width, _ = md["deviceWidth"].(float64)
		f.Height, _ = md["deviceHeight"].(float64)
		if ts, ok := md["timestamp"].(float64); ok && ts > 0 {
			f.Captured = time.UnixMicro(int64(ts * 1e6))
		}
	}
	v.mu.Lock()
	if f.Width > 0 && f.Height > 0 {
		v.width, v.height = f.Width, f.Height
	}
	v.mu.Unlock()
	// The newest frame replaces one the reader has not taken yet: the view stays current.
	for {
		select {
		case v.frames <- f:
			return
		default:
		}
		select {
		case <-v.frames:
		default:
		}
	}
}

// ackLoop acknowledges frames at once, so Chromium keeps sending while the viewer's connection
// is busy; frames the viewer is too slow for are dropped in onFrame, not queued.
func (v *Viewer) ackLoop() {
	for {
		select {
		case <-v.stop:
			return
		case id := <-v.acks:
			if _, err := v.cdp.Send("Page.screencastFrameAck", map[string]any{"sessionId": id}); err != nil {
				return // the page or its session is gone
			}
		}
	}
}

// Close stops the screencast and detaches from the page.
func (v *Viewer) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	close(v.stop)
	v.mu.Unlock()
	v.cdp.RemoveListeners("Page.screencastFrame")
	// The page may be closing with its run; neither call may hold the viewer up.
	_ = within(cdpTimeout, func() error {
		_, err := v.cdp.Send("Page.stopScreencast", nil)
		return errors.Join(err, v.cdp.Detach())
	})
}

// within runs fn but stops waiting after d: a Playwright call without a context of its own
// must not hang a viewer when the driver does not answer.
func within(d time.Duration, fn func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(d):
		return errors.New("the browser did not answer in time")
	}
}
