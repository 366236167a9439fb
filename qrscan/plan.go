package qrscan

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

const (
	// workingSide is the long side photos are reduced to first. A QR code
	// in a phone photo is rarely under a fifth of the frame, so 1600 px
	// still gives it several pixels per module, and the detector handles
	// an eighth of a 12-megapixel photo's pixels.
	workingSide = 1600
	// Images up to these long sides are also tried enlarged 2× and 3×:
	// small codes with one- or two-pixel modules give the detector too few
	// pixels per module, and interpolation gives it smooth edges to
	// threshold.
	grow2Side = 800
	grow3Side = 540
	// otherSide is one more scale tried for large photos: noise and moiré
	// that break the binarizer at 1600 px average out at 800.
	otherSide = 800
	// Above maxFinerPixels, the finer view is reduced to finerSide.
	maxFinerPixels = 6_000_000
	finerSide      = 2400
)

// step is one way of looking at the image: a raster, how to threshold it,
// and which detector to run.
type step struct {
	view   *lazyLuma
	global bool // global-histogram thresholding instead of the local one
	deep   bool // the slow second-chance detector (refine) instead of the readers
}

// lazyLuma computes a derived raster only if a step gets that far. make
// may return nil: the view doesn't apply to this image.
type lazyLuma struct {
	make func() *luma
	l    *luma
	bmp  [2]*gozxing.BinaryBitmap // by thresholding; caches the bit matrix
}

func lazy(f func() *luma) *lazyLuma { return &lazyLuma{make: f} }

func (v *lazyLuma) get() *luma {
	if v.make != nil {
		v.l, v.make = v.make(), nil
	}
	return v.l
}

func (v *lazyLuma) bitmap(global bool) *gozxing.BinaryBitmap {
	i := 0
	if global {
		i = 1
	}
	if v.bmp[i] == nil {
		if v.get() == nil {
			return nil
		}
		src := newLumaSource(v.get())
		var b gozxing.Binarizer
		if global {
			b = gozxing.NewGlobalHistgramBinarizer(src)
		} else {
			b = gozxing.NewHybridBinarizer(src)
		}
		v.bmp[i], _ = gozxing.NewBinaryBitmap(b)
	}
	return v.bmp[i]
}

// plan lists the steps for an image, cheapest and most often successful
// first; scanning stops at the first step that finds anything. The order
// was chosen by measuring on real photos (see TestDecodeRate).
func plan(p picture, dark func() *luma) []step {
	l := p.full
	base := lazy(func() *luma { return l().scaledTo(workingSide) })
	long := max(p.w, p.h)
	f := factor(long, workingSide)
	ff := float64(f) // full-resolution pixels per base pixel
	if p.pre != nil {
		base = lazy(func() *luma { return p.pre })
		ff = float64(p.w) / float64(p.pre.w)
	}
	side := min(long, workingSide)
	var steps []step
	add := func(v *lazyLuma, global, deep bool) { steps = append(steps, step{v, global, deep}) }

	var up2, up3, zoom *lazyLuma
	var deepWins []*lazyLuma
	if side <= grow2Side {
		up2 = lazy(func() *luma { return base.get().grow(2) })
	}
	if side <= grow3Side {
		up3 = lazy(func() *luma { return base.get().grow(3) })
	}

	add(base, false, false)
	if up2 != nil {
		add(up2, false, false)
		add(up2, true, false)
	}
	add(base, true, false)
	// Light-on-dark codes: dark-mode screenshots, inverted prints.
	add(lazy(func() *luma { return base.get().inverted() }), false, false)
	if up2 != nil {
		add(lazy(func() *luma { return up2.get().inverted() }), false, false)
	}
	if dark != nil {
		// Light modules on a transparent background vanish on white; on
		// black they show, and inverted they are an ordinary code.
		add(lazy(func() *luma { return dark().scaledTo(workingSide).inverted() }), false, false)
	}
	if f > 1 {
		// Dense codes small in the frame (an export with many accounts,
		// photographed from afar) lose their modules when reduced. Try
		// full-resolution crops around each finder-pattern triple seen
		// reduced (the standard detector's choice, then the next
		// best-looking ones), then the whole image finer: at full
		// resolution up to 6 megapixels, reduced to 2400 px beyond (the
		// detector takes seconds on 12).
		found := searched(base)
		zoom = lazy(func() *luma { return zoomed(p, found().tris, 0, ff) })
		add(zoom, false, false)
		for i := 1; i < maxTriples; i++ {
			add(lazy(func() *luma { return zoomed(p, found().tris, i, ff) }), false, false)
		}
		finer := 1
		if p.w*p.h > maxFinerPixels {
			finer = factor(long, finerSide)
		}
		var fine *lazyLuma
		if finer < f {
			fine = lazy(func() *luma { return p.shrunk(finer) })
			add(fine, false, false)
		}
		if factor(long, otherSide) > f {
			add(lazy(func() *luma {
				if p.pre != nil {
					return p.pre.scaledTo(otherSide)
				}
				return l().scaledTo(otherSide)
			}), false, false)
		}
		// A code so small that no triple shows reduced may still show a
		// finder pattern or two, reduced or finer: a window around each, at
		// full resolution.
		wins := memo(func() []*luma {
			w := windows(p, found().cs, ff, nil)
			if fine != nil && len(w) < maxWindows {
				w = windows(p, searched(fine)().cs, float64(finer), w)
			}
			return w
		})
		for i := range maxWindows {
			win := lazy(func() *luma {
				if w := wins(); i < len(w) {
					return w[i]
				}
				return nil
			})
			add(win, false, false)
			deepWins = append(deepWins, win)
		}
	}
	// Modules wider than tall (see aniso.go): resampled square.
	sq := lazy(func() *luma {
		if a, r := anisotropy(base.get()); r >= minAniso {
			return base.get().squeezed(a, r)
		}
		return nil
	})
	add(sq, false, false)
	if up3 != nil {
		add(up3, true, false)
		add(up3, false, false)
	}
	add(base, false, true)
	add(sq, false, true)
	if zoom != nil {
		add(zoom, false, true)
	}
	for _, w := range deepWins {
		add(w, false, true)
	}
	if up2 != nil {
		add(up2, false, true)
		add(up2, true, true)
	}
	add(base, true, true)
	if up3 != nil {
		add(up3, false, true)
	}
	return steps
}

