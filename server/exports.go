package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/exports"
	"billhound/store"
)

// Export targets (Settings → Exports, and a portal's own) and the exports of one invoice.

func (s *Server) listExportTargets(c echo.Context) error {
	ts, err := s.deps.Store.ExportTargets()
	if err != nil {
		return err
	}
	var only int64
	if v := c.QueryParam("portal"); v != "" {
		if only, err = parseID("portal", v); err != nil {
			return err
		}
	}
	out := []exports.TargetView{}
	for i := range ts {
		if only != 0 && (ts[i].PortalID == nil || *ts[i].PortalID != only) {
			continue
		}
		out = append(out, exports.ViewOf(&ts[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createExportTarget(c echo.Context) error {
	return s.saveExportTarget(c, 0)
}

func (s *Server) updateExportTarget(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	return s.saveExportTarget(c, id)
}

func (s *Server) saveExportTarget(c echo.Context, id int64) error {
	var in exports.TargetInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("expected JSON {name, kind, portalId, enabled, path, template, to, url, username, secret, secretHeader}")
	}
	t, err := s.deps.Exports.SaveTarget(id, in)
	if err != nil {
		return exportErr(err)
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	s.deps.Logger.Info("export target saved", "id", t.ID, "kind", t.Kind)
	return c.JSON(status, exports.ViewOf(t))
}

func (s *Server) deleteExportTarget(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := s.deps.Store.DeleteExportTarget(id); err != nil {
		return exportErr(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// postExportTargetTest sends a small test file; a failure is an answer ({ok: false, error}),
// not an error of the request.
func (s *Server) postExportTargetTest(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if _, err := s.deps.Store.ExportTarget(id); err != nil {
		return exportErr(err)
	}
	where, err := s.deps.Exports.Test(c.Request().Context(), id)
	if err != nil {
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "error": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "to": where})
}

// ExportView is one export of an invoice: how its delivery to one target stands.
type ExportView struct {
	ID            int64      `json:"id"`
	TargetID      int64      `json:"targetId"`
	Target        string     `json:"target"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"` // pending, sent or failed
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"lastError,omitempty"`
	SentAt        *time.Time `json:"sentAt"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"` // a failed one is retried then; null: press Retry
	Remote        string     `json:"remote,omitempty"`
}

func (s *Server) getInvoiceExports(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if _, err := s.deps.Store.InvoiceByID(id); err != nil {
		return exportErr(err)
	}
	return s.invoiceExports(c, id)
}

func (s *Server) invoiceExports(c echo.Context, invoiceID int64) error {
	rows, err := s.deps.Store.ExportsOf(invoiceID)
	if err != nil {
		return err
	}
	out := make([]ExportView, 0, len(rows))
	for _, r := range rows {
		v := ExportView{ID: r.ID, TargetID: r.TargetID, Target: r.TargetName, Kind: r.TargetKind, Status: r.Status,
			Attempts: r.Attempts, LastError: r.LastError, SentAt: r.SentAt, NextAttemptAt: r.NextAttemptAt, Remote: r.Remote}
		if r.Status == store.ExportSent {
			v.LastError = ""
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, out)
}

// postInvoiceExportsRetry sends an invoice's exports that are not sent, now; with
// {"targetId": N} that target's again even when it was sent (an explicit re-send).
func (s *Server) postInvoiceExportsRetry(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	var body struct {
		TargetID int64 `json:"targetId"`
	}
	if c.Request().ContentLength > 0 {
		if err := c.Bind(&body); err != nil {
			return errBadRequest("expected JSON {targetId} or no body")
		}
	}
	if _, err := s.deps.Exports.Retry(c.Request().Context(), id, body.TargetID); err != nil {
		return exportErr(err)
	}
	return s.invoiceExports(c, id)
}

func exportErr(err error) error {
	var ie *exports.InputError
	switch {
	case errors.As(err, &ie):
		return errBadRequest(ie.Msg)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("no such export target or invoice; it may have been deleted")
	}
	return err
}
