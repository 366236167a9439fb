package qrscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

const testSecret = "JBSWY3DPEHPK3PXP"

// checkInputError asserts err is an InputError of the given kind whose
// message contains msg.
func checkInputError(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v (%T), want an InputError", err, err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("kind %v, want %v", ie.Kind, kind)
	}
	if !strings.Contains(ie.Msg, msg) {
		t.Errorf("message %q, want it to contain %q", ie.Msg, msg)
	}
}

// qrModules encodes text as a QR code without a quiet zone.
func qrModules(t testing.TB, text string) *gozxing.BitMatrix {
	t.Helper()
	hints := map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 1, 1, hints)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// drawQR paints m onto img at (x0, y0), module pixels per module, in the
// given colours (the quiet zone is whatever img already holds).
func drawQR(img interface {
	Set(x, y int, c color.Color)
}, m *gozxing.BitMatrix, x0, y0, module int, dark, light color.Color) {
	for y := 0; y < m.GetHeight()*module; y++ {
		for x := 0; x < m.GetWidth()*module; x++ {
			c := light
			if m.Get(x/module, y/module) {
				c = dark
			}
			img.Set(x0+x, y0+y, c)
		}
	}
}

// qrImage renders text as a QR code with a 4-module quiet zone.
func qrImage(t testing.TB, text string, module int) *image.Gray {
	m := qrModules(t, text)
	side := (m.GetWidth() + 8) * module
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	drawQR(img, m, 4*module, 4*module, module, color.Black, color.White)
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDecodeQRFormats reads one code from every format and shape users
// upload.
func TestDecodeQRFormats(t *testing.T) {
	uri := "otpauth://totp/ACME%20Co:jane@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60"
	gray := qrImage(t, uri, 4)

	jpg := func(img image.Image, q int) []byte {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	gifData := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := gif.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	inverted := image.NewGray(gray.Bounds())
	for i, v := range gray.Pix {
		inverted.Pix[i] = 255 - v
	}
	// Made for dark mode: white modules on a transparent background.
	m := qrModules(t, uri)
	transparent := image.NewNRGBA(image.Rect(0, 0, (m.GetWidth()+8)*4, (m.GetHeight()+8)*4))
	drawQR(transparent, m, 16, 16, 4, color.NRGBA{255, 255, 255, 255}, color.NRGBA{})
	// The usual transparent PNG: black modules, nothing else.
	blackOnClear := image.NewNRGBA(transparent.Bounds())
	drawQR(blackOnClear, m, 16, 16, 4, color.NRGBA{0, 0, 0, 255}, color.NRGBA{})
	// A big photo-sized image, to go through the downscaling path.
	big := image.NewGray(image.Rect(0, 0, 3000, 2200))
	for i := range big.Pix {
		big.Pix[i] = 230
	}
	drawQR(big, m, 1000, 600, 20, color.Gray{30}, color.Gray{230})

	tests := []struct {
		name string
		data []byte
	}{
		{"PNG", encodePNG(t, gray)},
		{"PNG, one pixel per module", encodePNG(t, qrImage(t, uri, 1))},
		{"JPEG", jpg(gray, 60)},
		{"GIF", gifData(gray)},
		{"inverted", encodePNG(t, inverted)},
		{"light on transparent", encodePNG(t, transparent)},
		{"dark on transparent", encodePNG(t, blackOnClear)},
		{"3000×2200 photo size", jpg(big, 85)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			texts, err := DecodeQR(tc.data, DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(texts) != 1 || texts[0] != uri {
				t.Errorf("got %q, want %q", texts, uri)
			}
		})
	}
}

// TestDecodeQRSeveralCodes finds codes side by side, each text once.
func TestDecodeQRSeveralCodes(t *testing.T) {
	a, b := "otpauth://totp/A:a?secret=GAYTEMZUGU3DOOBZ&issuer=A", "otpauth://totp/B:b?secret=HE3TMNJUGMZDCMBQ&issuer=B"
	ma, mb := qrModules(t, a), qrModules(t, b)
	const mod = 4
	w := (ma.GetWidth() + mb.GetWidth() + 12) * mod
	img := image.NewGray(image.Rect(0, 0, w, (ma.GetHeight()+8)*mod))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	drawQR(img, ma, 4*mod, 4*mod, mod, color.Black, color.White)
	drawQR(img, mb, (ma.GetWidth()+8)*mod, 4*mod, mod, color.Black, color.White)
	texts, err := DecodeQR(encodePNG(t, img), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(texts, a) || !slices.Contains(texts, b) || len(texts) != 2 {
		t.Fatalf("got %q, want both codes", texts)
	}
	// The same code twice gives its text once.
	drawQR(img, ma, (ma.GetWidth()+8)*mod, 4*mod, mod, color.Black, color.White)
	texts, err = DecodeQR(encodePNG(t, img), DecodeOptions{})
	if err != nil || len(texts) != 1 {
		t.Errorf("same code twice: %q, %v; want one text", texts, err)
	}
}

func TestDecodeQRNotAnImage(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":  nil,
		"text":   []byte("otpauth://totp/x?secret=" + testSecret + "\n"),
		"PDF":    []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
		"binary": {0x00, 0x01, 0x02, 0x03, 0xff, 0xfe},
	} {
		_, err := DecodeQR(data, DecodeOptions{})
		t.Run(name, func(t *testing.T) {
			checkInputError(t, err, ErrNotImage, "the file is not an image (PNG, JPEG, GIF or WebP expected)")
		})
	}
}

func TestDecodeQRDamagedImage(t *testing.T) {
	data := encodePNG(t, qrImage(t, "hello", 4))
	_, err := DecodeQR(data[:len(data)/2], DecodeOptions{})
	checkInputError(t, err, ErrBadImage, "the image could not be read; the file seems damaged or incomplete")
}

// pngHeader is the start of a PNG claiming the given size: signature and
// IHDR chunk, no pixel data.
func pngHeader(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)))
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

