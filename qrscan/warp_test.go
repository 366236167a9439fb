package qrscan

import (
	"math"
	"testing"
)

func TestFitHomography(t *testing.T) {
	want := homography{3.1, 0.4, 120, -0.3, 2.7, 80, 0.0015, -0.0008}
	var ps []pointPair
	for _, g := range [][2]float64{{3.5, 3.5}, {41.5, 3.5}, {3.5, 41.5}, {38.5, 38.5}, {22.5, 22.5}, {22.5, 6.5}} {
		x, y := want.apply(g[0], g[1])
		ps = append(ps, pointPair{g[0], g[1], x, y})
	}
	for _, n := range []int{4, len(ps)} { // exact, then least squares
		got, ok := fitHomography(ps[:n])
		if !ok {
			t.Fatalf("%d points: no fit", n)
		}
		for _, g := range [][2]float64{{0, 0}, {45, 0}, {45, 45}, {10, 30}} {
			wx, wy := want.apply(g[0], g[1])
			gx, gy := got.apply(g[0], g[1])
			if math.Hypot(wx-gx, wy-gy) > 1e-6 {
				t.Errorf("%d points: (%v) maps to (%.4f, %.4f), want (%.4f, %.4f)", n, g, gx, gy, wx, wy)
			}
		}
	}
	if _, ok := fitHomography(ps[:3]); ok {
		t.Error("three points fitted a homography")
	}
	same := []pointPair{{1, 1, 5, 5}, {1, 1, 5, 5}, {1, 1, 5, 5}, {1, 1, 5, 5}}
	if _, ok := fitHomography(same); ok {
		t.Error("coincident points fitted a homography")
	}
}
