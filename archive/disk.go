package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrDiskFull is wrapped by every write that failed for lack of space (or quota), so a run can
// tell it from other errors and say what to do.
var ErrDiskFull = errors.New("the disk is full")

// DiskError turns a write failure for lack of space into a sentence that says so; other errors
// pass through.
func DiskError(err error, path string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrDiskFull):
		return err
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: could not write %s; free some space on the disk of billhound's data folder and run again", ErrDiskFull, path)
	case errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("%w: could not write %s, the file is larger than this system allows (file size limit)", ErrDiskFull, path)
	}
	return err
}

// WriteFile writes data to path the way the archive files invoices: to a temporary file in
// the same folder, synced, then renamed. On any error (a full disk) the temporary file is
// removed, so no empty or partial file is ever left under path.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".incoming-*")
	if err != nil {
		return DiskError(err, path)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return DiskError(err, path)
	}
	return nil
}
