package verify

import (
	"os/exec"
	"sort"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
)

// Target is one cluster to verify.
type Target struct {
	// Context is the kubeconfig context, as reports name the cluster.
	Context string
	// Kubeconfig is the context's client config: it says where the server
	// is and which credential plugin the user runs.
	Kubeconfig clientcmd.ClientConfig
	// RESTConfig reaches the cluster; its error, already explained, is why
	// the cluster could not be checked.
	RESTConfig func() (*rest.Config, error)
}

// Clusters selects the clusters of a kubeconfig to verify: the current
// context, each of Contexts, or every context when All is set.
type Clusters struct {
	// Flags are kubectl's kubeconfig flags. Impersonation, the request
	// timeout and the client wrapper (rate limits) apply to every context.
	Flags *genericclioptions.ConfigFlags
	// Current reaches the current context: the command's client factory.
	Current genericclioptions.RESTClientGetter
	// RESTConfig loads a getter's REST config, explaining what goes wrong.
	RESTConfig func(genericclioptions.RESTClientGetter) (*rest.Config, error)
	Contexts   []string
	All        bool
}

// Targets resolves the selection. An unknown context, or a kubeconfig
// without any when All is set, is a usage error.
func (c Clusters) Targets() ([]Target, error) {
	cf := c.Flags
	if len(c.Contexts) == 0 && !c.All {
		name := ""
		if cf.Context != nil && *cf.Context != "" {
			name = *cf.Context
		} else if raw, err := cf.ToRawKubeConfigLoader().RawConfig(); err == nil {
			name = raw.CurrentContext
		}
		return []Target{c.target(name, c.Current, cf.ToRawKubeConfigLoader())}, nil
	}
	raw, err := cf.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	names := c.Contexts
	if c.All {
		names = nil
		for n := range raw.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, exitcode.Usage("the kubeconfig has no contexts")
		}
	}
	var out []Target
	for _, n := range names {
		if _, ok := raw.Contexts[n]; !ok {
			return nil, exitcode.Usage("unknown context %q: list them with 'kubectl config get-contexts'", n)
		}
		f := contextFlags(cf, n)
		out = append(out, c.target(n, f, f.ToRawKubeConfigLoader()))
	}
	return out, nil
}

func (c Clusters) target(name string, g genericclioptions.RESTClientGetter, kc clientcmd.ClientConfig) Target {
	return Target{Context: name, Kubeconfig: kc, RESTConfig: func() (*rest.Config, error) { return c.RESTConfig(g) }}
}

// contextFlags copies the flags that apply to every cluster (kubeconfig,
// impersonation, request timeout, client wrapper) onto a loader for one
// context.
func contextFlags(cf *genericclioptions.ConfigFlags, name string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	f.KubeConfig = cf.KubeConfig
	f.Impersonate = cf.Impersonate
	f.ImpersonateUID = cf.ImpersonateUID
	f.ImpersonateGroup = cf.ImpersonateGroup
	f.Timeout = cf.Timeout
	f.WrapConfigFn = cf.WrapConfigFn
	f.Context = &name
	return f
}

// access reads what the kubeconfig says about reaching the cluster; server
// is the REST config's host, which --server may have overridden.
func (t Target) access(server string) cluster.Access {
	// The address reaches reports, evidence and messages: without the
	// user info or token a URL can carry.
	a := cluster.Access{Context: t.Context, Server: sanitize.URL(server)}
	if t.Kubeconfig == nil {
		return a
	}
	raw, err := t.Kubeconfig.RawConfig()
	if err != nil {
		return a
	}
	name := t.Context
	if name == "" {
		name = raw.CurrentContext
	}
	kctx := raw.Contexts[name]
	if kctx == nil {
		return a
	}
	if a.Server == "" {
		if c := raw.Clusters[kctx.Cluster]; c != nil {
			a.Server = sanitize.URL(c.Server)
		}
	}
	if u := raw.AuthInfos[kctx.AuthInfo]; u != nil && u.Exec != nil && u.Exec.Command != "" {
		a.ExecCommand = u.Exec.Command
		_, err := exec.LookPath(u.Exec.Command)
		a.ExecFound = err == nil
	}
	return a
}
