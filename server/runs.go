package server

import (
	"errors"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/failure"
	"billhound/runner"
	"billhound/store"
)

type runView struct {
	ID          int64          `json:"id"`
	PortalID    int64          `json:"portalId"`
	PortalName  string         `json:"portalName"`
	Status      string         `json:"status"` // queued, running, succeeded, failed, interrupted
	Trigger     string         `json:"trigger"`
	Attempt     int            `json:"attempt"`
	QueuedAt    *time.Time     `json:"queuedAt"`
	StartedAt   time.Time      `json:"startedAt"` // while queued: when it was queued
	RetryAt     *time.Time     `json:"retryAt"`   // a failed run retried automatically: when
	FinishedAt  *time.Time     `json:"finishedAt"`
	Error       string         `json:"error"`
	NewCount    int            `json:"newCount"`
	KnownCount  int            `json:"knownCount"`
	FailedCount int            `json:"failedCount"`
	Live        bool           `json:"live"`        // the live view can show the run's page
	Takeover    bool           `json:"takeover"`    // the script waits for the user to take over
	FailureKind string         `json:"failureKind"` // "" unless failed; see docs/API.md
	Failure     *failure.Hint  `json:"failure"`     // the kind's title, hint and fix; null unless failed
	Warning     string         `json:"warning"`     // "" or "nothing_found" (status warning)
	Log         []logView      `json:"log,omitempty"`
	Artifacts   []artifactView `json:"artifacts,omitempty"`
	Question    *questionView  `json:"question"` // while the run waits for the user (status "waiting")
}

type logView struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

type artifactView struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func viewRun(r *store.Run, portalName string) runView {
	v := runView{ID: r.ID, PortalID: r.PortalID, PortalName: portalName, Status: r.Status, Trigger: r.Trigger,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Error: r.Error,
		NewCount: r.NewCount, KnownCount: r.KnownCount, FailedCount: r.FailedCount,
		FailureKind: r.FailureKind, Warning: r.Warning,
		Attempt: max(r.Attempt, 1), QueuedAt: r.QueuedAt, RetryAt: r.RetryAt}
	if r.Status == store.RunFailed {
		if v.FailureKind == "" {
			v.FailureKind = string(failure.ScriptError)
		}
		h := failure.Describe(failure.Kind(v.FailureKind))
		v.Failure = &h
	}
	if v.Question = viewQuestion(r, portalName); v.Question != nil {
		v.Status = waitingStatus
	}
	return v
}

func (s *Server) startRun(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	var run *store.Run
	if s.deps.Queue != nil {
		run, err = s.deps.Queue.Enqueue(c.Request().Context(), p.ID, "manual")
	} else {
		run, err = s.deps.Runner.Start(p.ID, "manual")
	}
	if errors.Is(err, runner.ErrAlreadyRunning) {
		return errConflict("this portal is already queued or running; wait for that run to end")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, viewRun(run, p.Name))
}

func (s *Server) listRuns(c echo.Context) error {
	portalID, err := optionalID(c, "portal")
	if err != nil {
		return err
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1000 {
			return errBadRequest("limit must be between 1 and 1000")
		}
		limit = n
	}
	runs, err := s.deps.Store.Runs(portalID, limit)
	if err != nil {
		return err
	}
	names, err := s.portalNames()
	if err != nil {
		return err
	}
	out := make([]runView, 0, len(runs))
	red := s.redactors()
	for i := range runs {
		v := viewRun(&runs[i], names[runs[i].PortalID])
		v.Live, v.Takeover = s.deps.Live.Live(v.ID), s.deps.Live.Waiting(v.ID)
		red.run(&v, nil)
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getRun(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.deps.Store.Run(id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("no run with id " + c.Param("id"))
	}
	if err != nil {
		return err
	}
	names, err := s.portalNames()
	if err != nil {
		return err
	}
	v := viewRun(r, names[r.PortalID])
	v.Live, v.Takeover = s.deps.Live.Live(r.ID), s.deps.Live.Waiting(r.ID)
	logs, err := s.deps.Store.RunLogs(r.ID)
	if err != nil {
		return err
	}
	red := s.redactors()
	red.run(&v, nil)
	v.Log = make([]logView, 0, len(logs))
	for _, l := range logs {
		v.Log = append(v.Log, logView{l.Time, l.Level, red.of(r.PortalID, nil).Apply(l.Message)})
	}
	entries, err := s.deps.Runner.ListArtifacts(r.ID)
	if err != nil {
		return err
	}
	v.Artifacts = []artifactView{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		v.Artifacts = append(v.Artifacts, artifactView{e.Name(), info.Size(), "/api/runs/" + strconv.FormatInt(r.ID, 10) + "/artifacts/" + e.Name()})
	}
	return c.JSON(http.StatusOK, v)
}

// getArtifact serves a run artifact. A page's HTML comes from the portal, so it is served
// sandboxed: it must not run scripts with billhound's origin.
func (s *Server) getArtifact(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	name := c.Param("name")
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return errBadRequest("bad artifact name")
	}
	path := filepath.Join(s.deps.Runner.ArtifactDir(id), name)
	if _, err := os.Stat(path); err != nil {
		return errNotFound("no such artifact")
	}
	ct := mime.TypeByExtension(filepath.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	h.Set(echo.HeaderContentType, ct)
	if strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/json") {
		return s.serveRedacted(c, id, path)
	}
	return c.File(path)
}

func (s *Server) portalNames() (map[int64]string, error) {
	ps, err := s.deps.Store.Portals()
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(ps))
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	return names, nil
}
