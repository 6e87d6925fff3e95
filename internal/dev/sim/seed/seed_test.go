package seed_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/seed"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

// The regex aks-baseline.md §9 gives for the reference's templates.
var templateName = regexp.MustCompile(`^k8sazure(v\d+)?(ingresshttpsonly|loadbalancernopublicips|externalips|containerallowedports|serviceallowedports|podenforcelabels|blockautomounttoken|readonlyrootfilesystem|blockdefault|containerlimits|containerallowedimages|(container)?noprivilege|(container)?noprivilegeescalation|hostnetworkingports|blockhostnamespace|allowedcapabilities|volumetypes|allowedusersgroups|allowedseccomp)$`)

func TestObjectsPerEra(t *testing.T) {
	for _, era := range sim.Eras() {
		t.Run(string(era), func(t *testing.T) {
			objs, err := seed.Objects(era, seed.Options{})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			names := map[string]bool{}
			var templates, unversioned int
			for _, o := range objs {
				kinds[o.GetKind()]++
				names[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()] = true
				if o.GetKind() == "ConstraintTemplate" {
					templates++
					if !templateName.MatchString(o.GetName()) {
						t.Errorf("template %s does not match the reference's names", o.GetName())
					}
					if !regexp.MustCompile(`^k8sazurev\d`).MatchString(o.GetName()) {
						unversioned++
					}
					created, _, _ := unstructured.NestedBool(o.Object, "status", "created")
					if !created {
						t.Errorf("template %s: status.created is not true", o.GetName())
					}
				}
			}
			if templates != 19 {
				t.Errorf("%d ConstraintTemplates, want 19", templates)
			}
			if unversioned == 0 || unversioned == 19 {
				t.Errorf("%d of 19 template names unversioned, want a mix", unversioned)
			}
			want := []string{
				"Deployment/kube-system/azure-policy", "Deployment/kube-system/azure-policy-webhook",
				"Deployment/gatekeeper-system/gatekeeper-audit", "Deployment/gatekeeper-system/gatekeeper-controller",
				"DaemonSet/kube-system/aks-secrets-store-csi-driver", "DaemonSet/kube-system/aks-secrets-store-provider-azure",
				"SecretProviderClass/ingress-nginx/aks-ingress-contoso-com-tls-secret-csi-akv",
				"Deployment/ingress-nginx/ingress-nginx-controller",
			}
			switch era {
			case sim.EraPodIdentity:
				want = append(want, "DaemonSet/kube-system/nmi", "AzureIdentity/ingress-nginx/podmi-ingress-controller",
					"AzureIdentityBinding/ingress-nginx/podmi-ingress-controller-binding")
			case sim.EraExtension:
				want = append(want, "FluxConfig/flux-system/bootstrap", "GitRepository/flux-system/bootstrap",
					"Kustomization/flux-system/bootstrap-unified", "Deployment/flux-system/fluxconfig-agent",
					"Deployment/flux-system/fluxconfig-controller")
			}
			if era != sim.EraPodIdentity {
				want = append(want, "Deployment/kube-system/azure-wi-webhook-controller-manager")
				if names["DaemonSet/kube-system/nmi"] {
					t.Error("nmi outside the pod-identity era")
				}
			}
			for _, w := range want {
				if !names[w] {
					t.Errorf("missing %s", w)
				}
			}
			// A migrated cluster still serves the pod identity CRDs, empty.
			if served := names["CustomResourceDefinition//azureidentities.aadpodidentity.k8s.io"]; served != era.PodIdentityCRDs() {
				t.Errorf("era %s: AzureIdentity CRD served=%v, want %v", era, served, era.PodIdentityCRDs())
			}
			if era == sim.EraMigrated && (kinds["AzureIdentity"] > 0 || kinds["AzureIdentityBinding"] > 0) {
				t.Errorf("migrated era has pod identity objects: %v", kinds)
			}
			// Every constraint has the CRD Gatekeeper would have made for it.
			for _, o := range objs {
				if o.GetAPIVersion() == "constraints.gatekeeper.sh/v1beta1" {
					if !names["CustomResourceDefinition//"+strings.ToLower(o.GetKind())+".constraints.gatekeeper.sh"] {
						t.Errorf("constraint %s has no CRD", o.GetName())
					}
					if a, _, _ := unstructured.NestedString(o.Object, "spec", "enforcementAction"); a != "deny" && a != "dryrun" {
						t.Errorf("constraint %s: enforcementAction %q", o.GetName(), a)
					}
				}
			}
		})
	}
}

