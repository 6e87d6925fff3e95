package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	simcrd "github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestBootstrapAPIServerStoppedMidway stops the API server while bootstrap
// waits for the controllers it has just applied, expects exit code 1 or 2
// with a message that says what happened, and a re-run to converge once the
// server is back.
func TestBootstrapAPIServerStoppedMidway(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	ctx := ctxFor(t, 10*time.Minute)

	// Hold bootstrap in its wait, deterministically: with every node
	// cordoned the controller pods cannot be scheduled.
	nodes, err := s.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		s.patch(t, gvrNodes, "", n.Name, `{"spec":{"unschedulable":true}}`)
	}

	bootstrap := plugin
	bootstrap.Args = []string{"bootstrap", "--kubeconfig", s.c.Kubeconfig, "--url", s.gitURL,
		"--branch", "main", "--path", "./cluster-manifests", "--timeout", "30s"}
	cmd := plugintest.Command(t, bootstrap)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	finished := false
	t.Cleanup(func() {
		if !finished {
			_ = cmd.Process.Kill()
			<-done
		}
	})

	// Mid-bootstrap: its controllers' Deployment exists, and it is waiting.
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := s.cs.AppsV1().Deployments("flux-system").Get(ctx, "kustomize-controller", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("bootstrap never applied the controllers: %v\nstderr:\n%s", err, errb.String())
	}
	// The local Flux controllers run (they started on bootstrap's CRDs), so
	// the outage hits a working GitOps loop.
	select {
	case <-s.fluxUp:
	case <-ctx.Done():
		t.Fatal("the local Flux controllers never started")
	}
	if err := s.c.StopAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case err := <-done:
		finished = true
		code = plugintest.ExitCode(t, err)
	case <-ctx.Done():
		t.Fatalf("bootstrap did not end after the API server stopped\nstderr:\n%s", errb.String())
	}
	if code != 1 && code != 2 {
		t.Errorf("bootstrap with the API server gone: exit code %d, want 1 or 2\nstderr:\n%s", code, errb.String())
	}
	msg := errb.String()
	if !strings.Contains(msg, "error:") || !(strings.Contains(msg, "refused") || strings.Contains(msg, "unreachable") || strings.Contains(msg, "not reachable") || strings.Contains(msg, "connect")) {
		t.Errorf("bootstrap's message does not say the API server went away:\n%s", msg)
	}
	t.Logf("bootstrap with the API server stopped: exit code %d:\n%s", code, proc.Tail(msg, 4))

	if err := s.c.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		s.patch(t, gvrNodes, "", n.Name, `{"spec":{"unschedulable":null}}`)
	}
	r := s.bootstrap(t)
	if r.Code != 0 {
		t.Fatalf("bootstrap re-run after the outage did not converge: %s", r)
	}
	if r, rep := verify(t, s.c.Kubeconfig, "flux", "--wait", "2m"); r.Code != 0 {
		t.Errorf("verify flux after the re-run: exit code %d\n%s", r.Code, plugintest.Describe(rep))
	}
}

// TestBootstrapRerunEstablishesACRDAnOutageLeftStuck reproduces, on the
// real API server, the outage of issue 16 §4: the API server stops after it
// accepted a CRD's names and before it established it. Started again, it
// only establishes a CRD it sees change, so the CRD stays "Install in
// progress" and an unchanged apply changes nothing. To stop in that window
// every time, a ValidatingAdmissionPolicy refuses the API server's own
// status update that would establish Flux's Kustomization CRD while the
// first bootstrap runs and while the server restarts. That bootstrap's
// wait times out after it applied: exit 1, not 2. Once the policy is gone
// the CRD stays stuck, and ONE re-run of bootstrap must converge (exit 0).
func TestBootstrapRerunEstablishesACRDAnOutageLeftStuck(t *testing.T) {
	s := newSim(t, sim.EraPodIdentity)
	ctx := ctxFor(t, 10*time.Minute)
	const crd = "kustomizations.kustomize.toolkit.fluxcd.io"
	hold := holdEstablishing(t, s, crd)

	r := s.bootstrap(t, "--timeout", "20s")
	if r.Code != 1 {
		t.Fatalf("bootstrap with %s never established: exit code %d, want 1 (applied, not ready in time)\n%s", crd, r.Code, r)
	}
	if !stuckCRD(t, s, crd) {
		t.Fatalf("%s is not in the state the outage leaves (names accepted, not established): the admission policy did not hold it", crd)
	}
	t.Logf("bootstrap while %s could not be established: exit code 1:\n%s", crd, proc.Tail(r.Stderr, 3))

	if err := s.c.StopAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.c.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	hold()
	// Nothing establishes it now: no change reached the restarted server.
	time.Sleep(5 * time.Second)
	if !stuckCRD(t, s, crd) {
		t.Fatalf("%s was established without any change after the restart: the outage was not reproduced", crd)
	}

	// Under five minutes: the API server's CRD informer resyncs then, and
	// a resync would establish the CRD whatever bootstrap does (the issue's
	// re-run waited its --timeout 3m).
	r = s.bootstrap(t, "--timeout", "2m")
	if r.Code != 0 {
		t.Fatalf("the one bootstrap re-run after the outage did not converge: %s", r)
	}
	if stuckCRD(t, s, crd) {
		t.Errorf("%s still not established after the re-run", crd)
	}
	if r, rep := verify(t, s.c.Kubeconfig, "--checks", "flux-crds,flux-controllers,flux-sync-ready", "--wait", "2m"); r.Code != 0 {
		t.Errorf("verify flux after the re-run: exit code %d\n%s", r.Code, plugintest.Describe(rep))
	}
}

