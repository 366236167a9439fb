package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"billhound/runner"
	"billhound/scripts"
	"billhound/scripts/portals"
	"billhound/store"
)

func (s *Server) listPortals(c echo.Context) error {
	ps, err := s.deps.Store.Portals()
	if err != nil {
		return err
	}
	last, err := s.deps.Store.LastRuns()
	if err != nil {
		return err
	}
	counts, err := s.deps.Store.InvoiceCounts()
	if err != nil {
		return err
	}
	out := make([]portalView, 0, len(ps))
	for i := range ps {
		var lr *store.Run
		if r, ok := last[ps[i].ID]; ok {
			lr = &r
		}
		out = append(out, s.viewPortal(&ps[i], lr, counts[ps[i].ID]))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getPortal(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	return s.respondPortal(c, http.StatusOK, p)
}

func (s *Server) respondPortal(c echo.Context, status int, p *store.Portal) error {
	runs, err := s.deps.Store.Runs(p.ID, 1)
	if err != nil {
		return err
	}
	var last *store.Run
	if len(runs) > 0 {
		last = &runs[0]
	}
	counts, err := s.deps.Store.InvoiceCounts()
	if err != nil {
		return err
	}
	return c.JSON(status, s.viewPortal(p, last, counts[p.ID]))
}

type portalBody struct {
	Name     string            `json:"name"`
	Script   string            `json:"script"`
	URL      string            `json:"url"`
	Username string            `json:"username"`
	Password *string           `json:"password"`
	Fields   map[string]string `json:"fields"` // other @fields of the script; "" keeps a stored value
	Schedule string            `json:"schedule"`
	// LoginWindow limits scheduled runs to days and hours; null or no days: at any time.
	LoginWindow *windowView `json:"loginWindow"`
	window      runner.Window
}

// check validates a portal form; the script must at least have a readable header.
func (b *portalBody) check() error {
	b.Name, b.URL, b.Username = strings.TrimSpace(b.Name), strings.TrimSpace(b.URL), strings.TrimSpace(b.Username)
	if b.Name == "" {
		return errBadRequest("give the portal a name")
	}
	if err := checkText("the name", b.Name, maxName); err != nil {
		return err
	}
	if err := checkText("the username", b.Username, maxUsername); err != nil {
		return err
	}
	if err := checkText("the portal URL", b.URL, maxURL); err != nil {
		return err
	}
	if strings.TrimSpace(b.Script) == "" {
		return errBadRequest("choose or paste a portal script")
	}
	if len(b.Script) > 512*1024 {
		return errBadRequest("the script is larger than 512 KB")
	}
	header, err := scripts.ParseHeader(b.Script)
	if err != nil {
		return errBadRequest("the script's header: " + err.Error())
	}
	if err := checkText("the script's @name", header.Name, maxName); err != nil {
		return err
	}
	asked := map[string]bool{}
	for _, f := range header.Fields {
		asked[f] = true
	}
	for name, value := range b.Fields {
		if name == "username" || name == "password" || !asked[name] {
			return errBadRequest("the script does not ask for the field \"" + name + "\" (its @fields: " + strings.Join(header.Fields, " ") + ")")
		}
		if len(value) > 1000 {
			return errBadRequest("the field \"" + name + "\" is longer than 1000 characters")
		}
	}
	if b.URL != "" && !strings.HasPrefix(b.URL, "http://") && !strings.HasPrefix(b.URL, "https://") {
		return errBadRequest("the portal URL must start with http:// or https://")
	}
	b.Schedule = strings.TrimSpace(b.Schedule)
	if _, err := runner.ParseSchedule(b.Schedule); err != nil {
		return errBadRequest(err.Error())
	}
	if lw := b.LoginWindow; lw != nil {
		w, err := runner.WindowFromParts(lw.Days, lw.From, lw.To)
		if err != nil {
			return errBadRequest(err.Error())
		}
		b.window = w
	}
	return nil
}

func (s *Server) createPortal(c echo.Context) error {
	var b portalBody
	if err := c.Bind(&b); err != nil {
		return errBadRequest("expected JSON {name, script, url, username, password}")
	}
	if err := b.check(); err != nil {
		return err
	}
	p := &store.Portal{Name: b.Name, Script: b.Script, URL: b.URL, Username: b.Username, Schedule: b.Schedule,
		LoginWindow: b.window.String()}
	if err := s.deps.Store.CreatePortal(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errConflict("a portal named \"" + b.Name + "\" already exists")
		}
		return err
	}
	// Sealed values are bound to the portal's id, known only now.
	if err := s.sealCredentials(p, b); err != nil {
		return err
	}
	if err := s.deps.Store.UpdatePortal(p); err != nil {
		return err
	}
	return s.respondPortal(c, http.StatusCreated, p)
}

func (s *Server) updatePortal(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	var b portalBody
	if err := c.Bind(&b); err != nil {
		return errBadRequest("expected JSON {name, script, url, username, password}")
	}
	if err := b.check(); err != nil {
		return err
	}
	// A session kept for another account or site must not sign the next run in.
	if p.Username != b.Username || p.URL != b.URL {
		if err := s.forgetSession(p.ID); err != nil {
			return err
		}
	}
	p.Name, p.Script, p.URL, p.Username, p.Schedule = b.Name, b.Script, b.URL, b.Username, b.Schedule
	p.LoginWindow = b.window.String()
	if err := s.sealCredentials(p, b); err != nil {
		return err
	}
	if err := s.deps.Store.UpdatePortal(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errConflict("a portal named \"" + b.Name + "\" already exists")
		}
		return err
	}
	return s.respondPortal(c, http.StatusOK, p)
}

