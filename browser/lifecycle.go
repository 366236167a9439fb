package browser

import (
	"context"
	"time"
)

// The life of a Chromium: launched on first use, counted while contexts are open, closed when
// idle, relaunched after it disconnected.

// acquire returns the running instance of mode, launching one if needed, and counts one more
// open context on it (which stops the idle timer).
func (m *Manager) acquire(ctx context.Context, mode Mode) (*slot, *instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, nil, ErrClosed
		}
		s := m.slot(mode)
		if inst := s.inst; inst != nil && inst.alive() {
			s.open++
			if s.idle != nil {
				s.idle.Stop()
				s.idle = nil
			}
			m.mu.Unlock()
			return s, inst, nil
		}
		if s.inst != nil { // crashed or disconnected: drop it, a new one is launched below
			old := s.inst
			s.inst, s.open = nil, 0
			go old.close()
		}
		if s.starting == nil {
			s.starting = make(chan struct{})
			go m.launch(s, s.starting)
		}
		starting := s.starting
		m.mu.Unlock()

		select {
		case <-starting:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		m.mu.Lock()
		err := s.startErr
		m.mu.Unlock()
		if err != nil {
			return nil, nil, err
		}
	}
}

// launch starts the driver and Chromium of s. It runs on its own goroutine so that callers can
// give up (ctx) while a slow launch finishes for the next caller.
func (m *Manager) launch(s *slot, done chan struct{}) {
	inst, err := m.start(s)
	m.mu.Lock()
	defer m.mu.Unlock()
	s.startErr = err
	s.starting = nil
	close(done)
	if err != nil {
		return
	}
	if m.closed {
		go inst.close()
		return
	}
	s.inst = inst
	s.open = 0
	// Nobody may come for it (a Prewarm, a caller that gave up): the idle timer closes it then;
	// acquire stops the timer.
	if m.opt.IdleTimeout > 0 {
		s.idle = time.AfterFunc(m.opt.IdleTimeout, func() { m.idleClose(s, inst) })
	}
}

// release counts one context of inst as closed and arms the idle timer when none is left.
func (m *Manager) release(s *slot, inst *instance) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.inst != inst || s.open == 0 {
		return
	}
	s.open--
	if s.open == 0 && m.opt.IdleTimeout > 0 && !m.closed {
		if s.idle != nil {
			s.idle.Stop()
		}
		s.idle = time.AfterFunc(m.opt.IdleTimeout, func() { m.idleClose(s, inst) })
	}
}

// idleClose closes inst if it is still the slot's instance and still unused.
func (m *Manager) idleClose(s *slot, inst *instance) {
	m.mu.Lock()
	if s.inst != inst || s.open > 0 || m.closed {
		m.mu.Unlock()
		return
	}
	s.inst, s.idle = nil, nil
	m.mu.Unlock()
	m.opt.Logger.Info("chromium closed after idle time", "mode", s.mode, "idle", m.opt.IdleTimeout)
	inst.close()
}

// disconnected forgets inst after Chromium went away, so the next NewContext relaunches.
func (m *Manager) disconnected(s *slot, inst *instance) {
	m.mu.Lock()
	if s.inst != inst {
		m.mu.Unlock()
		return // closed on purpose (idle, Close) or already replaced
	}
	s.inst, s.open = nil, 0
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
	m.mu.Unlock()
	m.opt.Logger.Warn("chromium disconnected; it is relaunched on the next run", "mode", s.mode)
	go inst.close() // stops the driver; never from inside the driver's event callback
}
