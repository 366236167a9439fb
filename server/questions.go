package server

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

// questionView is an open question of a waiting run. The prompt is not a secret; answers are
// never shown back.
type questionView struct {
	RunID      int64      `json:"runId"`
	PortalID   int64      `json:"portalId"`
	PortalName string     `json:"portalName"`
	Kind       string     `json:"kind"` // code, text, confirm
	Prompt     string     `json:"prompt"`
	AskedAt    *time.Time `json:"askedAt"`
	Until      *time.Time `json:"until"`
}

// waitingStatus is how the API shows a running run with an open question.
const waitingStatus = "waiting"

func viewQuestion(r *store.Run, portalName string) *questionView {
	if r.Status != store.RunRunning || r.Question == "" || r.AnswerSealed != nil {
		return nil
	}
	return &questionView{RunID: r.ID, PortalID: r.PortalID, PortalName: portalName, Kind: r.QuestionKind,
		Prompt: r.Question, AskedAt: r.QuestionAskedAt, Until: r.QuestionUntil}
}

func (s *Server) listQuestions(c echo.Context) error {
	runs, err := s.deps.Store.Questions()
	if err != nil {
		return err
	}
	names, err := s.portalNames()
	if err != nil {
		return err
	}
	out := make([]*questionView, 0, len(runs))
	for i := range runs {
		if q := viewQuestion(&runs[i], names[runs[i].PortalID]); q != nil {
			out = append(out, q)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// maxAnswer bounds an answer: codes and short lines of text.
const maxAnswer = 200

func (s *Server) answerRun(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Answer *string `json:"answer"`
	}
	if err := c.Bind(&body); err != nil {
		return errBadRequest("send JSON like {\"answer\": \"123456\"}")
	}
	r, err := s.deps.Store.Run(id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("no run with id " + c.Param("id"))
	}
	if err != nil {
		return err
	}
	if viewQuestion(r, "") == nil {
		return errConflict("this run is not waiting for an answer any more (it was answered, gave up waiting, or ended)")
	}
	answer := ""
	if body.Answer != nil {
		answer = strings.TrimSpace(*body.Answer)
	}
	switch {
	case r.QuestionKind == "confirm":
		answer = "confirmed" // sealing needs a value; the script gets true
	case answer == "":
		return errBadRequest("the answer is empty; type what the portal sent you")
	case utf8.RuneCountInString(answer) > maxAnswer || strings.ContainsAny(answer, "\r\n"):
		return errBadRequest("the answer must be one line of at most 200 characters")
	}
	if r.QuestionKind == "code" {
		answer = strings.Join(strings.Fields(answer), "") // "123 456" as typed from an SMS
	}
	sealed, err := s.deps.Vault.SealAnswer(r.ID, answer)
	if err != nil {
		return err
	}
	if err := s.deps.Store.Answer(r.ID, sealed); errors.Is(err, store.ErrNotFound) {
		return errConflict("this run is not waiting for an answer any more (it was answered, gave up waiting, or ended)")
	} else if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
