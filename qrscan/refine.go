package qrscan

import (
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// The standard detector commits to one estimate of a code's size (from the
// finder patterns' spacing) and of its fourth corner (the alignment pattern,
// or a parallelogram guess). On a tilted, bent or low-resolution photo
// either can be off by a module or so; the sampled grid is then shifted,
// and error correction gives up. refine keeps the finder patterns but tries
// the neighbouring sizes, each first with a grid that follows the code's
// alignment patterns (warp.go), then with the fourth corner nudged around
// its estimate. Each try is a grid sample and an error-correction pass, a fraction of a
// millisecond, so a few hundred are affordable as a last resort.

const (
	maxTriples = 3 // finder-pattern triples tried per image
	// Module sizes within one code differ by perspective; beyond this ratio
	// three patterns can't belong to the same code.
	maxModuleRatio = 1.6
)

// refine returns the texts it could decode from m, or nil: first from
// triples of finder patterns found, then from pairs with the third pattern
// inferred (a damaged or covered corner, see infer.go).
func refine(m *gozxing.BitMatrix) []string {
	tris, cs := finderSearch(m)
	for _, tri := range tris {
		if text, ok := refineTriple(m, tri[0], tri[1], tri[2], false); ok {
			return []string{text}
		}
	}
	for _, tri := range inferredTriples(cs) {
		if text, ok := refineTriple(m, tri[0], tri[1], tri[2], true); ok {
			return []string{text}
		}
	}
	return nil
}

// finderTriples returns plausible (bottom-left, top-left, top-right) finder
// pattern triples, the standard detector's choice first.
func finderTriples(m *gozxing.BitMatrix) [][3]*detector.FinderPattern {
	tris, _ := finderSearch(m)
	return tris
}

// finderSearch returns finderTriples and the finder-pattern candidates they
// were chosen from, the most often seen first.
func finderSearch(m *gozxing.BitMatrix) (out [][3]*detector.FinderPattern, cs []*detector.FinderPattern) {
	ff := detector.NewFinderPatternFinder(m, nil)
	info, err := ff.Find(tryHarder)
	if err == nil {
		out = append(out, [3]*detector.FinderPattern{info.GetBottomLeft(), info.GetTopLeft(), info.GetTopRight()})
	}
	// The finder also reports candidates it didn't pick; the best-looking
	// other triples get a chance, which matters when a pattern's size was
	// misjudged (glare, blur) and the standard choice rejected it.
	cs = append([]*detector.FinderPattern(nil), ff.GetPossibleCenters()...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].GetCount() > cs[j].GetCount() })
	if len(cs) > 12 {
		cs = cs[:12]
	}
	type cand struct {
		tri  [3]*detector.FinderPattern
		skew float64
	}
	var cands []cand
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			for k := j + 1; k < len(cs); k++ {
				a, b, c := cs[i], cs[j], cs[k]
				lo := min(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize())
				hi := max(a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize(), c.GetEstimatedModuleSize())
				if hi > lo*maxModuleRatio {
					continue
				}
				bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(a, b, c)
				t := [3]*detector.FinderPattern{bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern)}
				if s := triangleSkew(t); s < 0.5 {
					cands = append(cands, cand{t, s})
				}
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].skew < cands[j].skew })
	for _, c := range cands {
		if len(out) >= maxTriples {
			break
		}
		if len(out) > 0 && out[0] == c.tri {
			continue
		}
		out = append(out, c.tri)
	}
	return out, cs
}

// triangleSkew measures how far bl-tl-tr is from an isosceles right
// triangle with the right angle at tl: 0 is perfect.
func triangleSkew(t [3]*detector.FinderPattern) float64 {
	a := gozxing.ResultPoint_Distance(t[1], t[0])
	b := gozxing.ResultPoint_Distance(t[1], t[2])
	c := gozxing.ResultPoint_Distance(t[0], t[2])
	if a == 0 || b == 0 {
		return math.Inf(1)
	}
	return math.Abs(a-b)/math.Max(a, b) + math.Abs(c*c-a*a-b*b)/(c*c)
}

