package fluxinstall

import (
	"fmt"
	"io"
	"strings"

	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
)

// ChangeEntry is one line of the change set in -o json|yaml.
type ChangeEntry struct {
	Subject    string     `json:"subject"`
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Namespace  string     `json:"namespace,omitempty"`
	Name       string     `json:"name"`
	Action     string     `json:"action"`
	TakenOver  []Conflict `json:"takenOver,omitempty"`
}

// Report is the -o json|yaml document.
type Report struct {
	DryRun  bool          `json:"dryRun,omitempty"`
	Changes []ChangeEntry `json:"changes"`
	// Healthy is set once the wait and Flux checks ran.
	Healthy *bool `json:"healthy,omitempty"`
	// Upgrade is the plan (and, once done, the outcome) of moving an
	// older Flux's objects to the new APIs.
	Upgrade *UpgradeReport `json:"upgrade,omitempty"`
}

// WriteChangeSet prints the change set of r as Flux does ("Kind/ns/name
// action" a line), or as a JSON or YAML Report. Text is written once apply
// has begun (or a dry run validated), so a failed apply still shows what it
// did; a Report only once the outcome is known: after apply, with the
// health when Install waited. Before that it writes nothing.
func WriteChangeSet(w io.Writer, format string, r Result) error {
	if r.plan == nil || r.Stage < StageApply || (format != "" && r.Stage == StageApply) {
		return nil
	}
	rep := r.Report()
	if format != "" {
		return output.Write(w, format, rep)
	}
	for _, e := range rep.Changes {
		if _, err := fmt.Fprintf(w, "%s %s\n", e.Subject, e.Action); err != nil {
			return err
		}
	}
	return nil
}

// WriteDiff prints a unified diff per object that would change, between the
// live object and the server's dry-run result, Secret values masked; nothing
// until validation succeeded.
func WriteDiff(w io.Writer, r Result) error {
	if r.plan == nil {
		return nil
	}
	for _, c := range r.plan.changes {
		if c.action == ssa.UnchangedAction || c.desired == nil {
			continue
		}
		before, after := "", ""
		if c.existing != nil {
			before = diffYAML(c.existing)
		}
		desired := c.desired.DeepCopy()
		if ssautil.IsSecret(desired) && c.existing == nil {
			// ssa masks drifted Secrets itself; created ones are masked here.
			maskSecret(desired)
		}
		after = diffYAML(desired)
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(before), B: difflib.SplitLines(after),
			FromFile: c.obj.ref() + " (live)", ToFile: c.obj.ref() + " (bootstrap)", Context: 3,
		})
		if err != nil {
			return err
		}
		if text == "" {
			continue
		}
		if _, err := fmt.Fprint(w, text); err != nil {
			return err
		}
	}
	return nil
}

// maskSecret hides the values of a Secret that does not exist yet.
func maskSecret(u *unstructured.Unstructured) {
	for _, field := range []string{"data", "stringData"} {
		m, found, _ := unstructured.NestedMap(u.Object, field)
		if !found {
			continue
		}
		for k := range m {
			m[k] = "***"
		}
		_ = unstructured.SetNestedMap(u.Object, m, field)
	}
}

// diffYAML renders an object without the fields the server owns, so the
// diff shows only what bootstrap would change.
func diffYAML(u *unstructured.Unstructured) string {
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "status")
	for _, f := range []string{"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"} {
		unstructured.RemoveNestedField(c.Object, "metadata", f)
	}
	b, err := yaml.Marshal(c.Object)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// Export writes the final set as YAML: stage one first, as it would be applied.
func Export(w io.Writer, s *Set) error {
	var us []*unstructured.Unstructured
	for _, o := range s.inApplyOrder() {
		us = append(us, o.Unstructured)
	}
	y, err := ssautil.ObjectsToYAML(us)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(y, "---") {
		y = "---\n" + y
	}
	_, err = fmt.Fprint(w, y)
	return err
}
