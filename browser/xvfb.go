package browser

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// XvfbPath is the virtual X server headful mode starts when there is no display.
const XvfbPath = "/usr/bin/Xvfb"

// xvfb is billhound's own virtual display for headful Chromium on a machine without one. The
// display is private: Xvfb takes connections only from the local socket and only with the
// random cookie in its authority file, which only billhound's user can read (a portal's pages,
// shown on it, hold the user's invoices).
type xvfb struct {
	cmd     *exec.Cmd
	dir     string // holds the authority file
	display string // ":99"
	exited  chan struct{}
}

// hasDisplay reports whether this process already has a display to show Chromium on.
func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// startXvfb starts Xvfb on a free display number (Xvfb picks it: -displayfd) and waits until
// it takes connections.
func startXvfb() (*xvfb, error) {
	if err := executable(XvfbPath); err != nil {
		return nil, fmt.Errorf("%w: headful mode needs a display and there is none ($DISPLAY is unset), and the virtual display Xvfb is missing: %s %v; %s",
			ErrNotInstalled, XvfbPath, err, fixHint)
	}
	dir, err := os.MkdirTemp("", "billhound-display-")
	if err != nil {
		return nil, fmt.Errorf("make a folder for the virtual display: %w", err)
	}
	auth := filepath.Join(dir, "Xauthority")
	if err := writeXauthority(auth); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("write the virtual display's authority file: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(XvfbPath, "-displayfd", "3", "-screen", "0", "1920x1080x24",
		"-nolisten", "tcp", "-auth", auth, "-nocursor")
	cmd.ExtraFiles = []*os.File{w}
	// Its own process group: a Ctrl-C meant for billhound must not take the display away
	// before the runs on it have ended; Close stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start the virtual display %s: %w", XvfbPath, err)
	}
	w.Close()
	x := &xvfb{cmd: cmd, dir: dir, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(x.exited) }()

	// Xvfb writes the display number once it listens; EOF first means it gave up.
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			x.stop()
			return nil, errors.New("the virtual display Xvfb stopped before it was ready; run billhound with --log-level debug and check that Xvfb starts by hand")
		}
		x.display = ":" + n
		return x, nil
	case <-time.After(30 * time.Second):
		x.stop()
		return nil, errors.New("the virtual display Xvfb did not start within 30s")
	}
}

// authFile is the authority file Chromium needs (XAUTHORITY) to use the display.
func (x *xvfb) authFile() string { return filepath.Join(x.dir, "Xauthority") }

// alive reports whether Xvfb is still running.
func (x *xvfb) alive() bool {
	select {
	case <-x.exited:
		return false
	default:
		return true
	}
}

// stop ends Xvfb and removes its authority file.
func (x *xvfb) stop() {
	if x.alive() {
		_ = x.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-x.exited:
		case <-time.After(5 * time.Second):
			_ = x.cmd.Process.Kill()
			<-x.exited
		}
	}
	os.RemoveAll(x.dir)
}

// writeXauthority writes one MIT-MAGIC-COOKIE-1 entry with a random cookie that matches every
// display (family FamilyWild), in the Xauthority file format: family, then address, display
// number, auth name and data, each a big-endian 16-bit length and its bytes.
func writeXauthority(path string) error {
	cookie := make([]byte, 16)
	if _, err := rand.Read(cookie); err != nil {
		return err
	}
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 0xFFFF) // FamilyWild
	for _, field := range [][]byte{nil, nil, []byte("MIT-MAGIC-COOKIE-1"), cookie} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(field)))
		b = append(b, field...)
	}
	return os.WriteFile(path, b, 0o600)
}

// VirtualDisplay starts a private virtual display as headful mode does, for a program billhound
// does not launch itself (a Playwright server in tests). env is what that program needs in its
// environment (DISPLAY, XAUTHORITY); stop ends the display.
func VirtualDisplay() (env []string, stop func(), err error) {
	x, err := startXvfb()
	if err != nil {
		return nil, nil, err
	}
	return []string{"DISPLAY=" + x.display, "XAUTHORITY=" + x.authFile()}, x.stop, nil
}
