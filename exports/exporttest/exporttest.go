// Package exporttest starts the real receivers of exports for tests: a WebDAV server (Debian's
// rclone, `rclone serve webdav`, with a user and password) and an SMTP server (go-smtp), both
// on loopback.
package exporttest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// FreePort returns a loopback port nobody listens on (a server started later takes it).
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WebDAV is a running `rclone serve webdav` over Dir.
type WebDAV struct {
	URL, User, Pass, Dir string
	cmd                  *exec.Cmd
}

// StartWebDAV serves dir over WebDAV on port (0: a free one) with the user and password, and
// waits until it answers. It fails the test when rclone is missing.
func StartWebDAV(t testing.TB, dir string, port int, user, pass string) *WebDAV {
	t.Helper()
	bin, err := exec.LookPath("rclone")
	if err != nil {
		t.Fatal("rclone is not installed; run tools/install-deps.sh (the WebDAV export tests serve a folder with `rclone serve webdav`)")
	}
	if port == 0 {
		port = FreePort(t)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var log bytes.Buffer
	cmd := exec.Command(bin, "serve", "webdav", dir, "--addr", addr, "--user", user, "--pass", pass,
		"--config", filepath.Join(t.TempDir(), "rclone.conf"), "--dir-cache-time", "0s", "--poll-interval", "0")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start rclone: %v", err)
	}
	w := &WebDAV{URL: "http://" + addr + "/", User: user, Pass: pass, Dir: dir, cmd: cmd}
	t.Cleanup(w.Stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return w
		}
		if time.Now().After(deadline) {
			w.Stop()
			t.Fatalf("rclone serve webdav did not listen on %s within 15 s:\n%s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends the server.
func (w *WebDAV) Stop() {
	if w.cmd != nil && w.cmd.Process != nil {
		w.cmd.Process.Kill()
		w.cmd.Wait()
		w.cmd = nil
	}
}

// Mail is one mail the SMTP server received.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Mailbox is what the SMTP server received.
type Mailbox struct {
	mu    sync.Mutex
	mails []Mail
}

// All returns the mails so far.
func (mb *Mailbox) All() []Mail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]Mail(nil), mb.mails...)
}

type session struct {
	mb  *Mailbox
	cur Mail
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, s.cur)
	s.mb.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = Mail{} }
func (s *session) Logout() error { return nil }

// StartSMTP runs a plain SMTP server (no TLS, no login: billhound allows that towards
// loopback only) and returns what it receives and its port.
func StartSMTP(t testing.TB) (*Mailbox, int) {
	t.Helper()
	mb := &Mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{mb: mb}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 20 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return mb, ln.Addr().(*net.TCPAddr).Port
}

// Files lists the files under dir, relative, with their content.
func Files(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}
