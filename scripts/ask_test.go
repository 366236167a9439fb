package scripts

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// askHost answers questions the way a person would: after a while, or never.
type askHost struct {
	*fakeHost
	after   time.Duration // how long the "user" takes; <0 never answers
	answer  string
	mu      sync.Mutex
	asked   []Question
	queries []CodeQuery
}

func (h *askHost) Ask(ctx context.Context, q Question) (string, error) {
	h.mu.Lock()
	h.asked = append(h.asked, q)
	h.mu.Unlock()
	if h.after < 0 {
		<-ctx.Done()
		return "", ctx.Err()
	}
	select {
	case <-time.After(h.after):
		return h.answer, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (h *askHost) code(ctx context.Context, q CodeQuery) (string, error) {
	h.mu.Lock()
	h.queries = append(h.queries, q)
	h.mu.Unlock()
	text := "Your sign-in code is 482913. It expires in 10 minutes."
	if h.after < 0 {
		<-ctx.Done()
		return "", ctx.Err()
	}
	m := q.Pattern.FindStringSubmatch(text)
	if m == nil {
		return "", errors.New("no match")
	}
	return m[len(m)-1], nil
}

func (h *askHost) MailCode(ctx context.Context, q CodeQuery) (string, error) { return h.code(ctx, q) }
func (h *askHost) SMSCode(ctx context.Context, q CodeQuery) (string, error)  { return h.code(ctx, q) }

func runAsk(t *testing.T, src string, h *askHost, limit time.Duration) (time.Duration, error) {
	t.Helper()
	var took time.Duration
	_, err := runScriptHost(t, src, h, limit, &took)
	return took, err
}

// TestAskDoesNotUseTheLimit: a question answered after 2.5 s in a run limited to 1.5 s resumes
// the script with the answer; the script keeps its own limit for what follows.
func TestAskDoesNotUseTheLimit(t *testing.T) {
	h := &askHost{fakeHost: newHost(), after: 2500 * time.Millisecond, answer: "482913"}
	took, err := runAsk(t, asserts+`
const code = ask("Enter the code the bank sent by SMS");
eq(code, "482913", "answer");
log("got " + code);
eq(ask("Approve the sign-in in the app", {kind: "confirm", timeout: 5000}), true, "confirm");
`, h, 1500*time.Millisecond)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, h.logText())
	}
	if took < 5*time.Second {
		t.Errorf("took %s: the answers should have been waited for", took)
	}
	if !strings.Contains(h.logText(), "got [redacted]") {
		t.Errorf("the answer is not redacted in the log: %q", h.logText())
	}
	if len(h.asked) != 2 || h.asked[0].Kind != AskCode || h.asked[0].Timeout != DefaultAskTimeout ||
		h.asked[1].Kind != AskConfirm || h.asked[1].Timeout != 5*time.Second {
		t.Errorf("asked %+v", h.asked)
	}

	// After the wait the script still ends at its limit (1.5 s of its own work).
	h = &askHost{fakeHost: newHost(), after: 2 * time.Second, answer: "1"}
	took, err = runAsk(t, `ask("code?"); while (true) {}`, h, 1500*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || took < 3*time.Second || took > 6*time.Second {
		t.Fatalf("err = %v after %s; want the limit to stop the loop 1.5 s after the answer", err, took)
	}
}

// TestAskNobodyAnswers: no answer within opts.timeout fails with a sentence naming the wait.
func TestAskNobodyAnswers(t *testing.T) {
	h := &askHost{fakeHost: newHost(), after: -1}
	_, err := runAsk(t, `ask("Enter the code", {timeout: 2000});`, h, time.Minute)
	if err == nil || !strings.Contains(err.Error(), `ask("Enter the code"): nobody answered within 2 seconds`) {
		t.Fatalf("err = %v", err)
	}
	_, err = runAsk(t, `ask("x", {kind: "maybe"});`, h, time.Minute)
	if err == nil || !strings.Contains(err.Error(), `kind must be "code", "text", "confirm" or "takeover", not "maybe"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = runScript(t, `ask("Enter the code");`, runOpts{})
	if err == nil || !strings.Contains(err.Error(), "cannot ask anyone here") {
		t.Fatalf("a host that cannot ask: err = %v", err)
	}
}

// TestCodes: mail.code and sms.code pass their options (a RegExp crosses the sandbox) and return
// the code; a wait without a message ends with a sentence.
func TestCodes(t *testing.T) {
	h := &askHost{fakeHost: newHost()}
	_, err := runAsk(t, asserts+`
eq(mail.code({from: "bank", subject: "sign-in"}), "482913", "mail default pattern");
eq(sms.code({pattern: /code is (\d)(\d+)/i}), "82913", "sms pattern with groups");
eq(sms.code({pattern: "expires in \\d+"}), "expires in 10", "string pattern");
throws(() => mail.code({form: "x"}), 'has no field "form"');
throws(() => sms.code({pattern: /(?=x)/}), "cannot be used");
`, h, time.Minute)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, h.logText())
	}
	if q := h.queries[0]; q.From != "bank" || q.Subject != "sign-in" || q.Timeout != DefaultCodeTimeout {
		t.Errorf("mail query %+v", q)
	}
	if !h.queries[1].Pattern.MatchString("CODE IS 12") {
		t.Errorf("the i flag was lost: %s", h.queries[1].Pattern)
	}
	h = &askHost{fakeHost: newHost(), after: -1}
	_, err = runAsk(t, `mail.code({from: "bank", timeout: 1500});`, h, time.Minute)
	if err == nil || !strings.Contains(err.Error(), `mail.code(): no e-mail with a code from "bank" arrived within 2 seconds`) {
		t.Fatalf("err = %v", err)
	}
}