// refineTriple decodes the code whose finder patterns are bl, tl, tr. quick
// leaves out the nudged fourth corners: for guessed triples, which are
// many and mostly wrong.
func refineTriple(m *gozxing.BitMatrix, bl, tl, tr *detector.FinderPattern, quick bool) (string, bool) {
	ms := (bl.GetEstimatedModuleSize() + tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize()) / 3
	if ms < 1 {
		return "", false
	}
	span := (gozxing.ResultPoint_Distance(tl, tr) + gozxing.ResultPoint_Distance(tl, bl)) / 2 / ms
	dim0 := int(math.Round(span)) + 7
	dim0 = (dim0+1)/4*4 + 1 // nearest valid size: 21, 25, 29, …
	dec := decoder.NewDecoder()
	// First the grid that follows the alignment patterns (see warpedGrid):
	// a fraction of a millisecond per size, so it gets a wider range of
	// sizes. Blurred finder patterns look thinner than they are, and on a
	// small code that overestimates the size by up to two versions.
	for _, dim := range []int{dim0, dim0 - 4, dim0 + 4, dim0 - 8, dim0 + 8} {
		if dim < 25 || dim > 177 { // version 1 has no alignment pattern
			continue
		}
		c := fourthCorners(m, bl, tl, tr, dim, ms)[0]
		d := float64(dim)
		finders := []pointPair{{3.5, 3.5, tl.GetX(), tl.GetY()}, {d - 3.5, 3.5, tr.GetX(), tr.GetY()}, {3.5, d - 3.5, bl.GetX(), bl.GetY()}}
		h0, ok := fitHomography(append(finders, pointPair{c.src, c.src, c.x, c.y}))
		if !ok {
			continue
		}
		if bits := warpedGrid(m, h0, dim, finders); bits != nil {
			if r, err := safeDecodeBits(dec, bits); err == nil {
				return r.GetText(), true
			}
		}
	}
	// Then one transform, with the fourth corner nudged around.
	for _, dim := range []int{dim0, dim0 - 4, dim0 + 4} {
		if dim < 21 || dim > 177 {
			continue
		}
		for _, c := range fourthCorners(m, bl, tl, tr, dim, ms) {
			for k, d := range nudges {
				if quick && k > 0 {
					break
				}
				x, y := c.x+d[0]*ms, c.y+d[1]*ms
				t := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
					3.5, 3.5, float64(dim)-3.5, 3.5, c.src, c.src, 3.5, float64(dim)-3.5,
					tl.GetX(), tl.GetY(), tr.GetX(), tr.GetY(), x, y, bl.GetX(), bl.GetY())
				bits, err := common.GridSampler_GetInstance().SampleGridWithTransform(m, dim, dim, t)
				if err != nil {
					continue
				}
				if r, err := safeDecodeBits(dec, bits); err == nil {
					return r.GetText(), true
				}
			}
		}
	}
	return "", false
}

// nudges are the fourth-corner offsets tried, in modules, nearest first.
// Measured on real photos, successful offsets are within a module of the
// estimate; a wider search mostly costs time.
var nudges = func() (out [][2]float64) {
	for dy := -1.0; dy <= 1; dy += 0.5 {
		for dx := -1.0; dx <= 1; dx += 0.5 {
			out = append(out, [2]float64{dx, dy})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return math.Hypot(out[i][0], out[i][1]) < math.Hypot(out[j][0], out[j][1])
	})
	return out
}()

// corner is an image point and the grid coordinate (src, src) it maps to.
type corner struct{ x, y, src float64 }

// fourthCorners guesses where the grid's fourth reference point is: the
// alignment pattern if one is found near its expected place, and the
// parallelogram completion of the finder patterns.
func fourthCorners(m *gozxing.BitMatrix, bl, tl, tr *detector.FinderPattern, dim int, ms float64) []corner {
	brx := tr.GetX() - tl.GetX() + bl.GetX()
	bry := tr.GetY() - tl.GetY() + bl.GetY()
	out := []corner{{brx, bry, float64(dim) - 3.5}}
	if dim <= 21 { // version 1 has no alignment pattern
		return out
	}
	// The bottom-right alignment pattern's centre is 3 modules in from the
	// finder-pattern centre lines.
	f := 1 - 3/float64(dim-7)
	ex := tl.GetX() + f*(brx-tl.GetX())
	ey := tl.GetY() + f*(bry-tl.GetY())
	r := int(8 * ms)
	x0, y0 := max(0, int(ex)-r), max(0, int(ey)-r)
	x1, y1 := min(m.GetWidth()-1, int(ex)+r), min(m.GetHeight()-1, int(ey)+r)
	if x1-x0 < int(3*ms) || y1-y0 < int(3*ms) {
		return out
	}
	ap, err := detector.NewAlignmentPatternFinder(m, x0, y0, x1-x0, y1-y0, ms, nil).Find()
	if err == nil {
		out = append([]corner{{ap.GetX(), ap.GetY(), float64(dim) - 6.5}}, out...)
	}
	return out
}

// safeDecodeBits decodes one sampled grid. A panic on a garbled grid (see
// step.run) only ends this try, not the whole search.
func safeDecodeBits(dec *decoder.Decoder, bits *gozxing.BitMatrix) (r *common.DecoderResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, gozxing.NewNotFoundException("decoder panic")
		}
	}()
	return dec.Decode(bits, nil)
}
