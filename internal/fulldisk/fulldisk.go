// Package fulldisk gives tests a real full disk: a folder on a tmpfs of a few megabytes, where
// writes past its size fail with ENOSPC exactly as on a full data disk.
//
// Mounting needs root. As another user the test is run again, alone, inside a user and mount
// namespace (`unshare --user --map-root-user --mount`), where it may mount a tmpfs of its own;
// the parent then reports that child's outcome.
package fulldisk

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

const childEnv = "BILLHOUND_FULLDISK_CHILD"

// Dir returns an empty folder on a filesystem of size bytes, unmounted when the test ends. When
// ok is false the test already ran in a namespace child (its result is this test's) and the
// caller must return at once.
func Dir(t *testing.T, size int) (dir string, ok bool) {
	t.Helper()
	dir = t.TempDir()
	err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("size=%d,mode=0700", size))
	if err == nil {
		t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
		return dir, true
	}
	if os.Getenv(childEnv) != "" {
		t.Fatalf("cannot mount a %d KB tmpfs even in a user namespace: %v", size>>10, err)
	}
	runInNamespace(t, err)
	return "", false
}

// runInNamespace runs this one test again as root of a user namespace and fails this test when
// that run failed (or could not start).
func runInNamespace(t *testing.T, mountErr error) {
	t.Helper()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatalf("this full-disk test mounts a small tmpfs: run it as root, or install util-linux's unshare to run it in a user namespace (mount: %v)", mountErr)
	}
	pattern := "^" + regexp.QuoteMeta(strings.Split(t.Name(), "/")[0]) + "$"
	cmd := exec.Command(unshare, "--user", "--map-root-user", "--mount", os.Args[0], "-test.run", pattern, "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the test run in a user namespace (to mount a tmpfs without root) failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the test run in a user namespace did not run %s:\n%s", t.Name(), out)
	}
	t.Logf("ran in a user namespace (not root here):\n%s", out)
}
