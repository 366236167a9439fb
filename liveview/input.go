package liveview

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Input is one event from the viewer. Coordinates are in the viewer's image as shown (X, Y
// within a box ViewW x ViewH); they are scaled to the page's CSS pixels here, so the viewer
// need not know the page's size.
type Input struct {
	Type   string  `json:"type"`   // "mouse", "wheel", "key", "text"
	Action string  `json:"action"` // mouse: "move", "down", "up", "click"; key: "down", "up"
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	ViewW  float64 `json:"w"`
	ViewH  float64 `json:"h"`
	Button string  `json:"button"` // "left" (default), "middle", "right"
	DX     float64 `json:"dx"`     // wheel
	DY     float64 `json:"dy"`
	Key    string  `json:"key"`  // KeyboardEvent.key
	Code   string  `json:"code"` // KeyboardEvent.code
	Text   string  `json:"text"` // "text": inserted as typed (phones send whole words)
	Mods   int     `json:"mods"` // CDP modifiers: Alt=1, Ctrl=2, Meta=4, Shift=8
}

// maxText bounds one "text" event; typing is short, a paste of a code at most.
const maxText = 4096

// Send relays one input event to the page. The caller checks that the user took over.
func (v *Viewer) Send(in Input) error {
	switch in.Type {
	case "mouse", "wheel":
		x, y, err := v.scale(in)
		if err != nil {
			return err
		}
		if in.Type == "wheel" {
			return v.dispatch("Input.dispatchMouseEvent", map[string]any{"type": "mouseWheel", "x": x, "y": y,
				"deltaX": clampDelta(in.DX), "deltaY": clampDelta(in.DY), "modifiers": in.Mods})
		}
		return v.mouse(in, x, y)
	case "key":
		return v.key(in)
	case "text":
		if in.Text == "" || len(in.Text) > maxText || !utf8.ValidString(in.Text) {
			return errors.New("text must be 1 to 4096 bytes of UTF-8")
		}
		return v.dispatch("Input.insertText", map[string]any{"text": in.Text})
	}
	return fmt.Errorf("unknown input type %q", in.Type)
}

func (v *Viewer) mouse(in Input, x, y float64) error {
	button := in.Button
	switch button {
	case "":
		button = "left"
	case "left", "middle", "right":
	default:
		return fmt.Errorf("unknown mouse button %q", button)
	}
	ev := func(typ string) map[string]any {
		m := map[string]any{"type": typ, "x": x, "y": y, "modifiers": in.Mods}
		if typ != "mouseMoved" {
			m["button"], m["clickCount"] = button, 1
		}
		return m
	}
	switch in.Action {
	case "move":
		return v.dispatch("Input.dispatchMouseEvent", ev("mouseMoved"))
	case "down":
		return v.dispatch("Input.dispatchMouseEvent", ev("mousePressed"))
	case "up":
		return v.dispatch("Input.dispatchMouseEvent", ev("mouseReleased"))
	case "click": // a tap on a phone: the page sees the pointer arrive, press and release
		for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
			if err := v.dispatch("Input.dispatchMouseEvent", ev(typ)); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown mouse action %q", in.Action)
}

// scale maps a point in the viewer's image to the page's CSS pixels.
func (v *Viewer) scale(in Input) (float64, float64, error) {
	pw, ph := v.Size()
	if pw == 0 || ph == 0 {
		return 0, 0, errors.New("no frame yet: wait for the page to show before clicking")
	}
	if !(in.ViewW > 0 && in.ViewH > 0) || math.IsInf(in.ViewW, 0) || math.IsInf(in.ViewH, 0) {
		return 0, 0, errors.New("input needs the shown image's size (w, h)")
	}
	x := clamp(in.X/in.ViewW*pw, 0, pw-1)
	y := clamp(in.Y/in.ViewH*ph, 0, ph-1)
	return x, y, nil
}

func (v *Viewer) dispatch(method string, params map[string]any) error {
	err := within(cdpTimeout, func() error {
		_, err := v.cdp.Send(method, params)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

func clamp(f, lo, hi float64) float64 {
	if math.IsNaN(f) {
		return lo
	}
	return math.Max(lo, math.Min(hi, f))
}

func clampDelta(d float64) float64 { return clamp(d, -5000, 5000) }
