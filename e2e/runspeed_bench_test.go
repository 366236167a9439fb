package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"billhound/browser"
	"billhound/internal/benchdoc"
	"billhound/store"
)

// TestRunSpeed measures a billhound run against the same flow as a plain Playwright script
// (tools/bench/demo-flow.js) on the same Chromium, for docs/BENCHMARKS.md (`make bench`): the
// bundled demo.js against the demo portal (sign in, list, download every invoice).
func TestRunSpeed(t *testing.T) {
	out := benchdoc.Path(repoRoot)
	if out == "" {
		t.Skip("writes docs/BENCHMARKS.md: run with BILLHOUND_BENCH_OUT set (make bench)")
	}
	const n = 10
	addr := freeAddr(t)
	start(t, addr, nil, "demo-portal", "--addr", addr, "--password", demoPassword)
	site := "http://" + addr

	// Warm: one Chromium, a fresh context per flow, in one process each. The plain script's
	// flows alternate with billhound's runs, one each in turn, so both see the machine's load
	// alike; each pair's ratio is kept too.
	warm := browser.New(browserOptions())
	defer warm.Close()
	runDemo(t, warm, site) // launches Chromium
	plain := startPacedFlows(t, site)
	plain.flow(t) // the same warm-up
	var plainWarm, bhWarm, bhLaunch []time.Duration
	var pairs []float64
	for i := range n {
		var p, b time.Duration
		if i%2 == 0 {
			p, b = plain.flow(t), runDemo(t, warm, site)
		} else {
			b, p = runDemo(t, warm, site), plain.flow(t)
		}
		plainWarm, bhWarm = append(plainWarm, p), append(bhWarm, b)
		pairs = append(pairs, b.Seconds()/p.Seconds())
	}
	plain.stop(t)
	// A browser launch per run: what every run paid before Chromium was kept warm.
	for range n {
		m := browser.New(browserOptions())
		begin := time.Now()
		runDemo(t, m, site)
		bhLaunch = append(bhLaunch, time.Since(begin))
		m.Close()
	}

	// Cold: a whole `billhound run` process against a whole plain script process, alternating.
	template := t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(demoPassword), 0o600)
	if code, _, errOut := cli(t, []string{"BILLHOUND_DATA=" + template}, "portal", "add", "Nimbus", "--script", "demo.js",
		"--username", "demo", "--password-file", pwFile, "--url", site+"/login"); code != 0 {
		t.Fatalf("portal add: %s", errOut)
	}
	var bhCLI, plainCLI []time.Duration
	for i := range n {
		data := filepath.Join(t.TempDir(), fmt.Sprint(i))
		if b, err := exec.Command("cp", "-a", template, data).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, b)
		}
		begin := time.Now()
		code, stdout, errOut := cli(t, []string{"BILLHOUND_DATA=" + data}, "run", "Nimbus")
		bhCLI = append(bhCLI, time.Since(begin))
		if code != 0 || !strings.Contains(stdout, "succeeded") {
			t.Fatalf("billhound run: exit %d\n%s\n%s", code, stdout, errOut)
		}
		begin = time.Now()
		nodeFlows(t, site, 1)
		plainCLI = append(plainCLI, time.Since(begin))
	}

	report := runSpeedReport(n, plainWarm, bhWarm, bhLaunch, plainCLI, bhCLI) + pairNote(pairs) + loadNote()
	t.Log("\n" + report)
	if err := benchdoc.WriteSection(out, "run-speed", report); err != nil {
		t.Fatal(err)
	}
}

// runDemo runs the bundled demo.js once on mgr, into a fresh data dir (so every run downloads
// every invoice, as the plain script does), and returns how long the run took.
func runDemo(t *testing.T, mgr *browser.Manager, site string) time.Duration {
	t.Helper()
	r, id := benchRunner(t, mgr, t.TempDir(), site)
	begin := time.Now()
	res, err := r.RunNow(context.Background(), id, "bench")
	took := time.Since(begin)
	if err != nil || res.Run.Status != store.RunSucceeded || res.Run.NewCount == 0 {
		t.Fatalf("demo run: %v %+v", err, res)
	}
	return took
}

type nodeResult struct {
	launch time.Duration
	flows  []time.Duration
}

// nodeFlows runs tools/bench/demo-flow.js: one Chromium launch, then runs flows.
func nodeFlows(t *testing.T, site string, runs int) nodeResult {
	t.Helper()
	cmd := exec.Command(filepath.Join(driverDir(), "node"), filepath.Join(repoRoot, "tools", "bench", "demo-flow.js"),
		"--driver", driverDir(), "--chromium", "/usr/bin/chromium", "--url", site, "--user", "demo",
		"--password", demoPassword, "--out", t.TempDir(), "--runs", fmt.Sprint(runs))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("demo-flow.js: %v\n%s", err, stderr.String())
	}
	var r struct {
		LaunchMs float64
		FlowsMs  []float64
		Files    int
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Files == 0 {
		t.Fatalf("demo-flow.js said %q (%v)", b, err)
	}
	res := nodeResult{launch: ms(r.LaunchMs)}
	for _, f := range r.FlowsMs {
		res.flows = append(res.flows, ms(f))
	}
	return res
}

