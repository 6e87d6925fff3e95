package plugin

import (
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
)

// TestACRName: --acr-name, or else ACR_NAME, fills the profile's registry
// name; a bad value is a usage error quoting the placeholder table's rule.
func TestACRName(t *testing.T) {
	cases := []struct {
		flag, env, want, err string
	}{
		{"", "", "", ""},
		{"", "acrfromenv1", "acrfromenv1", ""},
		{"acrfromflag1", "acrfromenv1", "acrfromflag1", ""},
		{"my-acr", "", "", `invalid --acr-name "my-acr": an ACR name is 5 to 50 letters and digits`},
		{"", "acr", "", `invalid ACR_NAME "acr" (from the environment; --acr-name overrides it): an ACR name is 5 to 50 letters and digits`},
	}
	for _, c := range cases {
		streams, _, _, _ := genericiooptions.NewTestIOStreams()
		_, env := newRoot(streams, "kubectl-aksbaseline")
		o := NewVerifyOptions(env)
		o.ACRName = c.flag
		o.lookupEnv = func(k string) (string, bool) {
			if k == "ACR_NAME" && c.env != "" {
				return c.env, true
			}
			return "", false
		}
		if err := o.Complete(); err != nil {
			t.Fatalf("%+v: Complete: %v", c, err)
		}
		err := o.Validate()
		if c.err != "" {
			if err == nil || exitcode.Code(err) != exitcode.CouldNotCheck || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: got %v (exit %d), want exit 2 with %q", c, err, exitcode.Code(err), c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", c, err)
		}
		if got := o.engine.Profile.Images.Allowed.ACRName; got != c.want {
			t.Errorf("%+v: profile acrName %q, want %q", c, got, c.want)
		}
	}
}

// TestVerifyHelpNamesEveryCategory keeps verify's help in step with the
// catalogue.
func TestVerifyHelpNamesEveryCategory(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	_, env := newRoot(streams, "kubectl-aksbaseline")
	cmd := newVerifyCommand(env)
	for _, cat := range check.Categories {
		if !strings.Contains(cmd.Short, cat) || !strings.Contains(cmd.Long, cat) {
			t.Errorf("verify's help does not name the %s category:\n%s\n%s", cat, cmd.Short, cmd.Long)
		}
	}
}
