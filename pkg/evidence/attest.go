package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	testresult "github.com/in-toto/attestation/go/predicates/test_result/v0"
	ita "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/digest"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
)

// Attestation is the signed in-toto Statement over a bundle's other files.
// SHA256SUMS does not list it: it signs SHA256SUMS, which therefore cannot
// hash it. A fleet bundle's top SHA256SUMS does list the folders' own
// attestations, which are written before it.
const Attestation = "attestation.dsse.json"

// PredicateType is in-toto's Test Result predicate. Verify is a test run:
// checks with stable IDs that pass, warn or fail against a configuration
// (the profile and the waivers). Any consumer of in-toto attestations, and
// cosign's --type, know this type; what the standard has no field for
// (cluster, context, server, tool, time, waivers applied) goes in one
// extension field, Extension, which the framework's parsing rules let
// producers add and oblige consumers to ignore if they do not know it. Our
// own predicate type would have made every consumer special-case it for the
// sake of five fields.
const PredicateType = "https://in-toto.io/attestation/test-result/v0.1"

// Extension is the name of the predicate's extension field.
const Extension = "aksbaseline"

// The Test Result predicate's result values.
const (
	ResultPassed = "PASSED"
	ResultWarned = "WARNED"
	ResultFailed = "FAILED"
)

// predicate is the Test Result predicate with this tool's extension.
type predicate struct {
	Result        string       `json:"result"`
	Configuration []descriptor `json:"configuration"`
	PassedTests   []string     `json:"passedTests"`
	WarnedTests   []string     `json:"warnedTests"`
	FailedTests   []string     `json:"failedTests"`
	Ext           extension    `json:"aksbaseline"`
}

// descriptor is an in-toto ResourceDescriptor naming a file by digest.
type descriptor struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// extension says what the standard has no field for. Verdict is verify's
// own (it knows --fail-on); the lists above follow the statuses: pass in
// passedTests, warn and waived in warnedTests (a waived finding is an
// accepted exception, not a pass), fail and error in failedTests (an error
// is no pass either); skipped checks are in none.
type extension struct {
	APIVersion  string       `json:"apiVersion"`
	Verdict     string       `json:"verdict"`
	Cluster     *Cluster     `json:"cluster,omitempty"`
	Profile     string       `json:"profile,omitempty"`
	StartTime   time.Time    `json:"startTime"`
	Tool        version.Info `json:"tool"`
	WaivedTests []string     `json:"waivedTests,omitempty"`
	// Clusters are a fleet bundle's index entries, in its top attestation.
	Clusters []indexEntry `json:"clusters,omitempty"`
}

// resultOf maps verify's verdict and the counts onto the predicate's result:
// a run that passed is WARNED when anything warned or was waived.
func resultOf(verdict string, c result.Counts) string {
	switch {
	case !strings.HasPrefix(verdict, "passed"):
		return ResultFailed
	case c.Fail+c.Error+c.Warn+c.Waived > 0:
		return ResultWarned
	}
	return ResultPassed
}

// testLists sorts check IDs into the predicate's lists, each name prefixed.
func testLists(p *predicate, prefix string, results []result.Result) {
	for _, r := range results {
		id := prefix + r.ID
		switch r.Status {
		case result.Pass:
			p.PassedTests = append(p.PassedTests, id)
		case result.Warn:
			p.WarnedTests = append(p.WarnedTests, id)
		case result.Waived:
			p.WarnedTests = append(p.WarnedTests, id)
			p.Ext.WaivedTests = append(p.Ext.WaivedTests, id)
		case result.Fail, result.Error:
			p.FailedTests = append(p.FailedTests, id)
		}
	}
}

func verdictOf(b Bundle) string {
	if b.Verdict != "" {
		return b.Verdict
	}
	return report.Verdict(b.Report)
}

// bundlePredicate is the predicate of one cluster's bundle; digests are its
// files' SHA-256, for the configuration.
func bundlePredicate(b Bundle, tool version.Info, digests map[string]string) predicate {
	cl := b.Cluster
	cl.Server = sanitize.URL(cl.Server)
	p := predicate{
		Result: resultOf(verdictOf(b), b.Report.Summary),
		Ext: extension{APIVersion: APIVersion, Verdict: verdictOf(b), Cluster: &cl, Profile: b.Report.Profile,
			StartTime: b.Report.StartTime.UTC(), Tool: tool},
	}
	p.Configuration = configuration("", digests)
	testLists(&p, "", b.Report.Results)
	return p
}

// configuration names the profile and waivers files under prefix by digest.
func configuration(prefix string, digests map[string]string) []descriptor {
	var out []descriptor
	for _, f := range []string{ProfileYAML, WaiversYAML} {
		if d, ok := digests[prefix+f]; ok {
			out = append(out, descriptor{Name: prefix + f, Digest: map[string]string{"sha256": d}})
		}
	}
	return out
}