// holdEstablishing makes the API server refuse its own status update that
// would mark crd Established, and returns what lifts the hold. It returns
// once the policy is in force: a probe CRD it also holds stays
// unestablished.
func holdEstablishing(t *testing.T, s *simCluster, crd string) (lift func()) {
	t.Helper()
	ctx := ctxFor(t, 2*time.Minute)
	const probe = "probes.e2e.aksbaseline.io"
	fail := admissionregistrationv1.Fail
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-hold-establishing"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update},
					Rule: admissionregistrationv1.Rule{APIGroups: []string{"apiextensions.k8s.io"}, APIVersions: []string{"v1"},
						Resources: []string{"customresourcedefinitions/status"}},
				},
			}}},
			Validations: []admissionregistrationv1.Validation{{
				// Only the step to Established: the updates of a CRD
				// established before the policy held (its deletion) pass.
				Expression: fmt.Sprintf(`!(object.metadata.name in [%q, %q] && %s && !(%s))`, crd, probe,
					"has(object.status.conditions) && object.status.conditions.exists(c, c.type == 'Established' && c.status == 'True')",
					"has(oldObject.status.conditions) && oldObject.status.conditions.exists(c, c.type == 'Established' && c.status == 'True')"),
				Message: "held unestablished by the e2e outage test",
			}},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: policy.Name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: policy.Name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}},
	}
	ar := s.cs.AdmissionregistrationV1()
	if _, err := ar.ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ar.ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ext, err := apiextensionsclient.NewForConfig(s.c.Config)
	if err != nil {
		t.Fatal(err)
	}
	// The API server loads policies asynchronously: probe until one holds.
	for attempt := 1; ; attempt++ {
		p := &apiextensionsv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: probe},
			Spec: apiextensionsv1.CustomResourceDefinitionSpec{Group: "e2e.aksbaseline.io", Scope: apiextensionsv1.ClusterScoped,
				Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "probes", Singular: "probe", Kind: "Probe", ListKind: "ProbeList"},
				Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
					Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object"}}}}},
		}
		if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 5*time.Second, true, func(ctx context.Context) (bool, error) {
			ok, _ := simcrd.Established(ctx, s.cl, probe)
			return ok, nil
		})
		held := err != nil && stuckCRD(t, s, probe)
		if err := ext.ApiextensionsV1().CustomResourceDefinitions().Delete(ctx, probe, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			_, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, probe, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		}); err != nil {
			t.Fatalf("the probe CRD is not going away: %v", err)
		}
		if held {
			break
		}
		if attempt == 10 {
			t.Fatal("the admission policy never held a CRD unestablished")
		}
	}
	return func() {
		ctx := ctxFor(t, time.Minute)
		if err := ar.ValidatingAdmissionPolicyBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := ar.ValidatingAdmissionPolicies().Delete(ctx, policy.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// crdConditions reads a CRD's NamesAccepted and Established.
func crdConditions(t *testing.T, s *simCluster, name string) (namesAccepted, established bool) {
	t.Helper()
	ext, err := apiextensionsclient.NewForConfig(s.c.Config)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctxFor(t, time.Minute), name, metav1.GetOptions{})
	if err != nil {
		return false, false
	}
	for _, cond := range c.Status.Conditions {
		switch cond.Type {
		case apiextensionsv1.NamesAccepted:
			namesAccepted = cond.Status == apiextensionsv1.ConditionTrue
		case apiextensionsv1.Established:
			established = cond.Status == apiextensionsv1.ConditionTrue
		}
	}
	return namesAccepted, established
}

// stuckCRD: names accepted, never established.
func stuckCRD(t *testing.T, s *simCluster, name string) bool {
	accepted, est := crdConditions(t, s, name)
	return accepted && !est
}
