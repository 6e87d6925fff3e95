package plugin

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/kubeerr"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
)

// verifyTarget is one cluster to verify.
type verifyTarget struct {
	context string
	loader  genericclioptions.RESTClientGetter
	raw     clientcmd.ClientConfig
}

// targets resolves the clusters: the current one, or every --contexts entry.
func (o *VerifyOptions) targets() ([]verifyTarget, error) {
	cf := o.env.ConfigFlags
	if len(o.Contexts) == 0 && !o.AllContexts {
		name := ""
		if cf.Context != nil && *cf.Context != "" {
			name = *cf.Context
		} else if raw, err := cf.ToRawKubeConfigLoader().RawConfig(); err == nil {
			name = raw.CurrentContext
		}
		return []verifyTarget{{context: name, loader: o.env.Factory, raw: cf.ToRawKubeConfigLoader()}}, nil
	}
	raw, err := cf.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, kubeerr.Explain(err, "")
	}
	names := o.Contexts
	if o.AllContexts {
		names = nil
		for n := range raw.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, exitcode.Usage("the kubeconfig has no contexts")
		}
	}
	var out []verifyTarget
	for _, n := range names {
		if _, ok := raw.Contexts[n]; !ok {
			return nil, exitcode.Usage("unknown context %q: list them with 'kubectl config get-contexts'", n)
		}
		f := contextFlags(cf, n)
		out = append(out, verifyTarget{context: n, loader: f, raw: f.ToRawKubeConfigLoader()})
	}
	return out, nil
}

// contextFlags copies the flags that apply to every cluster (kubeconfig,
// impersonation, request timeout) onto a loader for one context.
func contextFlags(cf *genericclioptions.ConfigFlags, name string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(false)
	f.KubeConfig = cf.KubeConfig
	f.Impersonate = cf.Impersonate
	f.ImpersonateUID = cf.ImpersonateUID
	f.ImpersonateGroup = cf.ImpersonateGroup
	f.Timeout = cf.Timeout
	f.Context = &name
	return f.WithWrapConfigFn(func(c *rest.Config) *rest.Config {
		c.QPS, c.Burst = clientQPS, clientBurst
		return c
	})
}

// verifyAll verifies the targets concurrently, reports in target order.
func (o *VerifyOptions) verifyAll(ctx context.Context, targets []verifyTarget) ([]*report.Report, []int, []error) {
	reports := make([]*report.Report, len(targets))
	codes := make([]int, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], codes[i], errs[i] = o.verifyOne(ctx, t, len(targets) > 1)
		}()
	}
	wg.Wait()
	return reports, codes, errs
}

// needsAPI reports whether any selected check reads from the API server.
func needsAPI(checks []*check.Check) bool {
	for _, c := range checks {
		if c.Named != nil {
			return true
		}
		for _, r := range c.Uses {
			if r != cluster.Kubeconfig {
				return true
			}
		}
	}
	return false
}

// access reads what the kubeconfig says about reaching the cluster.
func access(t verifyTarget, server string) cluster.Access {
	a := cluster.Access{Context: t.context, Server: server}
	raw, err := t.raw.RawConfig()
	if err != nil {
		return a
	}
	name := t.context
	if name == "" {
		name = raw.CurrentContext
	}
	kctx := raw.Contexts[name]
	if kctx == nil {
		return a
	}
	if a.Server == "" {
		if c := raw.Clusters[kctx.Cluster]; c != nil {
			a.Server = c.Server
		}
	}
	if u := raw.AuthInfos[kctx.AuthInfo]; u != nil && u.Exec != nil && u.Exec.Command != "" {
		a.ExecCommand = u.Exec.Command
		_, err := exec.LookPath(u.Exec.Command)
		a.ExecFound = err == nil
	}
	return a
}

