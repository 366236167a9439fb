package runner

import (
	"errors"
	"fmt"
	"strings"

	"billhound/failure"
	"billhound/scripts"
)

// RaisedKind records the kind a script named with fail.*() (see scripts.failAPI): it holds even
// when the script caught that error and threw another one.
func (h *runHost) RaisedKind(k failure.Kind, message string) {
	h.mu.Lock()
	h.raised = k
	h.mu.Unlock()
	h.Log("warn", fmt.Sprintf("the script reports %s: %s", failure.Describe(k).Title, message))
}

// classify names why a run failed, and may add what the page said to its error. In order: a
// kind the engine or the script put on the error; the time limit; a kind the script raised
// earlier; then what the page at failure shows: a captcha, the login form or the code field
// back with an error message. Anything else is a script error.
func (h *runHost) classify(err error) (failure.Kind, string) {
	msg := h.red.Apply(err.Error())
	h.mu.Lock()
	raised, page := h.raised, h.page
	h.mu.Unlock()
	k := failure.Of(err)
	switch {
	case k != "":
	case errors.Is(err, scripts.ErrTimeout):
		return failure.Timeout, msg
	case raised != "":
		return raised, msg
	default:
		k = failure.ScriptError
	}
	if raised != "" || page == nil || (k != failure.PortalChanged && k != failure.ScriptError) {
		return k, msg
	}
	switch {
	case page.Captcha:
		k = failure.Captcha
	case page.OTP && page.Message != "":
		k = failure.CodeRejected
	case page.Password && page.Message != "":
		k = failure.Credentials
	}
	if k != failure.PortalChanged && k != failure.ScriptError && page.Message != "" && !strings.Contains(msg, page.Message) {
		msg += fmt.Sprintf(" (the page says: %q)", h.red.Apply(page.Message))
	}
	return k, msg
}
