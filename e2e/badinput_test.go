package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
)

// hugePNGHeader is a valid PNG signature and header chunk claiming 50000x50000 pixels: what a
// decompression bomb looks like before its pixels are read.
func hugePNGHeader() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 50000)
	binary.BigEndian.PutUint32(ihdr[4:], 50000)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func gradientPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 2), uint8(y / 2), 200, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func TestBadTwoFactorInputIsRefusedClearly(t *testing.T) {
	t.Parallel()
	in := newInstance(t)
	in.setupAdmin()
	p := in.addPortal("Nimbus", demoPassword)
	// A working secret first: nothing below may change or lose it.
	var ok map[string]any
	if code := in.call("PUT", fmt.Sprintf("/api/portals/%d/totp", p.ID), map[string]string{"secret": "jbsw y3dp ehpk 3pxp"}, &ok); code != 200 {
		t.Fatalf("typed key: %d %v", code, ok)
	}
	noOTP, err := os.ReadFile(sharedImage(t, "authenticator-export", "qr_but_without_otp.png"))
	if err != nil {
		t.Fatal(err)
	}
	uploads := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"a text file", "invoice.txt", []byte("this is not an image"), "not an image"},
		{"a PDF", "scan.pdf", []byte("%PDF-1.4\n%%EOF\n"), "not an image"},
		{"an image without a QR code", "photo.png", gradientPNG(), "no QR code"},
		{"a QR code that is not 2FA", "qr.png", noOTP, "not a 2FA"},
		{"a 50000x50000 PNG", "bomb.png", hugePNGHeader(), "megapixels"},
	}
	for _, u := range uploads {
		start := time.Now()
		code, body := in.uploadQR(p.ID, u.file, u.data)
		msg, _ := body["error"].(string)
		if code != 400 || !strings.Contains(msg, u.want) {
			t.Errorf("%s: %d %q, want 400 mentioning %q", u.name, code, msg, u.want)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s took %v", u.name, time.Since(start))
		}
	}
	typed := []struct {
		name string
		body map[string]string
		want string
	}{
		{"malformed otpauth URI", map[string]string{"uri": "otpauth://totp/Nimbus?issuer=Nimbus"}, "secret"},
		{"not an otpauth URI", map[string]string{"uri": "https://nimbus.example/2fa"}, "otpauth"},
		{"bad base32 in URI", map[string]string{"uri": "otpauth://totp/N:demo?secret=JBSWY3DP!!"}, "base32"},
		{"key too short", map[string]string{"secret": "JBSWY3DP"}, "16"},
		{"key with a 1", map[string]string{"secret": "JBSWY3DPEHPK3PX1"}, "'1'"},
		{"key of impossible length", map[string]string{"secret": "JBSWY3DPEHPK3PXPA"}, "length"},
		{"nothing", map[string]string{}, "security key"},
	}
	for _, c := range typed {
		var body map[string]any
		code := in.call("PUT", fmt.Sprintf("/api/portals/%d/totp", p.ID), c.body, &body)
		msg, _ := body["error"].(string)
		if code != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want 400 mentioning %q", c.name, code, msg, c.want)
		}
		if strings.Contains(msg, "JBSWY3DP") {
			t.Errorf("%s: the error echoes the secret: %q", c.name, msg)
		}
	}
	var after portalJSON
	in.call("GET", fmt.Sprintf("/api/portals/%d", p.ID), nil, &after)
	if !after.TwoFA.Configured {
		t.Fatal("bad input removed the working 2FA secret")
	}
	var code codeJSON
	if st := in.call("GET", fmt.Sprintf("/api/portals/%d/totp/code", p.ID), nil, &code); st != 200 || len(code.Code) != 6 {
		t.Fatalf("code after bad input: %d %+v", st, code)
	}

	// An authenticator app's export holds three accounts: billhound asks which one.
	export, err := os.ReadFile(sharedImage(t, "authenticator-export", "example_export.png"))
	if err != nil {
		t.Fatal(err)
	}
	st, body := in.uploadQR(p.ID, "export.png", export)
	cands, _ := body["candidates"].([]any)
	if st != 409 || len(cands) != 3 {
		t.Fatalf("export image: %d %v", st, body)
	}
}

func TestRunawayScriptIsStopped(t *testing.T) {
	t.Parallel()
	in := newInstance(t, "BILLHOUND_RUN_TIMEOUT=4s")
	in.setupAdmin()
	script := "// ==Portal==\n// @name Loop\n// @url http://127.0.0.1:1/\n// ==/Portal==\nlog('looping');\nwhile (true) {}\n"
	var p portalJSON
	if code := in.call("POST", "/api/portals", map[string]string{"name": "Loop", "script": script, "username": "u", "password": "p"}, &p); code != 201 {
		t.Fatalf("add: %d", code)
	}
	start := time.Now()
	r := in.startRun(p.ID)
	if r.Status != "failed" || !strings.Contains(r.Error, "4s") {
		t.Fatalf("runaway script: %s %q", r.Status, r.Error)
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Fatalf("runaway script took %v to stop", el)
	}
	// The server still answers and the portal can run again.
	var ps []portalJSON
	if code := in.call("GET", "/api/portals", nil, &ps); code != 200 || len(ps) != 1 {
		t.Fatalf("server after a runaway script: %d", code)
	}
}
