package qrscan

import (
	"fmt"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// luma is an 8-bit grey raster (0 black, 255 white), the only thing the QR
// detector looks at. Building it straight from the decoded image's pixel
// slices is what keeps 12-megapixel photos fast: going through image.At
// costs an interface call and a colour conversion per pixel.
type luma struct {
	w, h   int
	pix    []byte // row-major, len w*h
	x0, y0 int    // a crop's place in the image it was cut from
}

// toLuma flattens img onto a background of grey level bg (255 white, 0
// black), which is what transparent pixels become.
func toLuma(img image.Image, bg byte) *luma {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	l := &luma{w: w, h: h, pix: make([]byte, w*h)}
	b := uint32(bg)
	switch m := img.(type) {
	case *image.YCbCr:
		// JPEG and WebP: the Y plane already is the luminance.
		for y := 0; y < h; y++ {
			i := m.YOffset(r.Min.X, r.Min.Y+y)
			copy(l.pix[y*w:(y+1)*w], m.Y[i:i+w])
		}
	case *image.NYCbCrA:
		for y := 0; y < h; y++ {
			i := m.YOffset(r.Min.X, r.Min.Y+y)
			ai := m.AOffset(r.Min.X, r.Min.Y+y)
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				a := uint32(m.A[ai+x])
				row[x] = byte((uint32(m.Y[i+x])*a + b*(255-a)) / 255)
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			i := m.PixOffset(r.Min.X, r.Min.Y+y)
			copy(l.pix[y*w:(y+1)*w], m.Pix[i:i+w])
		}
	case *image.RGBA: // alpha-premultiplied
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				q := p[4*x : 4*x+4 : 4*x+4]
				v := grey(uint32(q[0]), uint32(q[1]), uint32(q[2]))
				row[x] = byte(v + b*(255-uint32(q[3]))/255)
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				q := p[4*x : 4*x+4 : 4*x+4]
				a := uint32(q[3])
				v := grey(uint32(q[0]), uint32(q[1]), uint32(q[2]))
				row[x] = byte((v*a + b*(255-a)) / 255)
			}
		}
	case *image.Paletted:
		var table [256]byte
		for i, c := range m.Palette {
			table[i] = greyOf(c, b)
		}
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				row[x] = table[p[x]]
			}
		}
	// 16-bit PNGs and CMYK JPEGs are rare, but img.At would allocate a
	// colour per pixel: garbage the size of the image, which lets the heap
	// grow to twice the image's size before it is collected.
	case *image.Gray16:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				row[x] = p[2*x]
			}
		}
	case *image.RGBA64: // alpha-premultiplied
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				q := p[8*x : 8*x+8 : 8*x+8]
				v := grey(uint32(q[0]), uint32(q[2]), uint32(q[4]))
				row[x] = byte(v + b*(255-uint32(q[6]))/255)
			}
		}
	case *image.NRGBA64:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				q := p[8*x : 8*x+8 : 8*x+8]
				a := uint32(q[6])
				v := grey(uint32(q[0]), uint32(q[2]), uint32(q[4]))
				row[x] = byte((v*a + b*(255-a)) / 255)
			}
		}
	case *image.CMYK:
		for y := 0; y < h; y++ {
			p := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				c, mg, yl := color.CMYKToRGB(p[4*x], p[4*x+1], p[4*x+2], p[4*x+3])
				row[x] = byte(grey(uint32(c), uint32(mg), uint32(yl)))
			}
		}
	default: // other image types: none of the decoders returns them
		for y := 0; y < h; y++ {
			row := l.pix[y*w : (y+1)*w]
			for x := range row {
				row[x] = greyOf(img.At(r.Min.X+x, r.Min.Y+y), b)
			}
		}
	}
	return l
}

// grey weights green double, like the detector's own conversion; exact
// colorimetry doesn't matter, contrast does.
func grey(r, g, b uint32) uint32 { return (r + 2*g + b) >> 2 }

func greyOf(c color.Color, bg uint32) byte {
	r, g, b, a := c.RGBA() // 16-bit, premultiplied
	v := grey(r>>8, g>>8, b>>8)
	return byte(v + bg*(255-a>>8)/255)
}

// isTranslucent reports whether some pixel of img is not fully opaque, in
// which case the flattening background matters: a light-on-transparent code
// vanishes on white.
func isTranslucent(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && !o.Opaque()
}

// longSide is the larger of the dimensions.
func (l *luma) longSide() int { return max(l.w, l.h) }

