package simcluster

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

//go:embed fixtures
var fixtures embed.FS

// Era is a generation of the reference's design (aks-baseline.md §0).
type Era string

const (
	// EraPodIdentity is the reference's bootstrap walkthrough: Flux v2
	// installed by hand, AKS-managed AAD Pod Identity for the ingress
	// controller. The default.
	EraPodIdentity Era = "podidentity"
	// EraWorkloadIdentity keeps the hand-installed Flux but moves the
	// ingress controller to Microsoft Entra Workload ID.
	EraWorkloadIdentity Era = "workloadidentity"
	// EraExtension is the reference's current main: Flux from the AKS
	// microsoft.flux extension, Workload ID.
	EraExtension Era = "extension"
)

// Eras lists every era, the default first.
func Eras() []Era { return []Era{EraPodIdentity, EraWorkloadIdentity, EraExtension} }

// ParseEra accepts an era name; "" is the default era.
func ParseEra(s string) (Era, error) {
	if s == "" {
		return EraPodIdentity, nil
	}
	for _, e := range Eras() {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown era %q: want podidentity, workloadidentity or extension", s)
}

// Values the seeded cluster uses where the reference has Azure-generated
// names and IDs. All are fake; tests compare against them.
const (
	ACRName         = "acraksdemo0001"
	ClusterName     = "aks-demo0001"
	KeyVaultName    = "kv-aks-demo0001"
	SubscriptionID  = "3b4c5d6e-7f80-4a1b-8c2d-9e0f1a2b3c4d"
	TenantID        = "9f8e7d6c-5b4a-4392-8171-605f4e3d2c1b"
	IngressClientID = "6b0c5f5e-3d2a-4c1b-9e8f-7a6b5c4d3e2f"
	// DefaultGitURL is the extension era's FluxConfig source when
	// Options.GitURL is empty (nothing answers there: point it at a
	// GitServer to make the Flux objects Ready).
	DefaultGitURL = "https://github.com/contoso/aks-baseline-regulated"
	// FieldManager owns everything Seed applies.
	FieldManager = "aksbaseline-simcluster"
	// TLSSecretName is the Secret the CSI driver syncs for ingress-nginx.
	TLSSecretName = "ingress-tls-csi"
)

// Options adjust Seed.
type Options struct {
	// SetStatus writes the status controllers and kubelets would write
	// (Nodes Ready, Deployments Available, DaemonSets fully ready): for
	// envtest, where nothing else does. Leave it off on kwok.
	SetStatus bool
	// Nodes overrides the node count of a pool (npsystem, npinscope01,
	// npooscope01), e.g. for the 5,000-node benchmark.
	Nodes map[string]int
	// KubeletVersion of the nodes; default the server's version.
	KubeletVersion string
	// SkipGitOps leaves out what the reference's Flux bootstrap delivers
	// (fixtures/gitops: the ingress-nginx controller, its Service, IngressClass
	// and SecretProviderClass), for tests whose bootstrap applies them.
	SkipGitOps bool
	// SkipTLSSecret leaves out the Secret the CSI driver would sync.
	SkipTLSSecret bool
	// GitURL and GitBranch are the extension era's FluxConfig source;
	// defaults DefaultGitURL and "main".
	GitURL, GitBranch string
	// Concurrency of node creation; default 32.
	Concurrency int
}

// Pool is one of the reference's node pools (fixtures/nodepools.yaml).
type Pool struct {
	Name              string            `json:"name"`
	Mode              string            `json:"mode"`
	Count             int               `json:"count"`
	VMSize            string            `json:"vmSize"`
	CPU               string            `json:"cpu"`
	Memory            string            `json:"memory"`
	AllocatableCPU    string            `json:"allocatableCPU"`
	AllocatableMemory string            `json:"allocatableMemory"`
	MaxPods           int               `json:"maxPods"`
	Labels            map[string]string `json:"labels"`
}

// Pools returns the reference's node pools with opts.Nodes applied.
func Pools(opts Options) ([]Pool, error) {
	b, err := fixtures.ReadFile("fixtures/nodepools.yaml")
	if err != nil {
		return nil, err
	}
	var pools []Pool
	if err := yaml.Unmarshal(b, &pools); err != nil {
		return nil, fmt.Errorf("fixtures/nodepools.yaml: %w", err)
	}
	known := map[string]bool{}
	for i := range pools {
		known[pools[i].Name] = true
		if n, ok := opts.Nodes[pools[i].Name]; ok {
			pools[i].Count = n
		}
	}
	for name := range opts.Nodes {
		if !known[name] {
			return nil, fmt.Errorf("no node pool %q (pools: npsystem, npinscope01, npooscope01)", name)
		}
	}
	return pools, nil
}

// NodeName is the AKS name of instance i of pool:
// aks-<pool>-<8 digits>-vmss<6 base-36 digits>.
func NodeName(pool string, i int) string {
	return fmt.Sprintf("%s-vmss%06s", scaleSetName(pool), strconv.FormatInt(int64(i), 36))
}

func scaleSetName(pool string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(ClusterName + "/" + pool))
	return fmt.Sprintf("aks-%s-%08d", pool, h.Sum32()%100000000)
}

