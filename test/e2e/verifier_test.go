package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/flux"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/status"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// verifierUser is the in-cluster verifier's identity, as the API server
// names it in its audit log.
var verifierUser = "system:serviceaccount:" + verifier.Namespace + ":" + verifier.ServiceAccount

// auditPolicy records, at metadata level, every request of the verifier
// and nothing else: what it asked for and what it was answered.
var auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: ["` + verifierUser + `"]
- level: None
`

var gvrClusterReports = schema.GroupVersionResource{Group: "openreports.io", Version: "v1alpha1", Resource: "clusterreports"}

// TestInClusterVerifier is the in-cluster verifier as a team adds it:
// 'configure --add-verifier' on the configured fork, pushed to the Git
// server, applied by the real Flux controllers. verify then runs as the
// verifier's service account, with the CronJob's own arguments: once with
// a token from the TokenRequest API in a kubeconfig, once as in the pod
// (no kubeconfig, the token and CA at the fixed paths client-go's
// in-cluster config reads, the kubernetes Service's environment). The API
// server's audit log shows what it asked for; 'status' reads the reports
// back and flags an old one.
func TestInClusterVerifier(t *testing.T) {
	ctx := ctxFor(t, 15*time.Minute)
	policy := plugintest.WriteFile(t, filepath.Join(t.TempDir(), "audit.yaml"), auditPolicy)
	s := newSimWith(t, sim.EraPodIdentity, kwok.Options{ExtraArgs: []string{"--kube-audit-policy", policy}})
	if r := s.bootstrap(t); r.Code != 0 {
		t.Fatalf("bootstrap: %s", r)
	}
	before := verifyGreen(t, s)

	// The team adds the folder, fills its registry as every other
	// placeholder, and pushes.
	args := append(s.era.ConfigureArgs("cluster-manifests"), "--add-verifier")
	if r := tool(t, s.fork, args...); r.Code != 0 {
		t.Fatalf("configure --add-verifier: %s", r)
	}
	if r := tool(t, s.fork, "configure", "--check", "cluster-manifests"); r.Code != 0 {
		t.Fatalf("configure --check after --add-verifier: %s", r)
	}
	if _, err := s.git.Publish(sim.RepoName, "main", s.fork, "aksbaseline: in-cluster verifier"); err != nil {
		t.Fatal(err)
	}
	repo, ks := s.era.SyncNames()
	if err := flux.ReconcileNow(ctx, s.c.Config, repo, ks); err != nil {
		t.Fatal(err)
	}
	s.waitFolderApplied(t, ctx)
	// A run of the CronJob now, as 'kubectl create job --from=cronjob/…'
	// makes one: its pod is what verify's pod checks judge.
	s.startVerifierJob(t, ctx)

	t.Run("no new failure with the folder applied and its Job run", func(t *testing.T) {
		r, rep := verify(t, s.c.Kubeconfig, "--wait", "2m")
		after := plugintest.ByID(rep)
		for id, was := range before {
			if now := after[id].Status; now != was {
				t.Errorf("%s is %s with the verifier's folder applied, %s without it: %s", id, now, was, after[id].Message)
			}
		}
		if r.Code != 0 {
			t.Errorf("verify with the verifier's folder applied: exit code %d\n%s", r.Code, plugintest.Describe(rep))
		}
	})

	cronArgs := s.cronJobArgs(t, ctx)
	t.Run("as the service account, with a token", func(t *testing.T) {
		kc := s.kubeconfigVariant(t, func(c *clientcmdConfig) { c.token = s.verifierToken(t, ctx) })
		r := tool(t, "", append(slices.Clone(cronArgs), "--kubeconfig", kc)...)
		if r.Code != 0 {
			t.Errorf("%s as %s: %s", strings.Join(cronArgs, " "), verifierUser, r)
		}
		s.checkReport(t, ctx)
		st := s.status(t)
		if st.Verdict != "passed" || st.Stale || st.Summary == nil || st.Summary.Pass == 0 {
			t.Errorf("status after the run: %+v", st)
		}
	})

	t.Run("an old report is stale", func(t *testing.T) {
		old := time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)
		patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, report.AnnotationStartTime, old)
		if _, err := s.dyn.Resource(gvrClusterReports).Patch(ctx, report.OpenReportsName, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		st := s.status(t)
		if st.Verdict != "failed" || !st.Stale || !strings.Contains(st.Problem, "stale") {
			t.Errorf("a report made 3h ago by an hourly verifier: %+v, want failed and stale", st)
		}
	})

	t.Run("in the pod: in-cluster config", func(t *testing.T) {
		r := s.runInPod(t, ctx, append(slices.Clone(cronArgs), "-o", "json"))
		var rep result.Report
		if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
			t.Fatalf("no report on stdout: %v\n%s", err, r)
		}
		if r.Code != 0 {
			t.Errorf("verify in the pod: %s\n%s", r, plugintest.Describe(&rep))
		}
		for _, res := range rep.Results {
			switch {
			case strings.HasPrefix(res.ID, "access-") && res.Status != result.Skip:
				t.Errorf("%s is %s in the pod, want skip (the pod says nothing of how people reach the API server): %s", res.ID, res.Status, res.Message)
			case res.Status == result.Error || res.Status == result.Fail:
				t.Errorf("%s is %s in the pod: %s", res.ID, res.Status, res.Message)
			}
		}
		// The pod's run replaced the stale report.
		if st := s.status(t); st.Verdict != "passed" || st.Stale {
			t.Errorf("status after the in-cluster run: %+v", st)
		}
		// A kubeconfig, where there is one, comes before the pod's own
		// config (client-go's order): this one names a closed port.
		kc := s.kubeconfigVariant(t, func(c *clientcmdConfig) { c.server = "https://127.0.0.1:1" })
		if r := s.runInPod(t, ctx, cronArgs, "KUBECONFIG="+kc); r.Code != 2 || !strings.Contains(r.Stdout+r.Stderr, "127.0.0.1:1") {
			t.Errorf("in the pod with $KUBECONFIG naming 127.0.0.1:1: want exit 2 naming it (the kubeconfig wins): %s", r)
		}
	})

	t.Run("RBAC sufficient and no broader than verify's reads", func(t *testing.T) {
		s.checkVerifierRBAC(t, ctx, s.auditedRequests(t))
	})
}

// waitFolderApplied waits until every object of the folder in the fork
// exists in the cluster, applied by Flux's kustomize-controller.
func (s *simCluster) waitFolderApplied(t *testing.T, ctx context.Context) {
	t.Helper()
	dir := filepath.Join(s.fork, "cluster-manifests", verifier.Folder)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	for _, e := range entries {
		if e.Name() == "kustomization.yaml" || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			if len(u.Object) > 0 {
				objs = append(objs, u)
			}
		}
	}
	if len(objs) < 10 {
		t.Fatalf("the folder holds %d objects; want CRDs, namespace, RBAC, CronJob, policy, quota, limits", len(objs))
	}
	_, ks := s.era.SyncNames()
	missing := objs
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, 4*time.Minute, true, func(ctx context.Context) (bool, error) {
		// A new client each round learns the kinds the CRDs just added.
		s.refreshClient(t)
		var still []*unstructured.Unstructured
		for _, want := range missing {
			got := &unstructured.Unstructured{}
			got.SetGroupVersionKind(want.GroupVersionKind())
			err := s.cl.Get(ctx, client.ObjectKeyFromObject(want), got)
			if err != nil || got.GetLabels()["kustomize.toolkit.fluxcd.io/name"] != ks {
				still = append(still, want)
			}
		}
		missing = still
		return len(missing) == 0, nil
	})
	if err != nil {
		var names []string
		for _, u := range missing {
			names = append(names, u.GetKind()+"/"+u.GetName())
		}
		t.Fatalf("not applied by Flux within 4m: %s", strings.Join(names, ", "))
	}
	t.Logf("Flux applied the %d objects of %s/", len(objs), verifier.Folder)
}

// startVerifierJob creates a Job from the CronJob's template and waits
// until its pod is admitted (Pod Security "restricted", the namespace's
// quota and limits) and scheduled, on an out-of-scope node.
func (s *simCluster) startVerifierJob(t *testing.T, ctx context.Context) {
	t.Helper()
	cj, err := s.cs.BatchV1().CronJobs(verifier.Namespace).Get(ctx, verifier.ServiceAccount, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: verifier.ServiceAccount + "-e2e", Namespace: verifier.Namespace,
			Annotations: map[string]string{"cronjob.kubernetes.io/instantiate": "manual"}},
		Spec: cj.Spec.JobTemplate.Spec,
	}
	if _, err := s.cs.BatchV1().Jobs(verifier.Namespace).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatalf("a Job from the CronJob's template: %v", err)
	}
	var pod *corev1.Pod
	err = wait.PollUntilContextTimeout(ctx, time.Second, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := s.cs.CoreV1().Pods(verifier.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=" + job.Name})
		if err != nil || len(pods.Items) == 0 || pods.Items[0].Spec.NodeName == "" {
			return false, nil
		}
		pod = &pods.Items[0]
		return true, nil
	})
	if err != nil {
		var why []string
		if evs, err := s.cs.CoreV1().Events(verifier.Namespace).List(ctx, metav1.ListOptions{}); err == nil {
			for _, e := range evs.Items {
				why = append(why, e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name+": "+e.Reason+": "+e.Message)
			}
		}
		t.Fatalf("the verifier's Job has no scheduled pod within 2m:\n%s", strings.Join(why, "\n"))
	}
	node, err := s.cs.CoreV1().Nodes().Get(ctx, pod.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if node.Labels["pci-scope"] != "out-of-scope" {
		t.Errorf("the verifier's pod runs on %s, pci-scope %q: want the out-of-scope pool", node.Name, node.Labels["pci-scope"])
	}
	t.Logf("the verifier's pod %s is on %s (%s)", pod.Name, node.Name, pod.Status.Phase)
}

// cronJobArgs are the verifier container's arguments, as Flux applied them.
func (s *simCluster) cronJobArgs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	cj, err := s.cs.BatchV1().CronJobs(verifier.Namespace).Get(ctx, verifier.ServiceAccount, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 0 || len(c.Args) == 0 || c.Args[0] != "verify" || !slices.Contains(c.Args, "--report-to-cluster") {
		t.Fatalf("the CronJob runs %q %q, want the image's entrypoint with 'verify --report-to-cluster'", c.Command, c.Args)
	}
	return c.Args
}

// verifierToken asks the TokenRequest API for a short-lived token of the
// verifier's service account, as the kubelet does for its pod.
func (s *simCluster) verifierToken(t *testing.T, ctx context.Context) string {
	t.Helper()
	tr, err := s.cs.CoreV1().ServiceAccounts(verifier.Namespace).CreateToken(ctx, verifier.ServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](900)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s: %v", verifierUser, err)
	}
	return tr.Status.Token
}

// checkReport reads the ClusterReport the run wrote: accepted by the API
// server under the CRD Flux applied, written by verify's field manager,
// and holding no result verify could not reach a verdict on.
func (s *simCluster) checkReport(t *testing.T, ctx context.Context) {
	t.Helper()
	crd, err := s.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}).
		Get(ctx, gvrClusterReports.GroupResource().String(), metav1.GetOptions{})
	if _, ks := s.era.SyncNames(); err != nil || crd.GetLabels()["kustomize.toolkit.fluxcd.io/name"] != ks {
		t.Fatalf("the ClusterReport CRD is not the one Flux applied from the folder: %v", err)
	}
	u, err := s.dyn.Resource(gvrClusterReports).Get(ctx, report.OpenReportsName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("ClusterReport %s: %v", report.OpenReportsName, err)
	}
	managers := map[string]bool{}
	for _, m := range u.GetManagedFields() {
		managers[m.Manager+"/"+string(m.Operation)] = true
	}
	if !managers["kubectl-aksbaseline/Apply"] {
		t.Errorf("ClusterReport managed by %v, want server-side apply by kubectl-aksbaseline", managers)
	}
	results, _, _ := unstructured.NestedSlice(u.Object, "results")
	errs, _, _ := unstructured.NestedInt64(u.Object, "summary", "error")
	if len(results) == 0 || errs != 0 {
		t.Errorf("ClusterReport holds %d results, %d errors", len(results), errs)
	}
	for _, r := range results {
		m, _ := r.(map[string]any)
		if m["result"] == "error" || m["result"] == "fail" {
			t.Errorf("%v is %v as %s: %v", m["policy"], m["result"], verifierUser, m["message"])
		}
	}
}

// status runs 'status -o json' as the cluster's admin, as from the jump
// box, and returns the one cluster's line.
func (s *simCluster) status(t *testing.T) status.Cluster {
	t.Helper()
	r := tool(t, "", "status", "--kubeconfig", s.c.Kubeconfig, "-o", "json")
	var f status.Fleet
	if err := json.Unmarshal([]byte(r.Stdout), &f); err != nil || len(f.Clusters) != 1 {
		t.Fatalf("status -o json: %v\n%s", err, r)
	}
	want := map[string]int{"passed": 0, "failed": 1}[f.Clusters[0].Verdict]
	if f.Clusters[0].Verdict == "could not check" || r.Code != want {
		t.Errorf("status: verdict %q, exit code %d\n%s", f.Clusters[0].Verdict, r.Code, r)
	}
	return f.Clusters[0]
}

// runInPod runs the built binary as the verifier's pod does: no
// kubeconfig anywhere, the kubernetes Service's address in
// KUBERNETES_SERVICE_HOST/PORT, and a fresh token and the cluster's CA at
// /var/run/secrets/kubernetes.io/serviceaccount, which rest.InClusterConfig
// reads and which cannot be moved. They are mounted in a private mount
// namespace of this process alone (unshare, as root), so the machine's own
// /var/run is neither read nor changed.
func (s *simCluster) runInPod(t *testing.T, ctx context.Context, args []string, env ...string) plugintest.Result {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting the service account's files at their fixed path needs root (a private mount namespace); CI runs as root")
	}
	sa := t.TempDir()
	ca := s.c.Config.CAData
	if len(ca) == 0 {
		var err error
		if ca, err = os.ReadFile(s.c.Config.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	plugintest.WriteFile(t, filepath.Join(sa, "token"), s.verifierToken(t, ctx))
	plugintest.WriteFile(t, filepath.Join(sa, "ca.crt"), string(ca))
	plugintest.WriteFile(t, filepath.Join(sa, "namespace"), verifier.Namespace)
	u, err := url.Parse(s.c.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	const mountSA = `set -e
