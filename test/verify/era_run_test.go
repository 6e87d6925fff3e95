package verify

import (
	"regexp"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// allowedWarnings: the regulated reference leaves the system-pool taint off;
// network-deny-all: the reference ships cluster-baseline-settings' deny-all
// unlisted in its kustomization, which the regulated profile does not require;
// security-agents: the reference runs busybox stand-ins for dummy-av and dummy-fim.
// The simulated clusters' kubeconfigs sign in with client certificates, not
// Entra ID, so access-credential-plugin warns there too.
var allowedWarnings = map[string]bool{"nodes-system-taint": true, "network-deny-all": true, "security-agents": true, "access-credential-plugin": true}

func TestErasOnEnvtest(t *testing.T) {
	for _, era := range sim.Eras() {
		t.Run(string(era), func(t *testing.T) { testEra(t, era) })
	}
}

func testEra(t *testing.T, era sim.Era) {
	env, c := seedEra(t, era)
	r, rep := verifyJSON(t, env.Kubeconfig)
	if r.Code != 0 {
		t.Errorf("healthy %s cluster: exit %d, want 0\n%s%s", era, r.Code, plugintest.Describe(rep), r.Stderr)
	}
	if len(rep.Results) != len(check.All()) {
		t.Errorf("%d results for %d checks", len(rep.Results), len(check.All()))
	}
	for _, res := range rep.Results {
		switch {
		case res.Status == result.Pass, res.Status == result.Skip:
		case res.Status == result.Warn && allowedWarnings[res.ID]:
		default:
			t.Errorf("healthy %s cluster: %s %s: %s", era, res.ID, res.Status, res.Message)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	base := plugintest.ByID(rep)
	for format, ext := range map[string]string{"text": "txt", "json": "json", "junit": "junit.xml"} {
		r := runVerify(t, "verify", "--kubeconfig", env.Kubeconfig, "-o", format)
		matchGolden(t, string(era)+"."+ext, []byte(r.Stdout))
	}
	if r := runVerify(t, "verify", "--kubeconfig", env.Kubeconfig, "--fail-on", "warn"); r.Code != 1 {
		t.Errorf("--fail-on warn on the reference cluster (taint warning): exit %d, want 1", r.Code)
	}

	for _, v := range variants(t, c, era) {
		t.Run(v.name, func(t *testing.T) {
			undo := v.breakc(t, c)
			defer undo()
			r, got := verifyJSON(t, env.Kubeconfig, v.args...)
			wantCode := 0
			// A failure outranks an error: the cluster is not compliant.
			for _, st := range v.expect {
				if st == result.Fail {
					wantCode = 1
				}
				if st == result.Error && wantCode == 0 {
					wantCode = 2
				}
			}
			if r.Code != wantCode {
				t.Errorf("exit %d, want %d", r.Code, wantCode)
			}
			for _, res := range got.Results {
				want, named := v.expect[res.ID]
				if !named {
					want = base[res.ID].Status
				}
				if res.Status != want {
					t.Errorf("%s: got %s (%s), want %s", res.ID, res.Status, res.Message, want)
				}
			}
			if t.Failed() {
				t.Log("\n" + plugintest.Describe(got))
			}
		})
	}
}

func variants(t *testing.T, c client.Client, era sim.Era) []variant {
	fail := func(id string) map[string]result.Status { return map[string]result.Status{id: result.Fail} }
	warn := func(id string) map[string]result.Status { return map[string]result.Status{id: result.Warn} }
	repo, ks := era.SyncNames()
	const gr, kz = "source.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v1"
	vs := []variant{
		{name: "nodes-ready", expect: fail("nodes-ready"), breakc: edit("v1", "Node", "", nodeName(t, c, "npinscope01"), func(o *unstructured.Unstructured) {
			conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
			for _, cd := range conds {
				if m := cd.(map[string]any); m["type"] == "Ready" {
					m["status"], m["reason"] = "Unknown", "NodeStatusUnknown"
				}
			}
			_ = unstructured.SetNestedSlice(o.Object, conds, "status", "conditions")
		})},
		{name: "nodes-pools", expect: fail("nodes-pools"), breakc: remove("v1", "Node", "", nodeName(t, c, "npooscope01"))},
		{name: "nodes-kubelet-version", expect: fail("nodes-kubelet-version"), breakc: edit("v1", "Node", "", nodeName(t, c, "npsystem"), set("status", "nodeInfo", "kubeletVersion")("v1.30.9"))},
		{name: "nodes-cordoned", expect: warn("nodes-cordoned"), breakc: edit("v1", "Node", "", nodeName(t, c, "npsystem"), set("spec", "unschedulable")(true))},
		{name: "nodes-system-taint", expect: fail("nodes-system-taint"), args: []string{"--profile", taintedProfile(t)}, breakc: func(*testing.T, client.Client) func() { return func() {} }},
		{name: "policies-azure-policy", expect: fail("policies-azure-policy"), breakc: edit("apps/v1", "Deployment", "kube-system", "azure-policy", func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, int64(0), "status", "availableReplicas")
			_ = unstructured.SetNestedField(o.Object, int64(0), "status", "readyReplicas")
			_ = unstructured.SetNestedSlice(o.Object, []any{map[string]any{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}}, "status", "conditions")
		})},
		{name: "policies-gatekeeper", expect: fail("policies-gatekeeper"), breakc: remove("apps/v1", "Deployment", "gatekeeper-system", "gatekeeper-controller")},
		{name: "policies-templates", expect: fail("policies-templates"), breakc: remove("templates.gatekeeper.sh/v1", "ConstraintTemplate", "", findName(t, c, "templates.gatekeeper.sh/v1", "ConstraintTemplate", regexp.MustCompile(`^k8sazure(v[0-9]+)?blockdefault$`)))},
		{name: "policies-constraints", expect: fail("policies-constraints"), breakc: func(t *testing.T, c client.Client) func() {
			tmpl := live(t, c, "templates.gatekeeper.sh/v1", "ConstraintTemplate", "", findName(t, c, "templates.gatekeeper.sh/v1", "ConstraintTemplate", regexp.MustCompile(`^k8sazure(v[0-9]+)?containerlimits$`)))
			kind, _, _ := unstructured.NestedString(tmpl.Object, "spec", "crd", "spec", "names", "kind")
			name := findName(t, c, "constraints.gatekeeper.sh/v1beta1", kind, regexp.MustCompile(`.`))
			return remove("constraints.gatekeeper.sh/v1beta1", kind, "", name)(t, c)
		}},
		{name: "secrets-tls-secret", expect: fail("secrets-tls-secret"), breakc: remove("v1", "Secret", "ingress-nginx", "ingress-tls-csi")},
		{name: "secrets-placeholders", expect: fail("secrets-placeholders"), breakc: edit("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass", "ingress-nginx", "aks-ingress-contoso-com-tls-secret-csi-akv", set("spec", "parameters", "keyvaultName")("KEYVAULT_NAME"))},
		{name: "secrets-provider-class", expect: fail("secrets-provider-class"), breakc: edit("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass", "ingress-nginx", "aks-ingress-contoso-com-tls-secret-csi-akv", set("spec", "provider")("vault"))},
		{name: "flux-controllers", expect: fail("flux-controllers"), breakc: edit("apps/v1", "Deployment", "flux-system", "source-controller", func(o *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(o.Object, int64(0), "status", "readyReplicas")
			_ = unstructured.SetNestedField(o.Object, int64(0), "status", "availableReplicas")
		})},
		{name: "flux-sync-ready", expect: fail("flux-sync-ready"), breakc: edit(kz, "Kustomization", "flux-system", ks, set("status", "conditions")([]any{map[string]any{
			"type": "Ready", "status": "False", "reason": "BuildFailed", "message": "kustomize build failed", "lastTransitionTime": "2026-11-25T12:00:00Z"}}))},
		{name: "flux-source-url", expect: fail("flux-source-url"), breakc: edit(gr, "GitRepository", "flux-system", repo, set("spec", "url")("https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated"))},
		{name: "flux-suspended", expect: warn("flux-suspended"), breakc: edit(kz, "Kustomization", "flux-system", ks, set("spec", "suspend")(true))},
		// Gatekeeper's audit has not reached the allowed-images constraint.
		{name: "policies-violations-unaudited", expect: warn("policies-violations"), breakc: edit("constraints.gatekeeper.sh/v1beta1", "K8sAzureV2ContainerAllowedImages", "",
			findName(t, c, "constraints.gatekeeper.sh/v1beta1", "K8sAzureV2ContainerAllowedImages", regexp.MustCompile(`.`)), set("status")(map[string]any{}))},
		// A placeholder registry is not the cluster's ACR either.
		{name: "images-placeholders", expect: map[string]result.Status{"images-placeholders": result.Fail, "images-allowed-registry": result.Fail}, breakc: add(placeholderPod())},
	}
	switch era {
	case sim.EraPodIdentity:
		vs = append(vs,
			variant{name: "identities-pod-identity", expect: fail("identities-pod-identity"), breakc: edit("aadpodidentity.k8s.io/v1", "AzureIdentity", "ingress-nginx", "podmi-ingress-controller", set("spec", "clientID")("not-a-guid"))},
			variant{name: "identities-pod-identity-binding", expect: fail("identities-pod-identity-binding"), breakc: edit("aadpodidentity.k8s.io/v1", "AzureIdentityBinding", "ingress-nginx", "podmi-ingress-controller-binding", set("spec", "selector")("ingress"))},
			variant{name: "identities-nmi", expect: fail("identities-nmi"), breakc: edit("apps/v1", "DaemonSet", "kube-system", "nmi", set("status", "numberReady")(int64(0)))},
		)
	default:
		vs = append(vs,
			variant{name: "identities-workload-identity", expect: fail("identities-workload-identity"), breakc: remove("v1", "ServiceAccount", "ingress-nginx", "ingress-nginx")},
			variant{name: "identities-wi-webhook", expect: fail("identities-wi-webhook"), breakc: both(
				add(func() *unstructured.Unstructured {
					p := obj("v1", "Pod", "ingress-nginx", "microservice-a-5f6d7c8b9-abcde")
					p.Object["metadata"].(map[string]any)["labels"] = map[string]any{"azure.workload.identity/use": "true"}
					p.Object["spec"] = map[string]any{"containers": []any{map[string]any{"name": "app", "image": sim.ACRName + ".azurecr.io/live/a0005/chain-api:1.0"}}}
					return p
				}()),
				remove("apps/v1", "Deployment", "kube-system", "azure-wi-webhook-controller-manager"))},
		)
	}
	if era.FluxFromExtension() {
		vs = append(vs, variant{name: "flux-extension", expect: fail("flux-extension"), breakc: remove("apps/v1", "Deployment", "flux-system", "fluxconfig-agent")})
		// Last, as it is not undone: without Gatekeeper's CRD the policy
		// checks fail with a plain message, not a tool error.
		// Without the cluster's constraint the images could be judged only
		// by the profile's pattern, whose ACR name nobody gave: an error.
		vs = append(vs, variant{name: "gatekeeper-not-installed",
			expect: map[string]result.Status{"policies-templates": result.Fail, "policies-constraints": result.Fail,
				"policies-enforcement": result.Fail, "policies-violations": result.Warn, "images-allowed-registry": result.Error},
			breakc: func(t *testing.T, c client.Client) func() {
				crd := live(t, c, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "constrainttemplates.templates.gatekeeper.sh")
				if err := c.Delete(ctxT(t), crd); err != nil {
					t.Fatal(err)
				}
				waitGone(t, c, crd)
				return func() {}
			}})
	}
	return vs
}
