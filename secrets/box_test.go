package secrets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testBox(t *testing.T) *Box {
	t.Helper()
	b, err := NewBox(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := testBox(t)
	for _, plain := range []string{"hunter2", "JBSWY3DPEHPK3PXP", strings.Repeat("ä€", 500)} {
		sealed, err := b.SealString("portal/1/password", plain)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := b.OpenString("portal/1/password", sealed)
		if err != nil || got != plain {
			t.Fatalf("round trip: got %q, %v", got, err)
		}
	}
}

func TestSealIsRandomized(t *testing.T) {
	b := testBox(t)
	x, _ := b.SealString("p", "same")
	y, _ := b.SealString("p", "same")
	if bytes.Equal(x, y) {
		t.Fatal("two seals of the same value are equal: nonce reuse")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := testBox(t)
	sealed, _ := b.SealString("portal/1/password", "hunter2")
	other, _ := NewBox(bytes.Repeat([]byte{8}, KeySize))
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	cases := []struct {
		name    string
		box     *Box
		purpose string
		value   []byte
	}{
		{"other purpose (value moved to another row)", b, "portal/2/password", sealed},
		{"other key", other, "portal/1/password", sealed},
		{"tampered", b, "portal/1/password", tampered},
		{"truncated", b, "portal/1/password", sealed[:10]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.box.Open(c.purpose, c.value); err != ErrOpen {
				t.Fatalf("want ErrOpen, got %v", err)
			}
		})
	}
}

func TestEmptySealsToNil(t *testing.T) {
	b := testBox(t)
	sealed, err := b.SealString("p", "")
	if err != nil || sealed != nil {
		t.Fatalf("empty: %v %v", sealed, err)
	}
	got, err := b.OpenString("p", nil)
	if err != nil || got != "" {
		t.Fatalf("open nil: %q %v", got, err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, from, err := LoadKey(KeySource{DataDir: dir})
	if err != nil || len(k1) != KeySize || !strings.HasSuffix(from, "(new)") {
		t.Fatalf("generate: %v %q %v", len(k1), from, err)
	}
	st, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	k2, _, err := LoadKey(KeySource{DataDir: dir})
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second load returned another key")
	}
	hexKey := strings.Repeat("ab", KeySize)
	k3, from, err := LoadKey(KeySource{Value: hexKey, DataDir: dir})
	if err != nil || k3[0] != 0xab || from != "BILLHOUND_SECRET_KEY" {
		t.Fatalf("env key: %v %v", from, err)
	}
	file := filepath.Join(dir, "k")
	os.WriteFile(file, []byte(hexKey+"\n"), 0o600)
	if k4, _, err := LoadKey(KeySource{File: file}); err != nil || !bytes.Equal(k3, k4) {
		t.Fatalf("key file: %v", err)
	}
	if _, _, err := LoadKey(KeySource{Value: "short"}); err == nil || !strings.Contains(err.Error(), "openssl rand -hex 32") {
		t.Fatalf("bad key error: %v", err)
	}
}

// TestLoadKeyNeverReplacesAKeyInUse: with sealed data, a missing key file is an error that
// says where the key belongs, and no new key appears.
func TestLoadKeyNeverReplacesAKeyInUse(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadKey(KeySource{DataDir: dir, InUse: true})
	var missing *MissingKeyError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), filepath.Join(dir, KeyFileName)) ||
		!strings.Contains(err.Error(), "BILLHOUND_SECRET_KEY_FILE") {
		t.Fatalf("missing key in use: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a new key file was written")
	}
	k, _ := NewKey()
	path := filepath.Join(dir, KeyFileName)
	if err := WriteKeyFile(path, k); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode().Perm())
	}
	got, from, err := LoadKey(KeySource{DataDir: dir, InUse: true})
	if err != nil || !bytes.Equal(got, k) || from != path {
		t.Fatalf("load the written key: %v %q", err, from)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
}
