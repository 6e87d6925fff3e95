package report

import (
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// hostileText is what a pod image, a condition message or a context name
// can carry: it would set the terminal's title, clear the screen, ring the
// bell, reorder what is read (RLO) and forge a line.
const hostileText = "nginx\x1b]0;owned\x07\x1b[2J\u202egpj.exe\x9b31m\nforged ✔ line\x7f"

// TestTextEscapesControlCharacters: every text view shows what comes from
// the cluster or a file with its control characters escaped; with colour
// off the output holds no control character but newlines.
func TestTextEscapesControlCharacters(t *testing.T) {
	res := results()
	res[0].Message = "image " + hostileText
	res[4].Objects = []string{"Pod/ns/" + hostileText}
	res[1].Remediation = hostileText
	r := result.New("ctx"+hostileText, "https://host"+hostileText, "profile"+hostileText, time.Unix(0, 0), time.Second, res)
	r.Error = "access " + hostileText
	r.Drift = &result.Drift{Baseline: "base" + hostileText, New: []result.DriftFinding{{Check: "nodes-ready", Object: "Node/" + hostileText, Status: result.Fail}}}
	for _, o := range []Options{{Format: "text"}, {Format: "text", ByControl: true}, {Format: "text", Color: true}} {
		out := string(render(t, []*result.Report{r}, o))
		if !strings.Contains(out, `\x1b]0;owned\x07\x1b[2J\u202egpj.exe\x9b31m\x0aforged`) {
			t.Errorf("%+v: the hostile text is not shown escaped:\n%s", o, out)
		}
		if o.Color {
			out = strings.NewReplacer(ansiReset, "", ansiGreen, "", ansiRed, "", ansiYellow, "", ansiGrey, "", ansiBold, "").Replace(out)
		}
		for _, c := range out {
			if c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c <= 0x9f || c == 0x202e {
				t.Errorf("%+v: control character %U reaches the terminal:\n%q", o, c, out)
				break
			}
		}
		if strings.Contains(out, "\nforged") {
			t.Errorf("%+v: a newline from the cluster forged a line:\n%s", o, out)
		}
	}
	if res[0].Message != "image "+hostileText {
		t.Error("rendering changed the report")
	}
}
