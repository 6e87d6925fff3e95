package profile

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/yamlpos"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// Default is the profile verify uses without --profile.
const Default = "regulated"

//go:embed profiles/*.yaml
var builtin embed.FS

// Names lists the built-in profiles.
func Names() []string {
	entries, _ := builtin.ReadDir("profiles")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Builtin returns a built-in profile by name.
func Builtin(name string) (*Profile, error) {
	b, err := builtin.ReadFile("profiles/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown profile %q: the built-in profiles are %s; pass a file with --profile FILE", name, strings.Join(Names(), ", "))
	}
	return Parse(name+".yaml", b)
}

// BuiltinSource returns the YAML of a built-in profile, for --print-profile.
func BuiltinSource(name string) ([]byte, error) {
	return builtin.ReadFile("profiles/" + name + ".yaml")
}

// Load reads a built-in profile by name, or a file when ref names one (a
// path with a separator or a .yaml/.yml suffix, or an existing file).
func Load(ref string) (*Profile, []byte, error) {
	if ref == "" {
		ref = Default
	}
	if !looksLikeFile(ref) {
		if b, err := BuiltinSource(ref); err == nil {
			p, err := Parse(ref+".yaml", b)
			return p, b, err
		}
		return nil, nil, fmt.Errorf("unknown profile %q: the built-in profiles are %s; pass a file with --profile FILE", ref, strings.Join(Names(), ", "))
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("reading profile: %w", err)
	}
	p, err := Parse(ref, b)
	return p, b, err
}

func looksLikeFile(ref string) bool {
	if strings.ContainsRune(ref, os.PathSeparator) || strings.Contains(ref, "/") || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") {
		return true
	}
	_, err := os.Stat(ref)
	return err == nil
}

// Error lists every problem found in a profile, each as FILE:LINE: message.
type Error = yamlpos.Error

// Problem is one mistake in a profile.
type Problem = yamlpos.Problem

// Parse decodes and validates a profile strictly: unknown fields, wrong
// types, bad patterns and inconsistent values are errors naming file:line.
func Parse(file string, data []byte) (*Profile, error) {
	perr := &Error{What: "profile", File: file}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			perr.Problems = append(perr.Problems, Problem{Msg: "the profile is empty"})
			return nil, perr
		}
		perr.Problems = append(perr.Problems, yamlpos.SyntaxProblems(err, data)...)
		return nil, perr
	}
	// A second document would be ignored, and with it whatever the user
	// meant by it.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		p := Problem{Line: extra.Line, Msg: "one VerifyProfile document per file"}
		if err != nil {
			p = yamlpos.SyntaxProblems(err, data)[0]
		}
		perr.Problems = append(perr.Problems, yamlpos.Fill([]Problem{p}, data)...)
		return nil, perr
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	perr.Problems = append(perr.Problems, p.validate(&root)...)
	if len(perr.Problems) > 0 {
		return nil, perr
	}
	return &p, nil
}

func lineOf(root *yaml.Node, path ...any) int { return yamlpos.LineOf(root, path...) }

func (p *Profile) validate(root *yaml.Node) []Problem {
	var out []Problem
	add := func(msg string, path ...any) {
		out = append(out, Problem{Line: lineOf(root, path...), Msg: msg})
	}
	if p.APIVersion != APIVersion {
		add(fmt.Sprintf("apiVersion must be %q, not %q", APIVersion, p.APIVersion), "apiVersion")
	}
	if p.Kind != Kind {
		add(fmt.Sprintf("kind must be %q, not %q", Kind, p.Kind), "kind")
	}
	if p.Name == "" {
		add("name is required", "name")
	}
	if p.Nodes.PoolLabel == "" {
		add("nodes.poolLabel is required", "nodes")
	}
	seen := map[string]bool{}
	for i, pool := range p.Nodes.Pools {
		if pool.Name == "" {
			add("a pool needs a name", "nodes", "pools", i)
		}
		if seen[pool.Name] {
			add(fmt.Sprintf("pool %q is listed twice", pool.Name), "nodes", "pools", i)
		}
		seen[pool.Name] = true
		switch pool.Mode {
		case "System", "User", "":
		default:
			add(fmt.Sprintf("pool %q: mode must be System or User, not %q", pool.Name, pool.Mode), "nodes", "pools", i, "mode")
		}
		if pool.MinCount < 0 {
			add(fmt.Sprintf("pool %q: minCount must not be negative", pool.Name), "nodes", "pools", i, "minCount")
		}
	}
	if p.Nodes.MaxKubeletSkew < 0 {
		add("nodes.maxKubeletSkew must not be negative", "nodes", "maxKubeletSkew")
	}
	if t := p.Nodes.SystemTaint; t.Pool != "" {
		if t.Key == "" {
			add("nodes.systemTaint.key is required with a pool", "nodes", "systemTaint")
		}
		switch t.Effect {
		case "NoSchedule", "PreferNoSchedule", "NoExecute":
		default:
			add(fmt.Sprintf("nodes.systemTaint.effect must be NoSchedule, PreferNoSchedule or NoExecute, not %q", t.Effect), "nodes", "systemTaint", "effect")
		}
	}
	for i, t := range p.Policies.Templates {
		if t.Match == nil || t.Match.Regexp == nil {
			add("a template needs a match pattern", "policies", "templates", i)
		}
		switch t.Enforcement {
		case "", "deny", "dryrun", "warn":
		default:
			add(fmt.Sprintf("policy %q: enforcement must be deny, dryrun or warn, not %q", t.Policy, t.Enforcement), "policies", "templates", i, "enforcement")
		}
	}
	if p.Nodes.ImageMaxAgeDays < 0 {
		add("nodes.imageMaxAgeDays must not be negative", "nodes", "imageMaxAgeDays")
	}
	if p.Flux.SupportedMinors < 0 {
		add("flux.supportedMinors must not be negative", "flux", "supportedMinors")
	}
	out = append(out, p.validateControls(root)...)
	for _, group := range []struct {
		name string
		refs []Ref
	}{{"addonDeployments", p.Policies.AddonDeployments}, {"gatekeeperDeployments", p.Policies.GatekeeperDeployments}} {
		for i, r := range group.refs {
			if r.Namespace == "" || r.Name == "" {
				add("a deployment needs a namespace and a name", "policies", group.name, i)
			}
		}
	}
	switch p.Identities.Mode {
	case "auto", "podIdentity", "workloadIdentity":
	default:
		add(fmt.Sprintf("identities.mode must be auto, podIdentity or workloadIdentity, not %q", p.Identities.Mode), "identities", "mode")
	}
	if s := p.Identities.PodIdentity.Pods.Labels; s != "" {
		if _, err := labels.Parse(s); err != nil {
			add(fmt.Sprintf("identities.podIdentity.pods.labels: %v", err), "identities", "podIdentity", "pods", "labels")
		}
	}
	if p.Flux.Namespace == "" {
		add("flux.namespace is required", "flux")
	}
	if s := p.Flux.PartOfLabel; s != "" {
		if _, err := labels.Parse(s); err != nil {
			add(fmt.Sprintf("flux.partOfLabel: %v", err), "flux", "partOfLabel")
		}
	}
	for i, s := range p.Flux.Sync {
		if s.GitRepository == "" || s.Kustomization == "" {
			add("a sync set needs gitRepository and kustomization", "flux", "sync", i)
		}
	}
	return out
}

