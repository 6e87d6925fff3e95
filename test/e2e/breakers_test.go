package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// breaker is one deliberately broken variant of a healthy cluster.
type breaker struct {
	what string
	// eras the variant applies to; nil means every era.
	eras []sim.Era
	// apply breaks the cluster and returns what repairs it (nil: nothing to repair).
	apply func(t *testing.T, s *simCluster) (undo func())
	// kubeconfig, when set, is the kubeconfig verify runs with instead.
	kubeconfig func(t *testing.T, s *simCluster) string
	// extra verify arguments.
	extra func(t *testing.T, s *simCluster) []string
}

func (b breaker) appliesTo(era sim.Era) bool {
	return b.eras == nil || slices.Contains(b.eras, era)
}

func (b breaker) args(t *testing.T, s *simCluster) []string {
	if b.extra == nil {
		return nil
	}
	return b.extra(t, s)
}

var (
	gvrNodes           = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
	gvrPods            = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	gvrSecrets         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	gvrServiceAccounts = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	gvrDeployments     = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrDaemonSets      = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	gvrTemplates       = schema.GroupVersionResource{Group: "templates.gatekeeper.sh", Version: "v1", Resource: "constrainttemplates"}
	gvrIdentities      = schema.GroupVersionResource{Group: "aadpodidentity.k8s.io", Version: "v1", Resource: "azureidentities"}
	gvrBindings        = schema.GroupVersionResource{Group: "aadpodidentity.k8s.io", Version: "v1", Resource: "azureidentitybindings"}
	gvrSPCs            = schema.GroupVersionResource{Group: "secrets-store.csi.x-k8s.io", Version: "v1", Resource: "secretproviderclasses"}
	gvrGitRepos        = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}
	gvrKustomizatns    = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
)

const (
	spcNS, spcName = "ingress-nginx", "aks-ingress-contoso-com-tls-secret-csi-akv"
	publicAKS      = "https://aks-demo0001-dns-4f7a2c1e.hcp.eastus2.azmk8s.io:443"
)

var podIdentity = []sim.Era{sim.EraPodIdentity}
var workloadIdentity = []sim.Era{sim.EraWorkloadIdentity, sim.EraExtension, sim.EraMigrated}