// shrink returns l reduced by the integer factor f, each output pixel the
// mean of an f×f block (a box filter): it averages away sensor noise and
// JPEG ringing instead of aliasing them the way point sampling would.
func (l *luma) shrink(f int) *luma {
	if f <= 1 {
		return l
	}
	ow, oh := (l.w+f-1)/f, (l.h+f-1)/f
	out := &luma{w: ow, h: oh, pix: make([]byte, ow*oh)}
	// Rows are summed column by column first, then each block of f
	// columns at once: no division per source pixel, which made this as
	// slow as decoding the JPEG on 12-megapixel photos.
	acc := make([]uint32, l.w)
	full := l.w / f // output columns whose block is f wide
	for oy := 0; oy < oh; oy++ {
		clear(acc)
		y0, y1 := oy*f, min((oy+1)*f, l.h)
		for y := y0; y < y1; y++ {
			row := l.pix[y*l.w : (y+1)*l.w]
			a := acc[:len(row)]
			for x, v := range row {
				a[x] += uint32(v)
			}
		}
		dst := out.pix[oy*ow : (oy+1)*ow]
		n := uint32((y1 - y0) * f)
		for ox := range full {
			var s uint32
			for _, v := range acc[ox*f : ox*f+f] {
				s += v
			}
			dst[ox] = byte((s + n/2) / n)
		}
		if full < ow { // the last, narrower block
			var s uint32
			for _, v := range acc[full*f:] {
				s += v
			}
			n := uint32((y1 - y0) * (l.w - full*f))
			dst[full] = byte((s + n/2) / n)
		}
	}
	return out
}

// scaledTo shrinks l so its long side is at most side pixels.
func (l *luma) scaledTo(side int) *luma { return l.shrink(shrinkFactor(l, side)) }

// shrinkFactor is the integer factor scaledTo(side) reduces l by.
func shrinkFactor(l *luma, side int) int { return max(1, (l.longSide()+side-1)/side) }

// crop returns the part of l inside [x0,x1)×[y0,y1), clipped to l; nil if
// that is empty.
func (l *luma) crop(x0, y0, x1, y1 int) *luma {
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, l.w), min(y1, l.h)
	if x1 <= x0 || y1 <= y0 {
		return nil
	}
	out := &luma{w: x1 - x0, h: y1 - y0, pix: make([]byte, (x1-x0)*(y1-y0)), x0: x0, y0: y0}
	for y := y0; y < y1; y++ {
		copy(out.pix[(y-y0)*out.w:(y-y0+1)*out.w], l.pix[y*l.w+x0:y*l.w+x1])
	}
	return out
}

// grow enlarges l by the integer factor f with bilinear interpolation.
// Tiny codes with one- or two-pixel modules give the detector too few
// samples per module; interpolation gives it smooth edges to threshold.
func (l *luma) grow(f int) *luma {
	if f <= 1 {
		return l
	}
	ow, oh := l.w*f, l.h*f
	out := &luma{w: ow, h: oh, pix: make([]byte, ow*oh)}
	// Sample at pixel centres: source coordinate (o+0.5)/f-0.5, in
	// fixed point with 8 fractional bits.
	src := func(o, n int) (i0, i1 int, frac uint32) {
		p := ((2*o+1)*256/(2*f) - 128)
		if p < 0 {
			p = 0
		}
		i0 = p >> 8
		i1 = min(i0+1, n-1)
		return i0, i1, uint32(p & 255)
	}
	for oy := 0; oy < oh; oy++ {
		y0, y1, fy := src(oy, l.h)
		r0, r1 := l.pix[y0*l.w:(y0+1)*l.w], l.pix[y1*l.w:(y1+1)*l.w]
		dst := out.pix[oy*ow : (oy+1)*ow]
		for ox := range dst {
			x0, x1, fx := src(ox, l.w)
			top := uint32(r0[x0])*(256-fx) + uint32(r0[x1])*fx
			bot := uint32(r1[x0])*(256-fx) + uint32(r1[x1])*fx
			dst[ox] = byte((top*(256-fy) + bot*fy + 1<<15) >> 16)
		}
	}
	return out
}

// inverted returns the negative, for light-on-dark codes (dark-mode
// screenshots).
func (l *luma) inverted() *luma {
	out := &luma{w: l.w, h: l.h, pix: make([]byte, len(l.pix))}
	for i, v := range l.pix {
		out.pix[i] = 255 - v
	}
	return out
}

// lumaSource adapts a luma raster to the decoder's LuminanceSource
// interface without copying. Cropping and rotating stay unsupported (the
// embedded base says so); the QR reader needs neither.
type lumaSource struct {
	gozxing.LuminanceSourceBase
	l *luma
}

func newLumaSource(l *luma) *lumaSource {
	return &lumaSource{gozxing.LuminanceSourceBase{Width: l.w, Height: l.h}, l}
}

func (s *lumaSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.l.h {
		return nil, fmt.Errorf("row %d outside the image", y)
	}
	if cap(row) < s.l.w {
		row = make([]byte, s.l.w)
	}
	row = row[:s.l.w]
	copy(row, s.l.pix[y*s.l.w:])
	return row, nil
}

func (s *lumaSource) GetMatrix() []byte { return s.l.pix }

func (s *lumaSource) Invert() gozxing.LuminanceSource { return newLumaSource(s.l.inverted()) }

func (s *lumaSource) String() string { return gozxing.LuminanceSourceString(s) }
