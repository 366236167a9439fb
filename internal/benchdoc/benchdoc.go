// Package benchdoc writes one benchmark's results into its own section of docs/BENCHMARKS.md,
// so each benchmark of `make bench` can rewrite its part without touching the others.
package benchdoc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteSection replaces the section called name in the Markdown file at path (between
// "<!-- bench:name -->" and "<!-- /bench:name -->"), or appends it. body is Markdown that
// starts with its own "## " heading.
func WriteSection(path, name, body string) error {
	begin, end := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
	section := begin + "\n" + strings.TrimSpace(body) + "\n" + end
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(old)
	if doc == "" {
		doc = "# Benchmarks\n\nWritten by `make bench`: each section by the benchmark it names; rerun it to update that section.\n"
	}
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	switch {
	case i >= 0 && j > i:
		doc = doc[:i] + section + doc[j+len(end):]
	case i >= 0 || j >= 0:
		return fmt.Errorf("%s: the markers of section %q are broken; fix them by hand", path, name)
	default:
		doc = strings.TrimRight(doc, "\n") + "\n\n" + section + "\n"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(doc), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Path is where benchmarks write: $BILLHOUND_BENCH_OUT, or "" when benchmarks should not
// write (plain `go test`). Relative paths are taken from the repository root (root).
func Path(root string) string {
	out := os.Getenv("BILLHOUND_BENCH_OUT")
	if out == "" || filepath.IsAbs(out) {
		return out
	}
	return filepath.Join(root, out)
}
