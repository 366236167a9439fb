package browser

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDriverShim: the thin driver folder answers playwright-go's version check at once, with
// the version CheckInstall verified, and is gone after remove.
func TestDriverShim(t *testing.T) {
	real := os.Getenv("BILLHOUND_PLAYWRIGHT_DRIVER")
	if real == "" {
		real = filepath.Join("..", DefaultDriverDir)
	}
	var s driverShim
	dir, err := s.folder(real, DriverVersion())
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	out, err := exec.Command(filepath.Join(dir, "node"), filepath.Join(dir, "package", "cli.js"), "--version").CombinedOutput()
	took := time.Since(begin)
	if err != nil || strings.TrimSpace(string(out)) != "Version "+DriverVersion() {
		t.Fatalf("--version: %q %v", out, err)
	}
	t.Logf("version check took %v", took)
	// every other command is the real driver's
	out, err = exec.Command(filepath.Join(dir, "node"), filepath.Join(dir, "package", "cli.js"), "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "run-server") {
		t.Fatalf("--help through the shim: %v\n%s", err, out)
	}
	s.remove()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the driver folder %s is still there: %v", dir, err)
	}
}
