// Package browsertest gives tests a browser.Manager on this machine's real Chromium. It finds the
// Playwright driver from the repository root (tests run in their package folder) and fails with
// a message saying how to install what is missing: tests that need Chromium never skip.
package browsertest

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"billhound/browser"
)

// Options returns browser.Options for tests: the driver in <repo>/.cache/playwright-driver (or
// $BILLHOUND_PLAYWRIGHT_DRIVER), headless, never idle-closed, quiet logs (BILLHOUND_TEST_VERBOSE=1 shows them). It fails when
// browser.CheckInstall does.
func Options() (browser.Options, error) {
	opt := browser.Options{
		Headless:    true,
		IdleTimeout: 0, // never: tests close the Manager themselves
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if os.Getenv("BILLHOUND_TEST_VERBOSE") != "" {
		opt.Logger = slog.Default()
	}
	if dir := os.Getenv("BILLHOUND_PLAYWRIGHT_DRIVER"); dir != "" {
		opt.DriverDir = dir
	} else {
		root, err := repoRoot()
		if err != nil {
			return opt, err
		}
		opt.DriverDir = filepath.Join(root, browser.DefaultDriverDir)
	}
	if err := browser.CheckInstall(opt); err != nil {
		return opt, fmt.Errorf("these tests drive the real Chromium, which is not ready: %w", err)
	}
	return opt, nil
}

// Manager returns a Manager built from Options. Close it when the tests end.
func Manager() (*browser.Manager, error) {
	opt, err := Options()
	if err != nil {
		return nil, err
	}
	return browser.New(opt), nil
}

// Main is a TestMain body: it builds the shared Manager, hands it to use, runs the tests and
// closes Chromium. A missing browser stack fails the package with the install hint.
func Main(run func() int, use func(*browser.Manager)) int {
	mgr, err := Manager()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	use(mgr)
	code := run()
	done := make(chan error, 1)
	go func() { done <- mgr.Close() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "closing Chromium:", err)
		}
	case <-time.After(20 * time.Second):
		fmt.Fprintln(os.Stderr, "closing Chromium took longer than 20s")
	}
	return code
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}
