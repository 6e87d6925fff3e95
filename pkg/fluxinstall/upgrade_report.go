package fluxinstall

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
)

// UpgradeReport is the upgrade's plan (and outcome) in -o json|yaml.
type UpgradeReport struct {
	// Installed is the Flux version found on the cluster ("" when no label
	// or tag says); Target the one the set installs.
	Installed string        `json:"installed,omitempty"`
	Target    string        `json:"target,omitempty"`
	Kinds     []UpgradeKind `json:"kinds"`
	// Dropped and Converted name every object and field the new APIs
	// lack: dropped are removed, converted rewritten into their successor.
	Dropped   []UpgradeField `json:"dropped,omitempty"`
	Converted []UpgradeField `json:"converted,omitempty"`
	// Recreated are the controllers replaced because their selector changes.
	Recreated []string `json:"recreated,omitempty"`
	// ManagedBy is the Kustomization that applies Flux from Git, suspended
	// while the upgrade runs.
	ManagedBy string `json:"managedBy,omitempty"`
	// Kept counts the objects found with the same UID afterwards.
	Kept *int `json:"kept,omitempty"`
}

// UpgradeKind is one Flux kind whose objects move.
type UpgradeKind struct {
	Kind           string   `json:"kind"`
	Objects        int      `json:"objects"`
	StoredVersions []string `json:"storedVersions"`
	To             string   `json:"to"`
}

// UpgradeField is one field of one object.
type UpgradeField struct {
	Object string `json:"object"`
	Field  string `json:"field"`
}

func (p *upgradePlan) report(done bool) *UpgradeReport {
	if !p.active() {
		return nil
	}
	r := &UpgradeReport{Installed: p.installed, Target: p.target, Kinds: []UpgradeKind{}}
	for _, k := range p.kinds {
		r.Kinds = append(r.Kinds, UpgradeKind{Kind: k.gk.Kind, Objects: len(k.objects), StoredVersions: k.stored, To: k.to})
		for _, m := range k.objects {
			for _, f := range m.dropped {
				r.Dropped = append(r.Dropped, UpgradeField{Object: m.ref(), Field: f})
			}
			for _, f := range m.converted {
				r.Converted = append(r.Converted, UpgradeField{Object: m.ref(), Field: f})
			}
		}
	}
	for ref := range p.recreate {
		r.Recreated = append(r.Recreated, ref)
	}
	sort.Strings(r.Recreated)
	if p.manager != nil {
		r.ManagedBy = "Kustomization/" + p.manager.String()
	}
	if done && len(p.kinds) > 0 {
		kept := p.kept
		r.Kept = &kept
	}
	return r
}

// printPlan shows the plan on stderr before anything is written.
func (in *installer) printPlan(up *upgradePlan) {
	pr := in.progress
	from := "an older Flux"
	if up.installed != "" {
		from = "Flux " + up.installed + " (" + up.from + ")"
	}
	to := "the set's Flux"
	if up.target != "" {
		to = "Flux " + up.target
	}
	var lines []string
	for _, k := range up.kinds {
		lines = append(lines, fmt.Sprintf("%s: %s stored at %s, moving to %s", k.gk.Kind, phrase.Count(len(k.objects), "object", "objects"), versions(k.stored), k.to))
	}
	lines = append(lines, groupFields(up, false)...)
	lines = append(lines, groupFields(up, true)...)
	var rec []string
	for ref := range up.recreate {
		rec = append(rec, ref)
	}
	sort.Strings(rec)
	if len(rec) > 0 {
		lines = append(lines, "recreated, their spec.selector being immutable (old Deployment and its ReplicaSets removed, then applied): "+strings.Join(rec, ", "))
	}
	if up.manager != nil {
		switch {
		case len(up.kinds) == 0:
			lines = append(lines, fmt.Sprintf("Kustomization %s applies Flux from Git and was left suspended by an interrupted upgrade: resumed at the end", up.manager))
		case up.managerResumeOK:
			lines = append(lines, fmt.Sprintf("Kustomization %s applies Flux from Git: suspended while Flux moves, resumed at the end", up.manager))
		default:
			lines = append(lines, fmt.Sprintf("Kustomization %s applies Flux from Git and is suspended: left suspended", up.manager))
		}
	}
	pr.ActionList(lines, "upgrade plan: %s to %s", from, to)
}

// groupFields words the dropped (or converted) fields per kind and field,
// naming up to five objects each; -o json lists every one.
func groupFields(up *upgradePlan, converted bool) []string {
	type key struct{ kind, field string }
	objs := map[key][]string{}
	var keys []key
	for _, k := range up.kinds {
		for _, m := range k.objects {
			fs := m.dropped
			if converted {
				fs = m.converted
			}
			for _, f := range fs {
				kk := key{k.gk.Kind, f}
				if _, ok := objs[kk]; !ok {
					keys = append(keys, kk)
				}
				name := m.live.GetName()
				if ns := m.live.GetNamespace(); ns != "" {
					name = ns + "/" + name
				}
				objs[kk] = append(objs[kk], name)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].kind+keys[i].field < keys[j].kind+keys[j].field })
	var out []string
	for _, kk := range keys {
		names := objs[kk]
		sort.Strings(names)
		what := fmt.Sprintf("dropped from %s (the new API has no such field)", phrase.Count(len(names), "object", "objects"))
		if converted {
			what = "in " + phrase.Count(len(names), "object", "objects")
		}
		out = append(out, fmt.Sprintf("%s %s: %s: %s", kk.kind, kk.field, what, phrase.Summary(names, 5)))
	}
	return out
}