// sealCredentials seals what the form sent: a new password, and other fields merged into the
// stored ones (an empty value keeps what is stored, like an empty password does). Fields the
// script no longer asks for are dropped.
func (s *Server) sealCredentials(p *store.Portal, b portalBody) error {
	v := s.deps.Vault
	if b.Password != nil && *b.Password != "" {
		sealed, err := v.SealPassword(p.ID, *b.Password)
		if err != nil {
			return err
		}
		p.PasswordSealed = sealed
	}
	stored, err := v.Fields(p)
	if err != nil {
		return err
	}
	header, _ := scripts.ParseHeader(p.Script) // checked by portalBody.check
	merged := map[string]string{}
	for _, name := range header.Fields {
		if value := b.Fields[name]; value != "" {
			merged[name] = value
		} else if value, ok := stored[name]; ok && name != "username" && name != "password" {
			merged[name] = value
		}
	}
	p.FieldsSealed, err = v.SealFields(p.ID, merged)
	return err
}

func (s *Server) deletePortal(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Store.DeletePortal(p.ID); err != nil {
		return err
	}
	if err := s.deps.Runner.RemoveProfile(p.ID); err != nil {
		s.deps.Logger.Warn("cannot remove a deleted portal's browser profile", "portal", p.ID, "err", err)
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteSession forgets the portal's kept browser session: its next run logs in from scratch.
func (s *Server) deleteSession(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	if err := s.forgetSession(p.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) forgetSession(portalID int64) error {
	err := s.deps.Runner.ForgetSession(portalID)
	if errors.Is(err, runner.ErrRunning) {
		return errConflict(err.Error())
	}
	return err
}

func (s *Server) listBundledScripts(c echo.Context) error {
	list, err := portals.List()
	if err != nil {
		return err
	}
	type view struct {
		File   string `json:"file"`
		Name   string `json:"name"`
		URL    string `json:"url"`
		TwoFA  string `json:"twofa"`
		Source string `json:"source"`
	}
	out := make([]view, 0, len(list))
	for _, b := range list {
		out = append(out, view{b.File, b.Header.Name, b.Header.URL, b.Header.TwoFA, b.Source})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) portalParam(c echo.Context) (*store.Portal, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	p, err := s.deps.Store.Portal(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound("no portal with id " + c.Param("id"))
	}
	return p, err
}

func idParam(c echo.Context, name string) (int64, error) {
	return parseID(name, c.Param(name))
}

// optionalID reads an optional numeric query parameter such as ?portal=3 (0 when absent).
func optionalID(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	return parseID(name, v)
}
