package plugin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/drift"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/evidence"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verify"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/waiver"
)

// assessorOptions are verify's flags for evidence: waivers, drift against a
// baseline, the evidence bundle and the by-requirement view.
type assessorOptions struct {
	Waivers            string
	Baseline           string
	BaselineAnyCluster bool
	Evidence           string
	Force              bool
	ByControl          bool

	// waiversFile is the --waivers file as given, for the bundle.
	waiversFile []byte
	// sign is --sign-key, the key that signs the bundle.
	sign signing
}

func (a *assessorOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&a.Waivers, "waivers", "", "Waivers file: accepted exceptions (check, objects, reason, expires) reported as waived, never failing the run.")
	f.StringVar(&a.Baseline, "baseline", "", "A previous -o json report of this cluster: mark each finding new, unchanged or resolved (see --fail-on new).")
	f.BoolVar(&a.BaselineAnyCluster, "baseline-any-cluster", false, "Compare with a --baseline of another cluster (another kube-system UID) instead of refusing it.")
	f.StringVar(&a.Evidence, "evidence", "", "Write an evidence bundle for an assessor into this new or empty folder, or one a link or mount point leads to (report.json, report.html, inventory, hashes).")
	f.BoolVar(&a.Force, "force", false, "Replace the bundle a previous run wrote in the --evidence folder; anything else there is refused.")
	f.BoolVar(&a.ByControl, "by-control", false, "Text output grouped by PCI DSS v4.0.1 requirement, with what the cluster cannot show.")
	a.sign.addFlags(f)
}

// complete reads every file the user wrote and tries the evidence folder,
// so that a mistake in any of them stops verify before the cluster is read.
func (a *assessorOptions) complete(env *Env, profileRef string, p *profile.Profile, engine *verify.Options) error {
	ws, err := waiver.FromProfile(profileFile(profileRef, p), p)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	if a.Waivers != "" {
		b, err := os.ReadFile(a.Waivers)
		if err != nil {
			return exitcode.WithCode(exitcode.CouldNotCheck, fmt.Errorf("reading waivers: %w", err))
		}
		fw, err := waiver.Parse(a.Waivers, b, nil)
		if err != nil {
			return exitcode.WithCode(exitcode.CouldNotCheck, err)
		}
		ws, a.waiversFile = append(ws, fw...), b
	}
	engine.Waivers = ws
	if a.Baseline != "" {
		base, err := drift.Read(a.Baseline)
		if err != nil {
			return exitcode.WithCode(exitcode.CouldNotCheck, err)
		}
		engine.Baseline = base
	}
	engine.BaselineAnyCluster = a.BaselineAnyCluster
	if a.Evidence != "" {
		if err := evidence.Preflight(a.Evidence, a.Force); err != nil {
			return exitcode.WithCode(exitcode.CouldNotCheck, err)
		}
	}
	return a.sign.complete(env, a.Evidence)
}

// profileFile names the profile's source as its errors do.
func profileFile(ref string, p *profile.Profile) string {
	if ref == "" || !fileExists(ref) {
		return p.Name + ".yaml"
	}
	return ref
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// validate checks the flags that depend on each other.
func (a *assessorOptions) validate(output string, engine *verify.Options) error {
	if engine.FailOn == verify.FailOnNew && a.Baseline == "" {
		return exitcode.Usage("--fail-on new needs --baseline PREVIOUS.json")
	}
	if a.Force && a.Evidence == "" {
		return exitcode.Usage("--force replaces a previous evidence bundle: add --evidence DIR (a --baseline of another cluster is --baseline-any-cluster)")
	}
	if a.BaselineAnyCluster && a.Baseline == "" {
		return exitcode.Usage("--baseline-any-cluster needs --baseline PREVIOUS.json")
	}
	if a.ByControl && output != "text" {
		return exitcode.Usage("--by-control is a text view; it cannot be combined with -o %s", output)
	}
	return nil
}

// notes shows the waivers that need attention, once for the whole fleet.
func notes(p *progress.Printer, res *verify.Outcome) {
	var per [][]waiver.Note
	for _, t := range res.Targets {
		if t.Report != nil {
			per = append(per, t.Notes)
		}
	}
	for _, n := range waiver.Merge(per...) {
		p.Warningf("%s", n)
	}
}

// renderOptions are the report options the flags ask for.
func (a *assessorOptions) renderOptions(format string, color bool, res *verify.Outcome) report.Options {
	return report.Options{Format: format, Color: color, Elapsed: res.Elapsed, ByControl: a.ByControl,
		HTML: report.HTMLOptions{Verdicts: verdicts(res)}}
}

func verdicts(res *verify.Outcome) []string {
	out := make([]string, len(res.Targets))
	for i, t := range res.Targets {
		out[i] = t.Verdict.String()
	}
	return out
}

// writeEvidence writes the bundle of a finished run. A run that could
// check no cluster at all leaves the folder untouched, free for the next.
func (a *assessorOptions) writeEvidence(ctx context.Context, p *progress.Printer, name string, engine *verify.Options, res *verify.Outcome) error {
	if a.Evidence == "" {
		return nil
	}
	bundles, err := evidence.FromOutcome(res, engine.Profile, a.waiversFile)
	if err != nil || len(bundles) == 0 {
		return err
	}
	if err := evidence.Write(ctx, a.Evidence, bundles, evidence.Options{Force: a.Force, Signer: a.sign.signer}); err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, fmt.Errorf("writing the evidence: %w", err))
	}
	page := evidence.ReportHTML
	if len(bundles) > 1 {
		page = evidence.IndexHTML
	}
	p.Successf("evidence written to %s (open %s)", a.Evidence, filepath.Join(a.Evidence, page))
	a.sign.signed(p, name, a.Evidence)
	return nil
}