type fixtureData struct {
	Era                                        Era
	ACRName, ClusterName, Region, KeyVaultName string
	SubscriptionID, TenantID, IngressClientID  string
	GitURL, GitBranch                          string
}

func dataFor(era Era, opts Options) fixtureData {
	d := fixtureData{Era: era, ACRName: ACRName, ClusterName: ClusterName, KeyVaultName: KeyVaultName,
		SubscriptionID: SubscriptionID, TenantID: TenantID, IngressClientID: IngressClientID,
		GitURL: opts.GitURL, GitBranch: opts.GitBranch, Region: "centralus"}
	if era == EraPodIdentity {
		d.Region = "eastus2"
	}
	if d.GitURL == "" {
		d.GitURL = DefaultGitURL
	}
	if d.GitBranch == "" {
		d.GitBranch = "main"
	}
	return d
}

// Objects returns everything Seed applies except Nodes and the TLS Secret,
// CRDs first, rendered for era.
func Objects(era Era, opts Options) ([]*unstructured.Unstructured, error) {
	if _, err := ParseEra(string(era)); err != nil {
		return nil, err
	}
	d := dataFor(era, opts)
	var crds, objs []*unstructured.Unstructured
	add := func(dst *[]*unstructured.Unstructured, file string, templated bool) error {
		b, err := fixtures.ReadFile(file)
		if err != nil {
			return err
		}
		if templated {
			if b, err = render(file, b, d); err != nil {
				return err
			}
		}
		us, err := decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		*dst = append(*dst, us...)
		return nil
	}
	crdFiles := []string{
		"fixtures/crds/upstream/templates.gatekeeper.sh_constrainttemplates.yaml",
		"fixtures/crds/upstream/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml",
		"fixtures/crds/upstream/secrets-store.csi.x-k8s.io_secretproviderclasspodstatuses.yaml",
	}
	if era == EraPodIdentity {
		crdFiles = append(crdFiles, "fixtures/crds/upstream/aadpodidentity.k8s.io.yaml")
	}
	if era == EraExtension {
		flux, _ := fs.Glob(fixtures, "fixtures/crds/upstream/flux/*.yaml")
		crdFiles = append(crdFiles, flux...)
		crdFiles = append(crdFiles, "fixtures/crds/own/fluxconfigs.clusterconfig.azure.com.yaml")
	}
	for _, f := range crdFiles {
		if err := add(&crds, f, false); err != nil {
			return nil, err
		}
	}
	pcrds, pobjs, err := policyObjects(d)
	if err != nil {
		return nil, err
	}
	crds = append(crds, pcrds...)
	dirs := []string{"fixtures/platform"}
	if !opts.SkipGitOps {
		dirs = append(dirs, "fixtures/gitops")
	}
	for _, dir := range dirs {
		files, _ := fs.Glob(fixtures, dir+"/*.yaml")
		for _, f := range files {
			if err := add(&objs, f, true); err != nil {
				return nil, err
			}
		}
	}
	objs = append(objs, pobjs...)
	// Namespaces before what lives in them.
	sort.SliceStable(objs, func(i, j int) bool {
		return objs[i].GetKind() == "Namespace" && objs[j].GetKind() != "Namespace"
	})
	return append(crds, objs...), nil
}

// FluxCRDs returns the CRDs of the Flux controllers that hack/tools/flux
// builds (copied by gencrds.sh), for tests that run them without the
// bootstrap command's embedded install.
func FluxCRDs() ([]*unstructured.Unstructured, error) {
	files, _ := fs.Glob(fixtures, "fixtures/crds/upstream/flux/*.yaml")
	var out []*unstructured.Unstructured
	for _, f := range files {
		b, err := fixtures.ReadFile(f)
		if err != nil {
			return nil, err
		}
		us, err := decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, us...)
	}
	return out, nil
}

