// Package imaptest starts a real IMAP server on loopback for tests (go-imap's own server with
// its in-memory store) and delivers mail into it with APPEND, as a mail server would.
package imaptest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"billhound/inbox"
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
	s.DeliverRaw(t, time.Now(), inbox.PlainMessage(from, "user@example.com", subject, body, time.Now()))
}

// DeliverRaw appends a raw RFC 5322 message with the given arrival time.
func (s *Server) DeliverRaw(t testing.TB, at time.Time, raw string) {
	t.Helper()
	if err := inbox.Append(s.Addr(), s.Username, s.Password, "INBOX", at, raw); err != nil {
		t.Fatalf("deliver mail: %v", err)
	}
}

// Addr is host:port.
func (s *Server) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }
