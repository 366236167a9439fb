package scripts

// SessionHost is what a Host offers when it keeps the portal's browser session between runs
// (the runner does). A Host without it runs every script from scratch: session.restored is
// false and session.forget() only notes that there was nothing to forget.
type SessionHost interface {
	// SessionRestored reports whether this run's browser started from a kept session.
	SessionRestored() bool
	// ForgetSession drops the kept session now and keeps none after this run.
	ForgetSession() error
}

// sessionAPI is the JS `session` object. Restored is fixed when the run starts: forgetting the
// kept session does not change how this run began.
type sessionAPI struct {
	s        *session
	Restored bool
}

func newSessionAPI(s *session) *sessionAPI {
	sh, ok := s.host.(SessionHost)
	return &sessionAPI{s: s, Restored: ok && sh.SessionRestored()}
}

// Forget drops the kept session (cookies and local storage) so that the next run logs in from
// scratch; a script calls it when it sees that the portal is in a state it should not return to.
func (a *sessionAPI) Forget() error {
	s := a.s
	c := s.begin("session.forget")
	c.noURL = true
	defer c.end()
	sh, ok := s.host.(SessionHost)
	if !ok {
		s.host.Log("info", "session.forget(): no session is kept for this run")
		return nil
	}
	if err := sh.ForgetSession(); err != nil {
		return c.failMsg(err, err.Error())
	}
	return nil
}
