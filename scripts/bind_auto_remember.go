package scripts

import (
	"fmt"
	"time"

	"github.com/playwright-community/playwright-go"
)

// tickRemember ticks the "remember this device" checkbox the scan found. Not being able to is no
// reason to fail the login: the portal just asks again next time, which the log explains.
func (a *autoAPI) tickRemember(c *call, f scan) {
	if !f.Remember {
		return
	}
	s := a.s
	box := s.page.Locator(marked("remember")).First()
	err := await0(s, func() error {
		return box.Check(playwright.LocatorCheckOptions{Timeout: ms(s.budget(2 * time.Second))})
	})
	if err != nil && s.ctx.Err() == nil {
		// A styled checkbox whose input is hidden behind its label: click the input itself.
		_, err = await(s, func() (any, error) {
			return box.Evaluate("el => { if (!el.checked) el.click(); return el.checked; }", nil)
		})
	}
	label := f.RememberLabel
	if label == "" {
		label = "remember this device"
	}
	if err != nil {
		s.host.Log("warn", fmt.Sprintf("auto.login: could not tick %q (%s); the portal may ask for the code again next time", label, describe(err, s.budget(0))))
		return
	}
	a.note(fmt.Sprintf("ticked %q so that the portal remembers this device", label))
}
