package scripts

import (
	"errors"

	"github.com/dop251/goja"
)

// globalsAPI holds the global functions (totp, download, savePage, known, log, sleep). engine.go
// binds each method listed under the global scope in names.go as a global of the same JS name;
// the global values (page, credentials, since, portal, console, auto) are built in install.
type globalsAPI struct {
	s *session
}

// TOTP asks the host for a replay-safe code; the host may wait for the next time step.
func (g *globalsAPI) TOTP() (string, error) {
	c := g.s.begin("totp")
	c.noURL = true
	defer c.end()
	code, err := await(g.s, func() (string, error) { return g.s.host.TOTP(g.s.ctx) })
	if err != nil {
		return "", c.failMsg(err, err.Error())
	}
	return code, nil
}

// RecoveryCode asks the host for one of the portal's unused recovery codes.
func (g *globalsAPI) RecoveryCode() (string, error) {
	c := g.s.begin("recoveryCode")
	c.noURL = true
	defer c.end()
	rh, ok := g.s.host.(RecoveryCodeHost)
	if !ok {
		err := errors.New("recovery codes are not available here")
		return "", c.failMsg(err, err.Error())
	}
	code, err := rh.RecoveryCode()
	if err != nil {
		return "", c.failMsg(err, err.Error())
	}
	return code, nil
}

func (g *globalsAPI) Known(idV goja.Value) (bool, error) {
	id, err := argString(idV, "the invoice id")
	c := g.s.begin("known", id)
	c.noURL = true
	defer c.end()
	if err != nil {
		return false, c.failMsg(err, err.Error())
	}
	known, err := g.s.host.Known(id)
	if err != nil {
		return false, c.failMsg(err, err.Error())
	}
	return known, nil
}

func (g *globalsAPI) Sleep(msV goja.Value) error {
	d, err := argMillis(msV, "ms")
	c := g.s.begin("sleep")
	if !missing(msV) {
		c.relabel("sleep(" + msV.String() + ")")
	}
	c.noURL = true
	defer c.end()
	if err != nil {
		return c.failMsg(err, err.Error())
	}
	if err := g.s.sleep(d); err != nil {
		return c.fail(err)
	}
	return nil
}

func (g *globalsAPI) Log(args ...goja.Value) {
	g.s.logLine("info", args)
}
