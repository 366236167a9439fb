// Package imaptest starts a real IMAP server on loopback for tests (go-imap's own server with
// its in-memory store) and delivers mail into it with APPEND, as a mail server would.
package imaptest

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Server is a running IMAP server with one user and an INBOX.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	ln       net.Listener
}

// Start starts the server (plain IMAP: loopback only) and stops it when the test ends.
func Start(t testing.TB, username, password string) *Server {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(username, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true, // plain text login on loopback, as the test's client uses TLS "none"
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return &Server{Host: "127.0.0.1", Port: addr.Port, Username: username, Password: password, ln: ln}
}

// Deliver appends a plain-text message to the INBOX, received now.
func (s *Server) Deliver(t testing.TB, from, subject, body string) {
	t.Helper()
	s.DeliverRaw(t, time.Now(), fmt.Sprintf("From: %s\r\nTo: user@example.com\r\nSubject: %s\r\nDate: %s\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, subject, time.Now().Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n")))
}

// DeliverRaw appends a raw RFC 5322 message with the given arrival time.
func (s *Server) DeliverRaw(t testing.TB, at time.Time, raw string) {
	t.Helper()
	if err := s.Append(at, raw); err != nil {
		t.Fatalf("deliver mail: %v", err)
	}
}

// Append is DeliverRaw for use outside a test's goroutine (a demo portal sending mail).
func (s *Server) Append(at time.Time, raw string) error {
	c, err := imapclient.DialInsecure(fmt.Sprintf("%s:%d", s.Host, s.Port), nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		return err
	}
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write([]byte(raw)); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err = cmd.Wait()
	return err
}
