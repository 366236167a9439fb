package runner

import (
	"billhound/failure"
	"billhound/store"
)

// Retryable reports whether a failure of this kind is retried automatically: only the ones
// that go away by themselves. Credentials and rejected codes never are: portals lock accounts.
func Retryable(kind string) bool { return failure.Kind(kind).Retryable() }

// FailureKind says why a finished run failed, or "" when it did not fail. It reads the stored
// run, so it works for runs of other processes too.
func FailureKind(run *store.Run) string {
	if run.Status != store.RunFailed {
		return ""
	}
	if run.FailureKind != "" {
		return run.FailureKind
	}
	return string(failure.ScriptError)
}
