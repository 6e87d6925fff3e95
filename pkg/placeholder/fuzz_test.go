package placeholder

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzScan feeds the placeholder scanner (configure and configure --check
// run it on every file of the user's tree) arbitrary files: it never
// panics, each finding points at its token, and Replace substitutes exactly
// the occurrences Scan reports, so nothing is replaced unreported and
// nothing reported is left behind.
func FuzzScan(f *testing.F) {
	for _, t := range Tokens {
		f.Add([]byte("image: " + t.Name + ".azurecr.io/x:1\r\nname: MY_" + t.Name + "\n- " + t.Name + "," + t.Name))
	}
	f.Add([]byte("keyvaultName: KEYVAULT_NAME\ntenantId: KEYVAULT_TENANT\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		found := Scan("f.yaml", data)
		lines := bytes.Split(data, []byte("\n"))
		per := map[string]int{}
		for _, x := range found {
			if x.Line < 1 || x.Line > len(lines) || x.Column < 1 {
				t.Fatalf("finding out of the file: %+v", x)
			}
			if line := string(lines[x.Line-1]); !strings.HasPrefix(line[min(x.Column-1, len(line)):], x.Token) {
				t.Fatalf("finding %+v does not point at its token in %q", x, line)
			}
			per[x.Token]++
		}
		for _, tok := range Tokens {
			out, n := Replace(string(data), tok.Name, "x")
			if n != per[tok.Name] {
				t.Fatalf("Replace made %d substitutions of %s, Scan reports %d", n, tok.Name, per[tok.Name])
			}
			if n == 0 && out != string(data) {
				t.Fatalf("Replace of %s changed the text without a substitution", tok.Name)
			}
		}
	})
}
