package qrscan

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// A single perspective transform, which is all the standard detector fits,
// assumes the code is flat. Paper on a wall or a bent leaflet is not, and
// on a code of version 2 or more, photographed small, the grid then drifts
// by half a module somewhere inside and error correction gives up even
// though the finder patterns were found. Codes carry alignment patterns
// for this: warpedGrid locates each one near where the fit so far predicts
// it, refits, and samples every region of the code by the transform of the
// alignment patterns (or finder-pattern-based estimates) around it, as zbar
// and zxing-cpp do.

// homography maps grid coordinates (modules, centre of module k at k+0.5)
// to image coordinates: (x, y) ↦ ((h0x+h1y+h2)/w, (h3x+h4y+h5)/w) with
// w = h6x+h7y+1.
type homography [8]float64

func (h *homography) apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + 1
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// pointPair is a grid point and where it is in the image.
type pointPair struct{ gx, gy, ix, iy float64 }

// fitHomography returns the least-squares homography through at least four
// point pairs, or false if they are degenerate.
func fitHomography(ps []pointPair) (homography, bool) {
	var h homography
	if len(ps) < 4 {
		return h, false
	}
	// Normalise both sides (centre, unit spread) for a well-conditioned
	// system, then undo the normalisation.
	var gcx, gcy, icx, icy float64
	for _, p := range ps {
		gcx += p.gx
		gcy += p.gy
		icx += p.ix
		icy += p.iy
	}
	n := float64(len(ps))
	gcx, gcy, icx, icy = gcx/n, gcy/n, icx/n, icy/n
	var gs, is float64
	for _, p := range ps {
		gs += math.Hypot(p.gx-gcx, p.gy-gcy)
		is += math.Hypot(p.ix-icx, p.iy-icy)
	}
	if gs == 0 || is == 0 {
		return h, false
	}
	gs, is = n/gs, n/is
	var a [8][9]float64 // normal equations, augmented
	for _, p := range ps {
		x, y := (p.gx-gcx)*gs, (p.gy-gcy)*gs
		u, v := (p.ix-icx)*is, (p.iy-icy)*is
		rows := [2][9]float64{
			{x, y, 1, 0, 0, 0, -u * x, -u * y, u},
			{0, 0, 0, x, y, 1, -v * x, -v * y, v},
		}
		for _, r := range rows {
			for i := 0; i < 8; i++ {
				for j := 0; j < 9; j++ {
					a[i][j] += r[i] * r[j]
				}
			}
		}
	}
	var s [8]float64
	if !solve8(&a, &s) {
		return h, false
	}
	// Compose: image = Tᵢ⁻¹ · S · T_g, with T_g(x) = (x-gc)·gs and
	// Tᵢ⁻¹(u) = u/is + ic. Written out as a 3×3 matrix product.
	S := [3][3]float64{{s[0], s[1], s[2]}, {s[3], s[4], s[5]}, {s[6], s[7], 1}}
	Tg := [3][3]float64{{gs, 0, -gcx * gs}, {0, gs, -gcy * gs}, {0, 0, 1}}
	Ti := [3][3]float64{{1 / is, 0, icx}, {0, 1 / is, icy}, {0, 0, 1}}
	M := mul3(Ti, mul3(S, Tg))
	if M[2][2] == 0 {
		return h, false
	}
	k := 1 / M[2][2]
	h = homography{M[0][0] * k, M[0][1] * k, M[0][2] * k, M[1][0] * k, M[1][1] * k, M[1][2] * k, M[2][0] * k, M[2][1] * k}
	return h, true
}

func mul3(a, b [3][3]float64) (c [3][3]float64) {
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

// solve8 solves the augmented 8×8 system by Gaussian elimination with
// partial pivoting.
func solve8(a *[8][9]float64, x *[8]float64) bool {
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return false
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < 8; r++ {
			f := a[r][c] / a[c][c]
			for j := c; j < 9; j++ {
				a[r][j] -= f * a[c][j]
			}
		}
	}
	for c := 7; c >= 0; c-- {
		v := a[c][8]
		for j := c + 1; j < 8; j++ {
			v -= a[c][j] * x[j]
		}
		x[c] = v / a[c][c]
	}
	return true
}

