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
	path := filepath.Join(src.DataDir, "secret.key")
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
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
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