mount -t tmpfs -o mode=0755 tmpfs /var/run
mkdir -p /var/run/secrets/kubernetes.io/serviceaccount
cp "$0"/token "$0"/ca.crt "$0"/namespace /var/run/secrets/kubernetes.io/serviceaccount/
exec "$@"`
	c := plugin
	c.Name = "unshare"
	c.Args = append([]string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c", mountSA, sa, plugin.Name}, args...)
	c.Env = append(slices.Clone(plugin.Env), "KUBERNETES_SERVICE_HOST="+u.Hostname(), "KUBERNETES_SERVICE_PORT="+u.Port())
	c.Env = append(c.Env, env...)
	r := plugintest.Run(t, c)
	if strings.Contains(r.Stderr, "unshare:") || strings.Contains(r.Stderr, "mount:") {
		t.Fatalf("could not mount the service account's files in a private mount namespace: %s", r)
	}
	return r
}

// request is one API request the audit log recorded.
type request struct {
	verb, group, resource, namespace, name string
	code                                   int
}

// auditedRequests reads the API server's audit log: every request the
// verifier's service account made.
func (s *simCluster) auditedRequests(t *testing.T) []request {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.c.Workdir, "clusters", s.c.Name, "logs", "audit.log"))
	if err != nil {
		t.Fatalf("the API server's audit log: %v", err)
	}
	var out []request
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev struct {
			Stage, Verb, RequestURI string
			User                    struct{ Username string }
			ObjectRef               *struct{ APIGroup, Resource, Subresource, Namespace, Name string }
			ResponseStatus          *struct{ Code int }
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("audit log line %q: %v", line, err)
		}
		if ev.User.Username != verifierUser || ev.Stage != "ResponseComplete" {
			continue
		}
		r := request{verb: ev.Verb, resource: ev.RequestURI}
		if ev.ObjectRef != nil {
			o := ev.ObjectRef
			r = request{verb: ev.Verb, group: o.APIGroup, resource: o.Resource, namespace: o.Namespace, name: o.Name}
			if o.Subresource != "" {
				r.resource += "/" + o.Subresource
			}
		}
		if ev.ResponseStatus != nil {
			r.code = ev.ResponseStatus.Code
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		t.Fatalf("the audit log holds no request of %s", verifierUser)
	}
	return out
}

// checkVerifierRBAC holds what the service account was granted (the rules
// of every role bound to it, as the cluster holds them) against what it
// asked for (the audit log).
func (s *simCluster) checkVerifierRBAC(t *testing.T, ctx context.Context, reqs []request) {
	t.Helper()
	served := map[string]bool{}
	_, lists, err := s.cs.Discovery().ServerGroupsAndResources()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		for _, r := range l.APIResources {
			served[gv.Group+"/"+r.Name] = true
			served[gv.Group+"/*"] = true
		}
	}
	granted := s.grantedRules(t, ctx)
	if len(granted) == 0 {
		t.Fatalf("no role is bound to %s", verifierUser)
	}
	problems, unserved := compareRBAC(reqs, granted, served)
	for _, p := range problems {
		t.Error(p)
	}
	for _, u := range unserved {
		t.Logf("%s: not served by this cluster, so never asked for", u)
	}
	seen := map[string]bool{}
	var asked []string
	for _, r := range reqs {
		k := r.verb + " " + strings.TrimPrefix(r.group+"/"+r.resource, "/")
		if r.name != "" {
			k += " " + r.namespace + "/" + r.name
		}
		if !seen[k] {
			seen[k] = true
			asked = append(asked, k)
		}
	}
	slices.Sort(asked)
	t.Logf("%d requests of %s; %d rules granted; asked for:\n%s", len(reqs), verifierUser, len(granted), strings.Join(asked, "\n"))
}

// compareRBAC says what is wrong between the requests and the grants: a
// request refused (403), a request for a path other than /version and
// discovery, a write of anything but the ClusterReport, and a verb on a resource granted but never asked for (a
// create counts as asked for when a server-side apply created the object:
// the API server authorizes that patch as a create too). A grant of a type
// the cluster does not serve cannot be asked for; it is returned apart.
func compareRBAC(reqs []request, granted []grant, served map[string]bool) (problems, unserved []string) {
	for _, r := range reqs {
		if r.code == 403 {
			problems = append(problems, fmt.Sprintf("refused: %s %s/%s %s/%s", r.verb, r.group, r.resource, r.namespace, r.name))
		}
		if strings.HasPrefix(r.resource, "/") && !nonResourceAllowed(r.resource) {
			problems = append(problems, fmt.Sprintf("asked for %s %s, which is neither /version nor discovery", r.verb, r.resource))
		}
		isReport := r.group == gvrClusterReports.Group && r.resource == gvrClusterReports.Resource && r.name == report.OpenReportsName
		if r.verb != "get" && r.verb != "list" && !(r.verb == "patch" && isReport) {
			problems = append(problems, fmt.Sprintf("wrote: %s %s/%s %s/%s; verify writes only its ClusterReport, by server-side apply", r.verb, r.group, r.resource, r.namespace, r.name))
		}
	}
	for _, g := range granted {
		for _, group := range g.rule.APIGroups {
			for _, res := range g.rule.Resources {
				for _, verb := range g.rule.Verbs {
					asked := slices.ContainsFunc(reqs, func(r request) bool {
						return r.group == group && (res == "*" || r.resource == res) && (g.namespace == "" || r.namespace == g.namespace) &&
							(len(g.rule.ResourceNames) == 0 || slices.Contains(g.rule.ResourceNames, r.name)) &&
							(r.verb == verb || verb == "create" && r.verb == "patch" && r.code == 201)
					})
					what := fmt.Sprintf("%s grants %s on %s/%s %v", g.role, verb, group, res, g.rule.ResourceNames)
					switch {
					case asked:
					case !served[group+"/"+res]:
						unserved = append(unserved, what)
					default:
						problems = append(problems, what+", which verify never asked for: broader than needed")
					}
				}
			}
		}
	}
	return problems, unserved
}

// TestCompareRBAC: the comparison the in-cluster test relies on finds a
// refused request, a grant never used, and a path beyond discovery.
func TestCompareRBAC(t *testing.T) {
	served := map[string]bool{"/nodes": true, "/secrets": true, "openreports.io/clusterreports": true, "constraints.gatekeeper.sh/*": true}
	granted := []grant{
		{role: "ClusterRole/read", rule: rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}}},
		{role: "ClusterRole/read", rule: rbacv1.PolicyRule{APIGroups: []string{"constraints.gatekeeper.sh"}, Resources: []string{"*"}, Verbs: []string{"list"}}},
		{role: "ClusterRole/report", rule: rbacv1.PolicyRule{APIGroups: []string{"openreports.io"}, Resources: []string{"clusterreports"}, ResourceNames: []string{"aksbaseline"}, Verbs: []string{"create", "patch"}}},
		{role: "Role/ns/read", namespace: "ns", rule: rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"tls"}, Verbs: []string{"get"}}},
		{role: "ClusterRole/read", rule: rbacv1.PolicyRule{APIGroups: []string{"aadpodidentity.k8s.io"}, Resources: []string{"azureidentities"}, Verbs: []string{"list"}}},
	}
	used := []request{
		{verb: "list", resource: "nodes", code: 200},
		{verb: "list", group: "constraints.gatekeeper.sh", resource: "k8sazurev2containerallowedimages", code: 200},
		{verb: "patch", group: "openreports.io", resource: "clusterreports", name: "aksbaseline", code: 201},
		{verb: "get", resource: "secrets", namespace: "ns", name: "tls", code: 200},
		{verb: "get", resource: "/version", code: 200},
	}
	if p, u := compareRBAC(used, granted, served); len(p) != 0 || len(u) != 1 {
		t.Errorf("every grant used: problems %q, unserved %q (want only the AAD Pod Identity type)", p, u)
	}
	for name, c := range map[string]struct {
		reqs  []request
		grant []grant
	}{
		"a request refused":       {append(slices.Clone(used), request{verb: "list", resource: "pods", code: 403}), granted},
		"a grant never used":      {used, append(slices.Clone(granted), grant{role: "ClusterRole/read", rule: rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}}})},
		"a named get elsewhere":   {append(slices.Clone(used[:3]), request{verb: "get", resource: "secrets", namespace: "other", name: "tls", code: 200}), granted},
		"create without apply":    {append(slices.Clone(used[:2]), request{verb: "patch", group: "openreports.io", resource: "clusterreports", name: "aksbaseline", code: 200}, used[3]), granted},
		"a path beyond discovery": {append(slices.Clone(used), request{verb: "get", resource: "/logs/", code: 200}), granted},
		"another write":           {append(slices.Clone(used), request{verb: "update", group: "openreports.io", resource: "clusterreports", name: "aksbaseline", code: 200}), granted},
	} {
		if p, _ := compareRBAC(c.reqs, c.grant, served); len(p) == 0 {
			t.Errorf("%s: not found", name)
		}
	}
}

func nonResourceAllowed(path string) bool {
	path, _, _ = strings.Cut(path, "?")
	return path == "/version" || path == "/api" || path == "/apis" || strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/apis/")
}

// grant is one rule of a role bound to the verifier.
type grant struct {
	role      string
	namespace string // "" for a ClusterRole bound cluster-wide
	rule      rbacv1.PolicyRule
}

// grantedRules collects the rules of every role bound to the verifier's
// service account, as the cluster holds them.
func (s *simCluster) grantedRules(t *testing.T, ctx context.Context) []grant {
	t.Helper()
	isVerifier := func(subjects []rbacv1.Subject) bool {
		return slices.ContainsFunc(subjects, func(s rbacv1.Subject) bool {
			return s.Kind == "ServiceAccount" && s.Namespace == verifier.Namespace && s.Name == verifier.ServiceAccount
		})
	}
	var out []grant
	crbs, err := s.cs.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range crbs.Items {
		if !isVerifier(b.Subjects) {
			continue
		}
		role, err := s.cs.RbacV1().ClusterRoles().Get(ctx, b.RoleRef.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range role.Rules {
			out = append(out, grant{role: "ClusterRole/" + role.Name, rule: r})
		}
	}
	rbs, err := s.cs.RbacV1().RoleBindings("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range rbs.Items {
		if !isVerifier(b.Subjects) {
			continue
		}
		var rules []rbacv1.PolicyRule
		if b.RoleRef.Kind == "ClusterRole" {
			role, err := s.cs.RbacV1().ClusterRoles().Get(ctx, b.RoleRef.Name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rules = role.Rules
		} else {
			role, err := s.cs.RbacV1().Roles(b.Namespace).Get(ctx, b.RoleRef.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				t.Errorf("RoleBinding %s/%s names a missing Role", b.Namespace, b.Name)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			rules = role.Rules
		}
		for _, r := range rules {
			out = append(out, grant{role: "Role/" + b.Namespace + "/" + b.RoleRef.Name, namespace: b.Namespace, rule: r})
		}
	}
	return out
}