// InstallFluxCRDs applies FluxCRDs and waits until they are served.
func InstallFluxCRDs(ctx context.Context, cfg *rest.Config) error {
	crds, err := FluxCRDs()
	if err != nil {
		return err
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	return applyCRDs(ctx, c, crds)
}

type policy struct {
	Name               string         `json:"name"`
	Kind               string         `json:"kind"`
	EnforcementAction  string         `json:"enforcementAction"`
	ExcludedNamespaces []string       `json:"excludedNamespaces"`
	Namespaces         []string       `json:"namespaces"`
	Kinds              []any          `json:"kinds"`
	Parameters         map[string]any `json:"parameters"`
}

// policyObjects builds, per row of fixtures/policies.yaml, what Gatekeeper
// and the Azure Policy add-on would leave: the ConstraintTemplate, the
// constraint CRD Gatekeeper generates from it, and the constraint.
func policyObjects(d fixtureData) (crds, objs []*unstructured.Unstructured, err error) {
	b, err := fixtures.ReadFile("fixtures/policies.yaml")
	if err != nil {
		return nil, nil, err
	}
	if b, err = render("fixtures/policies.yaml", b, d); err != nil {
		return nil, nil, err
	}
	var ps []policy
	if err := yaml.Unmarshal(b, &ps); err != nil {
		return nil, nil, fmt.Errorf("fixtures/policies.yaml: %w", err)
	}
	preserve := map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	for _, p := range ps {
		ct := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "templates.gatekeeper.sh/v1",
			"kind":       "ConstraintTemplate",
			"metadata": map[string]any{
				"name":   p.Name,
				"labels": map[string]any{"managed-by": "azure-policy-addon"},
			},
			"spec": map[string]any{
				"crd": map[string]any{"spec": map[string]any{
					"names":      map[string]any{"kind": p.Kind},
					"validation": map[string]any{"openAPIV3Schema": preserve},
				}},
				"targets": []any{map[string]any{
					"target": "admission.k8s.gatekeeper.sh",
					// No Gatekeeper runs here: the policy body is never evaluated.
					"rego": "package " + p.Name + "\n\nviolation[{\"msg\": msg}] {\n  false\n  msg := \"simulated\"\n}\n",
				}},
			},
			"status": map[string]any{"created": true},
		}}
		objs = append(objs, ct)

		plural := strings.ToLower(p.Kind)
		version := func(name string, storage bool) map[string]any {
			return map[string]any{
				"name": name, "served": true, "storage": storage,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"spec": map[string]any{
							"type":                                 "object",
							"x-kubernetes-preserve-unknown-fields": true,
							"properties": map[string]any{
								"enforcementAction": map[string]any{"type": "string"},
								"match":             preserve,
								"parameters":        preserve,
							},
						},
						"status": preserve,
					},
				}},
			}
		}
		crds = append(crds, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1",
			"kind":       "CustomResourceDefinition",
			"metadata": map[string]any{
				"name":   plural + ".constraints.gatekeeper.sh",
				"labels": map[string]any{"gatekeeper.sh/constraint": "yes"},
			},
			"spec": map[string]any{
				"group": "constraints.gatekeeper.sh",
				"scope": "Cluster",
				"names": map[string]any{
					"kind": p.Kind, "listKind": p.Kind + "List", "plural": plural, "singular": plural,
					"categories": []any{"constraint", "constraints"},
				},
				"versions": []any{version("v1beta1", true), version("v1alpha1", false)},
			},
		}})

		match := map[string]any{"kinds": p.Kinds}
		if len(p.ExcludedNamespaces) > 0 {
			match["excludedNamespaces"] = toAny(p.ExcludedNamespaces)
		}
		if len(p.Namespaces) > 0 {
			match["namespaces"] = toAny(p.Namespaces)
		}
		spec := map[string]any{"enforcementAction": p.EnforcementAction, "match": match}
		if p.Parameters != nil {
			spec["parameters"] = p.Parameters
		}
		sum := sha1.Sum([]byte(d.ClusterName + "/" + p.Name))
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "constraints.gatekeeper.sh/v1beta1",
			"kind":       p.Kind,
			"metadata": map[string]any{
				"name":   "azurepolicy-" + p.Name + "-" + hex.EncodeToString(sum[:])[:20],
				"labels": map[string]any{"managed-by": "azure-policy-addon"},
			},
			"spec": spec,
		}})
	}
	return crds, objs, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func render(name string, b []byte, d fixtureData) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{
		"list": func(s ...string) []string { return s },
	}).Parse(string(b))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decode(b []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(j)) == 0 || string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		// Unstructured's own decoder keeps integers as int64.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
}

