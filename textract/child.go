package textract

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"syscall"
)

// The extraction child: a process of the same binary that reads PDFs, so a hostile or broken
// file that makes the PDF library loop, recurse or allocate without end costs a child that the
// server kills, never the server; and the library's memory is never resident in the server.
// It starts from init, before main, in any binary that links this package.
const envChild = "BILLHOUND_TEXTRACT_CHILD"

// childMemory bounds the child's heap: past it, allocations fail and the child dies.
const childMemory = 512 << 20

func init() {
	if os.Getenv(envChild) == "1" && len(os.Args) > 1 && os.Args[1] == childArg {
		os.Exit(childMain(os.Stdin, os.Stdout))
	}
}

const childArg = "extract-text-child"

type request struct {
	Path string `json:"path"`
}

type reply struct {
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
}

func childMain(in io.Reader, out io.Writer) int {
	lim := uint64(childMemory)
	_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: lim, Max: lim})
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10) // the server's requests come first
	debug.SetMaxStack(64 << 20)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		var req request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, "textract: bad request:", err)
			return 2
		}
		if err := enc.Encode(extractFile(req.Path)); err != nil {
			return 2
		}
	}
	return 0
}

// extractFile reads one PDF; a panic in the PDF library is that file's error.
func extractFile(path string) (r reply) {
	defer func() {
		if p := recover(); p != nil {
			r = reply{Error: fmt.Sprintf("unreadable PDF: %v", p)}
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return reply{Error: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPDFSize+1))
	if err != nil {
		return reply{Error: err.Error()}
	}
	text, err := pdfText(data)
	if err != nil {
		return reply{Error: err.Error()}
	}
	return reply{Text: text}
}
