// Package archive files invoices on disk: data/archive/<portal>/<year>/<date>_<invoice id>.<ext>.
// Files are written to a temporary name and renamed, so a crash never leaves half a PDF under
// a real name. Which file is a duplicate is the store's business; this package only names,
// sniffs and writes.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Archive is the folder invoices are filed in.
type Archive struct {
	Root string
}

// Item is one file to file.
type Item struct {
	PortalSlug string
	Number     string    // the portal's invoice id, may be ""
	Date       time.Time // zero when unknown: the day of filing is used for the name
	Data       []byte
}

// Filed says where an item went, relative to Root.
type Filed struct {
	Path        string
	FileName    string
	ContentType string
	SHA256      string
}

// Sum is the hex SHA-256 of data, the content key the store dedupes on.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Name returns the relative path an item gets: <portal>/<year>/<date>_<id>.<ext>.
func Name(it Item, now time.Time) (string, string) {
	day := it.Date
	if day.IsZero() {
		day = now
	}
	id := safeID(it.Number)
	if id == "" {
		id = Sum(it.Data)[:12]
	}
	ct := Sniff(it.Data)
	file := day.Format("2006-01-02") + "_" + id + extension(ct)
	return filepath.Join(it.PortalSlug, day.Format("2006"), file), ct
}

// Write files an item and returns where it went. A different file already at the name (two
// ids that clean up to the same name) gets a numbered sibling instead of being overwritten.
func (a *Archive) Write(it Item, now time.Time) (Filed, error) {
	if len(it.Data) == 0 {
		return Filed{}, errors.New("archive: the downloaded file is empty")
	}
	if it.PortalSlug == "" || strings.ContainsAny(it.PortalSlug, `/\`) || strings.HasPrefix(it.PortalSlug, ".") {
		return Filed{}, fmt.Errorf("archive: bad portal folder %q", it.PortalSlug)
	}
	rel, ct := Name(it, now)
	dir := filepath.Join(a.Root, filepath.Dir(rel))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Filed{}, err
	}
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return Filed{}, err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(it.Data); err != nil {
		tmp.Close()
		return Filed{}, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Filed{}, err
	}
	if err := tmp.Close(); err != nil {
		return Filed{}, err
	}
	final, err := a.claimName(rel, tmp.Name())
	if err != nil {
		return Filed{}, err
	}
	return Filed{Path: final, FileName: filepath.Base(final), ContentType: ct, SHA256: Sum(it.Data)}, nil
}

// claimName moves tmp to rel, or rel with -2, -3 ... before the extension when taken. Link
// + remove instead of rename, because link fails when the name exists while rename would
// silently replace it.
func (a *Archive) claimName(rel, tmp string) (string, error) {
	ext := filepath.Ext(rel)
	base := strings.TrimSuffix(rel, ext)
	for i := 1; i < 1000; i++ {
		cand := rel
		if i > 1 {
			cand = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		err := os.Link(tmp, filepath.Join(a.Root, cand))
		if err == nil {
			return cand, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("archive: too many files named %s", rel)
}

// Remove deletes a filed item (used when the index refused it after all).
func (a *Archive) Remove(rel string) error {
	return os.Remove(a.Path(rel))
}

// Path is the absolute path of a relative archive path. It refuses to leave Root.
func (a *Archive) Path(rel string) string {
	clean := filepath.Clean("/" + rel)
	return filepath.Join(a.Root, clean)
}

// safeID keeps an invoice id readable in a file name: letters, digits, dot, dash, underscore;
// anything else becomes a dash.
func safeID(id string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(id) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-.")
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