// breakers maps each check ID of 'verify --list' to a variant that fails it.
// Flux absent (flux-crds, flux-controllers, flux-sync-ready before the
// bootstrap) is covered by bootstrapThenVerify as well.
var breakers = map[string]breaker{
	"nodes-ready": {what: "a node's kubelet stops and reports NotReady", apply: func(t *testing.T, s *simCluster) func() {
		// kwok would re-report Ready at once: pause it, as a dead kubelet would.
		pid := s.kwokPID(t)
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		node := s.nodeOf(t, "npooscope01")
		s.patchStatus(t, gvrNodes, "", node, `{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady","message":"container runtime is down"}]}}`)
		return func() {
			if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
				t.Error(err)
			}
			s.patchStatus(t, gvrNodes, "", node, `{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"kubelet is posting ready status"}]}}`)
		}
	}},
	"nodes-pools": {what: "npinscope01 loses a node", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrNodes, "", s.nodeOf(t, "npinscope01"))
		return func() { s.seed(t) }
	}},
	"nodes-kubelet-version": {what: "one node runs kubelet 1.30", apply: func(t *testing.T, s *simCluster) func() {
		node := s.nodeOf(t, "npsystem")
		s.patchStatus(t, gvrNodes, "", node, `{"status":{"nodeInfo":{"kubeletVersion":"v1.30.0"}}}`)
		return func() { s.seed(t) }
	}},
	"nodes-cordoned": {what: "a node is cordoned", apply: func(t *testing.T, s *simCluster) func() {
		node := s.nodeOf(t, "npooscope01")
		s.patch(t, gvrNodes, "", node, `{"spec":{"unschedulable":true}}`)
		return func() { s.patch(t, gvrNodes, "", node, `{"spec":{"unschedulable":null}}`) }
	}},
	"nodes-system-taint": {what: "a profile requiring the system-pool taint the reference leaves off",
		apply: func(t *testing.T, s *simCluster) func() { return nil },
		extra: func(t *testing.T, s *simCluster) []string {
			r := tool(t, "", "verify", "--print-profile")
			if r.Code != 0 || !strings.Contains(r.Stdout, "required: false") {
				t.Fatalf("verify --print-profile has no systemTaint required: false: %s", r)
			}
			p := filepath.Join(t.TempDir(), "taint-required.yaml")
			if err := os.WriteFile(p, []byte(strings.Replace(r.Stdout, "required: false", "required: true", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"--profile", p}
		}},
	"policies-azure-policy": {what: "the azure-policy Deployment is gone", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDeployments, "kube-system", "azure-policy")
		return func() { s.seed(t) }
	}},
	"policies-gatekeeper": {what: "gatekeeper-audit is gone", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDeployments, "gatekeeper-system", "gatekeeper-audit")
		return func() { s.seed(t) }
	}},
	"policies-templates": {what: "the block-default-namespace template is gone", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrTemplates, "", s.templateMatching(t, "blockdefault").GetName())
		return func() { s.seed(t) }
	}},
	"policies-constraints": {what: "the block-default-namespace constraint is gone", apply: func(t *testing.T, s *simCluster) func() {
		tmpl := s.templateMatching(t, "blockdefault")
		kind, _, _ := unstructured.NestedString(tmpl.Object, "spec", "crd", "spec", "names", "kind")
		gvr := schema.GroupVersionResource{Group: "constraints.gatekeeper.sh", Version: "v1beta1", Resource: strings.ToLower(kind)}
		list, err := s.dyn.Resource(gvr).List(ctxFor(t, time.Minute), metav1.ListOptions{})
		if err != nil || len(list.Items) == 0 {
			t.Fatalf("constraints of %s: %v (%d found)", kind, err, len(list.Items))
		}
		for _, c := range list.Items {
			s.delete(t, gvr, "", c.GetName())
		}
		return func() { s.seed(t) }
	}},
	"identities-pod-identity": {what: "the ingress AzureIdentity is gone", eras: podIdentity, apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrIdentities, "ingress-nginx", "podmi-ingress-controller")
		return func() { s.seed(t) }
	}},
	"identities-pod-identity-binding": {what: "the binding selects a label no ingress pod carries", eras: podIdentity, apply: func(t *testing.T, s *simCluster) func() {
		list, err := s.dyn.Resource(gvrBindings).Namespace("ingress-nginx").List(ctxFor(t, time.Minute), metav1.ListOptions{})
		if err != nil || len(list.Items) == 0 {
			t.Fatalf("AzureIdentityBindings in ingress-nginx: %v", err)
		}
		for _, b := range list.Items {
			s.patch(t, gvrBindings, "ingress-nginx", b.GetName(), `{"spec":{"selector":"someone-else"}}`)
		}
		return func() { s.seed(t) }
	}},
	"identities-nmi": {what: "the NMI DaemonSet is gone", eras: podIdentity, apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDaemonSets, "kube-system", "nmi")
		return func() { s.seed(t) }
	}},
	"identities-workload-identity": {what: "the SecretProviderClass clientID is not a GUID (migrated: the ingress ServiceAccount is gone)", eras: workloadIdentity, apply: func(t *testing.T, s *simCluster) func() {
		if s.era == sim.EraMigrated {
			// Without a GUID clientID the migrated cluster's served pod
			// identity CRDs decide the era and this check skips (reported
			// against pkg/check identityMode); break the other half.
			return s.deleteSaved(t, gvrServiceAccounts, "ingress-nginx", "ingress-nginx")
		}
		s.patch(t, gvrSPCs, spcNS, spcName, `{"spec":{"parameters":{"clientID":"ingress-client-id"}}}`)
		return func() {
			s.patch(t, gvrSPCs, spcNS, spcName, fmt.Sprintf(`{"spec":{"parameters":{"clientID":%q}}}`, sim.IngressClientID))
		}
	}},
	"identities-wi-webhook": {what: "a pod relies on the workload identity webhook, which is gone", eras: workloadIdentity, apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDeployments, "kube-system", "azure-wi-webhook-controller-manager")
		pod := s.createPod(t, "a0005-o", "uses-workload-identity", map[string]string{"azure.workload.identity/use": "true"}, sim.ACRName+".azurecr.io/live/a0005/chain-api:1.0")
		return func() {
			s.delete(t, gvrPods, "a0005-o", pod)
			s.seed(t)
		}
	}},
	"access-private-endpoint": {what: "the kubeconfig names a public AKS endpoint", apply: func(t *testing.T, s *simCluster) func() { return nil },
		kubeconfig: func(t *testing.T, s *simCluster) string {
			return s.kubeconfigVariant(t, func(c *clientcmdConfig) { c.server = publicAKS })
		}},
	"access-credential-plugin": {what: "the kubeconfig's user runs kubelogin, which is not on PATH", apply: func(t *testing.T, s *simCluster) func() { return nil },
		kubeconfig: func(t *testing.T, s *simCluster) string {
			return s.kubeconfigVariant(t, func(c *clientcmdConfig) { c.exec = "kubelogin-not-installed" })
		}},
	"secrets-provider-class": {what: "the SecretProviderClass is gone", apply: func(t *testing.T, s *simCluster) func() {
		saved := s.get(t, gvrSPCs, spcNS, spcName)
		s.delete(t, gvrSPCs, spcNS, spcName)
		return func() { s.recreate(t, gvrSPCs, saved) }
	}},
	"secrets-placeholders": {what: "the SecretProviderClass still names KEYVAULT_NAME", apply: func(t *testing.T, s *simCluster) func() {
		s.patch(t, gvrSPCs, spcNS, spcName, `{"spec":{"parameters":{"keyvaultName":"KEYVAULT_NAME"}}}`)
		return func() {
			s.patch(t, gvrSPCs, spcNS, spcName, fmt.Sprintf(`{"spec":{"parameters":{"keyvaultName":%q}}}`, sim.KeyVaultName))
		}
	}},
	"secrets-tls-secret": {what: "the synced TLS Secret is gone", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrSecrets, "ingress-nginx", sim.TLSSecretName)
		return func() { s.seed(t) }
	}},
	"flux-controllers": {what: "the source-controller Deployment is gone", apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDeployments, "flux-system", "source-controller")
		return func() { s.repairFlux(t) }
	}},
	"flux-sync-ready": {what: "the GitRepository follows a branch that does not exist", apply: func(t *testing.T, s *simCluster) func() {
		repo, _ := s.syncNames()
		s.patch(t, gvrGitRepos, "flux-system", repo, `{"spec":{"ref":{"branch":"no-such-branch"}}}`)
		s.waitNotReady(t, gvrGitRepos, "flux-system", repo)
		return func() { s.patch(t, gvrGitRepos, "flux-system", repo, `{"spec":{"ref":{"branch":"main"}}}`) }
	}},
	"flux-source-url": {what: "the GitRepository URL still holds the GitHub account placeholder", apply: func(t *testing.T, s *simCluster) func() {
		repo, _ := s.syncNames()
		s.patch(t, gvrGitRepos, "flux-system", repo, `{"spec":{"url":"https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated"}}`)
		return func() { s.patch(t, gvrGitRepos, "flux-system", repo, fmt.Sprintf(`{"spec":{"url":%q}}`, s.gitURL)) }
	}},
	"flux-suspended": {what: "the Kustomization is suspended", apply: func(t *testing.T, s *simCluster) func() {
		_, ks := s.syncNames()
		s.patch(t, gvrKustomizatns, "flux-system", ks, `{"spec":{"suspend":true}}`)
		return func() { s.patch(t, gvrKustomizatns, "flux-system", ks, `{"spec":{"suspend":false}}`) }
	}},
	"flux-extension": {what: "the extension's fluxconfig-agent is gone", eras: []sim.Era{sim.EraExtension}, apply: func(t *testing.T, s *simCluster) func() {
		s.delete(t, gvrDeployments, "flux-system", "fluxconfig-agent")
		return func() { s.seed(t) }
	}},
	"images-placeholders": {what: "a pod runs an image still naming REPLACE_ME_WITH_YOUR_ACRNAME", apply: func(t *testing.T, s *simCluster) func() {
		pod := s.createPod(t, "a0005-o", "chain-api", nil, "REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/a0005/chain-api:1.0")
		return func() { s.delete(t, gvrPods, "a0005-o", pod) }
	}},
}

