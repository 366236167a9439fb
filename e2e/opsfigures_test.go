package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"billhound/internal/benchdoc"
)

// Targets of the operations figures.
const (
	idleTargetMB    = 40
	coldStartTarget = 30 * time.Millisecond
)

// TestOperationsFigures measures the real binary: resident memory idle after the setup and
// after five sign-ins (argon2 takes 64 MiB per hash), and the cold start (exec until the port
// accepts connections) on an existing data dir. It fails when the sign-ins' memory is kept;
// it reports the figures against the targets (into docs/BENCHMARKS.md under make bench).
func TestOperationsFigures(t *testing.T) {
	data := t.TempDir()
	in := serveData(t, data)
	in.setupAdmin()
	afterSetup := idleRSS(t, in.server)
	for i := 0; i < 5; i++ {
		in.client.Jar = nil
		if code := in.call("POST", "/api/login", map[string]string{"username": "admin", "password": "correct horse battery"}, nil); code != 200 {
			t.Fatalf("login %d: %d", i, code)
		}
	}
	afterLogins := idleRSS(t, in.server)
	t.Logf("idle RSS: %.1f MB after setup, %.1f MB after five logins", afterSetup, afterLogins)
	if afterLogins > afterSetup+32 {
		t.Errorf("five sign-ins left %.1f MB more resident: argon2's memory is kept", afterLogins-afterSetup)
	}
	in.server.cmd.Process.Signal(os.Interrupt)
	in.server.cmd.Wait()

	var starts []time.Duration
	for i := 0; i < 7; i++ {
		starts = append(starts, coldStart(t, data))
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	median := starts[len(starts)/2]
	t.Logf("cold start: median %v (min %v, max %v)", median, starts[0], starts[len(starts)-1])

	if out := benchdoc.Path(repoRoot); out != "" {
		verdict := func(ok bool) string {
			if ok {
				return "met"
			}
			return "**not met**"
		}
		body := fmt.Sprintf(`## operations

The real binary (`+"`billhound serve`"+`) on a data dir with the admin account, idle (no runs, Chromium
not started). RSS from /proc/PID/status after 3 s idle. Cold start: exec until the port
accepts connections, on an existing data dir (migrations done), median of 7.

| figure | value | target | |
|---|---|---|---|
| idle RSS after setup | %.1f MB | < %d MB | %s |
| idle RSS after five sign-ins | %.1f MB | < %d MB | %s |
| cold start (median of 7) | %.1f ms | < %d ms | %s |
| cold start (min / max) | %.1f / %.1f ms | | |

Measured %s.
`, afterSetup, idleTargetMB, verdict(afterSetup < idleTargetMB), afterLogins, idleTargetMB, verdict(afterLogins < idleTargetMB),
			millis(median), coldStartTarget.Milliseconds(), verdict(median < coldStartTarget), millis(starts[0]), millis(starts[len(starts)-1]),
			time.Now().Format("2006-01-02"))
		if err := benchdoc.WriteSection(out, "operations", body); err != nil {
			t.Fatal(err)
		}
	}
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// idleRSS waits for the process to settle and returns its resident memory in MB.
func idleRSS(t *testing.T, p *proc) float64 {
	time.Sleep(3 * time.Second)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// coldStart starts a server and returns how long it took until it accepted a connection.
func coldStart(t *testing.T, data string) time.Duration {
	addr := freeAddr(t)
	cmd := exec.Command(billhoundBin, "serve", "--addr", addr, "--data", data)
	cmd.Env = append(os.Environ(), "BILLHOUND_PLAYWRIGHT_DRIVER="+driverDir(), "BILLHOUND_LOG_LEVEL=warn")
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	for time.Since(begin) < 20*time.Second {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return time.Since(begin)
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no server on %s after 20 s", addr)
	return 0
}