// indexPredicate is the predicate of a fleet bundle's top attestation:
// the worst result, every cluster's checks named DIR/ID.
func indexPredicate(bundles []Bundle, entries []indexEntry, tool version.Info, digests map[string]string) predicate {
	p := predicate{Result: ResultPassed, Ext: extension{APIVersion: APIVersion, Tool: tool, Clusters: entries}}
	worst := map[string]int{ResultPassed: 0, ResultWarned: 1, ResultFailed: 2}
	for i, b := range bundles {
		prefix := entries[i].Dir + "/"
		if r := resultOf(entries[i].Verdict, b.Report.Summary); worst[r] > worst[p.Result] {
			p.Result = r
		}
		if p.Ext.StartTime.IsZero() || b.Report.StartTime.Before(p.Ext.StartTime) {
			p.Ext.StartTime = b.Report.StartTime.UTC()
		}
		p.Configuration = append(p.Configuration, configuration(prefix, digests)...)
		testLists(&p, prefix, b.Report.Results)
	}
	p.Ext.Verdict = fleetVerdict(entries)
	return p
}

// fleetVerdict is the worst of the clusters' verdicts: passed only when
// every one passed.
func fleetVerdict(entries []indexEntry) string {
	for _, e := range entries {
		if !strings.HasPrefix(e.Verdict, "passed") {
			return "failed"
		}
	}
	return "passed"
}

// digestsUnder hashes every regular file under dir but skip (the file that
// will list them), by path relative to dir with '/'.
func digestsUnder(dir, skip string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); rel == skip {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", rel)
		}
		sum, err := digest.File(p)
		if err != nil {
			return err
		}
		out[rel] = sum
		return nil
	})
	return out, err
}

// statement makes the in-toto Statement over the files digests lists.
func statement(digests map[string]string, p predicate) (*ita.Statement, error) {
	st := &ita.Statement{Type: ita.StatementTypeUri, PredicateType: PredicateType}
	for _, n := range slices.Sorted(maps.Keys(digests)) {
		st.Subject = append(st.Subject, &ita.ResourceDescriptor{Name: n, Digest: map[string]string{"sha256": digests[n]}})
	}
	j, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	if st.Predicate, err = structpb.NewStruct(m); err != nil {
		return nil, err
	}
	if _, err := parsePredicate(st); err != nil {
		return nil, err
	}
	return st, st.Validate()
}

// parsePredicate reads a Statement's predicate as in-toto's Test Result
// type (the standard's fields, validated with its Go types) and as ours.
func parsePredicate(st *ita.Statement) (*predicate, error) {
	if st.GetPredicateType() != PredicateType {
		return nil, fmt.Errorf("predicate type %q, want %q", st.GetPredicateType(), PredicateType)
	}
	j, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return nil, err
	}
	var tr testresult.TestResult
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(j, &tr); err != nil {
		return nil, fmt.Errorf("the predicate is not a Test Result: %w", err)
	}
	switch tr.GetResult() {
	case ResultPassed, ResultWarned, ResultFailed:
	default:
		return nil, fmt.Errorf("the predicate's result %q is none of %s, %s, %s", tr.GetResult(), ResultPassed, ResultWarned, ResultFailed)
	}
	for _, rd := range tr.GetConfiguration() {
		if err := rd.Validate(); err != nil {
			return nil, fmt.Errorf("the predicate's configuration: %w", err)
		}
	}
	var p predicate
	if err := json.Unmarshal(j, &p); err != nil {
		return nil, fmt.Errorf("the predicate's %s field: %w", Extension, err)
	}
	if p.Ext.APIVersion != APIVersion {
		return nil, fmt.Errorf("the predicate's %s field has apiVersion %q, want %q", Extension, p.Ext.APIVersion, APIVersion)
	}
	return &p, nil
}

// sign writes dir's attestation: a Statement over every other file under
// dir, signed by s.
func sign(ctx context.Context, dir string, s *attest.Signer, digests map[string]string, p predicate) error {
	st, err := statement(digests, p)
	if err != nil {
		return fmt.Errorf("the attestation: %w", err)
	}
	env, err := s.Sign(ctx, st)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, Attestation), env, 0o644)
}

// attestOne signs one cluster's bundle, written in dir with digests its
// files' (writeSums's), when o asks.
func attestOne(ctx context.Context, dir string, b Bundle, o Options, digests map[string]string) error {
	if o.Signer == nil {
		return nil
	}
	return sign(ctx, dir, o.Signer, digests, bundlePredicate(b, o.Tool, digests))
}

// attestIndex signs a fleet bundle's top folder, its sub-folders' files
// and attestations included, when o asks; digests are writeSums's.
func attestIndex(ctx context.Context, dir string, bundles []Bundle, entries []indexEntry, o Options, digests map[string]string) error {
	if o.Signer == nil {
		return nil
	}
	return sign(ctx, dir, o.Signer, digests, indexPredicate(bundles, entries, o.Tool, digests))
}