func (s *simCluster) kwokPID(t *testing.T) int {
	t.Helper()
	comps, err := s.c.Components()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range comps {
		if c.Name == "kwok-controller" && c.PID > 0 {
			return c.PID
		}
	}
	t.Fatalf("no running kwok-controller in %+v", comps)
	return 0
}

func (s *simCluster) nodeOf(t *testing.T, pool string) string {
	t.Helper()
	nodes, err := s.cs.CoreV1().Nodes().List(ctxFor(t, time.Minute), metav1.ListOptions{LabelSelector: "kubernetes.azure.com/agentpool=" + pool})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("nodes of pool %s: %v", pool, err)
	}
	return nodes.Items[len(nodes.Items)-1].Name
}

func (s *simCluster) templateMatching(t *testing.T, short string) *unstructured.Unstructured {
	t.Helper()
	list, err := s.dyn.Resource(gvrTemplates).List(ctxFor(t, time.Minute), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		if n := list.Items[i].GetName(); strings.HasPrefix(n, "k8sazure") && strings.HasSuffix(n, short) {
			return &list.Items[i]
		}
	}
	t.Fatalf("no ConstraintTemplate k8sazure*%s", short)
	return nil
}

// syncNames are the Flux sync objects of the era.
func (s *simCluster) syncNames() (repo, ks string) {
	return s.era.SyncNames()
}

