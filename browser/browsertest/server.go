package browsertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Server is a real Playwright browser server (`cli.js run-server` of the installed driver) on
// loopback, the kind BILLHOUND_BROWSER_WS points at. It launches the system Chromium: a browser
// folder (PLAYWRIGHT_BROWSERS_PATH) links Playwright's Chromium names to it, so nothing is
// downloaded.
type Server struct {
	URL  string // ws://127.0.0.1:<port>/
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

// StartServer starts the server of the driver in Options().DriverDir with Chromium at chromium
// and env added to its environment (a display for headful browsers). Stop it with Stop.
func StartServer(chromium string, env ...string) (*Server, error) {
	opt, err := Options()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "billhound-pwserver-")
	if err != nil {
		return nil, err
	}
	if err := linkBrowsers(filepath.Join(opt.DriverDir, "package", "browsers.json"), dir, chromium); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(filepath.Join(opt.DriverDir, "node"), filepath.Join(opt.DriverDir, "package", "cli.js"),
		"run-server", "--host", "127.0.0.1", "--port", "0")
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_BROWSERS_PATH="+dir, "PLAYWRIGHT_SKIP_VALIDATE_HOST_REQUIREMENTS=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Stop ends the Chromiums it launched too
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Listening on "); ok {
				got <- strings.TrimSpace(u)
			}
		}
		close(got)
	}()
	select {
	case u, ok := <-got:
		if !ok {
			s.Stop()
			return nil, errors.New("the Playwright server stopped before it listened")
		}
		s.URL = u
		return s, nil
	case <-time.After(60 * time.Second):
		s.Stop()
		return nil, errors.New("the Playwright server did not listen within 60s")
	}
}

// Stop ends the server and every browser it started.
func (s *Server) Stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	os.RemoveAll(s.dir)
}

// linkBrowsers lays out dir the way Playwright's browser registry expects, with both of its
// Chromium builds (headful and headless shell) linked to chromium.
func linkBrowsers(browsersJSON, dir, chromium string) error {
	b, err := os.ReadFile(browsersJSON)
	if err != nil {
		return err
	}
	var reg struct {
		Browsers []struct{ Name, Revision string }
	}
	if err := json.Unmarshal(b, &reg); err != nil {
		return fmt.Errorf("%s: %w", browsersJSON, err)
	}
	exe := map[string]string{"chromium": "chrome", "chromium-headless-shell": "headless_shell"}
	for _, br := range reg.Browsers {
		name, ok := exe[br.Name]
		if !ok {
			continue
		}
		sub := filepath.Join(dir, strings.ReplaceAll(br.Name, "-", "_")+"-"+br.Revision, "chrome-linux")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := os.Symlink(chromium, filepath.Join(sub, name)); err != nil {
			return err
		}
	}
	return nil
}
