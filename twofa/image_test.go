package twofa

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"billhound/internal/shareddata"
	"billhound/qrscan"
)

// exportDir holds real Google Authenticator export screens; see the README
// of the QR photo sets in ../shared.
var exportDir = func() string {
	d, err := shareddata.QRPhotos()
	if err != nil {
		d = filepath.Join("..", "..", "shared", "qr-photos") // missing: the tests using it say so
	}
	return filepath.Join(d, "authenticator-export")
}()

func readExport(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(exportDir, name))
	if err != nil {
		t.Fatalf("test image not available (the QR photo sets of ../shared or $BILLHOUND_SHARED_DIR): %v", err)
	}
	return data
}

// qrOf draws a key's link as a QR code image.
func qrOf(t *testing.T, k Key) image.Image {
	t.Helper()
	data, err := qrscan.QRPNG(k.URI(), 240)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestKeysFromImageRoundTrip(t *testing.T) {
	want := Key{Secret: []byte("Hello!\xde\xad\xbe\xef"), Issuer: "ACME Co", Account: "jane@example.com",
		Algorithm: "SHA256", Digits: 8, Period: 60}
	var b bytes.Buffer
	if err := png.Encode(&b, qrOf(t, want)); err != nil {
		t.Fatal(err)
	}
	keys, err := KeysFromImage(b.Bytes(), qrscan.DecodeOptions{})
	if err != nil || len(keys) != 1 || !sameKey(keys[0], want) {
		t.Fatalf("got %+v, %v; want %+v", keys, err, want)
	}
}

func TestKeysFromImageSeveralCodes(t *testing.T) {
	a := Key{Secret: []byte("0123456789"), Issuer: "A", Account: "a", Algorithm: "SHA1", Digits: 6, Period: 30}
	b := Key{Secret: []byte("9876543210"), Issuer: "B", Account: "b", Algorithm: "SHA1", Digits: 6, Period: 30}
	side := func(left, right image.Image) []byte {
		r := left.Bounds()
		img := image.NewGray(image.Rect(0, 0, 2*r.Dx(), r.Dy()))
		draw.Draw(img, r, left, r.Min, draw.Src)
		draw.Draw(img, r.Add(image.Pt(r.Dx(), 0)), right, r.Min, draw.Src)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	keys, err := KeysFromImage(side(qrOf(t, a), qrOf(t, b)), qrscan.DecodeOptions{})
	if err != nil || len(keys) != 2 {
		t.Fatalf("got %+v, %v; want both codes", keys, err)
	}
	if found := map[string]bool{keys[0].Issuer: true, keys[1].Issuer: true}; !found["A"] || !found["B"] {
		t.Errorf("got issuers %v, want A and B", found)
	}
	// The same code twice gives the account once.
	keys, err = KeysFromImage(side(qrOf(t, a), qrOf(t, a)), qrscan.DecodeOptions{})
	if err != nil || len(keys) != 1 {
		t.Errorf("same code twice: %d keys, %v; want 1", len(keys), err)
	}
}

// An image's own problems come back as twofa's InputError, of qrscan's kind.
func TestKeysFromImageInputErrors(t *testing.T) {
	_, err := KeysFromImage([]byte("%PDF-1.7\n"), qrscan.DecodeOptions{})
	checkInputError(t, err, ErrNotImage, "the file is not an image (PNG, JPEG, GIF or WebP expected)")
	_, err = KeysFromImage([]byte("%PDF-1.7\n"), qrscan.DecodeOptions{})
	checkInputError(t, err, qrscan.ErrNotImage, "the file is not an image")
}

func TestAuthenticatorExportImage(t *testing.T) {
	keys, err := KeysFromImage(readExport(t, "example_export.png"), qrscan.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkExampleKeys(t, keys)
}

func TestAuthenticatorExportPrefixes(t *testing.T) {
	// Known misses, with the reason; a success is logged, not failed.
	knownMiss := map[string]string{
		// A blurred webcam frame of a version-25-sized code at under two
		// pixels per module, with the capture tool's green frame drawn
		// over all three finder patterns.
		"cv2_capture_screenshot.png": "finder patterns overdrawn",
	}
	names, _ := filepath.Glob(filepath.Join(exportDir, "*.prefix.txt"))
	if len(names) == 0 {
		t.Skip("test images not available")
	}
	for _, p := range names {
		base := strings.TrimSuffix(filepath.Base(p), ".prefix.txt")
		imgs, _ := filepath.Glob(filepath.Join(exportDir, base+".*"))
		for _, img := range imgs {
			if strings.HasSuffix(img, ".txt") {
				continue
			}
			name := filepath.Base(img)
			t.Run(name, func(t *testing.T) {
				prefix, _ := os.ReadFile(p)
				texts, err := qrscan.DecodeQR(readExport(t, name), qrscan.DecodeOptions{})
				ok := err == nil && strings.HasPrefix(texts[0], strings.TrimSpace(string(prefix)))
				switch why, known := knownMiss[name]; {
				case ok && known:
					t.Logf("now decodes (was a known miss: %s)", why)
				case !ok && known:
					t.Logf("known miss: %s", why)
				case !ok:
					t.Errorf("got %q, %v; want a text starting %q", texts, err, prefix)
				}
				if ok {
					if _, err := ParseText(texts[0]); err != nil {
						t.Errorf("ParseText: %v", err)
					}
				}
			})
		}
	}
}

func TestQRWithoutOTP(t *testing.T) {
	_, err := KeysFromImage(readExport(t, "qr_but_without_otp.png"), qrscan.DecodeOptions{})
	checkInputError(t, err, ErrNotOTP, `the QR code holds "NOT A otpauth-migration:// URL", not a 2FA setup code (otpauth://)`)
}
