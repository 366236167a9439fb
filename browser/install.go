package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/playwright-community/playwright-go"
)

// fixHint is the one sentence every missing-piece error ends with.
const fixHint = "run `make deps` or tools/install-deps.sh"

// ErrNotInstalled is wrapped by the errors CheckInstall and NewContext return when part of the
// browser stack (Playwright driver, Node, Chromium) is missing from this machine.
var ErrNotInstalled = errors.New("browser stack not installed")

// DriverVersion is the Playwright driver version the linked playwright-go speaks to.
func DriverVersion() string {
	d, err := playwright.NewDriver(&playwright.RunOptions{DriverDirectory: os.TempDir(), SkipInstallBrowsers: true, Verbose: false})
	if err != nil {
		return "unknown"
	}
	return d.Version
}

// CheckInstall reports what is missing to start Chromium through Playwright: the driver folder,
// its version, the Node binary it runs on, or Chromium. It never downloads or creates anything.
// The error lists every problem and ends with the command that fixes them.
func CheckInstall(opt Options) error {
	opt = opt.withDefaults()
	var problems []string

	want := DriverVersion()
	pkg := filepath.Join(opt.DriverDir, "package")
	switch st, err := os.Stat(opt.DriverDir); {
	case err != nil:
		problems = append(problems, fmt.Sprintf("the Playwright driver folder %s does not exist", opt.DriverDir))
	case !st.IsDir():
		problems = append(problems, fmt.Sprintf("the Playwright driver path %s is not a folder", opt.DriverDir))
	default:
		if _, err := os.Stat(filepath.Join(pkg, "cli.js")); err != nil {
			problems = append(problems, fmt.Sprintf("the Playwright driver folder %s has no package/cli.js (playwright-core %s)", opt.DriverDir, want))
		} else if got, err := packageVersion(filepath.Join(pkg, "package.json")); err != nil {
			problems = append(problems, fmt.Sprintf("cannot read the driver version from %s: %v", filepath.Join(pkg, "package.json"), err))
		} else if got != want {
			problems = append(problems, fmt.Sprintf("the Playwright driver in %s is version %s, billhound needs %s", opt.DriverDir, got, want))
		}
		node := os.Getenv("PLAYWRIGHT_NODEJS_PATH")
		if node == "" {
			node = filepath.Join(opt.DriverDir, "node")
		}
		if err := executable(node); err != nil {
			problems = append(problems, fmt.Sprintf("Node.js for the driver is missing: %s %v", node, err))
		}
	}
	// A remote browser server brings its own Chromium.
	if err := executable(opt.ChromiumPath); err != nil && opt.RemoteWS == "" {
		problems = append(problems, fmt.Sprintf("Chromium is missing: %s %v", opt.ChromiumPath, err))
	}

	switch len(problems) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%w: %s; %s", ErrNotInstalled, problems[0], fixHint)
	default:
		return fmt.Errorf("%w:\n  - %s\n%s", ErrNotInstalled, strings.Join(problems, "\n  - "), fixHint)
	}
}

func packageVersion(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", err
	}
	return p.Version, nil
}

// executable checks that path (after symlinks) is a regular file with an execute bit.
func executable(path string) error {
	st, err := os.Stat(path) // follows symlinks, so a dangling `node` link fails here
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("does not exist")
	case err != nil:
		return err
	case st.IsDir():
		return errors.New("is a folder")
	case st.Mode()&0o111 == 0:
		return errors.New("is not executable")
	}
	return nil
}
