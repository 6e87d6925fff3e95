package check

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/aksbaseline/kubectl-aksbaseline/manifests"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// fluxChecks are the flux checks in report order, each declared beside the
// function that judges it.
var fluxChecks = []*Check{
	fluxKubernetesVersionCheck,
	fluxControllersCheck,
	fluxCRDsCheck,
	fluxSyncReadyCheck,
	fluxSourceURLCheck,
	fluxSuspendedCheck,
	fluxExtensionCheck,
	fluxCurrencyCheck,
}

var syncUses = []cluster.Resource{cluster.GitRepositories, cluster.Kustomizations}

var fluxKubernetesVersionCheck = &Check{ID: "flux-kubernetes-version", Severity: result.Critical, Uses: []cluster.Resource{cluster.ServerVersion}, Run: fluxKubernetes,
	Title: "The Kubernetes version satisfies Flux's minimum", Remediation: "upgrade the cluster ('az aks upgrade') before installing this Flux version"}

func fluxKubernetes(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	ok, err := manifests.SupportsKubernetes(s.Version.GitVersion)
	// The version is the API server's: the finding names it as the access checks do.
	server := result.Finding{Object: "server/" + s.Access.Server}
	if err != nil {
		server.Message = err.Error()
		return fail("%v", err).About(server)
	}
	if ok {
		return pass("Kubernetes %s %s (Flux %s)", strings.TrimPrefix(s.Version.GitVersion, "v"), manifests.KubernetesMinimum, manifests.FluxVersion)
	}
	server.Message = fmt.Sprintf("Kubernetes %s", s.Version.GitVersion)
	return fail("Kubernetes version %s does not match %s (Flux %s)", strings.TrimPrefix(s.Version.GitVersion, "v"), manifests.KubernetesMinimum, manifests.FluxVersion).About(server)
}

var fluxControllersCheck = &Check{ID: "flux-controllers", Severity: result.Critical, Uses: []cluster.Resource{cluster.Deployments}, Run: fluxControllers,
	Title: "The Flux controllers are healthy", Remediation: "kubectl -n flux-system describe deployment NAME; re-run '{cli} bootstrap' or check the microsoft.flux extension"}

func fluxControllers(s *cluster.Snapshot, p *profile.Profile) result.Result {
	sel, err := fluxSelector(p)
	if err != nil {
		return fail("%v", err)
	}
	ns := p.Flux.Namespace
	picked := map[string]*appsv1.Deployment{}
	for i := range s.Deployments {
		d := &s.Deployments[i]
		if d.Namespace == ns && sel.Matches(labels.Set(d.Labels)) {
			picked[d.Name] = d
		}
	}
	var bad []string
	var fs findings
	for _, name := range p.Flux.Controllers {
		if _, ok := picked[name]; ok {
			continue
		}
		if d := s.Deployment(ns, name); d != nil {
			picked[name] = d
		} else {
			bad = append(bad, fmt.Sprintf("%s: deployment not found", name))
			fs.add("Deployment/"+ns+"/"+name, "not found")
		}
	}
	if len(picked) == 0 && len(bad) == 0 {
		return fail("no controllers found in the '%s' namespace with the label selector '%s'", ns, p.Flux.PartOfLabel).
			About(result.Finding{Object: "Namespace/" + ns, Message: "no Deployment labelled " + p.Flux.PartOfLabel})
	}
	var good, objs []string
	for _, name := range sortedKeys(picked) {
		objs = append(objs, "Deployment/"+ns+"/"+name)
		if ok, msg := deploymentHealth(picked[name]); !ok {
			bad = append(bad, fmt.Sprintf("%s: deployment not ready (%s)", name, msg))
			fs.add("Deployment/"+ns+"/"+name, "not ready (%s)", msg)
		} else {
			good = append(good, name)
		}
	}
	sort.Strings(bad)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Object < fs[j].Object })
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).With(objs...).About(fs...)
	}
	return pass("deployments ready: %s", strings.Join(good, ", ")).With(objs...)
}

