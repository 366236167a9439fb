package browser

import "github.com/playwright-community/playwright-go"

// CurrentBrowser exposes the running Chromium of the default mode to the external tests (to
// simulate a crash).
func (m *Manager) CurrentBrowser() playwright.Browser {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[m.opt.Mode]
	if s == nil || s.inst == nil {
		return nil
	}
	return s.inst.browser
}

// Display is the virtual display billhound started for headful Chromium, or "".
func (m *Manager) Display() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.display == nil {
		return ""
	}
	return m.display.display
}

// ProxyLikeRemote makes the contexts of m use the password-protected proxy a browser server on
// another machine gets, listening on host.
func (m *Manager) ProxyLikeRemote(host string) { m.proxyHostForTest = host }
