// Package sandbox runs untrusted code (a portal script) in a child process of the same binary,
// so that nothing it does can stop, crash or starve the server: a memory blow-up, a Go stack
// overflow in a native built-in or a loop that ignores interrupts ends the child alone.
//
// The parent starts the child with Start and talks to it over a Unix socket (a Conn); the child
// holds nothing but what it is sent. The child has a memory ceiling (RLIMIT_DATA plus a watchdog
// on its resident memory), a smaller stack limit, no inherited environment or files, and dies
// with its parent. The parent kills it when the run's context ends, after a grace period.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Environment variables that tell a process it is a sandbox child, and its limits.
const (
	envChild  = "BILLHOUND_SANDBOX_CHILD"
	envMemory = "BILLHOUND_SANDBOX_MEMORY"
)

// DefaultMemoryLimit is how much memory a child may use when Options.MemoryLimit is 0.
const DefaultMemoryLimit = 512 << 20

// Options configure a child.
type Options struct {
	MemoryLimit int64         // bytes of resident memory; default DefaultMemoryLimit
	Grace       time.Duration // how long after ctx ends the child may take to finish; default 3 s
	Executable  string        // the binary to run; default os.Executable()
}

// Child is a running sandbox child.
type Child struct {
	Conn *Conn

	cmd    *exec.Cmd
	opt    Options
	stderr *tailBuffer
	done   chan struct{}
	mu     sync.Mutex
	killed string // why the parent killed it, if it did
	exit   *Exit
}

// Exit says how a child ended.
type Exit struct {
	Code     int    // exit code, or -1 when killed by a signal
	Signal   string // the signal, if any
	Killed   string // why the parent killed it: "memory", "deadline", "" otherwise
	Stderr   string // the end of what the child wrote to stderr (a Go crash report)
	Memory   int64  // the memory limit it had
	Duration time.Duration
}

// Start runs a child. ctx bounds its life: when ctx ends the child gets opt.Grace to finish, then
// it is killed.
func Start(ctx context.Context, opt Options) (*Child, error) {
	if opt.MemoryLimit <= 0 {
		opt.MemoryLimit = DefaultMemoryLimit
	}
	if opt.Grace <= 0 {
		opt.Grace = 3 * time.Second
	}
	if opt.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("sandbox: find billhound's executable: %w", err)
		}
		opt.Executable = exe
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sandbox: socketpair: %w", err)
	}
	parentFile := os.NewFile(uintptr(fds[0]), "sandbox-parent")
	childFile := os.NewFile(uintptr(fds[1]), "sandbox-child")
	defer childFile.Close()
	pc, err := net.FileConn(parentFile)
	parentFile.Close()
	if err != nil {
		return nil, fmt.Errorf("sandbox: socket: %w", err)
	}

	cmd := exec.Command(opt.Executable, "sandbox-child")
	// Nothing of the parent's environment: no secret key, no paths. TZ keeps script dates local.
	cmd.Env = []string{envChild + "=1", envMemory + "=" + strconv.FormatInt(opt.MemoryLimit, 10)}
	if tz := os.Getenv("TZ"); tz != "" {
		cmd.Env = append(cmd.Env, "TZ="+tz)
	}
	cmd.Dir = "/"
	cmd.ExtraFiles = []*os.File{childFile} // fd 3
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		pc.Close()
		return nil, fmt.Errorf("sandbox: start the script process: %w", err)
	}
	c := &Child{Conn: newConn(pc), cmd: cmd, opt: opt, stderr: stderr, done: make(chan struct{})}
	go c.wait(start)
	go c.watch(ctx)
	return c, nil
}

// wait reaps the child and records how it ended.
func (c *Child) wait(start time.Time) {
	err := c.cmd.Wait()
	e := &Exit{Code: c.cmd.ProcessState.ExitCode(), Stderr: c.stderr.String(), Memory: c.opt.MemoryLimit, Duration: time.Since(start)}
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.Signal = ws.Signal().String()
	}
	_ = err
	c.mu.Lock()
	e.Killed = c.killed
	c.exit = e
	c.mu.Unlock()
	// The socket is not closed here: what the child sent before it ended is still to be read,
	// and its own end closing gives the reader EOF after that. The owner closes it.
	close(c.done)
}

// watch kills the child when it uses too much memory, or opt.Grace after ctx ended.
func (c *Child) watch(ctx context.Context) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var deadline <-chan time.Time
	ctxDone := ctx.Done()
	for {
		select {
		case <-c.done:
			return
		case <-ctxDone:
			ctxDone = nil
			deadline = time.After(c.opt.Grace)
		case <-deadline:
			c.Kill("deadline")
			return
		case <-tick.C:
			if rss := residentBytes(c.cmd.Process.Pid); rss > c.opt.MemoryLimit {
				c.Kill("memory")
				return
			}
		}
	}
}

// Kill ends the child at once (SIGKILL) and records why.
func (c *Child) Kill(why string) {
	c.mu.Lock()
	if c.killed == "" && c.exit == nil {
		c.killed = why
	}
	c.mu.Unlock()
	_ = c.cmd.Process.Kill()
}

// Wait blocks until the child has ended and says how.
func (c *Child) Wait() *Exit {
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exit
}

// Done is closed when the child has ended.
func (c *Child) Done() <-chan struct{} { return c.done }

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Reason turns an unexpected end into a sentence for the run's error, or "" when the child
// ended normally.
func (e *Exit) Reason() string {
	mb := e.Memory >> 20
	switch {
	case e.Killed == "memory", strings.Contains(e.Stderr, "out of memory"),
		strings.Contains(e.Stderr, "cannot allocate memory"), strings.Contains(e.Stderr, "pthread_create failed"),
		e.Signal == "" && strings.Contains(e.Stderr, "SIGSEGV"):
		return fmt.Sprintf("the script used more than %d MB of memory and was stopped", mb)
	case strings.Contains(e.Stderr, "stack overflow"), strings.Contains(e.Stderr, "stack exceeds"):
		return "the script nested or recursed too deeply (stack overflow) and was stopped"
	case e.Killed == "deadline":
		return "the script did not stop at its time limit and was killed"
	case e.Signal != "":
		return "the script's process was killed (" + e.Signal + ")"
	case e.Code != 0:
		return fmt.Sprintf("the script's process crashed (exit status %d: %s)", e.Code, headline(e.Stderr))
	}
	return ""
}

// headline is the first line of a crash report.
func headline(stderr string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
	if len(line) > 200 {
		line = line[:200] + "..."
	}
	if line == "" {
		return "no message"
	}
	return line
}

// residentBytes reads a process's resident memory from /proc, or 0.
func residentBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

// tailBuffer keeps the first and last bytes written to it (a crash report's headline is at
// the start).
type tailBuffer struct {
	mu   sync.Mutex
	max  int
	head []byte
	tail []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if room := t.max/2 - len(t.head); room > 0 {
		k := min(room, len(p))
		t.head = append(t.head, p[:k]...)
		p = p[k:]
	}
	t.tail = append(t.tail, p...)
	if over := len(t.tail) - t.max/2; over > 0 {
		t.tail = t.tail[over:]
	}
	return n, nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.head) + string(t.tail)
}

// ErrNotChild is returned by ChildConn in a process that is not a sandbox child.
var ErrNotChild = errors.New("sandbox: not a sandbox child")
