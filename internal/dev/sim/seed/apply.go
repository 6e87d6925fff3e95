package seed

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/crd"
)

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

// plan returns what Apply applies and WaitReady waits for: era (the
// default when empty), its objects and its node pools.
func plan(era sim.Era, opts Options) (sim.Era, []*unstructured.Unstructured, []Pool, error) {
	if era == "" {
		era = sim.EraPodIdentity
	}
	objs, err := Objects(era, opts)
	if err != nil {
		return "", nil, nil, err
	}
	pools, err := Pools(opts)
	if err != nil {
		return "", nil, nil, err
	}
	return era, objs, pools, nil
}

// Apply dresses the cluster behind cfg as the reference's AKS regulated
// cluster of era. It is idempotent: everything is server-side applied with
// FieldManager, so a second run changes nothing.
func Apply(ctx context.Context, cfg *rest.Config, era sim.Era, opts Options) error {
	era, objs, pools, err := plan(era, opts)
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

func objName(o *unstructured.Unstructured) string {
	if o.GetNamespace() != "" {
		return o.GetNamespace() + "/" + o.GetName()
	}
	return o.GetName()
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

func applyCRDs(ctx context.Context, c client.Client, crds []*unstructured.Unstructured) error {
	names := make([]string, 0, len(crds))
	for _, o := range crds {
		if _, err := apply(ctx, c, o); err != nil {
			return err
		}
		names = append(names, o.GetName())
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return crd.WaitEstablished(ctx, c, 100*time.Millisecond, names...)
}
