package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySource says where the key comes from, in the order LoadKey tries them.
type KeySource struct {
	Value   string // BILLHOUND_SECRET_KEY: 64 hex characters or base64 of 32 bytes
	File    string // BILLHOUND_SECRET_KEY_FILE: a file holding the same
	DataDir string // else <DataDir>/secret.key, generated once with mode 0600
	// InUse says the database already holds values sealed with a key: a missing key file is
	// then an error, never a reason to make a new key (which would open none of them).
	InUse bool
}

// KeyFileName is the key's file in the data dir.
const KeyFileName = "secret.key"

// FromUser reports whether the key is set by the user (variable or file) rather than kept in
// the data dir.
func (src KeySource) FromUser() bool { return src.Value != "" || src.File != "" }

// MissingKeyError is LoadKey's answer when the key file is gone but sealed values exist.
type MissingKeyError struct{ Path string }

func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("the secret key is missing: the database holds passwords and 2FA secrets sealed with "+
		"the key that was kept in %s. Put your backed-up secret.key back at that path (mode 0600), or set "+
		"BILLHOUND_SECRET_KEY or BILLHOUND_SECRET_KEY_FILE to that key, then start billhound again. "+
		"billhound does not make a new key here: the stored secrets could never be opened again", e.Path)
}

// LoadKey returns the 32-byte key and a short description of where it came from (for the
// startup log; never the key itself).
func LoadKey(src KeySource) ([]byte, string, error) {
	if src.Value != "" {
		k, err := parseKey(src.Value)
		if err != nil {
			return nil, "", fmt.Errorf("BILLHOUND_SECRET_KEY: %w", err)
		}
		return k, "BILLHOUND_SECRET_KEY", nil
	}
	if src.File != "" {
		raw, err := os.ReadFile(src.File)
		if err != nil {
			return nil, "", fmt.Errorf("BILLHOUND_SECRET_KEY_FILE: %w", err)
		}
		k, err := parseKey(string(raw))
		if err != nil {
			return nil, "", fmt.Errorf("BILLHOUND_SECRET_KEY_FILE %s: %w", src.File, err)
		}
		return k, src.File, nil
	}
	if src.DataDir == "" {
		return nil, "", errors.New("secrets: no key and no data directory to keep one in")
	}
	path := filepath.Join(src.DataDir, KeyFileName)
	raw, err := os.ReadFile(path)
	if err == nil {
		k, err := parseKey(string(raw))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return k, path, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	if src.InUse {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return nil, "", &MissingKeyError{Path: path}
	}
	k, err := generateKeyFile(path)
	if err != nil {
		return nil, "", err
	}
	return k, path + " (new)", nil
}

// generateKeyFile writes a fresh key with O_EXCL, so two processes starting at once on a new
// data dir cannot both write one: the loser reads the winner's key.
func generateKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	k, err := NewKey()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		raw, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		return parseKey(string(raw))
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}

// NewKey returns a fresh random key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	return k, err
}

// EncodeKey is the form keys are written and shown in: 64 hex characters.
func EncodeKey(k []byte) string { return hex.EncodeToString(k) }

// ReadKeyFile reads a key file.
func ReadKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := parseKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// WriteKeyFile replaces path with key, mode 0600, so that a crash leaves either the old file
// or the new one whole: a temp file is written and synced, renamed over path, and the folder
// synced.
func WriteKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".secret.key-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(EncodeKey(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("the key must be %d bytes as 64 hex characters or base64 (try: openssl rand -hex 32)", KeySize)
}
