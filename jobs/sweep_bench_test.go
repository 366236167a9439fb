package jobs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"billhound/browser"
	"billhound/browser/browsertest"
	"billhound/internal/benchdoc"
	"billhound/store"
)

const sweepPortals = 50

// TestRunSweep measures a sweep of 50 portals (a small download flow on a local site) through
// the queue with the default run limit, against a plain Playwright Node script on the same
// Chromium that runs the same flow 4 at a time: total time and peak memory (PSS of the process
// and all its children: Chromium, the driver, script sandboxes). For `make bench`.
func TestRunSweep(t *testing.T) {
	out := benchdoc.Path("..")
	if out == "" {
		t.Skip("set BILLHOUND_BENCH_OUT to measure a 50-portal sweep (make bench)")
	}
	g := &gauge{}
	site := slowSite(t, 0, g)

	f := newFixture(t, Options{}) // the defaults: 2 runs at once
	for i := range sweepPortals {
		f.portal(fmt.Sprintf("p%02d", i), fmt.Sprintf("%s/p/%d", site.URL, i), "",
			`page.goto("./"); download("#inv", {id: "INV-1"});`)
	}
	f.start()
	ps, _ := f.store.Portals()
	peak := sampleTreePSS(os.Getpid())
	began := time.Now()
	var runs []int64
	for _, p := range ps {
		run, err := f.queue.Enqueue(context.Background(), p.ID, "manual")
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run.ID)
	}
	f.waitFor(15*time.Minute, "the sweep to end", func() bool {
		for _, id := range runs {
			if !f.ended(id) {
				return false
			}
		}
		return true
	})
	total := time.Since(began)
	bhPeak := peak()
	ok := 0
	var spans []store.Run
	for _, id := range runs {
		r, _ := f.store.Run(id)
		spans = append(spans, *r)
		if r.Status == store.RunSucceeded && r.NewCount == 1 {
			ok++
		}
	}
	atOnce := mostAtOnce(spans)
	var busy time.Duration
	for _, r := range spans {
		busy += r.FinishedAt.Sub(r.StartedAt)
	}
	idle := time.Duration(DefaultMaxRuns)*total - busy
	if ok != sweepPortals || atOnce > DefaultMaxRuns {
		t.Errorf("%d of %d runs succeeded, %d at once", ok, sweepPortals, atOnce)
	}

	plainTime, plainPeak, plainOK, plainErr := plainSweep(t, site.URL)
	t.Logf("billhound: %s, %d ok, peak %d MiB; plain: %s, %d ok, peak %d MiB (%v)",
		total.Round(time.Millisecond), ok, bhPeak>>20, plainTime.Round(time.Millisecond), plainOK, plainPeak>>20, plainErr)

	var b strings.Builder
	fmt.Fprintf(&b, "## Run sweep (50 portals)\n\n")
	fmt.Fprintf(&b, "`go test -run TestRunSweep ./jobs/` with `BILLHOUND_BENCH_OUT` set (`make bench`), %s, %d cores. "+
		"%d portals, each a small flow on a local site (open the page, click the invoice link, archive the PDF), asked for "+
		"at once. billhound queues them (River in its SQLite file) and runs %d at a time (the default `BILLHOUND_MAX_RUNS`) "+
		"in one warm Chromium. The peer is a plain Playwright Node script on the same Chromium and driver, one browser, "+
		"4 contexts at a time. Peak memory is the PSS of the process and all its children (Chromium, the Playwright "+
		"driver, script sandboxes), sampled every 200 ms from `/proc/<pid>/smaps_rollup`.\n\n",
		time.Now().Format("2006-01-02"), runtime.NumCPU(), sweepPortals, DefaultMaxRuns)
	fmt.Fprintf(&b, "| | succeeded | total time | per portal | peak PSS | most at once |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| billhound (queue, %d at a time) | %d / %d | %.1f s | %.2f s | %d MiB | %d |\n", DefaultMaxRuns, ok, sweepPortals,
		total.Seconds(), total.Seconds()/sweepPortals, bhPeak>>20, atOnce)
	if plainErr == nil {
		fmt.Fprintf(&b, "| plain Playwright script (4 at a time) | %d / %d | %.1f s | %.2f s | %d MiB | 4 |\n\n", plainOK, sweepPortals,
			plainTime.Seconds(), plainTime.Seconds()/sweepPortals, plainPeak>>20)
		fmt.Fprintf(&b, "billhound / plain script: time **%.2fx** (target: at most 1x), peak memory %.2fx (target: under 1 GiB: %s).\n",
			total.Seconds()/plainTime.Seconds(), float64(bhPeak)/float64(plainPeak), yes(bhPeak < 1<<30))
	} else {
		fmt.Fprintf(&b, "\nThe plain script could not run here (%v); billhound's figures stand alone. Peak under 1 GiB: %s.\n",
			plainErr, yes(bhPeak < 1<<30))
	}
	fmt.Fprintf(&b, "\nThe queue itself costs little: the run slots stood idle %.1f s of %.1f s (between one run's end and the "+
		"next one's start); a run, Chromium's first launch included, took %.2f s on average.\n",
		idle.Seconds(), (time.Duration(DefaultMaxRuns) * total).Seconds(), (busy / time.Duration(len(spans))).Seconds())
	fmt.Fprintf(&b, "\nThe machine is shared with other builds and tests, so times vary from run to run; both sides ran back "+
		"to back in one test. billhound's time includes archiving each PDF (hash, atomic write, database row), the run "+
		"log and the queue; the plain script only saves the file.\n")
	if err := benchdoc.WriteSection(out, "run-sweep", b.String()); err != nil {
		t.Fatal(err)
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// plainSweepJS is the peer: the same flow in a plain Playwright script, 4 pages at a time.
const plainSweepJS = `
const { chromium } = require(process.env.PW_CORE);
(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true });
  const n = Number(process.env.N), base = process.env.BASE, dir = process.env.OUT;
  let next = 0, ok = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const ctx = await browser.newContext({ acceptDownloads: true });
      try {
        const page = await ctx.newPage();
        await page.goto(base + '/p/' + i + '/');
        const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#inv')]);
        await dl.saveAs(dir + '/' + i + '.pdf');
        ok++;
      } catch (e) { console.error(e.message); }
      await ctx.close();
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
  await browser.close();
  console.log('OK ' + ok);
})();
`

// plainSweep runs plainSweepJS with the Playwright driver's own Node and returns its total
// time, peak PSS of its process tree and how many downloads it saved.
func plainSweep(t *testing.T, base string) (time.Duration, int64, int, error) {
	opt, err := browsertest.Options()
	if err != nil {
		return 0, 0, 0, err
	}
	if opt.ChromiumPath == "" {
		opt.ChromiumPath = browser.DefaultChromiumPath
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "sweep.js")
	os.WriteFile(script, []byte(plainSweepJS), 0o600)
	cmd := exec.Command(filepath.Join(opt.DriverDir, "node"), script)
	cmd.Env = append(os.Environ(), "PW_CORE="+filepath.Join(opt.DriverDir, "package"), "CHROMIUM="+opt.ChromiumPath,
		"N="+strconv.Itoa(sweepPortals), "BASE="+base, "OUT="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	peak := sampleTreePSS(cmd.Process.Pid)
	err = cmd.Wait()
	total := time.Since(began)
	p := peak()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%v: %s", err, firstLines(stderr.String()))
	}
	ok, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stdout.String()), "OK")))
	return total, p, ok, nil
}

func firstLines(s string) string {
	if len(s) > 300 {
		s = s[:300]
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// sampleTreePSS samples the PSS of root and all its descendants every 200 ms; calling the
// returned function stops sampling and gives the peak in bytes.
func sampleTreePSS(root int) func() int64 {
	var mu sync.Mutex
	var peak int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			v := treePSS(root)
			mu.Lock()
			peak = max(peak, v)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// treePSS sums Pss over root and its descendants.
func treePSS(root int) int64 {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The fields after the command (in parentheses, which may hold spaces): state, ppid.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 {
			parent[pid], _ = strconv.Atoi(fields[1])
		}
	}
	inTree := func(pid int) bool {
		for i := 0; pid > 1 && i < 64; i++ {
			if pid == root {
				return true
			}
			pid = parent[pid]
		}
		return false
	}
	var sum int64
	for pid := range parent {
		if inTree(pid) {
			sum += pssOf(pid)
		}
	}
	return sum
}

func pssOf(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Pss:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
