package check_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

var waiverDay = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

func objectWaiver(id string, objects ...string) waiver.Waiver {
	exp, _ := time.Parse(result.DateLayout, "2030-01-01")
	return waiver.Waiver{Waiver: result.Waiver{Check: id, Objects: objects, Reason: "accepted", Expires: result.Date{Time: exp}}, File: "w.yaml", Line: 1}
}

func runCase(t *testing.T, file, id string) result.Result {
	t.Helper()
	s, p := check.CaseSnapshot(t, file)
	for _, r := range check.Run(s, p, check.All()) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return result.Result{}
}

// The examples: a waiver naming other objects than the failing
// one must leave the failure standing, even when the failing object is a
// missing one that only the message named before.
func TestWaiverCoversOnlyWhatItNames(t *testing.T) {
	for _, c := range []struct {
		file, id string
		objects  []string
	}{
		{"testdata/cases/network-deny-all.yaml", "network-deny-all", []string{"a0005-o/*", "default/*"}},
		{"testdata/cases/network-deny-all-namespace.yaml", "network-deny-all", []string{"a0005-i/*", "a0005-o/*"}},
		{"testdata/cases/security-agents-missing.yaml", "security-agents", []string{"cluster-baseline-settings/*"}},
	} {
		r := runCase(t, c.file, c.id)
		if r.Status != result.Fail {
			t.Fatalf("%s: the case must fail %s first, got %s: %s", c.file, c.id, r.Status, r.Message)
		}
		out, _ := waiver.Apply([]result.Result{r}, []waiver.Waiver{objectWaiver(c.id, c.objects...)}, waiverDay)
		if out[0].Status != result.Fail {
			t.Errorf("%s: a waiver for %v turned %s into %s (%s)", c.file, c.objects, c.id, out[0].Status, out[0].Message)
		}
	}
}

// The property behind waivers, over every check's broken variant: a waiver
// whose patterns match none of a finding's objects never changes that
// finding's status, and the result stays at least as bad as the finding.
// Each finding is tried against a waiver naming every other object the
// result mentions (and the namespaces of those), less the patterns that
// happen to match the finding itself.
func TestWaiverNeverChangesAnUnmatchedFinding(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	tried := 0
	for _, file := range files {
		s, p := check.CaseSnapshot(t, file)
		for _, r := range check.Run(s, p, check.All()) {
			for fi, f := range r.Findings {
				var cands []string
				for _, o := range r.Objects {
					cands = append(cands, o)
				}
				for _, g := range r.Findings {
					cands = append(cands, g.Object)
				}
				var pats []string
				for _, c := range cands {
					parts := strings.Split(c, "/")
					for _, pat := range []string{c, parts[len(parts)-1], strings.Join(parts[:len(parts)-1], "/") + "/*"} {
						if pat == "" || pat == "/*" || slices.Contains(pats, pat) {
							continue
						}
						if one := objectWaiver(r.ID, pat); f.Object == "" || !one.Covers(f.Object) {
							pats = append(pats, pat)
						}
					}
				}
				if len(pats) == 0 {
					continue
				}
				tried++
				out, _ := waiver.Apply([]result.Result{r}, []waiver.Waiver{objectWaiver(r.ID, pats...)}, waiverDay)
				got := out[0]
				if got.Findings[fi].Status != f.Status || got.Findings[fi].Waiver != nil {
					t.Errorf("%s: %s: a waiver for %v changed the finding about %q from %s to %s", filepath.Base(file), r.ID, pats, f.Object, f.Status, got.Findings[fi].Status)
				}
				if rank(got.Status) < rank(f.Status) {
					t.Errorf("%s: %s: the result became %s while its finding about %q is %s", filepath.Base(file), r.ID, got.Status, f.Object, f.Status)
				}
			}
		}
	}
	if tried < 40 {
		t.Errorf("only %d findings were put to the test: the cases lost their findings", tried)
	}
}

func rank(s result.Status) int {
	return map[result.Status]int{result.Waived: 1, result.Warn: 2, result.Fail: 3}[s]
}

// Every failing or warning finding of the broken variants names the object
// it is about, so that an objects waiver can cover it, or not, by name.
func TestFindingsNameTheirObjects(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	for _, file := range files {
		s, p := check.CaseSnapshot(t, file)
		for _, r := range check.Run(s, p, check.All()) {
			switch r.Status {
			case result.Fail, result.Warn:
			default:
				if len(r.Findings) > 0 {
					t.Errorf("%s: %s is %s but carries findings", filepath.Base(file), r.ID, r.Status)
				}
				continue
			}
			if len(r.Findings) == 0 || result.Worst(r.Findings) != r.Status {
				t.Errorf("%s: %s is %s, its findings' worst %q", filepath.Base(file), r.ID, r.Status, result.Worst(r.Findings))
			}
			for _, f := range r.Findings {
				if f.Object == "" || f.Message == "" {
					t.Errorf("%s: %s: a %s finding names no object or says nothing: %+v", filepath.Base(file), r.ID, f.Status, f)
				}
			}
		}
	}
}
