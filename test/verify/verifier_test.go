package verify

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/openreports"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

const verifierSA = "system:serviceaccount:" + verifier.Namespace + ":" + verifier.ServiceAccount

// TestVerifierRBAC applies the folder 'configure --add-verifier' writes to
// a cluster dressed as the reference, then runs verify as its service
// account: every check reads what it needs (no result is forbidden), the
// report is written; and each permission of the read-only role is needed:
// without any one of them some check is forbidden.
func TestVerifierRBAC(t *testing.T) {
	env, c := seedEra(t, sim.EraPodIdentity)
	dir := t.TempDir()
	if r := runVerify(t, "configure", dir, "--add-verifier"); r.Code != 0 {
		t.Fatalf("configure --add-verifier: exit %d\n%s", r.Code, r.Stderr)
	}
	objs, err := seed.TreeObjects(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			createWithStatus(t, c, o)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for _, err := openreports.Get(ctx, env.Config, "probe"); errors.Is(err, openreports.ErrNoCRD); _, err = openreports.Get(ctx, env.Config, "probe") {
		if time.Now().After(deadline) {
			t.Fatal("the OpenReports CRD is not served after a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The namespace first, as Flux orders it; the quota would refuse the
	// pods of the era's seeding, which no quota controller counts here.
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		first := func(o *unstructured.Unstructured) int {
			if o.GetKind() == "Namespace" {
				return 0
			}
			return 1
		}
		return cmp.Compare(first(a), first(b))
	})
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" && o.GetKind() != "ResourceQuota" {
			createWithStatus(t, c, o)
		}
	}

	testenv.WaitAuthorized(t, env.Config, verifierSA, &authorizationv1.ResourceAttributes{Verb: "list", Resource: "nodes"}, true)
	testenv.WaitAuthorized(t, env.Config, verifierSA, &authorizationv1.ResourceAttributes{Verb: "patch", Group: "openreports.io", Resource: "clusterreports", Name: "aksbaseline"}, true)
	r, rep := verifyJSON(t, env.Kubeconfig, "--as", verifierSA, "--report-to-cluster")
	if r.Code == 2 {
		t.Fatalf("verify as the verifier: exit 2\n%s", r.Stderr)
	}
	for _, res := range rep.Results {
		if res.Status == result.Error {
			t.Errorf("%s: %s (the verifier's role lacks what it reads)", res.ID, res.Message)
		}
	}
	if rep.ClusterID == "" {
		t.Error("the verifier could not read the kube-system namespace's UID")
	}
	if !strings.Contains(r.Stderr, "ClusterReport aksbaseline written") {
		t.Errorf("the report was not written:\n%s", r.Stderr)
	}

	// No broader than needed: without each permission, something is forbidden.
	var role rbacv1.ClusterRole
	if err := c.Get(ctx, client.ObjectKey{Name: "aksbaseline-verifier-read"}, &role); err != nil {
		t.Fatal(err)
	}
	full := role.DeepCopy()
	for i, rule := range full.Rules {
		for j, res := range rule.Resources {
			less := full.DeepCopy()
			less.Rules[i].Resources = slices.Delete(slices.Clone(rule.Resources), j, j+1)
			if len(less.Rules[i].Resources) == 0 {
				less.Rules = slices.Delete(less.Rules, i, i+1)
			}
			what := strings.Join(rule.Verbs, ",") + " " + strings.TrimSuffix(res+"."+rule.APIGroups[0], ".")
			attrs := &authorizationv1.ResourceAttributes{Verb: rule.Verbs[0], Group: rule.APIGroups[0], Resource: res}
			if len(rule.ResourceNames) > 0 {
				attrs.Name = rule.ResourceNames[0]
			}
			if res == "*" {
				attrs.Resource = "k8sazurev1anyconstraint"
			}
			t.Run("without "+what, func(t *testing.T) {
				updateRole(t, c, less)
				testenv.WaitAuthorized(t, env.Config, verifierSA, attrs, false)
				defer func() {
					updateRole(t, c, full)
					testenv.WaitAuthorized(t, env.Config, verifierSA, attrs, true)
				}()
				_, rep := verifyJSON(t, env.Kubeconfig, "--as", verifierSA)
				if !forbiddenSomewhere(rep) {
					t.Errorf("the role grants %s, yet verify needs it nowhere: the role is broader than the checks' reads", what)
				}
			})
		}
	}
}

func forbiddenSomewhere(rep *result.Report) bool {
	if rep.ClusterID == "" {
		return true
	}
	for _, res := range rep.Results {
		if res.Status == result.Error && strings.Contains(res.Message, "forbidden") {
			return true
		}
	}
	return false
}

func updateRole(t *testing.T, c client.Client, role *rbacv1.ClusterRole) {
	t.Helper()
	var live rbacv1.ClusterRole
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(role), &live); err != nil {
		t.Fatal(err)
	}
	live.Rules = role.Rules
	if err := c.Update(context.Background(), &live); err != nil {
		t.Fatal(err)
	}
}
