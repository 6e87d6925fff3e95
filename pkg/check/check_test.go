package check

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

var eras = []string{"podidentity", "workloadidentity", "migrated", "extension"}

// allowedWarnings are warnings a healthy reference cluster does produce:
// the regulated reference leaves the system-pool taint off and the
// cluster-baseline-settings deny-all unlisted, and runs busybox stand-ins for
// antivirus and file integrity monitoring.
var allowedWarnings = map[string]bool{"nodes-system-taint": true, "network-deny-all": true, "security-agents": true}

func TestHealthyErasPass(t *testing.T) {
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			meta, objs := loadEra(t, era)
			s := mustSnapshot(t, meta, objs)
			rs := Run(s, loadProfile(t, ""), All())
			if len(rs) != len(All()) {
				t.Fatalf("got %d results for %d checks", len(rs), len(All()))
			}
			for _, r := range rs {
				switch {
				case r.Status == result.Pass, r.Status == result.Skip:
				case r.Status == result.Warn && allowedWarnings[r.ID]:
				default:
					t.Errorf("%s: %s: %s", r.ID, r.Status, r.Message)
				}
			}
			if t.Failed() {
				t.Log("\n" + describe(rs))
			}
		})
	}
}

// Each case breaks one thing in a healthy era; the checks it names must
// report what it says, and every other check must report what it reports on
// the healthy era.
func TestBrokenVariants(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no cases in testdata/cases")
	}
	covered := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			spec, snap, prof := loadCase(t, f)
			meta, objs := loadEra(t, spec.Base)
			base := byID(Run(mustSnapshot(t, meta, objs), loadProfile(t, ""), All()))
			got := Run(snap, prof, All())
			for _, r := range got {
				want, named := spec.Expect[r.ID]
				if !named {
					want = base[r.ID].Status
				}
				if r.Status != want {
					t.Errorf("%s: got %s (%s), want %s", r.ID, r.Status, r.Message, want)
				}
				if named && want != base[r.ID].Status && len(spec.Expect) == 1 && (want == result.Fail || want == result.Warn || want == result.Error) {
					covered[r.ID] = true
				}
				if sub, ok := spec.Messages[r.ID]; ok && !strings.Contains(r.Message, sub) {
					t.Errorf("%s: message %q does not contain %q", r.ID, r.Message, sub)
				}
			}
			for id := range spec.Expect {
				if Lookup(id) == nil {
					t.Errorf("expect names unknown check %s", id)
				}
			}
			if t.Failed() {
				t.Log("\n" + describe(got))
			}
		})
	}
	for _, c := range All() {
		if !covered[c.ID] {
			t.Errorf("check %s has no broken variant that fails it alone (add testdata/cases/%s.yaml)", c.ID, c.ID)
		}
	}
}

func TestCatalogue(t *testing.T) {
	for _, c := range All() {
		if !strings.HasPrefix(c.ID, c.Category+"-") {
			t.Errorf("%s: ID must start with its category %s", c.ID, c.Category)
		}
		if c.Title == "" || c.Remediation == "" || c.Run == nil {
			t.Errorf("%s: title, remediation and Run are required", c.ID)
		}
		if c.Severity != result.Critical && c.Severity != result.Warning {
			t.Errorf("%s: severity %q", c.ID, c.Severity)
		}
	}
	for _, cat := range Categories {
		found := false
		for _, c := range All() {
			found = found || c.Category == cat
		}
		if !found {
			t.Errorf("category %s has no check", cat)
		}
	}
}

// TestDeclarationsComplete fails when a declared check lacks its code or
// reads nothing, or when two declarations share an ID.
func TestDeclarationsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID] {
			t.Errorf("%s is declared twice", c.ID)
		}
		seen[c.ID] = true
		if c.Run == nil {
			t.Errorf("%s has no judging function: set Run in its declaration in the %s checks' file", c.ID, c.Category)
		}
		if len(c.Uses) == 0 && c.Named == nil {
			t.Errorf("%s reads nothing: its declaration names no type in Uses or Named", c.ID)
		}
	}
	if c := Lookup("nodes-ready"); c == nil || !slices.Equal(c.Uses, []cluster.Resource{cluster.Nodes}) || c.Category != "nodes" {
		t.Errorf("nodes-ready: got %+v", c)
	}
}

func TestSelect(t *testing.T) {
	got, err := Select([]string{"flux"}, nil, []string{"flux-suspended"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.Category != "flux" || c.ID == "flux-suspended" {
			t.Errorf("selected %s", c.ID)
		}
	}
	if _, err := Select(nil, []string{"nodes-redy"}, nil); err == nil || !strings.Contains(err.Error(), `"nodes-redy"`) {
		t.Errorf("unknown ID: got %v", err)
	}
	if _, err := Select([]string{"netwrk"}, nil, nil); err == nil {
		t.Error("unknown category accepted")
	}
}

func TestPanickingCheckIsAnError(t *testing.T) {
	meta, objs := loadEra(t, "workloadidentity")
	s := mustSnapshot(t, meta, objs)
	c := &Check{ID: "x-panic", Category: "nodes", Severity: result.Critical, Title: "t", Remediation: "r",
		Run: func(_ *cluster.Snapshot, _ *profile.Profile) result.Result { panic("boom") }}
	rs := Run(s, loadProfile(t, ""), []*Check{c})
	if rs[0].Status != result.Error || !strings.Contains(rs[0].Message, "boom") {
		t.Errorf("got %+v", rs[0])
	}
}

// A critical check that reports warn says why it is not a failure, on every
// healthy era and broken variant, so the reports can show it; and a warning
// the profile already accepts asks for nothing the profile already has.
func TestCriticalWarningsSayWhy(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	var runs [][]result.Result
	for _, era := range eras {
		meta, objs := loadEra(t, era)
		runs = append(runs, Run(mustSnapshot(t, meta, objs), loadProfile(t, ""), All()))
	}
	for _, f := range files {
		_, snap, prof := loadCase(t, f)
		runs = append(runs, Run(snap, prof, All()))
	}
	seen := map[string]bool{}
	for _, rs := range runs {
		for _, r := range rs {
			if r.Severity != result.Critical || r.Status != result.Warn {
				continue
			}
			seen[r.ID] = true
			if r.WarnReason == "" {
				t.Errorf("%s warns without saying why a critical check does not fail: %s", r.ID, r.Message)
			}
			if r.ID == "nodes-system-taint" && strings.Contains(r.Remediation, "required: false in the profile") {
				t.Errorf("nodes-system-taint asks for what the profile already has: %s", r.Remediation)
			}
		}
	}
	for _, id := range []string{"nodes-system-taint", "network-deny-all", "security-agents", "access-credential-plugin"} {
		if !seen[id] {
			t.Errorf("no run made %s warn: the test lost its subject", id)
		}
	}
}
