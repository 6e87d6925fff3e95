package e2e

import (
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// TestVerifyAsRestrictedUser impersonates (--as) a user who may read nodes
// and nothing else: the node checks still pass, and the checks that need
// more report error naming the verb and resource they were refused, never
// pass.
func TestVerifyAsRestrictedUser(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	const user = "auditor@contoso.com"
	testenv.Grant(t, s.c.Config, "e2e-nodes-reader", user,
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list", "watch"}})

	r, rep := verify(t, s.c.Kubeconfig, "--as", user)
	got := plugintest.ByID(rep)
	if r.Code == 0 {
		t.Errorf("verify as %s: exit code 0 although most checks could not read what they need\n%s", user, plugintest.Describe(rep))
	}
	for _, id := range []string{"nodes-ready", "nodes-pools"} {
		if got[id].Status != result.Pass {
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
		if res.Status != result.Error {
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
		if res.Status == result.Pass && strings.HasPrefix(res.ID, "policies-") {
			t.Errorf("%s passed for a user who may not read policies: %s", res.ID, res.Message)
		}
	}
}

// TestVerifyWithoutListPods impersonates a user who may read everything
// verify reads but pods: the checks that need pods report error naming the
// verb and resource, and every other check still runs and reaches a verdict.
func TestVerifyWithoutListPods(t *testing.T) {
	s := newSim(t, sim.EraWorkloadIdentity)
	const user = "no-pods@contoso.com"
	read := []string{"get", "list", "watch"}
	testenv.Grant(t, s.c.Config, "e2e-all-but-pods", user,
		// The core resources verify reads, pods left out.
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes", "namespaces", "services", "secrets", "serviceaccounts", "resourcequotas", "limitranges", "configmaps"}, Verbs: read},
		rbacv1.PolicyRule{APIGroups: []string{"apps", "networking.k8s.io", "apiextensions.k8s.io", "templates.gatekeeper.sh", "constraints.gatekeeper.sh",
			"aadpodidentity.k8s.io", "secrets-store.csi.x-k8s.io", "source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "clusterconfig.azure.com"}, Resources: []string{"*"}, Verbs: read},
	)
	// As the cluster's admin first: what each check says with pods readable.
	_, admin := verify(t, s.c.Kubeconfig)
	before := plugintest.ByID(admin)

	r, rep := verify(t, s.c.Kubeconfig, "--as", user)
	if r.Code == 0 {
		t.Errorf("verify as %s: exit code 0 although the pod checks could not read pods\n%s", user, plugintest.Describe(rep))
	}
	needPods := map[string]bool{"segmentation-pci-scope": true, "security-agents": true, "images-allowed-registry": true, "images-placeholders": true}
	for _, res := range rep.Results {
		switch {
		case needPods[res.ID]:
			if res.Status != result.Error || !strings.Contains(res.Message, "forbidden") || !strings.Contains(res.Message, "list") || !strings.Contains(res.Message, "pods") {
				t.Errorf("%s is %s, want error naming list and pods: %s", res.ID, res.Status, res.Message)
			} else {
				t.Logf("%s: %s", res.ID, res.Message)
			}
		case res.Status == result.Error && strings.Contains(res.Message, "pods"):
			// Other checks that read pods (the identity checks follow the
			// ingress controller's pods) may say so too.
			t.Logf("%s also needs pods: %s", res.ID, res.Message)
		case res.Status != before[res.ID].Status:
			t.Errorf("%s is %s without list pods, %s with it: %s", res.ID, res.Status, before[res.ID].Status, res.Message)
		}
	}
}
