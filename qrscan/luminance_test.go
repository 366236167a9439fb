package qrscan

import (
	"image"
	"image/color"
	"testing"
)

// The fast paths of toLuma must agree with the generic per-pixel one.
func TestToLumaFastPaths(t *testing.T) {
	r := image.Rect(3, 5, 40, 31) // a non-zero origin, as sub-images have
	col := func(x, y int) color.NRGBA {
		return color.NRGBA{uint8(x * 7), uint8(y * 11), uint8(x * y), uint8(255 - (x+y)%3*100)}
	}
	nrgba := image.NewNRGBA(r)
	rgba := image.NewRGBA(r)
	gray := image.NewGray(r)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.NRGBA{200, 10, 10, 128}, color.Transparent})
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	nycca := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio444)
	gray16, rgba64, nrgba64, cmyk := image.NewGray16(r), image.NewRGBA64(r), image.NewNRGBA64(r), image.NewCMYK(r)
	// The Y plane is used as is; with neutral chroma both paths must agree.
	for _, p := range [][]byte{ycc.Cb, ycc.Cr, nycca.Cb, nycca.Cr} {
		for i := range p {
			p[i] = 128
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := col(x, y)
			nrgba.Set(x, y, c)
			rgba.Set(x, y, c)
			gray.Set(x, y, c)
			gray16.Set(x, y, c)
			rgba64.Set(x, y, c)
			nrgba64.Set(x, y, c)
			cmyk.Set(x, y, c)
			pal.SetColorIndex(x, y, uint8((x+y)%4))
			ycc.Y[ycc.YOffset(x, y)] = uint8(x * y)
			nycca.Y[nycca.YOffset(x, y)] = uint8(x + y)
			nycca.A[nycca.AOffset(x, y)] = uint8(x * 9)
		}
	}
	for _, img := range []image.Image{nrgba, rgba, gray, pal, ycc, nycca, gray16, rgba64, nrgba64, cmyk} {
		for _, bg := range []byte{255, 0} {
			fast := toLuma(img, bg)
			slow := toLuma(struct{ image.Image }{img}, bg) // hides the type
			if fast.w != r.Dx() || fast.h != r.Dy() {
				t.Fatalf("%T: size %dx%d", img, fast.w, fast.h)
			}
			for i := range fast.pix {
				if d := int(fast.pix[i]) - int(slow.pix[i]); d < -2 || d > 2 {
					t.Fatalf("%T bg %d: pixel %d is %d, generic path says %d", img, bg, i, fast.pix[i], slow.pix[i])
				}
			}
		}
	}
}

func TestLumaScaling(t *testing.T) {
	l := &luma{w: 5, h: 3, pix: []byte{
		0, 100, 200, 50, 255,
		100, 200, 0, 50, 255,
		10, 10, 10, 10, 10,
	}}
	s := l.shrink(2)
	want := []byte{100, 75, 255, 10, 10, 10}
	if s.w != 3 || s.h != 2 || string(s.pix) != string(want) {
		t.Errorf("shrink(2) = %dx%d %v, want 3x2 %v", s.w, s.h, s.pix, want)
	}
	if got := l.scaledTo(5); got != l {
		t.Error("scaledTo a size it already fits should not copy")
	}

	g := (&luma{w: 2, h: 1, pix: []byte{0, 200}}).grow(2)
	if g.w != 4 || g.h != 2 || g.pix[0] != 0 || g.pix[3] != 200 || !(g.pix[1] > 0 && g.pix[1] < g.pix[2] && g.pix[2] < 200) {
		t.Errorf("grow(2) = %v, want a ramp from 0 to 200", g.pix)
	}

	c := l.crop(-2, 1, 3, 9)
	if c.w != 3 || c.h != 2 || string(c.pix) != string([]byte{100, 200, 0, 10, 10, 10}) {
		t.Errorf("crop = %dx%d %v", c.w, c.h, c.pix)
	}
	if l.crop(6, 0, 9, 2) != nil {
		t.Error("crop outside the image should be nil")
	}
}

// shrink must give each output pixel the rounded mean of its block, edge
// blocks included, for every factor the plan uses.
func TestShrinkIsBlockMean(t *testing.T) {
	l := &luma{w: 37, h: 23, pix: make([]byte, 37*23)}
	for i := range l.pix {
		l.pix[i] = byte(i*131 + i/7*29)
	}
	for f := 2; f <= 9; f++ {
		s := l.shrink(f)
		for oy := range s.h {
			for ox := range s.w {
				var sum, n int
				for y := oy * f; y < min(oy*f+f, l.h); y++ {
					for x := ox * f; x < min(ox*f+f, l.w); x++ {
						sum += int(l.pix[y*l.w+x])
						n++
					}
				}
				if want := byte((sum + n/2) / n); s.pix[oy*s.w+ox] != want {
					t.Fatalf("shrink(%d) at %d,%d = %d, want %d", f, ox, oy, s.pix[oy*s.w+ox], want)
				}
			}
		}
	}
}
