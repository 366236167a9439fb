package cli

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"billhound/config"
	"billhound/credentials"
	"billhound/secrets"
	"billhound/store"
)

func runRestore(env *Env, args []string) error {
	fs := flags(env, "restore")
	force := fs.Bool("force", false, "replace the database and archive of a data dir that is not empty")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() != 1 {
		return usageError("usage: billhound restore FILE.tar.gz [--data DIR] [--force]")
	}
	in, err := os.Open(fs.Arg(0))
	if err != nil {
		return fail("cannot open the backup: %v", err)
	}
	defer in.Close()
	if ents, err := os.ReadDir(cfg.DataDir); err == nil && len(ents) > 0 && !*force {
		return fail("%s is not empty; restore into a new data dir (--data DIR), or add --force to replace its database and archive", cfg.DataDir)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fail("data directory %s: %v", cfg.DataDir, err)
	}
	if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
		return err
	}
	// Alone on the data dir: a server still running on it would keep the old database open.
	unlock, err := lockData(cfg.DataDir, true)
	if errors.Is(err, errDataBusy) {
		return fail("billhound is running on %s; stop it, then restore", cfg.DataDir)
	} else if err != nil {
		return err
	}
	defer unlock()
	stage, err := os.MkdirTemp(cfg.DataDir, "restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	m, err := extractBackup(in, stage)
	if err != nil {
		return fail("%s is not a billhound backup that can be restored: %v", fs.Arg(0), err)
	}
	if m.Schema > store.SchemaVersion() {
		return fail("the backup is from a newer billhound (database schema %d, this one knows %d); restore it with that version", m.Schema, store.SchemaVersion())
	}
	if err := putInPlace(stage, cfg.DataDir); err != nil {
		return err
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, "billhound.db"))
	if err != nil {
		return fmt.Errorf("the restored database does not open: %w", err)
	}
	defer st.Close()
	fmt.Fprintf(env.Stdout, "restored %d invoices and the database into %s\n", m.Invoices, cfg.DataDir)
	return checkRestoredKey(env, cfg, st, m)
}

// checkRestoredKey says whether the stored secrets can be opened with the key at hand.
func checkRestoredKey(env *Env, cfg *config.Config, st *store.Store, m manifest) error {
	dataDir := cfg.DataDir
	src := keySource(cfg)
	src.InUse = true
	key, _, err := secrets.LoadKey(src)
	if err == nil {
		var box *secrets.Box
		if box, err = secrets.NewBox(key); err == nil {
			err = credentials.CheckKey(st, box)
		}
	}
	switch {
	case err == nil:
		fmt.Fprintln(env.Stdout, "the secret key opens the stored passwords and 2FA secrets")
	case !m.WithKey:
		fmt.Fprintf(env.Stdout, "the backup holds no secret key: put the original secret.key into %s (or set BILLHOUND_SECRET_KEY) before starting billhound\n", dataDir)
	default:
		return fail("the restored secrets cannot be opened with the key: %v", err)
	}
	return nil
}

// extractBackup unpacks into dir (a fresh folder): regular files only, under their own names,
// private modes. Anything else in the tar is refused, not skipped.
func extractBackup(r io.Reader, dir string) (manifest, error) {
	var m manifest
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, errors.New("not gzip-compressed")
	}
	tr := tar.NewReader(gz)
	first := true
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("broken archive: %v", err)
		}
		name := path.Clean(h.Name)
		if first {
			if name != manifestName {
				return m, errors.New("it does not start with " + manifestName)
			}
			if err := json.NewDecoder(io.LimitReader(tr, 1<<16)).Decode(&m); err != nil {
				return m, fmt.Errorf("unreadable %s", manifestName)
			}
			first = false
			continue
		}
		if h.Typeflag != tar.TypeReg || !allowedEntry(name) {
			return m, fmt.Errorf("unexpected entry %q", h.Name)
		}
		if err := writeEntry(filepath.Join(dir, filepath.FromSlash(name)), tr); err != nil {
			return m, err
		}
	}
	if first {
		return m, errors.New("it is empty")
	}
	if _, err := os.Stat(filepath.Join(dir, "billhound.db")); err != nil {
		return m, errors.New("it holds no database")
	}
	return m, nil
}

func allowedEntry(name string) bool {
	if name == "billhound.db" || name == secrets.KeyFileName {
		return true
	}
	return strings.HasPrefix(name, "archive/") && !strings.HasPrefix(name, "/") && !strings.Contains("/"+name+"/", "/../")
}

func writeEntry(dst string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// putInPlace replaces the data dir's database (with its WAL files) and archive by the staged
// ones; the secret key only when the backup had one.
func putInPlace(stage, dataDir string) error {
	for _, p := range []string{"billhound.db", "billhound.db-wal", "billhound.db-shm", "archive"} {
		if err := os.RemoveAll(filepath.Join(dataDir, p)); err != nil {
			return err
		}
	}
	for _, p := range []string{"billhound.db", "archive", secrets.KeyFileName} {
		src := filepath.Join(stage, p)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.Rename(src, filepath.Join(dataDir, p)); err != nil {
			return err
		}
	}
	return nil
}
