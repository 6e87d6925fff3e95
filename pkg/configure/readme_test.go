package configure

import (
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// The README's table of tokens, flags and variables is for readers; the
// token table is the truth. This keeps the two from drifting apart.
func TestREADMEListsEveryTokenWithItsFlagAndVariable(t *testing.T) {
	rows := map[string]string{}
	for _, line := range strings.Split(plugintest.READMESection(t, "configure"), "\n") {
		if strings.HasPrefix(line, "| `") {
			name := strings.SplitN(strings.TrimPrefix(line, "| `"), "`", 2)[0]
			rows[name] = line
		}
	}
	n := 0
	for _, tok := range placeholder.Tokens {
		if !tok.Substituted {
			continue
		}
		n++
		row, ok := rows[tok.Name]
		if !ok {
			t.Errorf("README.md: no row for %s", tok.Name)
			continue
		}
		if !strings.Contains(row, "| `--"+tok.Flag+"` | `"+tok.EnvVar+"` |") {
			t.Errorf("README.md row for %s does not name --%s and %s:\n%s", tok.Name, tok.Flag, tok.EnvVar, row)
		}
	}
	if len(rows) != n {
		t.Errorf("README.md lists %d tokens, the table has %d substituted ones", len(rows), n)
	}
}
