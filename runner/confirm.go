package runner

import (
	"time"

	"billhound/store"
)

// saveConfirmation marks the portal's 2FA secret as confirmed when this run took a code from it
// and went on to finish its script: the portal accepted the code, or the script could not have
// got past its login. The portal page then says which run proved the secret, and when. A run
// that failed proves nothing (its failure may be the code itself), so it leaves the mark alone.
func (h *runHost) saveConfirmation(run *store.Run) {
	h.mu.Lock()
	taken := h.codeTaken
	h.mu.Unlock()
	if !taken || h.portal == nil || (run.Status != store.RunSucceeded && run.Status != store.RunWarning) {
		return
	}
	// Bound to the secret the run used: one replaced meanwhile stays unconfirmed.
	ok, err := h.r.Store.ConfirmTOTP(h.portal.ID, run.ID, h.portal.TOTPSealed, time.Now())
	switch {
	case err != nil:
		h.r.Logger.Warn("cannot record that the 2FA secret works", "portal", h.portal.ID, "run", run.ID, "err", err)
	case ok:
		h.Log("info", "the portal accepted a code from the stored 2FA secret: the secret is confirmed")
	}
}
