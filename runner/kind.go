package runner

import (
	"errors"
	"strings"

	"billhound/scripts"
	"billhound/store"
)

// Failure kinds of a failed run (store.Run.FailureKind).
const (
	KindCredentials     = "credentials"
	KindCodeRejected    = "code_rejected"
	KindCodeUnavailable = "code_unavailable"
	KindCaptcha         = "captcha"
	KindActionNeeded    = "action_needed"
	KindPortalChanged   = "portal_changed"
	KindTimeout         = "timeout"
	KindUnreachable     = "unreachable"
	KindScriptError     = "script_error"
)

// Retryable reports whether a failure of this kind is retried automatically: only the ones
// that go away by themselves. Credentials and rejected codes never are: portals lock accounts.
func Retryable(kind string) bool { return kind == KindUnreachable || kind == KindTimeout }

// FailureKind says why a finished run failed, or "" when it did not fail. It reads the stored
// run, so it works for runs of other processes too.
func FailureKind(run *store.Run) string {
	if run.Status != store.RunFailed {
		return ""
	}
	if run.FailureKind != "" {
		return run.FailureKind
	}
	return kindOfMessage(run.Error)
}

// failureKindOf classifies a run's error as it ends.
func failureKindOf(run *store.Run, err error) string {
	if errors.Is(err, scripts.ErrTimeout) {
		return KindTimeout
	}
	return kindOfMessage(run.Error)
}

func kindOfMessage(msg string) string {
	switch {
	case strings.Contains(msg, "net::ERR_"), strings.Contains(strings.ToLower(msg), "unreachable"):
		return KindUnreachable
	case strings.Contains(msg, scripts.ErrTimeout.Error()):
		return KindTimeout
	}
	return KindScriptError
}
