package qrscan

import (
	"image"
	"math"
	"testing"
)

// stretchedQR draws text's code with modules mw×mh pixels and a 4-module
// quiet zone.
func stretchedQR(t *testing.T, text string, mw, mh int) *image.Gray {
	m := qrModules(t, text)
	n := m.GetWidth()
	img := image.NewGray(image.Rect(0, 0, (n+8)*mw, (n+8)*mh))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < n*mh; y++ {
		for x := 0; x < n*mw; x++ {
			if m.Get(x/mw, y/mh) {
				img.Pix[(y+4*mh)*img.Stride+x+4*mw] = 0
			}
		}
	}
	return img
}

// Modules 1.75 times wider than tall: measured as such, and read.
func TestStretchedModules(t *testing.T) {
	const text = "otpauth://totp/Wide:modules?secret=" + testSecret + "&issuer=Wide"
	img := stretchedQR(t, text, 7, 4)
	a, r := anisotropy(toLuma(img, 255))
	if math.Abs(a) > 0.01 || r < 1.5 || r > 2 {
		t.Errorf("anisotropy = %.0f°, %.2f; want 0°, about 1.75", a*180/math.Pi, r)
	}
	if a, r := anisotropy(toLuma(qrImage(t, text, 4), 255)); r >= minAniso {
		t.Errorf("a square code measured stretched: %.0f°, %.2f", a*180/math.Pi, r)
	}
	texts, err := DecodeQR(encodePNG(t, img), DecodeOptions{})
	if err != nil || len(texts) != 1 || texts[0] != text {
		t.Fatalf("DecodeQR = %q, %v; want %q", texts, err, text)
	}
}

// One finder pattern covered by a white sticker: the other two and the
// code's geometry place it, and error correction covers the loss.
func TestCoveredFinderPattern(t *testing.T) {
	const text = "otpauth://totp/Covered:corner?secret=" + testSecret + "&issuer=Covered"
	const mod = 5
	for name, corner := range map[string][2]int{"top-left": {0, 0}, "top-right": {1, 0}, "bottom-left": {0, 1}} {
		t.Run(name, func(t *testing.T) {
			img := qrImage(t, text, mod)
			n := img.Rect.Dx()/mod - 8
			// The pattern and its separator: 8×8 modules from the corner.
			x0 := 4*mod + corner[0]*(n-8)*mod
			y0 := 4*mod + corner[1]*(n-8)*mod
			for y := y0; y < y0+8*mod; y++ {
				for x := x0; x < x0+8*mod; x++ {
					img.Pix[y*img.Stride+x] = 255
				}
			}
			texts, err := DecodeQR(encodePNG(t, img), DecodeOptions{})
			if err != nil || len(texts) != 1 || texts[0] != text {
				t.Fatalf("DecodeQR = %q, %v; want %q", texts, err, text)
			}
		})
	}
}
