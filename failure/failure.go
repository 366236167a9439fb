// Package failure names why a run failed (its kind) and what the user can do about it (a
// plain-language hint and the action that fixes it). The runner stores the kind on the run, the
// API serves the hint with it, and the scheduler retries by kind: only Unreachable and Timeout
// are worth another try by themselves; a wrong password retried locks the account.
package failure

import (
	"errors"
	"fmt"
)

// Kind is why a run failed. The values are stored in runs.failure_kind and shown in the API.
type Kind string

// The kinds. A run that did not fail has the kind "".
const (
	Credentials     Kind = "credentials"      // the portal refused the username or password
	CodeRejected    Kind = "code_rejected"    // the portal refused the 2FA code
	CodeUnavailable Kind = "code_unavailable" // billhound cannot get the code (no 2FA secret, an SMS code)
	Captcha         Kind = "captcha"          // a captcha or bot check stood in the way
	ActionNeeded    Kind = "action_needed"    // new terms, a password change, a locked account
	PortalChanged   Kind = "portal_changed"   // an element the script expects is missing
	Timeout         Kind = "timeout"          // the run's time limit passed
	Unreachable     Kind = "unreachable"      // DNS, refused connection, HTTP 5xx
	ScriptError     Kind = "script_error"     // anything else the script threw
)

// Kinds lists every kind in the order the docs present them.
var Kinds = []Kind{Credentials, CodeRejected, CodeUnavailable, Captcha, ActionNeeded, PortalChanged, Timeout, Unreachable, ScriptError}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Retryable reports whether a run that failed this way may be tried again automatically:
// only when the portal may answer later. Logins that failed are never retried (lockouts).
func (k Kind) Retryable() bool { return k == Unreachable || k == Timeout }

// Error is an error with a kind. Bindings and the host wrap what they recognise in it; the
// runner finds it anywhere in the chain with errors.As.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the error behind the kind.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with the message msg.
func New(k Kind, msg string) error { return &Error{Kind: k, Err: errors.New(msg)} }

// Newf is New with a format.
func Newf(k Kind, format string, a ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, a...)}
}

// Wrap gives err the kind k (nil stays nil).
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// Of returns the first kind found in err's chain (the outermost), or "".
func Of(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