// alignmentDark reports whether module (dx, dy) from the centre of an
// alignment pattern is dark: the centre and the ring at distance 2.
func alignmentDark(dx, dy int) bool {
	r := max(abs(dx), abs(dy))
	return r != 1
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// blackAt reads m at an image point, white outside.
func blackAt(m *gozxing.BitMatrix, x, y float64) bool {
	ix, iy := int(math.Floor(x)), int(math.Floor(y))
	if ix < 0 || iy < 0 || ix >= m.GetWidth() || iy >= m.GetHeight() {
		return false
	}
	return m.Get(ix, iy)
}

// locateAlignment searches around the alignment pattern centred on grid
// module (cx, cy), as h predicts it, for the offset (in modules, up to
// radius, in quarter-module steps) where the sampled 5×5 pattern matches
// best, and returns its image position (the mean of equally good
// offsets). At least minAlignMatch of the 25 modules must match.
func locateAlignment(m *gozxing.BitMatrix, h *homography, cx, cy int, radius float64) (float64, float64, bool) {
	const step = 0.25
	bestScore, sx, sy, cnt := -1, 0.0, 0.0, 0
	gx0, gy0 := float64(cx)+0.5, float64(cy)+0.5
	for oy := -radius; oy <= radius; oy += step {
		for ox := -radius; ox <= radius; ox += step {
			score := 0
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					x, y := h.apply(gx0+ox+float64(dx), gy0+oy+float64(dy))
					if blackAt(m, x, y) == alignmentDark(dx, dy) {
						score++
					}
				}
			}
			switch {
			case score > bestScore:
				bestScore, sx, sy, cnt = score, ox, oy, 1
			case score == bestScore:
				sx, sy, cnt = sx+ox, sy+oy, cnt+1
			}
		}
	}
	if bestScore < minAlignMatch {
		return 0, 0, false
	}
	x, y := h.apply(gx0+sx/float64(cnt), gy0+sy/float64(cnt))
	return x, y, true
}

// minAlignMatch tolerates two misread modules of a blurred pattern; with
// fewer matches, random data would pass for a pattern too often.
const minAlignMatch = 23

// warpedGrid samples a dim×dim code from the binarized image m, following
// its alignment patterns. finders pairs the three finder-pattern centres
// with their grid points; h0 is the single-transform estimate the search
// starts from. It returns nil if the code has no alignment pattern
// (version 1) or none is found.
func warpedGrid(m *gozxing.BitMatrix, h0 homography, dim int, finders []pointPair) *gozxing.BitMatrix {
	ver, err := decoder.Version_GetProvisionalVersionForDimension(dim)
	if err != nil {
		return nil
	}
	cs := ver.GetAlignmentPatternCenters()
	if len(cs) == 0 {
		return nil
	}
	// Alignment patterns in order of distance from the top-left finder
	// pattern: each is predicted from those found nearer, where the fit is
	// already good.
	type apos struct{ i, j int }
	var order []apos
	for s := 0; s <= 2*(len(cs)-1); s++ {
		for i := 0; i < len(cs); i++ {
			j := s - i
			if j < 0 || j >= len(cs) {
				continue
			}
			if isFinderCorner(i, j, len(cs)) {
				continue
			}
			order = append(order, apos{i, j})
		}
	}
	found := map[apos][2]float64{}
	pairs := append([]pointPair(nil), finders...)
	h := h0
	misses := 0
	for _, a := range order {
		x, y, ok := locateAlignment(m, &h, cs[a.i], cs[a.j], 2)
		if !ok {
			// The patterns nearest the finder patterns are predicted
			// best; if they aren't there, the size or the finder patterns
			// are wrong, and searching further (up to 46 patterns on a
			// large version) only costs time.
			if misses++; misses > len(found)+1 {
				return nil
			}
			continue
		}
		found[a] = [2]float64{x, y}
		pairs = append(pairs, pointPair{float64(cs[a.i]) + 0.5, float64(cs[a.j]) + 0.5, x, y})
		if len(pairs) >= 4 {
			if hh, ok := fitHomography(pairs); ok {
				h = hh
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	// The lattice of alignment-pattern centres; where there is none (the
	// finder-pattern corners) or it wasn't found, the global fit's estimate.
	n := len(cs)
	pt := func(i, j int) (float64, float64) {
		if p, ok := found[apos{i, j}]; ok {
			return p[0], p[1]
		}
		return h.apply(float64(cs[i])+0.5, float64(cs[j])+0.5)
	}
	cells := make([]homography, (n-1)*(n-1))
	for j := 0; j+1 < n; j++ {
		for i := 0; i+1 < n; i++ {
			var ps []pointPair
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {1, 1}, {0, 1}} {
				x, y := pt(i+d[0], j+d[1])
				ps = append(ps, pointPair{float64(cs[i+d[0]]) + 0.5, float64(cs[j+d[1]]) + 0.5, x, y})
			}
			hh, ok := fitHomography(ps)
			if !ok {
				hh = h
			}
			cells[j*(n-1)+i] = hh
		}
	}
	cell := func(v int) int {
		for k := 1; k < n-1; k++ {
			if v < cs[k] {
				return k - 1
			}
		}
		return n - 2
	}
	bits, err := gozxing.NewSquareBitMatrix(dim)
	if err != nil {
		return nil
	}
	for y := 0; y < dim; y++ {
		cj := cell(y)
		for x := 0; x < dim; x++ {
			c := &cells[cj*(n-1)+cell(x)]
			ix, iy := c.apply(float64(x)+0.5, float64(y)+0.5)
			if blackAt(m, ix, iy) {
				bits.Set(x, y)
			}
		}
	}
	return bits
}

// isFinderCorner reports whether alignment-pattern lattice position (i, j)
// of an n×n lattice falls on a finder pattern, where there is none.
func isFinderCorner(i, j, n int) bool {
	return (i == 0 && j == 0) || (i == n-1 && j == 0) || (i == 0 && j == n-1)
}
