package qrscan

import (
	"math"

	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// A code with one finder pattern covered (a sticker, a thumb, a scratch,
// glare) has no triple to find, though its data may be intact: error
// correction covers a lost corner, and the format information is stored
// twice. Two finder patterns of the same size fix the third: the three
// centres form an isosceles right triangle, so either the pair is one side
// (the third lies a right angle away from one of them) or the hypotenuse
// (the third lies half a side off its middle). Each guess goes through the
// refining decoder, whose alignment-pattern fit corrects a guess that
// perspective put a little off.

const (
	// maxPairCandidates bounds the candidates paired: each pair costs six
	// guesses, each a few grid samples.
	maxPairCandidates = 6
	// Two patterns of one code have about the same module size.
	maxPairModuleRatio = 1.4
)

// inferredTriples returns (bottom-left, top-left, top-right) guesses from
// pairs of the candidates cs (the most often seen first).
func inferredTriples(cs []*detector.FinderPattern) (out [][3]*detector.FinderPattern) {
	cs = cs[:min(len(cs), maxPairCandidates)]
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			a, b := cs[i], cs[j]
			ma, mb := a.GetEstimatedModuleSize(), b.GetEstimatedModuleSize()
			if max(ma, mb) > min(ma, mb)*maxPairModuleRatio {
				continue
			}
			ms := (ma + mb) / 2
			// Centres of one code are 14 (version 1) to 170 modules apart,
			// up to √2 times that across.
			n := math.Hypot(b.GetX()-a.GetX(), b.GetY()-a.GetY()) / ms
			if n < 11 || n > 240 {
				continue
			}
			out = append(out, guesses(a, b, ms)...)
		}
	}
	return out
}

// guesses are the six triples pair a, b can belong to: a side either way
// round, as top edge or left edge, or the diagonal either way round. The
// code is taken to be unmirrored: in image coordinates (y down) the left
// edge runs from the top edge's direction turned a right angle clockwise.
func guesses(a, b *detector.FinderPattern, ms float64) [][3]*detector.FinderPattern {
	fp := func(x, y float64) *detector.FinderPattern { return detector.NewFinderPattern1(x, y, ms) }
	var out [][3]*detector.FinderPattern
	for _, p := range [2][2]*detector.FinderPattern{{a, b}, {b, a}} {
		tl, o := p[0], p[1]
		dx, dy := o.GetX()-tl.GetX(), o.GetY()-tl.GetY()
		// o is the top-right pattern: bottom-left is the edge turned clockwise.
		out = append(out, [3]*detector.FinderPattern{fp(tl.GetX()-dy, tl.GetY()+dx), tl, o})
		// o is the bottom-left pattern: top-right is the edge turned back.
		out = append(out, [3]*detector.FinderPattern{o, tl, fp(tl.GetX()+dy, tl.GetY()-dx)})
		// p[0] top-right, p[1] bottom-left: top-left is off the middle.
		ex, ey := tl.GetX()-o.GetX(), tl.GetY()-o.GetY() // bottom-left → top-right
		mx, my := (tl.GetX()+o.GetX())/2, (tl.GetY()+o.GetY())/2
		out = append(out, [3]*detector.FinderPattern{o, fp(mx+ey/2, my-ex/2), tl})
	}
	return out
}