func TestDecodeQRTooLarge(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := DecodeQR(pngHeader(50000, 50000), DecodeOptions{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	checkInputError(t, err, ErrImageTooBig, "the image is 50000×50000 pixels; billhound reads PNG images up to 39 megapixels: send a smaller screenshot or photo")
	if elapsed > time.Second {
		t.Errorf("refusing took %v; it must not decode pixels", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10<<20 {
		t.Errorf("refusing allocated %d bytes; it must not decode pixels", alloc)
	}

	// The limit is configurable.
	data := encodePNG(t, qrImage(t, "hello", 4))
	_, err = DecodeQR(data, DecodeOptions{MaxPixels: 5_000})
	checkInputError(t, err, ErrImageTooBig, "pixels; billhound reads PNG images up to 0.005 megapixels")
}

func TestDecodeQRNoCode(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 251)
	}
	_, err := DecodeQR(encodePNG(t, img), DecodeOptions{})
	checkInputError(t, err, ErrNoQRCode, "no QR code found in the image; try a sharper, closer photo or a screenshot")
}

func TestQRWithoutOTP(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(photoDir, "authenticator-export", "qr_but_without_otp.png"))
	if err != nil {
		t.Fatalf("test image not available (the QR photo sets of ../shared or $BILLHOUND_SHARED_DIR): %v", err)
	}
	texts, err := DecodeQR(data, DecodeOptions{})
	if err != nil || len(texts) != 1 || texts[0] != "NOT A otpauth-migration:// URL" {
		t.Fatalf("DecodeQR = %q, %v", texts, err)
	}
}

func TestQRPNGRoundTrip(t *testing.T) {
	const uri = "otpauth://totp/billhound:admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=billhound"
	png, err := QRPNG(uri, 240)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := DecodeQR(png, DecodeOptions{})
	if err != nil || len(texts) != 1 || texts[0] != uri {
		t.Fatalf("decoded %q, %v; want %s", texts, err, uri)
	}
}

// DecodeQR is called from concurrent HTTP handlers; run it in parallel
// (under -race this checks for shared state).
func TestDecodeQRConcurrent(t *testing.T) {
	var datas [][]byte
	var wants []string
	for _, text := range []string{"otpauth://totp/a?secret=" + testSecret, "second code", "third code, a bit longer"} {
		datas = append(datas, encodePNG(t, qrImage(t, text, 3)))
		wants = append(wants, text)
	}
	var wg sync.WaitGroup
	for i := range 3 * len(datas) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := i % len(datas)
			texts, err := DecodeQR(datas[j], DecodeOptions{})
			if err != nil || len(texts) != 1 || texts[0] != wants[j] {
				t.Errorf("image %d: %q, %v", j, texts, err)
			}
		}()
	}
	wg.Wait()
}

// FuzzDecodeQR checks that no file makes DecodeQR panic, exceed its
// budget (inspect refuses first) or report a bad file as an internal fault.
func FuzzDecodeQR(f *testing.F) {
	f.Add(encodePNG(f, qrImage(f, "otpauth://totp/a?secret="+testSecret, 2)))
	f.Add(pngHeader(300, 200))
	f.Add([]byte("GIF89a"))
	addImageSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if in, err := inspect(data, DecodeOptions{MaxPixels: 1 << 20}); err == nil && in.cost > DecodeBudget {
			t.Fatalf("accepted at a cost of %d bytes, over the budget", in.cost)
		}
		checkUpload(t, data)
	})
}
