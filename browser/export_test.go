package browser

import "github.com/playwright-community/playwright-go"

// CurrentBrowser exposes the running Chromium to the external tests (to simulate a crash).
func (m *Manager) CurrentBrowser() playwright.Browser {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inst == nil {
		return nil
	}
	return m.inst.browser
}
