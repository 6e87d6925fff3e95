package release

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// WriteChecksums hashes the named archives in dir and writes the checksums
// file for version in the format 'sha256sum -c' reads, sorted by name.
func WriteChecksums(dir, version string, archives []string) (string, error) {
	names := append([]string(nil), archives...)
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		sum, err := SHA256File(filepath.Join(dir, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, n)
	}
	path := filepath.Join(dir, ChecksumsName(version))
	return path, WriteFileAtomic(path, []byte(b.String()), 0o644)
}

var checksumLine = regexp.MustCompile(`^([a-f0-9]{64}) [ *](\S+)$`)

// ReadChecksums parses a checksums file into archive name → lowercase hex.
func ReadChecksums(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		m := checksumLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: not '<sha256>  <file>': %q", filepath.Base(path), n, line)
		}
		out[m[2]] = m[1]
	}
	return out, sc.Err()
}