// fluxSelector selects Flux's controllers and CRDs by the profile's
// part-of label, as 'flux check' does.
func fluxSelector(p *profile.Profile) (labels.Selector, error) {
	sel, err := labels.Parse(p.Flux.PartOfLabel)
	if err != nil {
		return nil, fmt.Errorf("profile flux.partOfLabel: %v", err)
	}
	return sel, nil
}

// installedFluxCRDs are the CRDs of the Flux on the cluster: those with
// the part-of label and, as older installs and other tools leave it out,
// those whose group ends in the profile's CRD group suffix.
func installedFluxCRDs(s *cluster.Snapshot, p *profile.Profile) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	sel, err := fluxSelector(p)
	if err != nil {
		return nil, err
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for i := range s.CRDs {
		c := &s.CRDs[i]
		if sel.Matches(labels.Set(c.Labels)) || (p.Flux.CRDGroupSuffix != "" && strings.HasSuffix(c.Spec.Group, p.Flux.CRDGroupSuffix)) {
			out = append(out, c)
		}
	}
	return out, nil
}

var fluxCRDsCheck = &Check{ID: "flux-crds", Severity: result.Critical, Uses: []cluster.Resource{cluster.CRDs}, Run: fluxCRDs,
	Title: "The Flux CRDs are installed with stored versions", Remediation: "install Flux ('{cli} bootstrap'); an empty storedVersions means the CRD was never used to store objects"}

func fluxCRDs(s *cluster.Snapshot, p *profile.Profile) result.Result {
	crds, err := installedFluxCRDs(s, p)
	if err != nil {
		return fail("%v", err)
	}
	var good, bad, objs []string
	var fs findings
	for _, c := range crds {
		objs = append(objs, "CustomResourceDefinition/"+c.Name)
		if n := len(c.Status.StoredVersions); n == 0 {
			bad = append(bad, "no stored versions for "+c.Name)
			fs.add("CustomResourceDefinition/"+c.Name, "no stored versions")
		} else {
			good = append(good, c.Name+"/"+c.Status.StoredVersions[n-1])
		}
	}
	if len(objs) == 0 {
		// The ones verify's Flux checks cannot do without are named.
		for _, r := range syncUses {
			fs = append(fs, crdMissing(r))
		}
		return fail("no crds found with the label selector '%s'", p.Flux.PartOfLabel).About(fs...)
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(bad, "; ")).With(objs...).About(fs...)
	}
	// As 'flux check' does, name the distribution from the GitRepository CRD.
	dist := ""
	if c := s.CRD(string(cluster.GitRepositories)); c != nil {
		if v := c.Labels["app.kubernetes.io/version"]; v != "" {
			if partOf := c.Labels["app.kubernetes.io/part-of"]; partOf != "" {
				dist = fmt.Sprintf("distribution %s-%s; ", partOf, v)
			} else {
				dist = fmt.Sprintf("version %s; ", v)
			}
		}
		if m := c.Labels["app.kubernetes.io/managed-by"]; m != "" {
			dist += "managed by " + m + "; "
		}
	}
	return pass("%s%s: %s", dist, phrase.Count(len(good), "CRD", "CRDs"), phrase.Summary(good, 12)).With(objs...)
}

