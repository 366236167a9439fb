package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"billhound/internal/benchdoc"
)

// TestFrontDoorHoldsUnderAbuse is the small version of TestFrontDoorFigures that runs in
// `make test`.
func TestFrontDoorHoldsUnderAbuse(t *testing.T) {
	t.Parallel()
	frontDoorUnderAbuse(t, 400, 40)
}

// TestFrontDoorFigures measures the front door for docs/BENCHMARKS.md (`make bench`): 1,200
// malformed requests, then 200 concurrent wrong sign-ins from 200 addresses while the admin
// signs in from another.
func TestFrontDoorFigures(t *testing.T) {
	out := benchdoc.Path(repoRoot)
	if out == "" {
		t.Skip("writes docs/BENCHMARKS.md: run with BILLHOUND_BENCH_OUT set (make bench); TestFrontDoorHoldsUnderAbuse covers the same in make test")
	}
	bad, flood := frontDoorUnderAbuse(t, 1200, 200)
	if err := benchdoc.WriteSection(out, "frontdoor", frontDoorReport(bad, flood)); err != nil {
		t.Fatal(err)
	}
}

func frontDoorUnderAbuse(t *testing.T, malformed, attackers int) (abuseResult, loginFlood) {
	in := newInstance(t)
	in.setupAdmin()
	p := in.addPortal("Nimbus", demoPassword)
	if p.ID != 1 {
		t.Fatalf("the portal the catalogue aims at has id %d, not 1", p.ID)
	}
	pid := in.server.cmd.Process.Pid
	// Two rounds of every kind first, at the same concurrency, so "before" is the server at
	// work (its buffers and heap grown to their working size), not fresh from its start.
	sendMalformed(t, in, 2*len(malformedRequests()), 8)
	before := rssKB(t, pid, "VmRSS")
	bad := sendMalformed(t, in, malformed, 8)
	bad.rssBefore, bad.rssAfter = before, rssKB(t, pid, "VmRSS")
	t.Logf("%d malformed requests: %v; RSS %d kB -> %d kB", bad.requests, bad.byStatus, bad.rssBefore, bad.rssAfter)
	if bad.fivexx != 0 {
		t.Errorf("%d answers 5xx", bad.fivexx)
	}
	if float64(bad.rssAfter) > 1.2*float64(bad.rssBefore) {
		t.Errorf("RSS grew from %d kB to %d kB", bad.rssBefore, bad.rssAfter)
	}
	var runs []runJSON
	if code := in.call("GET", "/api/portals/1", nil, nil); code != 200 {
		t.Fatalf("the portal is gone after the malformed requests: %d", code)
	}
	if in.call("GET", "/api/runs", nil, &runs); len(runs) != 0 {
		t.Fatalf("the malformed requests started %d runs", len(runs))
	}

	flood := floodLogins(t, in, attackers)
	t.Logf("%d wrong sign-ins: %v in %v; admin %d after %v; RSS peak %d kB (VmHWM %d kB)", attackers, flood.byStatus,
		flood.floodTook, flood.adminStatus, flood.adminTook, flood.peakRSS, flood.rssHW)
	if flood.adminStatus != 200 {
		t.Errorf("the admin's sign-in during the flood: %d", flood.adminStatus)
	}
	if flood.rssHW > 500<<10 {
		t.Errorf("peak RSS %d kB, over 500 MB", flood.rssHW)
	}
	for code, n := range flood.byStatus {
		if code != 401 && code != 429 && code != 503 {
			t.Errorf("%d wrong sign-ins answered %d", n, code)
		}
	}
	return bad, flood
}

func frontDoorReport(bad abuseResult, flood loginFlood) string {
	var b strings.Builder
	b.WriteString("## Front door under abuse (`TestFrontDoorFigures`, e2e)\n\n")
	b.WriteString("The real binary on 127.0.0.1; RSS read from `/proc/<pid>/status` of the server process.\n\n")
	fmt.Fprintf(&b, "Malformed requests (bad ids, bodies over the limits, bad JSON, bad content types, control and bidi characters, wrong methods, path tricks, cross-site writes), %d kinds, 8 connections:\n\n", len(malformedRequests()))
	b.WriteString("| requests | 5xx | answers | no answer (server closed after refusing a body) | RSS before | RSS after | ratio |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %s | %d | %.1f MB | %.1f MB | %.2f |\n\n", bad.requests, bad.fivexx, statusList(bad.byStatus), bad.failed,
		mb(bad.rssBefore), mb(bad.rssAfter), float64(bad.rssAfter)/float64(bad.rssBefore))
	fmt.Fprintf(&b, "%d concurrent wrong sign-ins for the admin, one TCP connection each from 127.0.0.2 on, while the admin signs in from 127.0.0.1 (an address that signed in before):\n\n", flood.attackers)
	b.WriteString("| answers | all answered in | admin's sign-in | admin waited | peak RSS (sampled) | VmHWM |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %.1f s | %d | %.2f s | %.0f MB | %.0f MB |\n\n", statusList(flood.byStatus), flood.floodTook.Seconds(),
		flood.adminStatus, flood.adminTook.Seconds(), mb(flood.peakRSS), mb(flood.rssHW))
	b.WriteString("Wrong sign-ins are hashed two at a time (argon2id, 64 MiB each); those still queued after 20 s get a 503 " +
		"(\"try again in a few seconds\"). Without that gate all 200 would hash at once: up to 200 × 64 MiB.\n")
	return b.String()
}

func statusList(m map[int]int) string {
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", m[c], c))
	}
	return strings.Join(parts, ", ")
}

func mb(kb int64) float64 { return float64(kb) / 1024 }
