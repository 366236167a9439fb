package qrscan

import "math"

// Codes whose modules are wider than tall (a photo resized to the wrong
// aspect, a monitor at the wrong resolution) or foreshortened (strong
// perspective) defeat the finder-pattern search: it checks a pattern's
// 1:1:3:1:1 runs across and down and wants them about equally long. The
// image's total variation along a direction, the sum of the brightness
// steps, is proportional to how many module edges a line in that direction
// crosses, so its ratio across and down (and along the two diagonals)
// measures how much wider than tall the modules are, and a view resampled
// by that ratio makes them square again.

const (
	// minAniso is the smallest ratio worth a view of its own: the finder
	// search tolerates less than this.
	minAniso = 1.25
	// maxAniso bounds the correction: beyond it the measure is noise.
	maxAniso = 3.0
	// anisoTile is the side of the tiles the variation is summed over; only
	// the busiest ones count, where the code is, not the background.
	anisoTile = 32
	// noiseStep is ignored of every brightness step: sensor noise adds
	// variation in every direction alike and would hide the ratio.
	noiseStep = 6
)

// anisotropy returns the direction (radians, image x axis = 0, y down) along
// which l's structure is stretched, and by how much (> 1); ratio 1 if
// it looks square.
func anisotropy(l *luma) (angle, ratio float64) {
	tw, th := l.w/anisoTile, l.h/anisoTile
	if tw == 0 || th == 0 {
		return 0, 1
	}
	type tile struct{ tv [4]float64 } // along 0°, 90°, 45°, 135°
	tiles := make([]tile, tw*th)
	step := func(a, b byte) float64 {
		d := int(a) - int(b)
		if d < 0 {
			d = -d
		}
		return float64(max(0, d-noiseStep))
	}
	for y := 1; y < th*anisoTile; y++ {
		row, up := l.pix[y*l.w:], l.pix[(y-1)*l.w:]
		for x := 1; x < tw*anisoTile-1; x++ {
			t := &tiles[(y/anisoTile)*tw+x/anisoTile]
			t.tv[0] += step(row[x], row[x-1])
			t.tv[1] += step(row[x], up[x])
			// Diagonal steps are √2 long: scaled so a square grid gives
			// the same variation per unit length in every direction pair.
			t.tv[2] += step(row[x], up[x-1]) / math.Sqrt2
			t.tv[3] += step(row[x], up[x+1]) / math.Sqrt2
		}
	}
	// The busiest tenth of the tiles (at least four) hold the code.
	sum := func(t tile) float64 { return t.tv[0] + t.tv[1] + t.tv[2] + t.tv[3] }
	busiest := 0.0
	for _, t := range tiles {
		busiest = max(busiest, sum(t))
	}
	if busiest == 0 {
		return 0, 1
	}
	var tv [4]float64
	for _, t := range tiles {
		if sum(t) >= busiest/3 {
			for i := range tv {
				tv[i] += t.tv[i]
			}
		}
	}
	// Fewer edges crossed along a direction: the structure is stretched
	// along it.
	axis, diag := tv[1]/tv[0], tv[3]/tv[2]
	if math.Abs(math.Log(axis)) >= math.Abs(math.Log(diag)) {
		if axis >= 1 {
			return 0, min(axis, maxAniso)
		}
		return math.Pi / 2, min(1/axis, maxAniso)
	}
	if diag >= 1 {
		return math.Pi / 4, min(diag, maxAniso)
	}
	return 3 * math.Pi / 4, min(1/diag, maxAniso)
}

// squeezed resamples l so that structure stretched by ratio along angle
// becomes square: shrunk by √ratio along it and grown by √ratio across,
// which keeps the pixel count (and the modules' area) about the same.
func (l *luma) squeezed(angle, ratio float64) *luma {
	c, s := math.Cos(angle), math.Sin(angle)
	a, b := 1/math.Sqrt(ratio), math.Sqrt(ratio) // along, across
	// Forward map: p ↦ R·diag(a, b)·Rᵀ·p.
	m00 := a*c*c + b*s*s
	m01 := (a - b) * c * s
	m11 := a*s*s + b*c*c
	// The output covers the image of l's corners.
	xs := [4]float64{0, m00 * float64(l.w), m01 * float64(l.h), m00*float64(l.w) + m01*float64(l.h)}
	ys := [4]float64{0, m01 * float64(l.w), m11 * float64(l.h), m01*float64(l.w) + m11*float64(l.h)}
	x0, x1 := min(xs[0], xs[1], xs[2], xs[3]), max(xs[0], xs[1], xs[2], xs[3])
	y0, y1 := min(ys[0], ys[1], ys[2], ys[3]), max(ys[0], ys[1], ys[2], ys[3])
	ow, oh := int(x1-x0)+1, int(y1-y0)+1
	// The inverse of a symmetric matrix with eigenvalues a, b.
	det := m00*m11 - m01*m01
	i00, i01, i11 := m11/det, -m01/det, m00/det
	out := &luma{w: ow, h: oh, pix: make([]byte, ow*oh)}
	for oy := 0; oy < oh; oy++ {
		py := float64(oy) + 0.5 + y0
		dst := out.pix[oy*ow : (oy+1)*ow]
		for ox := range dst {
			px := float64(ox) + 0.5 + x0
			sx, sy := i00*px+i01*py-0.5, i01*px+i11*py-0.5
			dst[ox] = l.sample(sx, sy)
		}
	}
	return out
}

// sample reads l at (x, y), pixel centres at integers, bilinearly; white
// outside.
func (l *luma) sample(x, y float64) byte {
	if x < 0 || y < 0 || x > float64(l.w-1) || y > float64(l.h-1) {
		return 255
	}
	ix, iy := int(x), int(y)
	fx, fy := x-float64(ix), y-float64(iy)
	ix1, iy1 := min(ix+1, l.w-1), min(iy+1, l.h-1)
	p := l.pix
	top := float64(p[iy*l.w+ix])*(1-fx) + float64(p[iy*l.w+ix1])*fx
	bot := float64(p[iy1*l.w+ix])*(1-fx) + float64(p[iy1*l.w+ix1])*fx
	return byte(top*(1-fy) + bot*fy + 0.5)
}
