package liveview

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// keyInfo is what Chromium needs besides KeyboardEvent.key to act on a key: editing and
// navigation keys do nothing without their Windows virtual key code.
type keyInfo struct {
	vk   int
	text string // what the key types, if anything
}

// specialKeys are the keys a user needs on a login or challenge page; the codes are the ones
// Chromium (and Playwright's US layout) use.
var specialKeys = map[string]keyInfo{
	"Enter": {13, "\r"}, "Tab": {9, ""}, "Backspace": {8, ""}, "Delete": {46, ""}, "Escape": {27, ""},
	"ArrowLeft": {37, ""}, "ArrowUp": {38, ""}, "ArrowRight": {39, ""}, "ArrowDown": {40, ""},
	"Home": {36, ""}, "End": {35, ""}, "PageUp": {33, ""}, "PageDown": {34, ""}, " ": {32, " "},
	"Shift": {16, ""}, "Control": {17, ""}, "Alt": {18, ""}, "Meta": {91, ""},
}

// key relays a key press or release. Printable keys type their character unless Ctrl, Alt or
// Meta is held (then they are shortcuts).
func (v *Viewer) key(in Input) error {
	if in.Key == "" || len(in.Key) > 32 {
		return fmt.Errorf("bad key %q", in.Key)
	}
	info, special := specialKeys[in.Key]
	if !special {
		if utf8.RuneCountInString(in.Key) != 1 {
			return fmt.Errorf("unsupported key %q", in.Key)
		}
		info.vk = virtualKey(in.Key)
		if in.Mods&(1|2|4) == 0 {
			info.text = in.Key
		}
	}
	params := map[string]any{"key": in.Key, "code": in.Code, "windowsVirtualKeyCode": info.vk,
		"nativeVirtualKeyCode": info.vk, "modifiers": in.Mods}
	switch in.Action {
	case "down":
		params["type"] = "rawKeyDown"
		if info.text != "" {
			params["type"], params["text"], params["unmodifiedText"] = "keyDown", info.text, info.text
		}
	case "up":
		params["type"] = "keyUp"
	default:
		return fmt.Errorf("unknown key action %q", in.Action)
	}
	return v.dispatch("Input.dispatchKeyEvent", params)
}

// virtualKey is the Windows virtual key code of a letter or digit (their upper-case ASCII
// code), 0 for other characters, which Chromium then types from their text alone.
func virtualKey(k string) int {
	u := strings.ToUpper(k)
	if len(u) == 1 && (u[0] >= 'A' && u[0] <= 'Z' || u[0] >= '0' && u[0] <= '9') {
		return int(u[0])
	}
	return 0
}
