package inbox_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"billhound/inbox"
	"billhound/inbox/imaptest"
)

var sixDigits = regexp.MustCompile(`\b(\d{4,8})\b`)

func testMailbox(s *imaptest.Server) inbox.Mailbox {
	return inbox.Mailbox{Host: s.Host, Port: s.Port, TLS: "none", Username: s.Username, Password: s.Password}
}

// TestMailCode: against a real IMAP server, the reader waits for mail that arrives after the
// run started, skips older mail and mail from others, and takes the newest match.
func TestMailCode(t *testing.T) {
	inbox.PollInterval = 200 * time.Millisecond
	srv := imaptest.Start(t, "me@example.com", "mail-pw")
	srv.DeliverRaw(t, time.Now().Add(-time.Hour), "From: Bank <no-reply@bank.example>\r\nSubject: Your code\r\n\r\nOld code 111111\r\n")
	start := time.Now()
	srv.Deliver(t, "Shop <shop@other.example>", "Your code", "Code 222222")
	go func() {
		time.Sleep(700 * time.Millisecond)
		srv.Deliver(t, "Bank <no-reply@bank.example>", "Sign-in code", "Hello,\nyour code is 333333.\nDate 2024")
		srv.DeliverRaw(t, time.Now(), "From: Bank <no-reply@bank.example>\r\nSubject: Sign-in code\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{color:red}</style></head><body><p>Code: <b>444444</b></p></body></html>\r\n")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, err := testMailbox(srv).WaitForCode(ctx, inbox.MailQuery{From: "bank.example", Subject: "sign-in", Pattern: sixDigits, Since: start})
	if err != nil {
		t.Fatal(err)
	}
	if code != "444444" && code != "333333" {
		t.Fatalf("code = %q", code)
	}
	// Both have arrived now: the newest wins.
	code, err = testMailbox(srv).WaitForCode(ctx, inbox.MailQuery{From: "BANK", Pattern: sixDigits, Since: start})
	if err != nil || code != "444444" {
		t.Fatalf("newest: code = %q, %v", code, err)
	}
}

func TestMailCodeBadPaths(t *testing.T) {
	inbox.PollInterval = 200 * time.Millisecond
	srv := imaptest.Start(t, "me@example.com", "mail-pw")
	mb := testMailbox(srv)
	mb.Password = "wrong"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := mb.WaitForCode(ctx, inbox.MailQuery{Pattern: sixDigits, Since: time.Now()})
	if !errors.Is(err, inbox.ErrPasswordRefused) || !strings.Contains(err.Error(), "the mailbox refused the password") {
		t.Fatalf("wrong password: %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = testMailbox(srv).WaitForCode(short, inbox.MailQuery{Pattern: sixDigits, Since: time.Now()})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Fatalf("no mail: %v after %s", err, time.Since(start))
	}
	mb = testMailbox(srv)
	mb.Port = 1 // nothing listens there
	if _, err := mb.WaitForCode(ctx, inbox.MailQuery{Pattern: sixDigits}); err == nil || !strings.Contains(err.Error(), "cannot reach the mailbox") {
		t.Fatalf("unreachable: %v", err)
	}
}