// syncObjects finds the first sync set of the profile whose GitRepository
// exists: manual installs and the AKS extension name them differently.
func syncObjects(s *cluster.Snapshot, p *profile.Profile) (set profile.SyncSet, repo, ks *unstructured.Unstructured, res result.Result, ok bool) {
	if s.Absent(cluster.GitRepositories) || s.Absent(cluster.Kustomizations) {
		var fs findings
		for _, r := range syncUses {
			if s.Absent(r) {
				fs = append(fs, crdMissing(r))
			}
		}
		return set, nil, nil, fail("Flux is not installed: the cluster does not serve %s and %s", cluster.GitRepositories, cluster.Kustomizations).About(fs...), false
	}
	ns := p.Flux.Namespace
	var tried []string
	for _, set := range p.Flux.Sync {
		tried = append(tried, fmt.Sprintf("%s/%s (%s)", ns, set.GitRepository, set.Name))
		if repo := s.CustomObject(cluster.GitRepositories, ns, set.GitRepository); repo != nil {
			return set, repo, s.CustomObject(cluster.Kustomizations, ns, set.Kustomization), result.Result{}, true
		}
	}
	// The first sync set the profile lists is the one named as missing.
	var missing []result.Finding
	if len(p.Flux.Sync) > 0 {
		repo, _ := syncObjectNames(ns, p.Flux.Sync[0])
		missing = append(missing, result.Finding{Object: repo, Message: "not found (nor " + strings.Join(tried, " or ") + ")"})
	}
	return set, nil, nil, fail("no Flux sync GitRepository found: expected %s", strings.Join(tried, " or ")).About(missing...), false
}

// syncObjectNames is how findings name a sync set's GitRepository and
// Kustomization; waivers and drift match findings by these names.
func syncObjectNames(ns string, set profile.SyncSet) (gitRepository, kustomization string) {
	return "GitRepository/" + ns + "/" + set.GitRepository, "Kustomization/" + ns + "/" + set.Kustomization
}

func readyLine(u *unstructured.Unstructured) (bool, string) {
	st, reason, msg, found := condition(u, "Ready")
	if !found {
		return false, "no Ready condition yet"
	}
	if st == "True" {
		return true, ""
	}
	if msg == "" {
		msg = reason
	}
	return false, fmt.Sprintf("Ready=%s: %s", st, msg)
}

var fluxSyncReadyCheck = &Check{ID: "flux-sync-ready", Severity: result.Critical, Uses: syncUses, Run: fluxSyncReady,
	Title: "The Flux GitRepository and Kustomization are Ready", Remediation: "flux get sources git -A; flux get kustomizations -A; the Ready message names the cause (credentials, URL, build error)"}

func fluxSyncReady(s *cluster.Snapshot, p *profile.Profile) result.Result {
	set, repo, ks, res, ok := syncObjects(s, p)
	if !ok {
		return res
	}
	ns := p.Flux.Namespace
	repoObj, ksObj := syncObjectNames(ns, set)
	objs := []string{repoObj, ksObj}
	var bad []string
	var fs findings
	if ok, why := readyLine(repo); !ok {
		bad = append(bad, fmt.Sprintf("GitRepository %s/%s not Ready (%s)", ns, set.GitRepository, why))
		fs.add(repoObj, "not Ready (%s)", why)
	}
	revision := ""
	if ks == nil {
		bad = append(bad, fmt.Sprintf("Kustomization %s/%s not found", ns, set.Kustomization))
		fs.add(ksObj, "not found")
	} else {
		revision = str(ks, "status", "lastAppliedRevision")
		if ok, why := readyLine(ks); !ok {
			bad = append(bad, fmt.Sprintf("Kustomization %s/%s not Ready (%s)", ns, set.Kustomization, why))
			fs.add(ksObj, "not Ready (%s)", why)
		}
	}
	if revision == "" {
		revision = "none yet"
	}
	if len(bad) > 0 {
		return fail("%s; last applied revision: %s", strings.Join(bad, "; "), revision).With(objs...).About(fs...)
	}
	return pass("%s sync %s/%s Ready; last applied revision %s", set.Name, ns, set.Kustomization, revision).With(objs...)
}

var fluxSourceURLCheck = &Check{ID: "flux-source-url", Severity: result.Critical, Uses: syncUses, Run: fluxSourceURL,
	Title: "The GitRepository URL has no placeholder left", Remediation: "point the GitRepository at your fork: replace the placeholder in flux-system/gotk-sync.yaml ('{cli} configure') or re-run bootstrap with --url"}