// zoomed crops the full-resolution image l around the code whose finder
// patterns (triple i of tris) the detector saw in the reduced view (reduced
// by factor f), for dense codes too small in the frame to decode reduced. The crop costs a
// fraction of running the detector over the whole full-resolution image.
func zoomed(p picture, tris [][3]*detector.FinderPattern, i int, f float64) *luma {
	if i >= len(tris) {
		return nil
	}
	bl, tl, tr := tris[i][0], tris[i][1], tris[i][2]
	// The fourth corner completes the parallelogram; with it the box covers
	// the code whatever its rotation.
	xs := []float64{bl.GetX(), tl.GetX(), tr.GetX(), tr.GetX() - tl.GetX() + bl.GetX()}
	ys := []float64{bl.GetY(), tl.GetY(), tr.GetY(), tr.GetY() - tl.GetY() + bl.GetY()}
	// Finder centres sit 3.5 modules inside the code, which needs a 4-module
	// quiet zone; 10 modules leave room for perspective.
	margin := 10 * tl.GetEstimatedModuleSize()
	x0 := int((min(xs[0], xs[1], xs[2], xs[3]) - margin) * f)
	y0 := int((min(ys[0], ys[1], ys[2], ys[3]) - margin) * f)
	x1 := int((max(xs[0], xs[1], xs[2], xs[3]) + margin) * f)
	y1 := int((max(ys[0], ys[1], ys[2], ys[3]) + margin) * f)
	c := p.cropped(x0, y0, x1, y1)
	if c == nil {
		return nil
	}
	return c.scaledTo(finerSide)
}

// memo returns f's result, computed on the first call only.
func memo[T any](f func() T) func() T {
	var v T
	done := false
	return func() T {
		if !done {
			v, done = f(), true
		}
		return v
	}
}

// maxWindows bounds the full-resolution windows tried around single
// finder-pattern candidates.
const maxWindows = 4

// windows adds to out crops of the full-resolution image l around
// finder-pattern candidates cs seen in a view reduced by f (the most often
// seen first), wide enough for a code of 80 modules on any side of the
// pattern; one window per place, at most maxWindows in all.
func windows(p picture, cs []*detector.FinderPattern, f float64, out []*luma) []*luma {
	for _, c := range cs {
		if len(out) >= maxWindows {
			break
		}
		x, y := int(c.GetX()*f), int(c.GetY()*f)
		covered := false
		for _, w := range out {
			// Another pattern of a code already windowed.
			if x > w.x0+w.w/4 && x < w.x0+3*w.w/4 && y > w.y0+w.h/4 && y < w.y0+3*w.h/4 {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		half := int(min(max(80*c.GetEstimatedModuleSize()*f, 200), finerSide/2))
		if w := p.cropped(x-half, y-half, x+half, y+half); w != nil {
			out = append(out, w)
		}
	}
	return out
}

// searched returns the finder-pattern search of view v (locally
// thresholded), run once.
func searched(v *lazyLuma) func() finderFound {
	return memo(func() (s finderFound) {
		if bmp := v.bitmap(false); bmp != nil {
			if m, err := bmp.GetBlackMatrix(); err == nil {
				s.tris, s.cs = finderSearch(m)
			}
		}
		return s
	})
}

// finderFound is what finderSearch found in a view.
type finderFound struct {
	tris [][3]*detector.FinderPattern
	cs   []*detector.FinderPattern
}

// picture is the image the plan searches: its full-resolution raster,
// computed on first use, and optionally a reduced view decoded directly
// (a JPEG's scaled decode), which then serves as the base view.
type picture struct {
	full func() *luma
	w, h int
	pre  *luma
	// crop and shrink, if set, stand in for full().crop and
	// full().shrink without making the whole full-resolution raster.
	crop   func(x0, y0, x1, y1 int) *luma
	shrink func(f int) *luma
}

func (p picture) cropped(x0, y0, x1, y1 int) *luma {
	if p.crop != nil {
		return p.crop(x0, y0, x1, y1)
	}
	return p.full().crop(x0, y0, x1, y1)
}

func (p picture) shrunk(f int) *luma {
	if p.shrink != nil {
		if l := p.shrink(f); l != nil {
			return l
		}
	}
	return p.full().shrink(f)
}

// factor is the integer reduction bringing a long side to at most side.
func factor(long, side int) int { return max(1, (long+side-1)/side) }