// pacedFlows is a plain script process that runs one flow whenever asked (demo-flow.js --paced).
type pacedFlows struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startPacedFlows(t *testing.T, site string) *pacedFlows {
	t.Helper()
	cmd := exec.Command(filepath.Join(driverDir(), "node"), filepath.Join(repoRoot, "tools", "bench", "demo-flow.js"),
		"--driver", driverDir(), "--chromium", "/usr/bin/chromium", "--url", site, "--user", "demo",
		"--password", demoPassword, "--out", t.TempDir(), "--paced", "1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("demo-flow.js: %v", err)
	}
	return &pacedFlows{cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

// flow runs one flow in the plain script and returns how long it took there.
func (p *pacedFlows) flow(t *testing.T) time.Duration {
	t.Helper()
	if _, err := io.WriteString(p.in, "flow\n"); err != nil {
		t.Fatalf("demo-flow.js: %v", err)
	}
	if !p.out.Scan() {
		t.Fatalf("demo-flow.js ended: %v", p.out.Err())
	}
	var r struct {
		FlowMs float64
		Files  int
	}
	if err := json.Unmarshal(p.out.Bytes(), &r); err != nil || r.Files == 0 {
		t.Fatalf("demo-flow.js said %q (%v)", p.out.Bytes(), err)
	}
	return ms(r.FlowMs)
}

func (p *pacedFlows) stop(t *testing.T) {
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("demo-flow.js: %v", err)
	}
}

// pairNote gives the median of the warm pairs' ratios: each billhound run against the plain
// flow next to it, which a changing load touches least.
func pairNote(pairs []float64) string {
	s := slices.Clone(pairs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return fmt.Sprintf("\nWarm runs alternate with the plain script's flows; the median of the %d pairs' ratios (billhound / plain, "+
		"each run against the flow next to it) is %.2fx.\n", len(s), m)
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runSpeedReport(n int, plainWarm, bhWarm, bhLaunch, plainCLI, bhCLI []time.Duration) string {
	var b strings.Builder
	b.WriteString("## Run speed (`TestRunSpeed`, e2e)\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs, %s. The bundled `demo.js` against the demo portal (sign in, list, download every invoice) "+
		"as a billhound run and as a plain Playwright script (`tools/bench/demo-flow.js`: the same playwright-core %s, "+
		"the same `/usr/bin/chromium` and launch arguments), %d runs each, medians. A billhound run includes its "+
		"store, sealed credentials, script sandbox process, the URL policy (per-run proxy, page guards and checks), archive and run log.\n\n",
		time.Now().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), browser.DriverVersion(), n)
	b.WriteString("| comparison | billhound | plain script / other | ratio | target |\n|---|---|---|---|---|\n")
	row := func(what string, bh, other time.Duration, target string) {
		fmt.Fprintf(&b, "| %s | %.2f s | %.2f s | %.2fx | %s |\n", what, bh.Seconds(), other.Seconds(), bh.Seconds()/other.Seconds(), target)
	}
	row("one run, warm browser (fresh context per run, one process)", median(bhWarm), median(plainWarm), "≤ 1.10x")
	row("billhound run: warm browser vs a browser launch per run", median(bhWarm), median(bhLaunch), "< 1")
	row("cold: `billhound run` process vs plain script process", median(bhCLI), median(plainCLI), "≤ 1.10x")
	b.WriteString("\nAll runs (seconds):\n\n")
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{{"billhound, warm", bhWarm}, {"plain script, warm", plainWarm}, {"billhound, launch per run", bhLaunch},
		{"`billhound run`, cold", bhCLI}, {"plain script process, cold", plainCLI}} {
		parts := make([]string, len(r.d))
		for i, d := range r.d {
			parts[i] = fmt.Sprintf("%.2f", d.Seconds())
		}
		fmt.Fprintf(&b, "- %s: %s\n", r.name, strings.Join(parts, " "))
	}
	return b.String()
}

// loadNote says how busy the machine was: on a shared machine the spread of the runs says more
// than their medians.
func loadNote() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return fmt.Sprintf("\nLoad average at the end (1, 5, 15 min): %s %s %s on %d CPUs; with a load well above the CPU count "+
		"the runs' spread is the machine's, not billhound's, and the ratios are not meaningful.\n", f[0], f[1], f[2], runtime.NumCPU())
}
