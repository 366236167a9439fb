package browser

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Check reports why runs could not start a browser (the driver, Node.js or Chromium is
// missing, see CheckInstall) or that the manager is closed. It launches nothing: Chromium
// starts with the first run.
func (m *Manager) Check() error {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return CheckInstall(m.opt)
}

// Processes counts the Chromium processes this process started (directly or through the
// driver): what /metrics reports, so a leak of browsers shows as a growing number. Linux
// only (it reads /proc); elsewhere it is 1 while Chromium runs.
func (m *Manager) Processes() int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		if m.Running() {
			return 1
		}
		return 0
	}
	parent := map[int]int{}
	comm := map[int]string{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		parent[pid], _ = strconv.Atoi(fields[1])
		comm[pid] = s[open+1 : end]
	}
	self, n := os.Getpid(), 0
	for pid, name := range comm {
		if !strings.HasPrefix(name, "chrom") {
			continue
		}
		for p, hops := parent[pid], 0; p > 1 && hops < 32; p, hops = parent[p], hops+1 {
			if p == self {
				n++
				break
			}
		}
	}
	return n
}
