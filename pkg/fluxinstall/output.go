package fluxinstall

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
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
}

// Entries returns the change set.
func (p *Plan) Entries() []ChangeEntry {
	out := make([]ChangeEntry, 0, len(p.Changes))
	for _, c := range p.Changes {
		u := c.Object.Unstructured
		out = append(out, ChangeEntry{
			Subject: c.Object.Ref(), APIVersion: u.GetAPIVersion(), Kind: u.GetKind(),
			Namespace: u.GetNamespace(), Name: u.GetName(), Action: string(c.Action), TakenOver: c.TakenOver,
		})
	}
	return out
}

// WriteChangeSet prints the change set as Flux does ("Kind/ns/name action"),
// or as JSON or YAML.
func WriteChangeSet(w io.Writer, format string, r Report) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(r)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, e := range r.Changes {
		if _, err := fmt.Fprintf(w, "%s %s\n", e.Subject, e.Action); err != nil {
			return err
		}
	}
	return nil
}

// WriteDiff prints a unified diff per object that would change, between the
// live object and the server's dry-run result, Secret values masked.
func WriteDiff(w io.Writer, p *Plan) error {
	for _, c := range p.Changes {
		if c.Action == ssa.UnchangedAction || c.Desired == nil {
			continue
		}
		before, after := "", ""
		if c.Existing != nil {
			before = diffYAML(c.Existing)
		}
		desired := c.Desired.DeepCopy()
		if ssautil.IsSecret(desired) && c.Existing == nil {
			// ssa masks drifted Secrets itself; created ones are masked here.
			maskSecret(desired)
		}
		after = diffYAML(desired)
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(before), B: difflib.SplitLines(after),
			FromFile: c.Object.Ref() + " (live)", ToFile: c.Object.Ref() + " (bootstrap)", Context: 3,
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
	for _, o := range s.Objects {
		if ssautil.IsClusterDefinition(o.Unstructured) {
			us = append(us, o.Unstructured)
		}
	}
	for _, o := range s.Objects {
		if !ssautil.IsClusterDefinition(o.Unstructured) {
			us = append(us, o.Unstructured)
		}
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
