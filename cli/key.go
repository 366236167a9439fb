package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"billhound/config"
	"billhound/credentials"
	"billhound/secrets"
	"billhound/store"
)

func keySource(cfg *config.Config) secrets.KeySource {
	return secrets.KeySource{Value: cfg.SecretKey, File: cfg.SecretKeyFile, DataDir: cfg.DataDir}
}

// openKey loads the secret key and makes sure it is the one the database's secrets were
// sealed with. It never makes a new key over sealed data: a missing or wrong key stops
// billhound with a message that says how to put the right one back.
func openKey(cfg *config.Config, st *store.Store, log *slog.Logger) (*secrets.Box, []byte, error) {
	src := keySource(cfg)
	inUse, err := credentials.KeyInUse(st)
	if err != nil {
		return nil, nil, err
	}
	src.InUse = inUse
	if !src.FromUser() {
		if err := finishRotation(cfg.DataDir, st, log); err != nil {
			return nil, nil, err
		}
	}
	key, from, err := secrets.LoadKey(src)
	if err != nil {
		return nil, nil, err
	}
	log.Debug("secret key loaded", "from", from)
	box, err := secrets.NewBox(key)
	if err != nil {
		return nil, nil, err
	}
	if err := credentials.CheckKey(st, box); errors.Is(err, credentials.ErrWrongKey) {
		return nil, nil, fmt.Errorf("the secret key from %s is not the key the stored passwords and 2FA secrets "+
			"were sealed with, so billhound cannot open them. Put the original key back (restore your backed-up "+
			"secret.key to %s, or set BILLHOUND_SECRET_KEY or BILLHOUND_SECRET_KEY_FILE to it), then start billhound again",
			from, filepath.Join(cfg.DataDir, secrets.KeyFileName))
	} else if err != nil {
		return nil, nil, err
	}
	return box, key, nil
}

// finishRotation settles a key rotation that stopped half way (see rotateKey): secret.key.old
// is the previous key, kept until the database committed to the new one.
func finishRotation(dataDir string, st *store.Store, log *slog.Logger) error {
	path := filepath.Join(dataDir, secrets.KeyFileName)
	oldPath := path + ".old"
	oldKey, err := secrets.ReadKeyFile(oldPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if matches(st, path) {
		return os.Remove(oldPath) // the rotation committed; only the cleanup was missed
	}
	if oldBox, err := secrets.NewBox(oldKey); err == nil && credentials.MatchKey(st, oldBox) == nil {
		log.Warn("a key rotation stopped before the database took the new key; going back to the previous key")
		return os.Rename(oldPath, path)
	}
	return nil // neither opens: openKey says so
}

func matches(st *store.Store, keyPath string) bool {
	k, err := secrets.ReadKeyFile(keyPath)
	if err != nil {
		return false
	}
	box, err := secrets.NewBox(k)
	return err == nil && credentials.MatchKey(st, box) == nil
}

func runKey(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usageError("usage: billhound key rotate [--data DIR]")
	}
	fs := flags(env, "key rotate")
	cfg, err := loadConfig(env, fs, args[1:])
	if err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() != 0 {
		return usageError("usage: billhound key rotate [--data DIR]")
	}
	log := newLogger(logLevelForCLI(env), cfg.LogFormat)
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "billhound.db")); err != nil {
		return fail("no billhound database in %s; pass the data dir with --data or BILLHOUND_DATA", cfg.DataDir)
	}
	// A running server or run holds the old key in memory and would keep sealing with it.
	unlock, err := lockData(cfg.DataDir, true)
	if errors.Is(err, errDataBusy) {
		return fail("billhound is running on %s (the server or a run); stop it, then rotate the key", cfg.DataDir)
	}
	if err != nil {
		return err
	}
	defer unlock()
	st, err := store.Open(filepath.Join(cfg.DataDir, "billhound.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	oldBox, oldKey, err := openKey(cfg, st, log)
	if err != nil {
		return fail("%v", err)
	}
	return rotateKey(env, cfg, st, oldBox, oldKey)
}

// rotateKey re-seals every secret with a new key. With the key in the data dir, the steps keep
// a key file that opens the database at every moment a crash could strike: the current key is
// copied to secret.key.old, the new key replaces secret.key, the database re-seals in one
// transaction, and only then secret.key.old goes. After a crash before the commit, the next
// start finds secret.key.old matching and goes back to it (finishRotation).
func rotateKey(env *Env, cfg *config.Config, st *store.Store, oldBox *secrets.Box, oldKey []byte) error {
	newKey, err := secrets.NewKey()
	if err != nil {
		return err
	}
	newBox, err := secrets.NewBox(newKey)
	if err != nil {
		return err
	}
	w := env.Stdout
	if keySource(cfg).FromUser() {
		where := "BILLHOUND_SECRET_KEY"
		if cfg.SecretKey == "" {
			where = "the file named by BILLHOUND_SECRET_KEY_FILE (" + cfg.SecretKeyFile + ")"
		}
		// Shown before the database changes: should this command die right after the commit,
		// the new key is still known.
		fmt.Fprintf(w, "new secret key: %s\n", secrets.EncodeKey(newKey))
		n, err := credentials.Rotate(st, oldBox, newBox)
		if err != nil {
			return fail("the key was not rotated (%v); keep using the old key and forget the new one", err)
		}
		fmt.Fprintf(w, "rotated: %s sealed with the new key.\n"+
			"Put the new key in %s now, and in your backup: billhound no longer starts with the old one.\n", countSecrets(n), where)
		return nil
	}
	path := filepath.Join(cfg.DataDir, secrets.KeyFileName)
	oldPath := path + ".old"
	if err := secrets.WriteKeyFile(oldPath, oldKey); err != nil {
		return fail("cannot keep the old key at %s (%v); nothing was changed", oldPath, err)
	}
	if err := secrets.WriteKeyFile(path, newKey); err != nil {
		os.Remove(oldPath)
		return fail("cannot write the new key to %s (%v); nothing was changed", path, err)
	}
	n, err := credentials.Rotate(st, oldBox, newBox)
	if err != nil {
		if rerr := os.Rename(oldPath, path); rerr != nil {
			return fail("the key was not rotated (%v), and the old key could not be put back (%v): move %s to %s before starting billhound",
				err, rerr, oldPath, path)
		}
		return fail("the key was not rotated (%v); the old key stays in use", err)
	}
	if err := os.Remove(oldPath); err != nil {
		fmt.Fprintf(env.Stderr, "billhound key rotate: remove %s yourself: %v\n", oldPath, err)
	}
	fmt.Fprintf(w, "rotated: %s sealed with a new key, now in %s.\n"+
		"Replace your backup of the old key with this file: the old key opens nothing any more.\n", countSecrets(n), path)
	return nil
}

func countSecrets(n int) string {
	if n == 1 {
		return "1 stored secret is"
	}
	return fmt.Sprintf("%d stored secrets are", n)
}
