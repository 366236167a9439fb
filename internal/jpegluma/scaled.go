package jpegluma

import (
	"image"
	"io"
	"math"
)

// Scaled is a JPEG's luminance decoded reduced, with its coefficients kept
// so the full resolution costs only the inverse DCT, not a second entropy
// decode.
type Scaled struct {
	*image.Gray
	d *decoder
}

// View returns the luminance at points eighths of the full size (8: as
// Decode(r, 1) would), from the kept coefficients.
func (s *Scaled) View(points int) *image.Gray {
	d := s.d
	d.points = points % 8
	d.makeOut()
	d.reconstructProgressiveImage()
	g := d.image()
	d.out = nil
	return g
}

// Crop returns the full-resolution luminance inside r (clipped to the
// image; nil if that is empty), inverse-transforming only the blocks it
// touches.
func (s *Scaled) Crop(r image.Rectangle) *image.Gray {
	d := s.d
	r = r.Intersect(image.Rect(0, 0, d.width, d.height))
	if r.Empty() {
		return nil
	}
	bx0, by0 := r.Min.X/8, r.Min.Y/8
	bx1, by1 := (r.Max.X+7)/8, (r.Max.Y+7)/8
	bw := (bx1 - bx0) * 8
	buf := make([]byte, bw*(by1-by0)*8)
	stride := (d.width + 8*d.comp[0].h - 1) / (8 * d.comp[0].h) * d.comp[0].h
	qt := &d.quant[d.comp[0].tq]
	var b block
	for by := by0; by < by1; by++ {
		for bx := bx0; bx < bx1; bx++ {
			d.coeffs[by*stride+bx].load(&b)
			for zig := 0; zig < blockSize; zig++ {
				b[unzig[zig]] *= qt[zig]
			}
			idct(&b)
			dst := buf[(by-by0)*8*bw+(bx-bx0)*8:]
			for y := 0; y < 8; y++ {
				for x, c := range b[y*8 : y*8+8] {
					dst[y*bw+x] = uint8(min(max(c+128, 0), 255))
				}
			}
		}
	}
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	ox, oy := r.Min.X-bx0*8, r.Min.Y-by0*8
	for y := range r.Dy() {
		copy(g.Pix[y*g.Stride:(y+1)*g.Stride], buf[(oy+y)*bw+ox:])
	}
	return g
}

// ScaledMemory is what DecodeScaled allocates at points eighths, a
// full-resolution View included: the coefficients (2 bytes a pixel), the
// full and reduced planes.
func (h Header) ScaledMemory(points int) int64 {
	px := int64(h.PaddedWidth) * int64(h.PaddedHeight)
	return 3*px + px*int64(points*points)/64
}

// zigOf maps a natural-order coefficient index to its zig-zag index.
var zigOf = func() (z [blockSize]int) {
	for i, n := range unzig {
		z[n] = i
	}
	return z
}()

// DecodeScaled reads the luminance of the JPEG in r at points/8 of its
// size (points from 1 to 8): each 8×8 block becomes points×points pixels by
// an inverse DCT of its lowest points×points frequencies, as libjpeg's
// scaled decoding does. That costs a fraction of the full inverse DCT and
// output plane, for a view a little smoother than a box filter's. The
// output is ceil(width·points/8)×ceil(height·points/8).
func DecodeScaled(r io.Reader, points int) (*Scaled, error) {
	if points < 1 || points > 8 {
		return nil, UnsupportedError("scaled size other than 1 to 8 eighths")
	}
	d := &decoder{scale: 1, points: points, keep: true}
	if err := d.decode(r, false); err != nil {
		return nil, err
	}
	return &Scaled{Gray: d.image(), d: d}, nil
}

// scaledCos[m-1][x*8+u] is C(u)/2·cos((2x+1)uπ/2m) in Q12: the m-point
// inverse DCT's weights, with the 8-point transform's normalization so
// that a block's DC alone gives its mean.
var scaledCos = func() (t [8][64]int32) {
	for m := 1; m <= 8; m++ {
		for x := 0; x < m; x++ {
			for u := 0; u < m; u++ {
				c := 0.5
				if u == 0 {
					c = 0.5 / math.Sqrt2
				}
				w := c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*m))
				t[m-1][x*8+u] = int32(math.Round(w * 4096))
			}
		}
	}
	return t
}()

// storeScaled stores the dequantized block b (natural order) as
// d.points×d.points output pixels.
func (d *decoder) storeScaled(b *block, bx, by int) {
	m := d.points
	t := &scaledCos[m-1]
	// Rows first: tmp[v][x] = Σu T[x][u]·F[v][u], in Q12.
	var tmp [64]int32
	for v := 0; v < m; v++ {
		row := b[v*8 : v*8+m]
		for x := 0; x < m; x++ {
			w := t[x*8 : x*8+m]
			var s int32
			for u, f := range row {
				s += w[u] * f
			}
			tmp[v*8+x] = s
		}
	}
	stride := d.outStride
	dst := d.out[by*m*stride+bx*m:]
	for y := 0; y < m; y++ {
		w := t[y*8 : y*8+m]
		for x := 0; x < m; x++ {
			var s int64
			for v := 0; v < m; v++ {
				s += int64(w[v]) * int64(tmp[v*8+x])
			}
			c := (s+1<<23)>>24 + 128
			dst[y*stride+x] = uint8(min(max(c, 0), 255))
		}
	}
}
