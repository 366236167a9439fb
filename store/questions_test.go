package store

import (
	"errors"
	"testing"
	"time"
)

// TestQuestions: a run's question is listed until answered; the answer is taken once; a run
// with no open question refuses answers; finishing a run closes its question.
func TestQuestions(t *testing.T) {
	s, _ := openTest(t)
	p := &Portal{Name: "Bank", Slug: "bank", Script: "x"}
	if err := s.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	run, err := s.StartRun(p.ID, "manual")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(run.ID, []byte("x")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("answer without a question: %v", err)
	}
	if err := s.SetQuestion(run.ID, "code", "Enter the SMS code", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	qs, err := s.Questions()
	if err != nil || len(qs) != 1 || qs[0].Question != "Enter the SMS code" || qs[0].QuestionKind != "code" || qs[0].QuestionUntil == nil {
		t.Fatalf("questions = %+v, %v", qs, err)
	}
	if a, err := s.TakeAnswer(run.ID); a != nil || err != nil {
		t.Fatalf("take before an answer: %q %v", a, err)
	}
	if err := s.Answer(run.ID, []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(run.ID, []byte("again")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second answer: %v", err)
	}
	if qs, _ := s.Questions(); len(qs) != 0 {
		t.Fatalf("an answered question is still listed: %+v", qs)
	}
	if a, err := s.TakeAnswer(run.ID); string(a) != "sealed" || err != nil {
		t.Fatalf("take = %q %v", a, err)
	}
	if a, _ := s.TakeAnswer(run.ID); a != nil {
		t.Fatalf("the answer was taken twice")
	}
	_ = s.SetQuestion(run.ID, "text", "Which account?", time.Now().Add(time.Minute))
	run.Status = RunFailed
	if err := s.FinishRun(run); err != nil {
		t.Fatal(err)
	}
	if qs, _ := s.Questions(); len(qs) != 0 {
		t.Fatalf("a finished run still asks: %+v", qs)
	}
}

func TestSMSInbox(t *testing.T) {
	s, _ := openTest(t)
	old := &SMSMessage{ReceivedAt: time.Now().Add(-2 * time.Hour), Sender: "Bank", TextSealed: []byte("a")}
	if err := s.AddSMS(old, time.Hour); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, txt := range []string{"b", "c"} {
		if err := s.AddSMS(&SMSMessage{ReceivedAt: time.Now(), Sender: "Bank", TextSealed: []byte(txt)}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := s.SMSSince(start.Add(-time.Second))
	if err != nil || len(ms) != 2 || string(ms[0].TextSealed) != "c" {
		t.Fatalf("since = %+v, %v", ms, err)
	}
	all, _ := s.SMSSince(time.Time{})
	if len(all) != 2 {
		t.Fatalf("the 2-hour-old text was kept: %d texts", len(all))
	}
}