func newClient(cfg *rest.Config) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	// Seeding thousands of nodes: the client-side default of 5 QPS would
	// dominate the run.
	if cfg.QPS < 500 {
		cfg.QPS, cfg.Burst = 500, 1000
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// scheme knows the built-in kinds and CRDs, without relying on anything
// else (envtest, say) having registered apiextensions in client-go's.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	return s
}()

// Seed dresses the cluster behind cfg as the reference's AKS regulated
// cluster of era. It is idempotent: everything is server-side applied with
// FieldManager, so a second run changes nothing.
func Seed(ctx context.Context, cfg *rest.Config, era Era, opts Options) error {
	if era == "" {
		era = EraPodIdentity
	}
	objs, err := Objects(era, opts)
	if err != nil {
		return err
	}
	pools, err := Pools(opts)
	if err != nil {
		return err
	}
	if opts.KubeletVersion == "" {
		dc, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			return err
		}
		v, err := dc.ServerVersion()
		if err != nil {
			return fmt.Errorf("reading the server version: %w", err)
		}
		opts.KubeletVersion = v.GitVersion
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	var crds, others []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			crds = append(crds, o)
		} else {
			others = append(others, o)
		}
	}
	if err := applyCRDs(ctx, c, crds); err != nil {
		return err
	}
	// A fresh client discovers the new kinds.
	if c, err = newClient(cfg); err != nil {
		return err
	}
	nodes, err := seedNodes(ctx, c, pools, dataFor(era, opts), opts)
	if err != nil {
		return err
	}
	for _, o := range others {
		live, err := applyWithStatus(ctx, c, o)
		if err != nil {
			return err
		}
		if opts.SetStatus {
			if err := setWorkloadStatus(ctx, c, o, live, nodes); err != nil {
				return err
			}
		}
	}
	if !opts.SkipTLSSecret {
		if err := ensureTLSSecret(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// apply server-side applies o and returns the object as the server now has
// it.
func apply(ctx context.Context, c client.Client, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	o = o.DeepCopy()
	if o.GetKind() != "Node" {
		// The main resource ignores status; sending it anyway makes every
		// apply look like a change of ownership. (Nodes keep it on
		// creation, which applyNode relies on.)
		delete(o.Object, "status")
	}
	name := objName(o)
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return nil, fmt.Errorf("applying %s %s: %w", o.GetKind(), name, err)
	}
	return o, nil // the response was decoded into o
}

// applyWithStatus applies o and then, if the fixture carries a status that
// no controller here would write (ConstraintTemplate, FluxConfig, the
// ingress Service's load balancer), its status.
func applyWithStatus(ctx context.Context, c client.Client, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	live, err := apply(ctx, c, o)
	if err != nil {
		return nil, err
	}
	return live, applyStatus(ctx, c, o, live)
}

// applyStatus applies o's status through the status subresource, unless
// live already shows all of it (saving a request per object on re-runs and
// for the thousands of benchmark nodes).
func applyStatus(ctx context.Context, c client.Client, o, live *unstructured.Unstructured) error {
	st, ok := o.Object["status"]
	if !ok {
		return nil
	}
	if live != nil && contains(live.Object["status"], st) {
		return nil
	}
	s := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": o.GetAPIVersion(), "kind": o.GetKind(),
		"metadata": map[string]any{"name": o.GetName()},
		"status":   st,
	}}
	if o.GetNamespace() != "" {
		s.SetNamespace(o.GetNamespace())
	}
	if err := c.Status().Apply(ctx, client.ApplyConfigurationFromUnstructured(s), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying the status of %s %s: %w", o.GetKind(), objName(o), err)
	}
	return nil
}

func objName(o *unstructured.Unstructured) string {
	if o.GetNamespace() != "" {
		return o.GetNamespace() + "/" + o.GetName()
	}
	return o.GetName()
}

