package benchdoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteSection(t *testing.T) {
	p := filepath.Join(t.TempDir(), "B.md")
	if err := WriteSection(p, "a", "## A\n1"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(p, "b", "## B\n2"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(p, "a", "## A\n3"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	s := string(b)
	if !strings.Contains(s, "## A\n3") || strings.Contains(s, "## A\n1") || !strings.Contains(s, "## B\n2") {
		t.Fatalf("sections not kept apart:\n%s", s)
	}
	if strings.Index(s, "## A") > strings.Index(s, "## B") {
		t.Fatalf("section a moved:\n%s", s)
	}
}
