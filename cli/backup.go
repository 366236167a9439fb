package cli

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"billhound/secrets"
	"billhound/store"
)

// manifestName is the first entry of a backup: what it holds, so restore can tell a billhound
// backup from any other tar.gz.
const manifestName = "billhound-backup.json"

type manifest struct {
	Created  time.Time `json:"created"`
	Schema   int       `json:"schema"`
	WithKey  bool      `json:"withKey"`
	Invoices int64     `json:"invoices"`
}

func runBackup(env *Env, args []string) error {
	fs := flags(env, "backup")
	withKey := fs.Bool("with-key", false, "put the secret key into the backup too (keep the file as safe as the key)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() != 1 {
		return usageError("usage: billhound backup FILE.tar.gz [--with-key] [--data DIR]")
	}
	out := fs.Arg(0)
	dbPath := filepath.Join(cfg.DataDir, "billhound.db")
	if _, err := os.Stat(dbPath); err != nil {
		return fail("no billhound database in %s; pass the data dir with --data or BILLHOUND_DATA", cfg.DataDir)
	}
	if _, err := os.Stat(out); err == nil {
		return fail("%s already exists; choose a new file name (backups never overwrite)", out)
	}
	unlock, err := lockData(cfg.DataDir, false)
	if err != nil {
		return fail("a key rotation is running on %s; back up once it has finished", cfg.DataDir)
	}
	defer unlock()
	var key []byte
	if *withKey {
		if key, _, err = secrets.LoadKey(keySource(cfg)); err != nil {
			return err
		}
	}
	st, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	tmp, err := os.MkdirTemp(cfg.DataDir, "backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The database first: every invoice it lists is on disk by then (files are archived before
	// their row), and files archived afterwards are harmless extras.
	snap := filepath.Join(tmp, "billhound.db")
	if err := st.Backup(context.Background(), snap); err != nil {
		return err
	}
	n, _, _ := st.InvoiceTotals(context.Background())
	m := manifest{Created: time.Now().UTC(), Schema: store.SchemaVersion(), WithKey: key != nil, Invoices: n}
	if err := writeBackup(out, m, snap, filepath.Join(cfg.DataDir, "archive"), key); err != nil {
		os.Remove(out + ".part")
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up the database (%d invoices) and the archive to %s", n, out)
	if key != nil {
		fmt.Fprintln(env.Stdout, ", with the secret key: keep this file as safe as the key")
	} else {
		fmt.Fprintln(env.Stdout, "; the secret key is not in it (add --with-key, or keep the key apart)")
	}
	return nil
}

// writeBackup writes the tar.gz to out+".part" and renames it when complete, so a backup that
// failed half way never looks like a good one.
func writeBackup(out string, m manifest, db, archiveDir string, key []byte) error {
	f, err := os.OpenFile(out+".part", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, manifestName, mj); err != nil {
		return err
	}
	if key != nil {
		if err := addBytes(tw, secrets.KeyFileName, []byte(hex.EncodeToString(key)+"\n")); err != nil {
			return err
		}
	}
	if err := addFile(tw, "billhound.db", db); err != nil {
		return err
	}
	err = filepath.WalkDir(archiveDir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == archiveDir {
			return nil // nothing archived yet
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(archiveDir), path)
		if err != nil {
			return err
		}
		return addFile(tw, filepath.ToSlash(rel), path)
	})
	if err != nil {
		return fmt.Errorf("back up the archive: %w", err)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return os.Rename(out+".part", out)
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: info.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	// Exactly the size in the header: a file still growing is cut there rather than breaking the tar.
	_, err = io.CopyN(tw, f, info.Size())
	return err
}
