package jpegluma

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// yPlane is image/jpeg's luminance of data: the Y plane of a YCbCr image or
// the grey image, with its full padded rows (for the edge boxes).
func yPlane(t testing.TB, data []byte) (pix []byte, stride, w, h int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return m.Y, m.YStride, m.Rect.Dx(), m.Rect.Dy()
	case *image.Gray:
		return m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy()
	}
	t.Fatalf("image/jpeg decoded a %T", img)
	return nil, 0, 0, 0
}

// checkSame decodes data at every scale and compares with image/jpeg's
// luminance: equal at scale 1, and each reduced pixel the rounded mean of
// its box.
func checkSame(t *testing.T, data []byte) {
	t.Helper()
	want, stride, w, h := yPlane(t, data)
	checkScaled(t, data, want, stride, w, h)
	for _, s := range []int{1, 2, 4, 8} {
		got, err := Decode(bytes.NewReader(data), s)
		if err != nil {
			t.Fatalf("scale %d: %v", s, err)
		}
		if gw, gh := got.Rect.Dx(), got.Rect.Dy(); gw != (w+s-1)/s || gh != (h+s-1)/s || got.Stride != gw {
			t.Fatalf("scale %d: %dx%d stride %d for a %dx%d image", s, gw, gh, got.Stride, w, h)
		}
		// Boxes past the right or bottom edge average the padding, which
		// image/jpeg leaves unset for progressive images: compare the
		// whole boxes only.
		for oy := 0; oy < h/s; oy++ {
			for ox := 0; ox < w/s; ox++ {
				var sum int
				for y := oy * s; y < oy*s+s; y++ {
					for x := ox * s; x < ox*s+s; x++ {
						sum += int(want[y*stride+x])
					}
				}
				exp := (sum + s*s/2) / (s * s)
				if g := int(got.Pix[oy*got.Stride+ox]); g != exp {
					t.Fatalf("scale %d: pixel (%d,%d) is %d, want %d", s, ox, oy, g, exp)
				}
			}
		}
	}
}

// pattern is an image with detail in every channel, so every scan has data.
func pattern(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 7), uint8(y*5 + x), uint8((x ^ y) * 3), 255})
		}
	}
	return m
}

func encode(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSameAsImageJPEGBaseline(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {8, 8}, {37, 29}, {100, 3}, {3, 100}, {129, 65}} {
		rgba := pattern(size[0], size[1])
		checkSame(t, encode(t, rgba)) // 4:2:0
		gray := image.NewGray(rgba.Rect)
		for i := range gray.Pix {
			gray.Pix[i] = rgba.Pix[4*i+1]
		}
		checkSame(t, encode(t, gray))
	}
}

// testdata holds JPEGs made by libjpeg (cjpeg, jpegtran, ImageMagick) in
// the shapes Go's encoder cannot write: progressive (whose default scan
// script has chroma-only scans, which Decode skips), 4:4:4, 4:2:2, 4:4:0,
// restart markers, non-interleaved sequential scans. See testdata/README.md.
func TestSameAsImageJPEGLibjpegFiles(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if len(names) == 0 {
		t.Fatal("no test JPEGs in testdata")
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			hdr, err := ReadHeader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if !hdr.Luma {
				_, err := Decode(bytes.NewReader(data), 1)
				if !errors.Is(err, ErrNoLuma) {
					t.Fatalf("Decode of a %d-component image without luminance: %v, want ErrNoLuma", hdr.Components, err)
				}
				return
			}
			checkSame(t, data)
		})
	}
}

func TestHeader(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "prog-420.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := ReadHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Width != cfg.Width || hdr.Height != cfg.Height || !hdr.Progressive || !hdr.Luma || hdr.Components != 3 {
		t.Fatalf("header %+v, image/jpeg says %dx%d", hdr, cfg.Width, cfg.Height)
	}
	if hdr.PaddedWidth%16 != 0 || hdr.PaddedHeight%16 != 0 || hdr.PaddedWidth < hdr.Width || hdr.PaddedWidth >= hdr.Width+16 {
		t.Fatalf("padded size %dx%d for 4:2:0 %dx%d", hdr.PaddedWidth, hdr.PaddedHeight, hdr.Width, hdr.Height)
	}
	px := int64(hdr.PaddedWidth * hdr.PaddedHeight)
	if m := hdr.Memory(2); m != px/4+2*px {
		t.Fatalf("Memory(2) = %d, want %d", m, px/4+2*px)
	}

	base := encode(t, pattern(30, 20))
	if hdr, err := ReadHeader(bytes.NewReader(base)); err != nil || hdr.Progressive || hdr.Memory(1) != 32*32 {
		t.Fatalf("baseline header %+v, %v", hdr, err)
	}
	if _, err := ReadHeader(bytes.NewReader([]byte("\xff\xd8\xff\xd9"))); err == nil {
		t.Fatal("a JPEG without a frame header has no header")
	}
}

func TestTruncated(t *testing.T) {
	data := encode(t, pattern(64, 64))
	for _, n := range []int{2, len(data) / 2, len(data) - 2} {
		if _, err := Decode(bytes.NewReader(data[:n]), 1); err == nil {
			t.Errorf("a JPEG cut at %d of %d bytes decoded without error", n, len(data))
		}
	}
}

// FuzzDecode checks that Decode never panics and agrees with image/jpeg
// wherever image/jpeg reads the file.
func FuzzDecode(f *testing.F) {
	f.Add(encode(f, pattern(20, 12)))
	names, _ := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	for _, name := range names {
		if data, err := os.ReadFile(name); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hdr, err := ReadHeader(bytes.NewReader(data))
		if err != nil || hdr.Memory(1) > 16<<20 {
			return // a huge frame is the caller's to refuse
		}
		got, err := Decode(bytes.NewReader(data), 1)
		img, stdErr := jpeg.Decode(bytes.NewReader(data))
		if stdErr != nil || !hdr.Luma {
			return // Decode is more lenient: it skips chroma-only scans
		}
		if err != nil {
			t.Fatalf("image/jpeg decodes it, Decode says %v", err)
		}
		var want []byte
		var stride int
		switch m := img.(type) {
		case *image.YCbCr:
			want, stride = m.Y, m.YStride
		case *image.Gray:
			want, stride = m.Pix, m.Stride
		default:
			t.Fatalf("image/jpeg decoded a %T from a luminance JPEG", img)
		}
		for y := 0; y < got.Rect.Dy(); y++ {
			if !bytes.Equal(got.Pix[y*got.Stride:(y+1)*got.Stride], want[y*stride:y*stride+got.Stride]) {
				t.Fatalf("row %d differs from image/jpeg's", y)
			}
		}
	})
}