// verifyOne runs the selected checks against one cluster, re-checking
// until they pass when --wait is set.
func (o *VerifyOptions) verifyOne(ctx context.Context, t verifyTarget, prefix bool) (*report.Report, int, error) {
	start := o.now()
	profileName := o.profile.Name
	cfg, cfgErr := restConfigFor(t.loader, o.env.ConfigFlags.APIServer)
	server := ""
	if cfg != nil {
		server = cfg.Host
	}
	acc := access(t, server)
	api := needsAPI(o.selected)
	if cfgErr != nil {
		err := cfgErr
		r := report.New(t.context, acc.Server, profileName, start, o.now().Sub(start), nil)
		r.Error = firstLine(err)
		return r, exitcode.CouldNotCheck, err
	}
	var reader *cluster.Reader
	if api {
		var err error
		if reader, err = cluster.NewReader(cfg); err != nil {
			err = kubeerr.Explain(err, cfg.Host)
			r := report.New(t.context, acc.Server, profileName, start, o.now().Sub(start), nil)
			r.Error = firstLine(err)
			return r, exitcode.CouldNotCheck, err
		}
	}
	plan := check.Plan(o.selected, o.profile)
	if api {
		// /version doubles as the probe that tells no access from no permission.
		plan.Add(cluster.ServerVersion)
	}
	deadline := start.Add(o.Wait)
	for round := 1; ; round++ {
		snap := cluster.NewSnapshot()
		snap.Access = acc
		snap.SetStatus(cluster.Kubeconfig, cluster.Status{Outcome: cluster.OK})
		if api {
			rctx, cancel := context.WithTimeout(ctx, o.Timeout)
			snap = reader.Read(rctx, plan, acc)
			cancel()
		}
		results := check.Run(snap, o.profile, o.selected)
		code := exitCode(results, o.FailOn)
		var accessErr error
		if st := snap.Status(cluster.ServerVersion); api && st.Outcome == cluster.Error {
			accessErr = kubeerr.Explain(st.Err, cfg.Host)
			code = exitcode.CouldNotCheck
			notChecked(results, accessErr)
		}
		if ctx.Err() != nil {
			return nil, exitcode.Interrupted, ctx.Err()
		}
		if code == exitcode.OK || o.Wait == 0 || !o.now().Before(deadline) || accessErr != nil {
			r := report.New(t.context, acc.Server, profileName, start, o.now().Sub(start), results)
			if accessErr != nil {
				r.Error = firstLine(accessErr)
			}
			return r, code, accessErr
		}
		o.showPending(t, prefix, round, deadline, pending(results, o.FailOn))
		sleep := o.pollInterval
		if left := deadline.Sub(o.now()); left < sleep {
			sleep = left
		}
		select {
		case <-ctx.Done():
			return nil, exitcode.Interrupted, ctx.Err()
		case <-time.After(sleep):
		}
	}
}

func (o *VerifyOptions) showPending(t verifyTarget, prefix bool, round int, deadline time.Time, items []string) {
	who := ""
	if prefix {
		who = t.context + ": "
	}
	left := deadline.Sub(o.now()).Round(time.Second)
	fmt.Fprintf(o.env.Streams.ErrOut, "◎ %swaiting for %d %s (%s left):\n", who, len(items), pluralWord(len(items), "check", "checks"), left)
	for _, it := range items {
		fmt.Fprintf(o.env.Streams.ErrOut, "  ◎ %s%s\n", who, it)
	}
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// notChecked replaces the per-request errors of checks that needed the API
// server, when it could not be used at all, with the one explained cause.
func notChecked(results []check.Result, cause error) {
	msg, hint := firstLine(cause), ""
	var p *kubeerr.Problem
	if errors.As(cause, &p) {
		hint = p.Hint
	}
	for i := range results {
		if results[i].Status != check.Error {
			continue
		}
		if c := check.Lookup(results[i].ID); c != nil && needsAPI([]*check.Check{c}) {
			results[i].Message = "not checked: " + msg
			results[i].Remediation = hint
		}
	}
}

func firstLine(err error) string {
	var p *kubeerr.Problem
	if errors.As(err, &p) {
		return p.What
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
