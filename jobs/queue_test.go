package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"billhound/store"
)

// TestTenPortalsRunTwoAtATime: ten portals asked for together run at most two at a time (the
// site sees at most two pages in flight), the others show as queued until their turn, and
// every run succeeds and files its invoice.
func TestTenPortalsRunTwoAtATime(t *testing.T) {
	f := newFixture(t, Options{MaxRuns: 2})
	g := &gauge{}
	site := slowSite(t, 400*time.Millisecond, g)
	var ids []int64
	for i := range 10 {
		p := f.portal(fmt.Sprintf("p%d", i), fmt.Sprintf("%s/p/%d", site.URL, i), "",
			`page.goto("./"); download("#inv", {id: "INV-1"});`)
		ids = append(ids, p.ID)
	}
	f.start()
	var runs []int64
	for _, id := range ids {
		run, err := f.queue.Enqueue(context.Background(), id, "manual")
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != store.RunQueued {
			t.Fatalf("a run just asked for is %s, want queued", run.Status)
		}
		runs = append(runs, run.ID)
	}
	// While the first ones run, the last one still waits as queued, and then runs.
	last := runs[len(runs)-1]
	sawQueued, sawRunning := false, false
	f.waitFor(3*time.Minute, "every run to end", func() bool {
		if r, err := f.store.Run(last); err == nil {
			sawQueued = sawQueued || (r.Status == store.RunQueued && g.total > 0)
			sawRunning = sawRunning || r.Status == store.RunRunning
		}
		for _, id := range runs {
			if !f.ended(id) {
				return false
			}
		}
		return true
	})
	if !sawQueued || !sawRunning {
		t.Errorf("the last run was seen queued while others ran: %v, then running: %v", sawQueued, sawRunning)
	}
	peak, total := g.stats()
	if peak > 2 {
		t.Errorf("%d pages were loading at once, want at most 2", peak)
	}
	var spans []store.Run
	for _, id := range runs {
		r, _ := f.store.Run(id)
		spans = append(spans, *r)
	}
	if n := mostAtOnce(spans); n != 2 {
		t.Errorf("%d runs were running at once, want 2 (at most 2, and ten were waiting)", n)
	}
	if total != 10 {
		t.Errorf("the site saw %d page loads, want 10 (one per portal)", total)
	}
	for _, id := range runs {
		r, _ := f.store.Run(id)
		if r.Status != store.RunSucceeded || r.NewCount != 1 {
			t.Errorf("run %d: %s %q, %d new", id, r.Status, r.Error, r.NewCount)
		}
	}
}

// mostAtOnce is the largest number of runs whose [start, finish] spans overlap.
func mostAtOnce(runs []store.Run) int {
	most := 0
	for _, a := range runs {
		n := 0
		for _, b := range runs {
			if !b.StartedAt.After(a.StartedAt) && b.FinishedAt != nil && b.FinishedAt.After(a.StartedAt) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}
