package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// Named asks the reader for one object of a type that is not listed.
type Named struct {
	Resource  cluster.Resource
	Namespace string
	Name      string
}

// Check is one entry of the catalogue.
type Check struct {
	ID          string
	Category    string
	Severity    result.Severity
	Title       string
	Remediation string
	// Uses are the types the check reads; one that could not be read turns
	// the result into an error naming it. An absent type is the check's call.
	Uses []cluster.Resource
	// Named lists single objects to get, from the profile.
	Named func(p *profile.Profile) []Named
	Run   func(s *cluster.Snapshot, p *profile.Profile) result.Result
}

// CLIToken stands for the command the user typed ("kubectl aksbaseline" or
// "flux aksbaseline") in titles and remediations: a check cannot know which
// CLI launched us, so verify substitutes it (see NameCLI).
const CLIToken = "{cli}"

// WithCLI returns s speaking in the voice of the CLI the user typed.
func WithCLI(s, cli string) string { return strings.ReplaceAll(s, CLIToken, cli) }

// NameCLI makes results speak in the voice of the CLI the user typed.
func NameCLI(results []result.Result, cli string) {
	for i := range results {
		r := &results[i]
		r.Title, r.Message, r.Remediation = WithCLI(r.Title, cli), WithCLI(r.Message, cli), WithCLI(r.Remediation, cli)
		r.Findings = slices.Clone(r.Findings)
		for j := range r.Findings {
			r.Findings[j].Message = WithCLI(r.Findings[j].Message, cli)
		}
	}
}

// ReadsAPI reports whether c needs the API server at all: anything beyond
// the kubeconfig, /version included.
func (c *Check) ReadsAPI() bool { return c.readsBeyond(cluster.Kubeconfig) }

// ReadsObjects reports whether c reads cluster objects, as opposed to the
// kubeconfig or /version, which every authenticated user may read: a user
// who can only reach /version has verified nothing about the cluster.
func (c *Check) ReadsObjects() bool {
	return c.readsBeyond(cluster.Kubeconfig, cluster.ServerVersion)
}

func (c *Check) readsBeyond(free ...cluster.Resource) bool {
	if c.Named != nil {
		return true
	}
	for _, r := range c.Uses {
		if !slices.Contains(free, r) {
			return true
		}
	}
	return false
}

// pass, fail, warn and skip are a judging function's verdicts.
func pass(format string, a ...any) result.Result {
	return result.Result{Status: result.Pass, Message: fmt.Sprintf(format, a...)}
}
func fail(format string, a ...any) result.Result {
	return result.Result{Status: result.Fail, Message: fmt.Sprintf(format, a...)}
}
func warn(format string, a ...any) result.Result {
	return result.Result{Status: result.Warn, Message: fmt.Sprintf(format, a...)}
}
func skip(format string, a ...any) result.Result {
	return result.Result{Status: result.Skip, Message: fmt.Sprintf(format, a...)}
}

// warnBecause is a warning of a critical check: reason says why it is not
// a failure, and the reports show it beside the message.
func warnBecause(reason, format string, a ...any) result.Result {
	r := warn(format, a...)
	r.WarnReason = reason
	return r
}

// findings collects a check's findings as it judges.
type findings []result.Finding

// add records a finding about object, with the result's status.
func (fs *findings) add(object, format string, a ...any) {
	*fs = append(*fs, result.Finding{Object: object, Message: fmt.Sprintf(format, a...)})
}

// addStatus records a finding whose status differs from the result's.
func (fs *findings) addStatus(st result.Status, object, format string, a ...any) {
	*fs = append(*fs, result.Finding{Status: st, Object: object, Message: fmt.Sprintf(format, a...)})
}

func Plan(checks []*Check, p *profile.Profile) cluster.Request {
	var q cluster.Request
	for _, c := range checks {
		q.Add(c.Uses...)
		if c.Named != nil {
			for _, n := range c.Named(p) {
				q.AddNamed(n.Resource, n.Namespace, n.Name)
			}
		}
	}
	return q
}
