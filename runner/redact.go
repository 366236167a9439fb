package runner

import (
	"strings"
	"sync"
)

// redactor hides secrets in everything a run writes down (log lines, the error, the failure
// page's HTML): a script may log credentials.password by mistake, and a portal may echo a
// code back into its page.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

const mask = "••••••"

func (r *redactor) add(s string) {
	s = strings.TrimSpace(s)
	if len(s) < 4 { // masking "a" or "12" would mangle every line
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

func (r *redactor) apply(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, mask)
	}
	return s
}
