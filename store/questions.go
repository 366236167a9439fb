package store

import (
	"time"
)

// SetQuestion opens a question on a running run (replacing any earlier one and its answer).
func (s *Store) SetQuestion(runID int64, kind, prompt string, until time.Time) error {
	now := time.Now()
	return s.db.Model(&Run{ID: runID}).Select("question", "question_kind", "question_asked_at", "question_until", "answer_sealed").
		Updates(&Run{Question: prompt, QuestionKind: kind, QuestionAskedAt: &now, QuestionUntil: &until}).Error
}

// ClearQuestion closes a run's question and forgets its answer.
func (s *Store) ClearQuestion(runID int64) error {
	return s.db.Model(&Run{ID: runID}).Select("question", "question_kind", "question_asked_at", "question_until", "answer_sealed").
		Updates(&Run{}).Error
}

// Answer stores the sealed answer to a run's open question. It returns ErrNotFound when the run
// has no open question (it ended, timed out, or was answered already).
func (s *Store) Answer(runID int64, sealed []byte) error {
	res := s.db.Model(&Run{}).Where("id = ? AND status = ? AND question <> '' AND answer_sealed IS NULL", runID, RunRunning).
		Update("answer_sealed", sealed)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// TakeAnswer returns the sealed answer to the run's question and closes the question, or nil
// when nobody has answered yet.
func (s *Store) TakeAnswer(runID int64) ([]byte, error) {
	var r Run
	if err := s.db.Select("id", "answer_sealed").First(&r, runID).Error; err != nil {
		return nil, notFound(err)
	}
	if r.AnswerSealed == nil {
		return nil, nil
	}
	return r.AnswerSealed, s.ClearQuestion(runID)
}

// Questions lists the open questions of running runs, oldest first.
func (s *Store) Questions() ([]Run, error) {
	var rs []Run
	return rs, s.db.Where("status = ? AND question <> '' AND answer_sealed IS NULL", RunRunning).Order("id").Find(&rs).Error
}

// SMSMessage is one text the SMS inbox received (the text sealed: it holds codes).
type SMSMessage struct {
	ID         int64
	ReceivedAt time.Time
	Sender     string
	TextSealed []byte
}

// AddSMS keeps a received text and drops those older than keep.
func (s *Store) AddSMS(m *SMSMessage, keep time.Duration) error {
	if err := s.db.Where("received_at < ?", time.Now().Add(-keep)).Delete(&SMSMessage{}).Error; err != nil {
		return err
	}
	return s.db.Create(m).Error
}

// SMSSince lists the texts received at or after t, newest first.
func (s *Store) SMSSince(t time.Time) ([]SMSMessage, error) {
	var ms []SMSMessage
	return ms, s.db.Where("received_at >= ?", t).Order("id DESC").Find(&ms).Error
}

// TableName names the table as the migration does.
func (SMSMessage) TableName() string { return "sms_messages" }