// repairFlux puts Flux back the way it was installed: a bootstrap re-run,
// or the extension (the seeding) in that era.
func (s *simCluster) repairFlux(t *testing.T) {
	t.Helper()
	if s.era.FluxFromExtension() {
		s.seed(t)
		return
	}
	if r := s.bootstrap(t); r.Code != 0 {
		t.Fatalf("bootstrap to repair Flux: %s", r)
	}
}

func (s *simCluster) get(t *testing.T, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	o, err := s.dyn.Resource(gvr).Namespace(ns).Get(ctxFor(t, time.Minute), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return o
}

func (s *simCluster) delete(t *testing.T, gvr schema.GroupVersionResource, ns, name string) {
	t.Helper()
	ctx := ctxFor(t, 2*time.Minute)
	err := s.dyn.Resource(gvr).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("delete %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	// Gone for real (finalizers, graceful pod deletion) before verify looks.
	err = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := s.dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s still there after delete: %v", gvr.Resource, ns, name, err)
	}
	if ns != "" {
		s.waitQuotasCount(t, gvr, ns)
	}
}

// waitQuotasCount waits until every ResourceQuota of ns counts no more
// objects of gvr than there are. The quota controller replenishes a quota
// some time after a delete; until then admission refuses a create the
// quota has room for (a repair right after the breakage, under load).
func (s *simCluster) waitQuotasCount(t *testing.T, gvr schema.GroupVersionResource, ns string) {
	t.Helper()
	// Object-count quotas name a kind count/RESOURCE.GROUP; core kinds also
	// have a bare name (pods, secrets, services).
	keys := []corev1.ResourceName{corev1.ResourceName("count/" + gvr.Resource + "." + gvr.Group)}
	if gvr.Group == "" {
		keys = []corev1.ResourceName{corev1.ResourceName("count/" + gvr.Resource), corev1.ResourceName(gvr.Resource)}
	}
	ctx := ctxFor(t, 2*time.Minute)
	var last string
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		quotas, err := s.cs.CoreV1().ResourceQuotas(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		exist := -1 // listed only when a quota counts this kind
		for _, q := range quotas.Items {
			for _, k := range keys {
				used, ok := q.Status.Used[k]
				if !ok {
					continue
				}
				if exist < 0 {
					objs, err := s.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
					if err != nil {
						return false, nil
					}
					exist = len(objs.Items)
				}
				if used.Value() > int64(exist) {
					last = fmt.Sprintf("quota %s counts %s=%s, %d exist", q.Name, k, used.String(), exist)
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("the quotas of %s never counted the deleted %s (%s): %v", ns, gvr.Resource, last, err)
	}
}

func (s *simCluster) recreate(t *testing.T, gvr schema.GroupVersionResource, saved *unstructured.Unstructured) {
	t.Helper()
	o := saved.DeepCopy()
	for _, f := range []string{"resourceVersion", "uid", "creationTimestamp", "managedFields", "generation"} {
		unstructured.RemoveNestedField(o.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(o.Object, "status")
	if _, err := s.dyn.Resource(gvr).Namespace(o.GetNamespace()).Create(ctxFor(t, time.Minute), o, metav1.CreateOptions{}); err != nil {
		t.Fatalf("re-creating %s %s/%s: %v", gvr.Resource, o.GetNamespace(), o.GetName(), err)
	}
}

func (s *simCluster) patch(t *testing.T, gvr schema.GroupVersionResource, ns, name, merge string) {
	t.Helper()
	if _, err := s.dyn.Resource(gvr).Namespace(ns).Patch(ctxFor(t, time.Minute), name, types.MergePatchType, []byte(merge), metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch %s %s/%s %s: %v", gvr.Resource, ns, name, merge, err)
	}
}

func (s *simCluster) patchStatus(t *testing.T, gvr schema.GroupVersionResource, ns, name, patch string) {
	t.Helper()
	pt := types.MergePatchType
	if gvr == gvrNodes {
		// Node conditions merge by type.
		pt = types.StrategicMergePatchType
	}
	if _, err := s.dyn.Resource(gvr).Namespace(ns).Patch(ctxFor(t, time.Minute), name, pt, []byte(patch), metav1.PatchOptions{}, "status"); err != nil {
		t.Fatalf("patch status of %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
}

// waitNotReady waits until the real Flux controller has reconciled obj's
// new generation and reports it not Ready.
func (s *simCluster) waitNotReady(t *testing.T, gvr schema.GroupVersionResource, ns, name string) {
	t.Helper()
	ctx := ctxFor(t, 2*time.Minute)
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		o, err := s.dyn.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		// Flux records the generation each condition speaks for (the
		// object's own observedGeneration moves only on success).
		conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			gen, _, _ := unstructured.NestedInt64(m, "observedGeneration")
			if m["type"] == "Ready" && m["status"] == "False" && gen == o.GetGeneration() {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s %s/%s never turned not Ready: %v", gvr.Resource, ns, name, err)
	}
}

// createPod runs a pod on the out-of-scope pool within the namespace's
// quota and limits; kwok marks it Running.
func (s *simCluster) createPod(t *testing.T, ns, prefix string, labels map[string]string, image string) string {
	t.Helper()
	q := func(v string) resource.Quantity { return resource.MustParse(v) }
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-", Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"pci-scope": "out-of-scope"},
			Containers: []corev1.Container{{Name: "app", Image: image, Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: q("10m"), corev1.ResourceMemory: q("16Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("32Mi")},
			}}},
		},
	}
	ctx := ctxFor(t, 2*time.Minute)
	var created *corev1.Pod
	// The namespace's ResourceQuota admits pods only once its controller
	// has computed usage; until then the API server refuses with a conflict.
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		p, err := s.cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			if apierrors.IsForbidden(err) && strings.Contains(err.Error(), "quota") {
				return false, nil
			}
			return false, err
		}
		created = p
		return true, nil
	})
	if err != nil {
		t.Fatalf("creating pod in %s: %v", ns, err)
	}
	err = wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		p, err := s.cs.CoreV1().Pods(ns).Get(ctx, created.Name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s never ran: %v", ns, created.Name, err)
	}
	return created.Name
}

// clientcmdConfig is what kubeconfigVariant may change.
type clientcmdConfig struct {
	server string
	exec   string
	token  string
}

// kubeconfigVariant writes a copy of the cluster's kubeconfig with its
// server or user changed (a kubelogin exec plugin, or a bearer token).
func (s *simCluster) kubeconfigVariant(t *testing.T, change func(*clientcmdConfig)) string {
	t.Helper()
	var v clientcmdConfig
	change(&v)
	return plugintest.EditKubeconfig(t, s.c.Kubeconfig, func(cfg *clientcmdapi.Config) {
		ctx := cfg.Contexts[cfg.CurrentContext]
		if ctx == nil {
			t.Fatalf("kubeconfig %s has no current context", s.c.Kubeconfig)
		}
		if v.server != "" {
			cfg.Clusters[ctx.Cluster].Server = v.server
		}
		if v.exec != "" || v.token != "" {
			u := cfg.AuthInfos[ctx.AuthInfo]
			u.ClientCertificate, u.ClientKey, u.ClientCertificateData, u.ClientKeyData, u.Token = "", "", nil, nil, v.token
			if v.exec != "" {
				u.Exec = &clientcmdapi.ExecConfig{Command: v.exec, Args: []string{"get-token", "--login", "azurecli"}, APIVersion: "client.authentication.k8s.io/v1beta1", InteractiveMode: "IfAvailable"}
			}
		}
	})
}
