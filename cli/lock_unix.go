//go:build unix

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// errDataBusy: another billhound process holds the data dir.
var errDataBusy = errors.New("data dir busy")

// lockData takes the data dir's lock: shared for every process that uses the key (server,
// commands), exclusive for a key rotation, which must be alone. The kernel drops it when the
// process ends, even by kill -9. A shared lock waits a little for a rotation to finish.
func lockData(dir string, exclusive bool) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, "billhound.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		if exclusive || time.Now().After(deadline) {
			f.Close()
			return nil, errDataBusy
		}
		time.Sleep(100 * time.Millisecond)
	}
}
