package twofa

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseURI checks otpauth:// parsing: no panic, bad input is an
// InputError, and an accepted key survives a round trip through Key.URI.
func FuzzParseURI(f *testing.F) {
	f.Add("otpauth://totp/A%3AB:c?secret=" + testSecret + "&digits=8&period=60&algorithm=SHA256")
	f.Add("otpauth://totp/Example:alice@example.com?secret=" + testSecret + "&issuer=Example")
	f.Add("otpauth://hotp/x?secret=" + testSecret + "&counter=1")
	f.Add("otpauth://totp/%E2%80%AE?secret=AAAA&period=0")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseURI(s)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%q: %v is not an InputError", s, err)
			}
			return
		}
		if _, err := k.CodeAt(1); err != nil {
			t.Fatalf("%q: accepted key %+v has no code: %v", s, k, err)
		}
		again, err := ParseURI(k.URI())
		if err != nil || again.Base32() != k.Base32() || again.Digits != k.Digits ||
			again.Period != k.Period || again.Algorithm != k.Algorithm {
			t.Fatalf("%q: round trip through %q gave %+v, %v", s, k.URI(), again, err)
		}
	})
}

// FuzzParseMigration feeds arbitrary protobuf payloads to the Google
// Authenticator export parser: no panic, bad input is an InputError, and
// every accepted key gives codes.
func FuzzParseMigration(f *testing.F) {
	u, _ := url.Parse(exampleExport)
	payload, _ := base64.StdEncoding.DecodeString(u.Query().Get("data"))
	f.Add(payload)
	f.Add([]byte{0x0a, 0x06, 0x0a, 0x01, 0x01, 0x12, 0x01, 0x01})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(data))
		keys, err := ParseMigrationURI(s)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%x: %v is not an InputError", data, err)
			}
			return
		}
		for _, k := range keys {
			if _, err := k.CodeAt(1); err != nil {
				t.Fatalf("%x: accepted key %+v has no code: %v", data, k, err)
			}
		}
	})
}

// addImageSeeds adds small images of every format and JPEG shape to the
// upload fuzzer's corpus.
func addImageSeeds(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "internal", "jpegluma", "testdata", "*.jpg"))
	webps, _ := filepath.Glob(filepath.Join(photoDir, "zxing-cpp", "*", "*.webp"))
	gifs, _ := filepath.Glob(filepath.Join(photoDir, "*", "*", "*.gif"))
	for _, name := range append(append(names, webps...), gifs...) {
		if data, err := os.ReadFile(name); err == nil && len(data) < 16<<10 {
			f.Add(data)
		}
	}
}

// checkUpload is what an upload may do: succeed with texts, or fail with
// an InputError whose message is a sentence.
func checkUpload(t *testing.T, data []byte) {
	texts, err := DecodeQR(data, DecodeOptions{MaxPixels: 1 << 20})
	if err != nil {
		msg := err.Error()
		if !IsInputError(err) || !strings.HasPrefix(msg, strings.ToLower(msg[:1])) || strings.Contains(msg, "jpeg") {
			t.Fatalf("%v is not a clear InputError", err)
		}
		return
	}
	if len(texts) == 0 {
		t.Fatal("no error and no text")
	}
}
