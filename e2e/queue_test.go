package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"billhound/store"
)

// TestCLIRunWaitsForASlot: with BILLHOUND_MAX_RUNS=1, a second `billhound run` while another
// one is running prints "queued, 0 ahead" and waits; once the first one is killed, the second
// starts and succeeds.
func TestCLIRunWaitsForASlot(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	slowPortal(t, data)
	quick := filepath.Join(t.TempDir(), "quick.js")
	os.WriteFile(quick, []byte("// ==Portal==\n// @name Quick\n// @url http://127.0.0.1:9/\n// ==/Portal==\nlog('quick');\n"), 0o600)
	env := []string{"BILLHOUND_DATA=" + data, "BILLHOUND_MAX_RUNS=1"}
	if code, out, errOut := cli(t, env, "portal", "add", "Quick", "--script", quick); code != 0 {
		t.Fatalf("portal add: exit %d %s %s", code, out, errOut)
	}
	runCmd := func(name string) (*exec.Cmd, *proc) {
		cmd := exec.Command(billhoundBin, "run", name)
		cmd.Env = append(append(os.Environ(), "BILLHOUND_PLAYWRIGHT_DRIVER="+driverDir()), env...)
		out := &proc{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd, out
	}
	slow, _ := runCmd("Slow")
	// Wait until the slow run holds the only slot: Quick then says it is queued.
	st, err := store.Open(filepath.Join(data, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if runs, _ := st.Runs(0, 1); len(runs) == 1 && runs[0].Status == store.RunRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow run did not start within a minute")
		}
	}
	second, out := runCmd("Quick")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.output(), "queued, 0 ahead") {
		if time.Now().After(deadline) {
			t.Fatalf("the second run does not say it is queued:\n%s", out.output())
		}
		if second.ProcessState != nil {
			t.Fatalf("the second run ended without waiting:\n%s", out.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	slow.Process.Kill()
	slow.Wait()
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.output(), "succeeded") {
			t.Fatalf("the second run: %v\n%s", err, out.output())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the second run did not start after the first ended:\n%s", out.output())
	}
}