func applyCRDs(ctx context.Context, c client.Client, crds []*unstructured.Unstructured) error {
	for _, o := range crds {
		if _, err := apply(ctx, c, o); err != nil {
			return err
		}
	}
	for _, o := range crds {
		name := o.GetName()
		var last string
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := c.Get(ctx, client.ObjectKey{Name: name}, &crd); err != nil {
				last = err.Error()
				return false, nil
			}
			for _, cond := range crd.Status.Conditions {
				if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			last = "not Established"
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s: %s: %w", name, last, err)
		}
	}
	return nil
}

type seededNode struct {
	name   string
	labels labels.Set
}

func seedNodes(ctx context.Context, c client.Client, pools []Pool, d fixtureData, opts Options) ([]seededNode, error) {
	type job struct {
		pool Pool
		i    int
		ip   netip.Addr
	}
	var jobs []job
	ip := netip.MustParseAddr("10.240.0.4")
	for _, p := range pools {
		for i := 0; i < p.Count; i++ {
			jobs = append(jobs, job{p, i, ip})
			ip = ip.Next()
		}
	}
	nodes := make([]seededNode, len(jobs))
	workers := opts.Concurrency
	if workers <= 0 {
		workers = 32
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				j := jobs[k]
				n := nodeObject(j.pool, j.i, j.ip, d, opts)
				nodes[k] = seededNode{name: n.GetName(), labels: n.GetLabels()}
				if err := applyNode(ctx, c, n, opts.SetStatus); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for k := range jobs {
		select {
		case ch <- k:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return nodes, ctx.Err()
}

func nodeObject(p Pool, i int, ip netip.Addr, d fixtureData, opts Options) *unstructured.Unstructured {
	name := NodeName(p.Name, i)
	zone := fmt.Sprintf("%s-%d", d.Region, i%3+1)
	lbl := map[string]any{
		"kubernetes.azure.com/agentpool":           p.Name,
		"kubernetes.azure.com/mode":                p.Mode,
		"kubernetes.azure.com/role":                "agent",
		"kubernetes.azure.com/cluster":             "rg-" + d.ClusterName + "-nodepools",
		"kubernetes.azure.com/node-image-version":  "AKSUbuntu-2204gen2containerd-202411.12.0",
		"kubernetes.azure.com/os-sku":              "Ubuntu",
		"kubernetes.azure.com/storageprofile":      "managed",
		"kubernetes.azure.com/storagetier":         "Premium_LRS",
		"kubernetes.azure.com/fips_enabled":        "false",
		"kubernetes.azure.com/managedby":           "aks",
		"agentpool":                                p.Name,
		"storageprofile":                           "managed",
		"storagetier":                              "Premium_LRS",
		"kubernetes.io/role":                       "agent",
		"node-role.kubernetes.io/agent":            "",
		"kubernetes.io/os":                         "linux",
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   name,
		"beta.kubernetes.io/os":                    "linux",
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         p.VMSize,
		"node.kubernetes.io/instance-type":         p.VMSize,
		"topology.kubernetes.io/region":            d.Region,
		"topology.kubernetes.io/zone":              zone,
		"failure-domain.beta.kubernetes.io/region": d.Region,
		"failure-domain.beta.kubernetes.io/zone":   zone,
	}
	for k, v := range p.Labels {
		lbl[k] = v
	}
	status := map[string]any{
		"capacity": map[string]any{
			"cpu": p.CPU, "memory": p.Memory, "pods": strconv.Itoa(p.MaxPods), "ephemeral-storage": "129886128Ki",
		},
		"allocatable": map[string]any{
			"cpu": p.AllocatableCPU, "memory": p.AllocatableMemory, "pods": strconv.Itoa(p.MaxPods), "ephemeral-storage": "119703055367",
		},
		"addresses": []any{
			map[string]any{"type": "InternalIP", "address": ip.String()},
			map[string]any{"type": "Hostname", "address": name},
		},
		"nodeInfo": map[string]any{
			"kubeletVersion":          opts.KubeletVersion,
			"kubeProxyVersion":        opts.KubeletVersion,
			"containerRuntimeVersion": "containerd://1.7.23-1",
			"kernelVersion":           "5.15.0-1074-azure",
			"osImage":                 "Ubuntu 22.04.5 LTS",
			"operatingSystem":         "linux",
			"architecture":            "amd64",
			"machineID":               "",
			"systemUUID":              "",
			"bootID":                  "",
		},
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name":   name,
			"labels": lbl,
			// kwok keeps nodes with this annotation Ready.
			"annotations": map[string]any{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
		},
		"spec": map[string]any{
			"providerID": fmt.Sprintf("azure:///subscriptions/%s/resourceGroups/rg-%s-nodepools/providers/Microsoft.Compute/virtualMachineScaleSets/%s-vmss/virtualMachines/%d",
				d.SubscriptionID, d.ClusterName, scaleSetName(p.Name), i),
		},
		"status": status,
	}}
}

// applyNode applies a Node with its status (kept on creation, so kwok's
// first look already sees our nodeInfo and capacity), then its status
// through the status subresource if the node does not show it yet (updates
// ignore status on the main resource). With ready set it adds the conditions
// a kubelet posts; a node that has them keeps their dates, so a second run
// changes nothing.
func applyNode(ctx context.Context, c client.Client, n *unstructured.Unstructured, ready bool) error {
	n = n.DeepCopy()
	if ready {
		now := time.Now().UTC().Format(time.RFC3339)
		cond := func(t, s, reason, msg string) map[string]any {
			return map[string]any{"type": t, "status": s, "reason": reason, "message": msg, "lastHeartbeatTime": now, "lastTransitionTime": now}
		}
		_ = unstructured.SetNestedSlice(n.Object, []any{
			cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
		}, "status", "conditions")
	}
	live, err := apply(ctx, c, n)
	if err != nil {
		return err
	}
	if ready {
		liveConds, _, _ := unstructured.NestedSlice(live.Object, "status", "conditions")
		conds, _, _ := unstructured.NestedSlice(n.Object, "status", "conditions")
		for _, want := range conds {
			w := want.(map[string]any)
			for _, have := range liveConds {
				h, _ := have.(map[string]any)
				if h["type"] == w["type"] && h["status"] == w["status"] {
					w["lastHeartbeatTime"], w["lastTransitionTime"] = h["lastHeartbeatTime"], h["lastTransitionTime"]
				}
			}
		}
		_ = unstructured.SetNestedSlice(n.Object, conds, "status", "conditions")
	}
	return applyStatus(ctx, c, n, live)
}

// setWorkloadStatus writes what the Deployment and DaemonSet controllers and
// the kubelets would report once every pod runs.
func setWorkloadStatus(ctx context.Context, c client.Client, o, live *unstructured.Unstructured, nodes []seededNode) error {
	var status map[string]any
	switch o.GroupVersionKind() {
	case schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}:
		replicas, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
		if !found {
			replicas = 1
		}
		status = map[string]any{
			"replicas": replicas, "updatedReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
			"conditions": []any{
				map[string]any{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
				map[string]any{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": fmt.Sprintf("ReplicaSet %q has successfully progressed.", o.GetName()+"-5d4f8c7b9")},
			},
		}
	case schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}:
		sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "spec", "nodeSelector")
		var n int64
		for _, node := range nodes {
			if labels.SelectorFromSet(sel).Matches(node.labels) {
				n++
			}
		}
		status = map[string]any{
			"desiredNumberScheduled": n, "currentNumberScheduled": n, "updatedNumberScheduled": n,
			"numberReady": n, "numberAvailable": n, "numberMisscheduled": int64(0),
		}
	default:
		return nil
	}
	status["observedGeneration"] = live.GetGeneration()
	if conds, ok := status["conditions"].([]any); ok {
		// Dated at creation, so a second run changes nothing.
		at := live.GetCreationTimestamp().UTC().Format(time.RFC3339)
		for _, c := range conds {
			c.(map[string]any)["lastUpdateTime"] = at
			c.(map[string]any)["lastTransitionTime"] = at
		}
	}
	s := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": o.GetAPIVersion(), "kind": o.GetKind(),
		"metadata": map[string]any{"name": o.GetName(), "namespace": o.GetNamespace()},
		"status":   status,
	}}
	return applyStatus(ctx, c, s, live)
}

// contains reports whether live holds everything in want (maps may have
// more keys; lists must match element by element). Scalars compare by their
// printed form, which equates JSON numbers of either Go type.
func contains(live, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !contains(l[k], v) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(w) {
			return false
		}
		for i := range w {
			if !contains(l[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return live != nil && fmt.Sprint(live) == fmt.Sprint(want)
	}
}
