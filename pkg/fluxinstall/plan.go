package fluxinstall

import (
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/ssa"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Conflict is a field another manager owned that bootstrap takes over.
type Conflict struct {
	Field   string `json:"field"`
	Manager string `json:"manager"`
}

// change is what bootstrap does (or would do) to one object.
type change struct {
	obj         object
	action      ssa.Action
	validatedBy string
	// existing and desired are the live object and the server's dry-run
	// result, both without managed fields, set for configured objects, for
	// --diff. desired alone is set for created ones.
	existing, desired *unstructured.Unstructured
	// takenOver lists fields that other field managers owned.
	takenOver []Conflict
	// recreate: the live object's immutable selector differs; apply
	// deletes it first (upgrade_recreate.go).
	recreate bool
}

// plan is the validated set, in apply order: stage one, then stage two.
// apply updates each action with what the server actually did.
type plan struct {
	changes []*change
}

// unchanged reports whether applying the plan would write nothing.
func (p *plan) unchanged() bool {
	for _, c := range p.changes {
		if c.action != ssa.UnchangedAction {
			return false
		}
	}
	return true
}

// summary counts the plan's actions, e.g. "3 created, 40 unchanged".
func (p *plan) summary() string { return countActions(p.changes) }

func countActions(changes []*change) string {
	counts := map[ssa.Action]int{}
	for _, c := range changes {
		counts[c.action]++
	}
	var parts []string
	for _, a := range []ssa.Action{ssa.CreatedAction, ssa.ConfiguredAction, ssa.UnchangedAction} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// entries returns the change set as the -o json|yaml document lists it.
func (p *plan) entries() []ChangeEntry {
	out := make([]ChangeEntry, 0, len(p.changes))
	for _, c := range p.changes {
		u := c.obj.Unstructured
		out = append(out, ChangeEntry{
			Subject: c.obj.ref(), APIVersion: u.GetAPIVersion(), Kind: u.GetKind(),
			Namespace: u.GetNamespace(), Name: u.GetName(), Action: string(c.action), TakenOver: c.takenOver,
		})
	}
	return out
}
