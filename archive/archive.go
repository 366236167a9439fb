// Package archive files invoices on disk: data/archive/<portal>/<year>/<date>_<invoice id>.<ext>.
// Content is streamed into a temporary file next to its final name (hashed and sniffed on the
// way), synced, and then linked to the real name, so a crash or a full disk never leaves half a
// PDF or an empty file under a real name. Which file is a duplicate is the store's business;
// this package only names, sniffs and writes.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Archive is the folder invoices are filed in.
type Archive struct {
	Root string
}

// Item says where a file goes; its content is passed to Stage or Write as a reader.
type Item struct {
	PortalSlug string
	Number     string    // the portal's invoice id, may be ""
	Date       time.Time // zero when unknown: the day of filing is used for the name
}

// Filed says where an item went, relative to Root.
type Filed struct {
	Path        string
	FileName    string
	ContentType string
	SHA256      string
	Size        int64
}

// Sum is the hex SHA-256 of data, the content key the store dedupes on.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Name returns the relative path an item with this content gets: <portal>/<year>/<date>_<id>.<ext>.
// sum (the content's Sum) names files without an id; contentType (from Sniff) gives the extension.
func Name(it Item, sum, contentType string, now time.Time) string {
	day := it.Date
	if day.IsZero() {
		day = now
	}
	id := safeID(it.Number)
	if id == "" {
		id = sum[:min(12, len(sum))]
	}
	file := day.Format("2006-01-02") + "_" + id + extension(contentType)
	return filepath.Join(it.PortalSlug, day.Format("2006"), file)
}

// Staged is an item's content copied into the archive under a temporary name: its hash and
// type are known, so the caller can look for a duplicate before the file gets its real name.
// Either Commit or Discard it.
type Staged struct {
	SHA256      string
	ContentType string
	Size        int64

	a   *Archive
	it  Item
	now time.Time
	tmp string // "" once committed or discarded
}

// Stage copies r into a temporary file in the item's folder, hashing it and sniffing its type
// from the first bytes, and syncs it to disk. On any error (a full disk) nothing is left behind.
func (a *Archive) Stage(it Item, r io.Reader, now time.Time) (*Staged, error) {
	if it.PortalSlug == "" || strings.ContainsAny(it.PortalSlug, `/\`) || strings.HasPrefix(it.PortalSlug, ".") {
		return nil, fmt.Errorf("archive: bad portal folder %q", it.PortalSlug)
	}
	dir := filepath.Dir(filepath.Join(a.Root, Name(it, "x", "", now)))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, DiskError(err, dir)
	}
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return nil, DiskError(err, dir)
	}
	sum, head, n, err := copyHashing(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = errors.New("archive: the downloaded file is empty")
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, DiskError(err, tmp.Name())
	}
	return &Staged{SHA256: sum, ContentType: Sniff(head), Size: n, a: a, it: it, now: now, tmp: tmp.Name()}, nil
}

// copyHashing copies r to w and returns the content's hex SHA-256, its first 512 bytes (enough
// to sniff the type) and its size.
func copyHashing(w io.Writer, r io.Reader) (string, []byte, int64, error) {
	h := sha256.New()
	head := &headBuffer{max: 512}
	n, err := io.Copy(io.MultiWriter(w, h, head), r)
	return hex.EncodeToString(h.Sum(nil)), head.buf, n, err
}

type headBuffer struct {
	buf []byte
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// Commit gives the staged file its name and returns where it went. A different file already at
// the name (two ids that clean up to the same name) gets a numbered sibling instead of being
// overwritten.
func (s *Staged) Commit() (Filed, error) {
	if s.tmp == "" {
		return Filed{}, errors.New("archive: the file was already committed or discarded")
	}
	defer s.Discard() // the temporary name goes once linked
	rel := Name(s.it, s.SHA256, s.ContentType, s.now)
	final, err := s.a.claimName(rel, s.tmp)
	if err != nil {
		return Filed{}, DiskError(err, filepath.Join(s.a.Root, rel))
	}
	return Filed{Path: final, FileName: filepath.Base(final), ContentType: s.ContentType, SHA256: s.SHA256, Size: s.Size}, nil
}

// Discard removes the staged file (a duplicate, or an error before Commit). It is safe to call
// more than once and after Commit.
func (s *Staged) Discard() {
	if s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
}

// Write files r under it and returns where it went: Stage and Commit in one step.
func (a *Archive) Write(it Item, r io.Reader, now time.Time) (Filed, error) {
	st, err := a.Stage(it, r, now)
	if err != nil {
		return Filed{}, err
	}
	return st.Commit()
}

// claimName links tmp to rel, or rel with -2, -3 ... before the extension when taken. Link
// instead of rename, because link fails when the name exists while rename would silently
// replace it.
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
