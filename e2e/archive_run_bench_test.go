package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"billhound/archive"
	"billhound/browser"
	"billhound/credentials"
	"billhound/netpolicy"
	"billhound/runner"
	"billhound/scripts"
	"billhound/secrets"
	"billhound/store"
)

// archiveRunSection is the Markdown of the run comparison, set by archiveRunSpeed.
var archiveRunSection string

// archiveRunSpeed times the bundled demo.js against the demo portal with an empty archive and
// with the generated one in template (a copy of it), interleaved on one warm Chromium: each
// store's first run archives the portal's invoices, the runs after it find every one known
// (the dedupe lookups are what a big archive could slow down).
func archiveRunSpeed(t *testing.T, template string, runs int) {
	t.Helper()
	addr := freeAddr(t)
	start(t, addr, nil, "demo-portal", "--addr", addr, "--password", demoPassword)
	site := "http://" + addr
	mgr := browser.New(browserOptions())
	defer mgr.Close()
	big := t.TempDir()
	if b, err := exec.Command("cp", filepath.Join(template, "billhound.db"), filepath.Join(big, "billhound.db")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, b)
	}
	emptyR, emptyP := benchRunner(t, mgr, t.TempDir(), site)
	bigR, bigP := benchRunner(t, mgr, big, site)
	timeRun := func(r *runner.Runner, id int64, wantNew bool) time.Duration {
		begin := time.Now()
		res, err := r.RunNow(context.Background(), id, "bench")
		took := time.Since(begin)
		if err != nil || res.Run.Status != store.RunSucceeded || (res.Run.NewCount > 0) != wantNew {
			t.Fatalf("demo run: %v %+v", err, res.Run)
		}
		return took
	}
	firstEmpty, firstBig := timeRun(emptyR, emptyP, true), timeRun(bigR, bigP, true)
	var empty, full []time.Duration
	for i := range runs { // alternating which goes first, so both see the machine's load alike
		if i%2 == 0 {
			empty = append(empty, timeRun(emptyR, emptyP, false))
			full = append(full, timeRun(bigR, bigP, false))
		} else {
			full = append(full, timeRun(bigR, bigP, false))
			empty = append(empty, timeRun(emptyR, emptyP, false))
		}
	}
	me, mf := median(empty), median(full)
	archiveRunSection = fmt.Sprintf("### A run with a big archive\n\nThe bundled `demo.js` against the demo portal "+
		"(sign in, list, check and download 13 invoices) by the runner on one warm Chromium, once with an empty archive "+
		"and once with the generated one, interleaved, %d runs each after a first run that archived the invoices "+
		"(empty %s s, big %s s):\n\n| archive | median s | min s | max s |\n|---|---:|---:|---:|\n"+
		"| empty | %.2f | %.2f | %.2f |\n| generated | %.2f | %.2f | %.2f |\n\nRatio of medians (generated / empty): **%.3f** (target <= 1.05).\n",
		runs, secs(firstEmpty), secs(firstBig), me.Seconds(), slices.Min(empty).Seconds(), slices.Max(empty).Seconds(),
		mf.Seconds(), slices.Min(full).Seconds(), slices.Max(full).Seconds(), mf.Seconds()/me.Seconds())
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

// benchRunner is a runner on the database in dir with the demo portal added as "Nimbus".
func benchRunner(t *testing.T, mgr *browser.Manager, dir, site string) (*runner.Runner, int64) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "billhound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, secrets.KeySize))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &runner.Runner{Store: st, Vault: &credentials.Vault{Store: st, Box: box}, Archive: &archive.Archive{Root: filepath.Join(dir, "archive")},
		Browser: mgr, Engine: scripts.NewEngine(scripts.EngineOptions{Logger: log, TempDir: filepath.Join(dir, "tmp")}),
		Artifacts: filepath.Join(dir, "runs"), Timeout: 2 * time.Minute, Logger: log, Policy: netpolicy.New()}
	src, err := os.ReadFile(filepath.Join(repoRoot, "scripts", "portals", "demo.js"))
	if err != nil {
		t.Fatal(err)
	}
	p := &store.Portal{Name: "Nimbus", Script: string(src), Username: "demo", URL: site + "/login"}
	if err := st.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	if p.PasswordSealed, err = r.Vault.SealPassword(p.ID, demoPassword); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePortal(p); err != nil {
		t.Fatal(err)
	}
	return r, p.ID
}
