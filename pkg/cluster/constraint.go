package cluster

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Constraint is the part of a Gatekeeper constraint the checks judge: how
// it is enforced, its parameters, and what Gatekeeper's audit found.
type Constraint struct {
	Kind string
	Name string
	// EnforcementAction is deny, dryrun or warn; Gatekeeper's default, deny,
	// when the constraint sets none.
	EnforcementAction  string
	Parameters         map[string]any
	ExcludedNamespaces []string
	// Audited is false until the audit has run: totalViolations is unset.
	Audited         bool
	TotalViolations int64
	// Violations is the audit's capped list, not all of them.
	Violations []Violation
}

// Violation is one entry of a constraint's audit results.
type Violation struct {
	Kind              string
	Namespace         string
	Name              string
	Message           string
	EnforcementAction string
}

// ConstraintOf reads a constraint object.
func ConstraintOf(u *unstructured.Unstructured) Constraint {
	c := Constraint{Kind: u.GetKind(), Name: u.GetName()}
	c.EnforcementAction, _, _ = unstructured.NestedString(u.Object, "spec", "enforcementAction")
	if c.EnforcementAction == "" {
		c.EnforcementAction = "deny"
	}
	c.Parameters, _, _ = unstructured.NestedMap(u.Object, "spec", "parameters")
	c.ExcludedNamespaces, _, _ = unstructured.NestedStringSlice(u.Object, "spec", "match", "excludedNamespaces")
	if v, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "totalViolations"); ok {
		c.Audited = true
		switch n := v.(type) {
		case int64:
			c.TotalViolations = n
		case float64:
			c.TotalViolations = int64(n)
		case int:
			c.TotalViolations = int64(n)
		}
	}
	vs, _, _ := unstructured.NestedSlice(u.Object, "status", "violations")
	for _, v := range vs {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		s := func(k string) string { x, _ := m[k].(string); return x }
		c.Violations = append(c.Violations, Violation{Kind: s("kind"), Namespace: s("namespace"), Name: s("name"), Message: s("message"), EnforcementAction: s("enforcementAction")})
	}
	return c
}

// Constraints returns every constraint read, in kind and name order.
func (s *Snapshot) Constraints() []Constraint {
	items := s.Custom[Constraints]
	out := make([]Constraint, 0, len(items))
	for i := range items {
		out = append(out, ConstraintOf(&items[i]))
	}
	return out
}
