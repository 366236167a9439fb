package importers

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"billhound/twofa"
)

// parseLines reads a text file with one link a line: Ente Auth's plain export, a list of
// otpauth:// links from any app, Google Authenticator's otpauth-migration:// links read off its
// export QR codes, or steam:// links. Blank lines and lines starting with '#' are skipped.
func parseLines(data []byte) (Result, error) {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return Result{}, bad(ErrUnknownFormat, UnknownFormatMessage)
	}
	res := Result{Format: "otpauth:// links"}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), MaxSize)
	n, links := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lower := strings.ToLower(line)
		if !strings.HasPrefix(lower, "otpauth:") && !strings.HasPrefix(lower, "otpauth-migration:") && !strings.HasPrefix(lower, "steam:") {
			if links == 0 && n > 3 {
				break // not a list of links at all
			}
			res.Skipped = append(res.Skipped, fmt.Sprintf("line %d is not an otpauth:// link", n))
			continue
		}
		links++
		keys, err := keysOfLine(line)
		if err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		res.Keys = append(res.Keys, keys...)
	}
	if links == 0 {
		return Result{}, bad(ErrUnknownFormat, UnknownFormatMessage)
	}
	return res, nil
}

func keysOfLine(line string) ([]twofa.Key, error) {
	if strings.HasPrefix(strings.ToLower(line), "steam:") {
		k, err := twofa.ParseSteamURI(line)
		return []twofa.Key{k}, err
	}
	return twofa.ParseText(line)
}
