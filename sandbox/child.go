package sandbox

import (
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
)

// IsChild reports whether this process was started by Start.
func IsChild() bool { return os.Getenv(envChild) == "1" }

// childStack bounds a goroutine's stack in the child. A native built-in that recurses (a deeply
// nested array's flat(), JSON.stringify) fails the run at this depth instead of growing to
// Go's 1 GB default.
const childStack = 128 << 20

const prSetNoNewPrivs = 38 // prctl(PR_SET_NO_NEW_PRIVS)

// ChildConn sets up the child's limits and returns its side of the socket (fd 3). Call it
// first thing in the child.
func ChildConn() (*Conn, error) {
	if !IsChild() {
		return nil, ErrNotChild
	}
	limit, _ := strconv.ParseInt(os.Getenv(envMemory), 10, 64)
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	// The Go heap past the limit fails to map and the child dies at once ("out of memory");
	// the parent's watchdog on resident memory catches what this does not count.
	data := uint64(limit) + 64<<20
	if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: data, Max: data}); err != nil {
		return nil, fmt.Errorf("sandbox: limit memory: %w", err)
	}
	// Defence in depth: the runtime opens no files, writes no core dumps, gains no privileges.
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 32, Max: 32})
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0)
	// A busy script yields the CPU to the server and to other runs' host calls.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10)
	// No debug.SetMemoryLimit: near a soft limit the collector runs without pause and a script
	// that grows crawls to its time limit instead of failing fast at the ceiling.
	debug.SetMaxStack(childStack)
	f := os.NewFile(3, "sandbox")
	if f == nil {
		return nil, fmt.Errorf("sandbox: no socket on fd 3")
	}
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("sandbox: socket: %w", err)
	}
	return newConn(c), nil
}
