package e2e

import (
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestVerifyAsRestrictedUser impersonates (--as) a user who may read nodes
// and nothing else: the node checks still pass, and the checks that need
// more report error naming the verb and resource they were refused, never
// pass.
func TestVerifyAsRestrictedUser(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	ctx := ctxFor(t, time.Minute)
	const user = "auditor@contoso.com"
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-nodes-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := s.cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-nodes-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}},
	}
	if _, err := s.cs.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	r, rep := verify(t, s.c.Kubeconfig, "--as", user)
	got := plugintest.ByID(rep)
	if r.Code == 0 {
		t.Errorf("verify as %s: exit code 0 although most checks could not read what they need\n%s", user, plugintest.Describe(rep))
	}
	for _, id := range []string{"nodes-ready", "nodes-pools"} {
		if got[id].Status != check.Pass {
			t.Errorf("%s is %s for a user who may read nodes: %s", id, got[id].Status, got[id].Message)
		}
	}
	// The missing permission is named: verb and resource (with its group).
	want := map[string]string{
		"policies-templates":  "constrainttemplates",
		"policies-gatekeeper": "deployments",
		"secrets-tls-secret":  "secrets",
	}
	for id, resource := range want {
		res := got[id]
		if res.Status != check.Error {
			t.Errorf("%s is %s, want error: %s", id, res.Status, res.Message)
			continue
		}
		if !strings.Contains(res.Message, "forbidden") || !strings.Contains(res.Message, resource) ||
			!(strings.Contains(res.Message, "list") || strings.Contains(res.Message, "get")) {
			t.Errorf("%s error does not name the refused verb and resource %s: %s", id, resource, res.Message)
		} else {
			t.Logf("%s: %s", id, res.Message)
		}
	}
	for _, res := range rep.Results {
		if res.Status == check.Pass && strings.HasPrefix(res.ID, "policies-") {
			t.Errorf("%s passed for a user who may not read policies: %s", res.ID, res.Message)
		}
	}
}
