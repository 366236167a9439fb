package jpegluma

import (
	"bytes"
	"image"
	"testing"
)

// checkScaled checks DecodeScaled against image/jpeg's luminance want: at
// one eighth each pixel is its block's mean (within rounding), its full
// view and crops are exactly image/jpeg's, and every size has the stated
// dimensions.
func checkScaled(t *testing.T, data, want []byte, stride, w, h int) {
	t.Helper()
	for _, m := range []int{1, 3, 4} {
		s, err := DecodeScaled(bytes.NewReader(data), m)
		if err != nil {
			t.Fatalf("%d eighths: %v", m, err)
		}
		if gw, gh := s.Rect.Dx(), s.Rect.Dy(); gw != (w*m+7)/8 || gh != (h*m+7)/8 {
			t.Fatalf("%d eighths: %dx%d for a %dx%d image", m, gw, gh, w, h)
		}
		if m == 1 {
			for by := 0; by < h/8; by++ {
				for bx := 0; bx < w/8; bx++ {
					sum := 0
					for y := by * 8; y < by*8+8; y++ {
						for x := bx * 8; x < bx*8+8; x++ {
							sum += int(want[y*stride+x])
						}
					}
					if d := int(s.Pix[by*s.Stride+bx]) - (sum+32)/64; d < -2 || d > 2 {
						t.Fatalf("block (%d,%d) is %d, its mean %d", bx, by, s.Pix[by*s.Stride+bx], (sum+32)/64)
					}
				}
			}
		}
		full := s.View(8)
		for y := range h {
			if !bytes.Equal(full.Pix[y*full.Stride:y*full.Stride+w], want[y*stride:y*stride+w]) {
				t.Fatalf("%d eighths: full view row %d differs from image/jpeg", m, y)
			}
		}
		r := image.Rect(w/5, h/7, w+3, h+9) // off the edge: clipped
		c := s.Crop(r)
		r = r.Intersect(image.Rect(0, 0, w, h))
		if c.Rect.Dx() != r.Dx() || c.Rect.Dy() != r.Dy() {
			t.Fatalf("crop %v is %v", r, c.Rect)
		}
		for y := range r.Dy() {
			row := want[(r.Min.Y+y)*stride+r.Min.X : (r.Min.Y+y)*stride+r.Max.X]
			if !bytes.Equal(c.Pix[y*c.Stride:y*c.Stride+r.Dx()], row) {
				t.Fatalf("crop row %d differs from image/jpeg", y)
			}
		}
	}
}
