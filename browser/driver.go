package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// playwright.Run checks the driver's version by running `node cli.js --version` before it
// starts the driver: Node loads all of Playwright for it, about 0.45 s of every launch (and
// several seconds on a busy machine), on top of the real start that loads it again. CheckInstall
// has already read the version from the driver's package.json, so billhound hands playwright-go
// a thin driver folder whose cli.js answers --version at once and runs the real cli.js for every
// other command.
//
// The folder holds `node` (a link to the driver's Node) and `package/cli.js`; it lives in the
// temporary directory for the Manager's life. Node runs through the link, so a /tmp mounted
// noexec does not matter.

const shimSource = `// Written by billhound (browser/driver.go): playwright-go's start-up version check is
// answered here without loading Playwright; every other command runs the real driver.
if (process.argv[2] === '--version') {
  process.stdout.write('Version ' + %s + '\n');
} else {
  process.argv[1] = %s;
  require(%s);
}
`

// driverShim makes and removes the thin driver folder of one Manager.
type driverShim struct {
	mu  sync.Mutex
	dir string // "" until made
}

// folder returns the thin driver folder for the real driver in driverDir, making it on first
// use. version is what CheckInstall verified.
func (s *driverShim) folder(driverDir, version string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		return s.dir, nil
	}
	realDir, err := filepath.Abs(driverDir)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "billhound-driver-")
	if err != nil {
		return "", fmt.Errorf("make a folder for the Playwright driver's start-up: %w", err)
	}
	cli := filepath.Join(realDir, "package", "cli.js")
	src := fmt.Sprintf(shimSource, jsString(version), jsString(cli), jsString(cli))
	err = os.Symlink(filepath.Join(realDir, "node"), filepath.Join(dir, "node"))
	if err == nil {
		err = os.Mkdir(filepath.Join(dir, "package"), 0o700)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "package", "cli.js"), []byte(src), 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("make a folder for the Playwright driver's start-up: %w", err)
	}
	s.dir = dir
	return dir, nil
}

// remove deletes the folder; a driver started from it keeps running (Node has read cli.js).
func (s *driverShim) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// jsString is s as a JavaScript string literal (JSON's are valid JavaScript).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
