package fluxinstall

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
)

// Why a move is dry-run by the server only where admission may judge it.
//
// planUpgrade validates every object's move against the target CRD's
// schema with the API server's own code (schema.go: pruning as strict
// field validation does, the OpenAPI validator, the CEL rules, metadata)
// before anything is written, and an object it refuses stops the upgrade.
// The bridge CRD serves that very schema, so the server's validation of
// the move can only differ by admission: webhooks and admission policies.
// Those are read once (four lists); a kind one of them may see an update
// of has each move dry-run by the server as well, so admission still has
// its word before the first re-store. A rule's selectors are not judged
// (a match is assumed), and a list that cannot be read counts as a match.

// admissionKinds are the kinds whose rules say what they intercept, with
// where the rules sit in each object.
var admissionKinds = []struct {
	kind  string
	rules func(u *unstructured.Unstructured) []any
}{
	{"ValidatingWebhookConfiguration", webhookRules},
	{"MutatingWebhookConfiguration", webhookRules},
	{"ValidatingAdmissionPolicy", policyRules},
	{"MutatingAdmissionPolicy", policyRules},
}

func webhookRules(u *unstructured.Unstructured) []any {
	hooks, _, _ := unstructured.NestedSlice(u.Object, "webhooks")
	var out []any
	for _, h := range hooks {
		m, _ := h.(map[string]any)
		rs, _ := m["rules"].([]any)
		out = append(out, rs...)
	}
	return out
}

func policyRules(u *unstructured.Unstructured) []any {
	rs, _, _ := unstructured.NestedSlice(u.Object, "spec", "matchConstraints", "resourceRules")
	return rs
}

// admissionJudges names, for each kind of the plan, the webhook
// configurations and admission policies whose rules match an update of
// its objects.
func (in *installer) admissionJudges(ctx context.Context, kinds []*kindMove) map[*kindMove][]string {
	// The four lists are independent: read at once, merged in order.
	found := make([]map[*kindMove][]string, len(admissionKinds))
	var wg sync.WaitGroup
	for i, ak := range admissionKinds {
		wg.Go(func() { found[i] = in.judgesOfKind(ctx, ak.kind, ak.rules, kinds) })
	}
	wg.Wait()
	out := map[*kindMove][]string{}
	for _, f := range found {
		for k, names := range f {
			out[k] = append(out[k], names...)
		}
	}
	return out
}

// judgesOfKind names, for each kind of the plan, the objects of one
// admission kind whose rules match an update of its objects.
func (in *installer) judgesOfKind(ctx context.Context, kind string, rulesOf func(*unstructured.Unstructured) []any, kinds []*kindMove) map[*kindMove][]string {
	out := map[*kindMove][]string{}
	gk := schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: kind}
	mapping, err := in.mapper.RESTMapping(gk)
	if meta.IsNoMatchError(err) {
		return out // not served: none can exist
	}
	var items []unstructured.Unstructured
	if err == nil {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(mapping.GroupVersionKind.GroupVersion().WithKind(kind + "List"))
		if err = in.client.List(ctx, l, client.Limit(500)); err == nil && l.GetContinue() != "" {
			err = fmt.Errorf("more than 500")
		}
		items = l.Items
	}
	if err != nil {
		// Cannot tell what admission does: the server judges.
		for _, k := range kinds {
			out[k] = append(out[k], fmt.Sprintf("%ss (unreadable: %s)", kind, apiReason(err)))
		}
		return out
	}
	for i := range items {
		rules := rulesOf(&items[i])
		for _, k := range kinds {
			if slices.ContainsFunc(rules, func(r any) bool { return ruleMatchesUpdate(r, k.gk.Group, k.resource) }) {
				out[k] = append(out[k], kind+"/"+items[i].GetName())
			}
		}
	}
	return out
}

// ruleMatchesUpdate reports whether an admission rule (operations,
// apiGroups, resources, scope) covers an update of the namespaced main
// resource plural of group, at any version (a rule for another version
// still sees it, converted, under the default matchPolicy Equivalent).
func ruleMatchesUpdate(rule any, group, plural string) bool {
	m, _ := rule.(map[string]any)
	has := func(field string, want ...string) bool {
		vs, _ := m[field].([]any)
		for _, v := range vs {
			if s, _ := v.(string); slices.Contains(want, s) {
				return true
			}
		}
		return false
	}
	if scope, _ := m["scope"].(string); scope == "Cluster" {
		return false
	}
	return has("operations", "UPDATE", "*") && has("apiGroups", group, "*") && has("resources", plural, "*", "*/*")
}

// reportAdmission says how the moves were judged beyond their schemas.
func (in *installer) reportAdmission(up *upgradePlan, judges map[*kindMove][]string, dryRun int) {
	var names []string
	for _, k := range up.kinds {
		for _, j := range judges[k] {
			if !slices.Contains(names, j) {
				names = append(names, j)
			}
		}
	}
	slices.Sort(names)
	if dryRun > 0 {
		in.progress.Successf("%d objects' moves accepted by server-side dry-run, for the admission that may judge them: %s", dryRun, phrase.Summary(names, 3))
	}
	if rest := up.objectCount() - dryRun; rest > 0 {
		in.progress.Successf("%d objects' moves need no server-side dry-run: no admission webhook or policy sees an update of their kinds, and their schemas judged each one before the first write", rest)
	}
}
