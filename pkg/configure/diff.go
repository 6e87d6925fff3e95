package configure

import (
	"io"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// WriteDiff renders the plan as a unified diff, paths prefixed a/ and b/
// relative to the folder so that `git apply` and `patch -p1` accept it.
func (p *Plan) WriteDiff(w io.Writer) error {
	for _, c := range p.Changes {
		err := difflib.WriteUnifiedDiff(w, difflib.UnifiedDiff{
			A:        diffLines(string(c.Old)),
			B:        diffLines(string(c.New)),
			FromFile: "a/" + c.Path,
			ToFile:   "b/" + c.Path,
			Context:  3,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// diffLines splits s into lines that keep their terminators, so CRLF files
// diff as CRLF. A last line without a newline carries the marker patch
// expects, which difflib's own splitter would drop.
func diffLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if last := lines[len(lines)-1]; last == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] = last + "\n\\ No newline at end of file\n"
	}
	return lines
}