// YAML renders the effective profile.
func (p *Profile) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// validateControls checks the expectations of the regulated controls.
func (p *Profile) validateControls(root *yaml.Node) []Problem {
	var out []Problem
	add := func(msg string, path ...any) {
		out = append(out, Problem{Line: lineOf(root, path...), Msg: msg})
	}
	a := p.Images.Allowed
	if a.Policy != "" && p.Policies.Template(a.Policy) == nil {
		add(fmt.Sprintf("images.allowed.policy %q names no entry of policies.templates", a.Policy), "images", "allowed", "policy")
	}
	if a.Policy != "" && a.Parameter == "" {
		add("images.allowed.parameter is required with a policy", "images", "allowed")
	}
	if a.Pattern != "" {
		// Any valid registry name must give a valid expression.
		probe := a
		probe.ACRName = "acrprobe0"
		if _, err := probe.Regexp(); err != nil {
			add(fmt.Sprintf("images.allowed.pattern: invalid regular expression %q: %v", a.Pattern, err), "images", "allowed", "pattern")
		}
	}
	if a.ACRName != "" {
		if t, ok := placeholder.Lookup(placeholder.ACRName); ok {
			if err := t.Validate(a.ACRName); err != nil {
				add(fmt.Sprintf("images.allowed.acrName %q: %s", a.ACRName, t.Rule), "images", "allowed", "acrName")
			}
		}
	}
	sg := p.Segmentation
	if sg.ScopeLabel != "" {
		if errs := validation.IsQualifiedName(sg.ScopeLabel); len(errs) > 0 {
			add(fmt.Sprintf("segmentation.scopeLabel %q: %s", sg.ScopeLabel, strings.Join(errs, "; ")), "segmentation", "scopeLabel")
		}
		if sg.InScope.Value == "" || sg.OutOfScope.Value == "" || sg.InScope.Value == sg.OutOfScope.Value {
			add("segmentation.inScope.value and outOfScope.value are required and must differ", "segmentation")
		}
	}
	for i, d := range p.Network.DenyAll {
		if d.Namespace == "" {
			add("a denyAll entry needs a namespace", "network", "denyAll", i)
		}
	}
	for i, pt := range p.Network.DenyAllEgress {
		if (pt.Protocol != "TCP" && pt.Protocol != "UDP" && pt.Protocol != "SCTP") || pt.Port < 1 || pt.Port > 65535 {
			add(fmt.Sprintf("network.denyAllEgress: protocol %q port %d: want TCP, UDP or SCTP and a port from 1 to 65535", pt.Protocol, pt.Port), "network", "denyAllEgress", i)
		}
	}
	if p.Security.Nodes != "" {
		if _, err := labels.Parse(p.Security.Nodes); err != nil {
			add(fmt.Sprintf("security.nodes: %v", err), "security", "nodes")
		}
	}
	for i, ag := range p.Security.Agents {
		if ag.Name == "" || ag.Namespace == "" || len(ag.DaemonSets) == 0 {
			add("an agent needs a name, a namespace and at least one DaemonSet", "security", "agents", i)
		}
	}
	return out
}