func TestNodeNamesHaveTheAKSForm(t *testing.T) {
	aks := regexp.MustCompile(`^aks-(npsystem|npinscope01|npooscope01)-\d{8}-vmss[0-9a-z]{6}$`)
	for _, n := range []string{seed.NodeName("npsystem", 0), seed.NodeName("npinscope01", 1), seed.NodeName("npooscope01", 4999)} {
		if !aks.MatchString(n) {
			t.Errorf("node name %q is not in AKS form", n)
		}
	}
	if got := seed.NodeName("npsystem", 2); !strings.HasSuffix(got, "-vmss000002") {
		t.Errorf("third npsystem node is %s", got)
	}
}

// Seed on envtest, with the status no controller writes there, for each
// era; a second Seed changes nothing.
func TestSeedOnEnvtestIsIdempotent(t *testing.T) {
	for _, era := range sim.Eras() {
		t.Run(string(era), func(t *testing.T) {
			env := testenv.StartT(t, testenv.Options{})
			ctx := context.Background()
			opts := seed.Options{SetStatus: true}
			if err := seed.Apply(ctx, env.Config, era, opts); err != nil {
				t.Fatal(err)
			}
			reseedChangesNothing(ctx, t, env.Config, era, opts)
			if err := seed.WaitReady(ctx, env.Config, era, opts, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			checkNodes(t, env.Config, 7)
		})
	}
}

// Seed on a kwok cluster for each era: nodes become Ready and workloads
// Available through kwok and the real controllers; a second Seed changes
// none of what Seed owns.
func TestSeedOnKwok(t *testing.T) {
	for _, era := range sim.Eras() {
		t.Run(string(era), func(t *testing.T) {
			c := testenv.KwokT(t, kwok.Options{})
			ctx := context.Background()
			opts := seed.Options{}
			if err := seed.Apply(ctx, c.Config, era, opts); err != nil {
				t.Fatal(err)
			}
			if err := seed.WaitReady(ctx, c.Config, era, opts, 3*time.Minute); err != nil {
				t.Fatal(err)
			}
			reseedChangesNothing(ctx, t, c.Config, era, opts)
			checkNodes(t, c.Config, 7)

			cl, err := client.New(c.Config, client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// DaemonSets run one pod per node, as on AKS.
			var ds appsv1.DaemonSet
			if err := cl.Get(ctx, client.ObjectKey{Namespace: "kube-system", Name: "aks-secrets-store-csi-driver"}, &ds); err != nil {
				t.Fatal(err)
			}
			if ds.Status.NumberReady != 7 {
				t.Errorf("secrets-store driver ready on %d nodes, want 7", ds.Status.NumberReady)
			}
			// The ingress controller runs on the out-of-scope pool with the
			// era's identity label.
			var pods corev1.PodList
			if err := cl.List(ctx, &pods, client.InNamespace("ingress-nginx"), client.MatchingLabels{"app.kubernetes.io/component": "controller"}); err != nil {
				t.Fatal(err)
			}
			if len(pods.Items) != 1 {
				t.Fatalf("%d ingress controller pods, want 1", len(pods.Items))
			}
			pod := pods.Items[0]
			if !strings.HasPrefix(pod.Spec.NodeName, "aks-npooscope01-") {
				t.Errorf("ingress controller on node %q, want an npooscope01 node", pod.Spec.NodeName)
			}
			_, labelled := pod.Labels["aadpodidbinding"]
			if labelled != (era == sim.EraPodIdentity) {
				t.Errorf("era %s: ingress pod aadpodidbinding label present=%v", era, labelled)
			}
		})
	}
}

func checkNodes(t *testing.T, cfg *rest.Config, want int) {
	t.Helper()
	cl, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var nodes corev1.NodeList
	if err := cl.List(context.Background(), &nodes); err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != want {
		t.Fatalf("%d nodes, want %d", len(nodes.Items), want)
	}
	pools := map[string]int{}
	for _, n := range nodes.Items {
		pools[n.Labels["kubernetes.azure.com/agentpool"]]++
		if n.Labels["agentpool"] != n.Labels["kubernetes.azure.com/agentpool"] {
			t.Errorf("node %s: agentpool labels differ", n.Name)
		}
		if n.Status.NodeInfo.KubeletVersion == "" || !strings.HasPrefix(n.Status.NodeInfo.KubeletVersion, "v1.") {
			t.Errorf("node %s: kubelet version %q", n.Name, n.Status.NodeInfo.KubeletVersion)
		}
		scope := n.Labels["pci-scope"]
		switch n.Labels["kubernetes.azure.com/agentpool"] {
		case "npsystem":
			if n.Labels["kubernetes.azure.com/mode"] != "system" || scope != "" {
				t.Errorf("system node %s: mode %q, pci-scope %q", n.Name, n.Labels["kubernetes.azure.com/mode"], scope)
			}
		case "npinscope01":
			if scope != "in-scope" {
				t.Errorf("node %s: pci-scope %q", n.Name, scope)
			}
		case "npooscope01":
			if scope != "out-of-scope" {
				t.Errorf("node %s: pci-scope %q", n.Name, scope)
			}
		}
	}
	if fmt.Sprint(pools) != "map[npinscope01:2 npooscope01:2 npsystem:3]" {
		t.Errorf("nodes per pool: %v", pools)
	}
}

type state struct {
	resourceVersion string
	generation      int64
	owned           string
}

// snapshot records, for everything Seed applies, the resourceVersion, the
// generation and what Seed's field manager owns (with the time it last
// changed anything).
// reseedChangesNothing seeds the cluster again and fails t when that moved
// what Seed owns or an object's generation. resourceVersion is not compared:
// the API server rewrites custom resources whose schema has defaults even on
// a no-op apply.
func reseedChangesNothing(ctx context.Context, t *testing.T, cfg *rest.Config, era sim.Era, opts seed.Options) {
	t.Helper()
	before := snapshot(t, cfg, era, opts)
	if err := seed.Apply(ctx, cfg, era, opts); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, cfg, era, opts)
	for k, v := range before {
		if after[k].owned != v.owned || after[k].generation != v.generation {
			t.Errorf("%s changed on the second Seed:\nbefore %+v\nafter  %+v", k, v, after[k])
		}
	}
}

func snapshot(t *testing.T, cfg *rest.Config, era sim.Era, opts seed.Options) map[string]state {
	t.Helper()
	cl, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := seed.Objects(era, opts)
	if err != nil {
		t.Fatal(err)
	}
	pools, err := seed.Pools(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		for i := 0; i < p.Count; i++ {
			n := &unstructured.Unstructured{}
			n.SetAPIVersion("v1")
			n.SetKind("Node")
			n.SetName(seed.NodeName(p.Name, i))
			objs = append(objs, n)
		}
	}
	out := map[string]state{}
	for _, o := range objs {
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(o.GroupVersionKind())
		if err := cl.Get(context.Background(), client.ObjectKeyFromObject(o), live); err != nil {
			t.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
		}
		var owned []string
		for _, mf := range live.GetManagedFields() {
			if mf.Manager == seed.FieldManager {
				owned = append(owned, fmt.Sprintf("%s %s %s %s", mf.Operation, mf.Subresource, mf.Time, mf.FieldsV1.String()))
			}
		}
		if len(owned) == 0 {
			t.Errorf("%s %s: nothing owned by %s", o.GetKind(), o.GetName(), seed.FieldManager)
		}
		out[o.GetKind()+" "+client.ObjectKeyFromObject(o).String()] = state{live.GetResourceVersion(), live.GetGeneration(), strings.Join(owned, "\n")}
	}
	return out
}

// BenchmarkSeed5000Nodes measures seeding the verify benchmark's cluster on
// envtest: 5,000 nodes with their status. Run with -bench Seed5000 -benchtime 1x.
func BenchmarkSeed5000Nodes(b *testing.B) {
	env := testenv.StartT(b, testenv.Options{})
	opts := seed.Options{SetStatus: true, Nodes: map[string]int{"npsystem": 1000, "npinscope01": 2000, "npooscope01": 2000}}
	for b.Loop() {
		if err := seed.Apply(context.Background(), env.Config, sim.EraPodIdentity, opts); err != nil {
			b.Fatal(err)
		}
	}
}
