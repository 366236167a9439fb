//go:build unix

package server

import (
	"errors"
	"fmt"
	"syscall"
)

// checkDisk: runs spool downloads and the archive grows on this filesystem.
func checkDisk(dir string, min int64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return errors.New("cannot read the data dir's free space")
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if free < min {
		return fmt.Errorf("only %s free on the data dir's disk (below %s); free space or move the data dir",
			humanBytes(free), humanBytes(min))
	}
	return nil
}