func fluxSourceURL(s *cluster.Snapshot, p *profile.Profile) result.Result {
	set, repo, _, res, ok := syncObjects(s, p)
	if !ok {
		return res
	}
	url := str(repo, "spec", "url")
	obj, _ := syncObjectNames(p.Flux.Namespace, set)
	if toks := placeholder.FindIn(url); len(toks) > 0 {
		return fail("GitRepository %s/%s URL %s still contains %s", p.Flux.Namespace, set.GitRepository, url, strings.Join(toks, ", ")).With(obj).
			About(result.Finding{Object: obj, Message: "spec.url still contains " + strings.Join(toks, ", ")})
	}
	if url == "" {
		return fail("GitRepository %s/%s has no spec.url", p.Flux.Namespace, set.GitRepository).With(obj).About(result.Finding{Object: obj, Message: "no spec.url"})
	}
	return pass("GitRepository %s/%s URL %s", p.Flux.Namespace, set.GitRepository, url).With(obj)
}

var fluxSuspendedCheck = &Check{ID: "flux-suspended", Severity: result.Warning, Uses: syncUses, Run: fluxSuspended,
	Title: "No GitRepository or Kustomization is suspended", Remediation: "flux resume source git NAME / flux resume kustomization NAME"}

func fluxSuspended(s *cluster.Snapshot, _ *profile.Profile) result.Result {
	if s.Absent(cluster.GitRepositories) && s.Absent(cluster.Kustomizations) {
		return skip("Flux is not installed")
	}
	var suspended []string
	total := 0
	for _, r := range syncUses {
		items := s.Custom[r]
		for i := range items {
			total++
			if v, _, _ := unstructured.NestedBool(items[i].Object, "spec", "suspend"); v {
				suspended = append(suspended, ref(&items[i]))
			}
		}
	}
	sort.Strings(suspended)
	if len(suspended) > 0 {
		var fs findings
		for _, o := range suspended {
			fs.add(o, "suspended")
		}
		return fail("%s suspended: %s", phrase.Count(len(suspended), "object", "objects"), strings.Join(suspended, ", ")).With(suspended...).About(fs...)
	}
	return pass("none of %s is suspended", phrase.Count(total, "GitRepository or Kustomization", "GitRepositories and Kustomizations"))
}

var fluxExtensionCheck = &Check{ID: "flux-extension", Severity: result.Critical, Uses: append([]cluster.Resource{cluster.CRDs, cluster.Deployments}, syncUses...), Run: fluxExtension,
	Title: "Flux managed by the AKS microsoft.flux extension is recognised and its agents healthy", Remediation: "check the extension with 'az k8s-extension show --name flux' and its fluxconfig pods in flux-system"}

func fluxExtension(s *cluster.Snapshot, p *profile.Profile) result.Result {
	ext := p.Flux.Extension
	crd := ext.CRD != "" && s.CRD(ext.CRD) != nil
	set, _, _, _, found := syncObjects(s, p)
	byExtension := found && set.Name == "extension"
	if !crd && !byExtension {
		return pass("Flux is not managed by the AKS microsoft.flux extension (installed by hand or by bootstrap)")
	}
	var why []string
	if crd {
		why = append(why, "CRD "+ext.CRD)
	}
	if byExtension {
		why = append(why, fmt.Sprintf("sync objects %s/%s", set.GitRepository, set.Kustomization))
	}
	var refs []profile.Ref
	for _, d := range ext.Deployments {
		refs = append(refs, profile.Ref{Namespace: p.Flux.Namespace, Name: d})
	}
	r := deploymentsAvailable(s, refs, "microsoft.flux extension agents")
	r.Message = fmt.Sprintf("managed by the AKS microsoft.flux extension (%s); %s", strings.Join(why, ", "), r.Message)
	if r.Status == result.Skip {
		r.Status = result.Pass
	}
	return r
}
