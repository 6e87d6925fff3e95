package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/evidence"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result/schema"
	"github.com/aksbaseline/kubectl-aksbaseline/test/browsertest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/leaktest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// The assessor's features end to end: the built plugin against a seeded
// control plane. Every JSON document verify prints here is validated
// against the committed schema.

// unseeded are the checks of the controls Flux delivers from the
// reference's repository (namespaces, policies, agents), which the seed of
// envtest does not hold: skipped where a test needs one failure only.
const unseeded = "segmentation-pci-scope,network-deny-all,namespaces-guardrails,security-agents"

// sentinel is planted in a Secret verify reads and in a ConfigMap; it must
// never reach stdout, stderr or the evidence bundle.
const sentinel = "SENTINEL-d1c7a9e4-never-in-the-bundle"

// hostile is markup a cluster can carry in free text (a status message);
// the HTML report must show it as text.
const hostile = `<img src=x onerror=alert(1)><b>boom</b>`

// tempFile writes content to a new file called name.
func tempFile(t *testing.T, name, content string) string {
	t.Helper()
	return plugintest.WriteFile(t, filepath.Join(t.TempDir(), name), content)
}

func waiversFile(t *testing.T, entries string) string {
	return tempFile(t, "waivers.yaml", "apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers:\n"+entries)
}

// validJSON checks stdout against the published schema and decodes it.
func validJSON(t *testing.T, r plugintest.Result) *result.Report {
	t.Helper()
	if err := schema.ValidateAs([]byte(r.Stdout), result.Kind); err != nil {
		t.Fatalf("the report does not validate against %s: %v\n%s", schema.File, err, r)
	}
	var rep result.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

func verifyValid(t *testing.T, kubeconfig string, args ...string) (plugintest.Result, *result.Report) {
	t.Helper()
	r := runVerify(t, append([]string{"verify", "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
	return r, validJSON(t, r)
}

// countingServer stands for a cluster and counts what reaches it: the
// refusals below must come before verify sends anything.
func countingServer(t *testing.T) (kubeconfig string, requests *atomic.Int64) {
	t.Helper()
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	kubeconfig = plugintest.Kubeconfig(t, srv.URL, "    token: t")
	return kubeconfig, requests
}

func TestRefusedBeforeTheClusterIsRead(t *testing.T) {
	kc, requests := countingServer(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "old"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	badWaivers := waiversFile(t, "  - check: nodes-ready\n    reason: ok\n    expires: 2099-12-31\n  - check: no-such-check\n    reason: typo\n    expires: 2099-12-31\n")
	noReason := waiversFile(t, "  - check: nodes-ready\n    expires: 2099-12-31\n")
	// A previous bundle with the user's own files beside it, which --force
	// must not remove.
	previous := filepath.Join(t.TempDir(), "evidence")
	if err := evidence.Write(context.Background(), previous, []evidence.Bundle{{Report: result.New("aks", "https://aks:443", "regulated", time.Now(), 0, nil)}}, evidence.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"my-notes.txt", "notes/day1.txt"} {
		plugintest.WriteFile(t, filepath.Join(previous, filepath.FromSlash(f)), "mine")
	}
	dangling := filepath.Join(t.TempDir(), "evidence")
	if err := os.Symlink("/no/such/volume", dangling); err != nil {
		t.Fatal(err)
	}
	badBaseline := tempFile(t, "previous.json", "{\n  \"apiVersion\": \"aksbaseline.io/v1alpha1\",\n  \"kind\": \"VerifyReport\",\n  \"results\": 3\n}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown check", []string{"--waivers", badWaivers}, badWaivers + ":7: "},
		{"no reason", []string{"--waivers", noReason}, noReason + ":4: "},
		{"malformed baseline", []string{"--baseline", badBaseline}, badBaseline + ":"},
		{"unwritable evidence", []string{"--evidence", filepath.Join(file, "bundle")}, "cannot be written"},
		{"non-empty evidence", []string{"--evidence", full}, "is not empty"},
		{"--force over files no bundle wrote", []string{"--evidence", full, "--force"}, "no bundle of this tool wrote (it has no SHA256SUMS of one): old;"},
		{"--force over files beside a bundle", []string{"--evidence", previous, "--force"}, "does not list: my-notes.txt, notes/;"},
		{"a link to nothing", []string{"--evidence", dangling}, "is a symbolic link to /no/such/volume, which does not exist"},
		{"--force without --evidence", []string{"--force"}, "--force replaces a previous evidence bundle: add --evidence DIR"},
		{"--baseline-any-cluster without --baseline", []string{"--baseline-any-cluster"}, "--baseline-any-cluster needs --baseline"},
		{"fail-on new without baseline", []string{"--fail-on", "new"}, "--baseline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, append([]string{"verify", "--kubeconfig", kc}, tc.args...)...)
			if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("want exit 2 naming %q\n%s", tc.want, r)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d requests reached the cluster before the refusal", n)
			}
		})
	}
	// The counter works: a run that is not refused reaches the server.
	if r := runVerify(t, "verify", "nodes", "--kubeconfig", kc); r.Code != 2 || requests.Load() == 0 {
		t.Errorf("the counting server saw no request from a real run (exit %d)", r.Code)
	}
}

func TestAssessor(t *testing.T) {
	env, c := seedEra(t, sim.EraWorkloadIdentity)
	kc := env.Kubeconfig
	tainted := requiredTaint(t)
	kubeSystem := &corev1.Namespace{}
	if err := c.Get(ctxT(t), client.ObjectKey{Name: "kube-system"}, kubeSystem); err != nil {
		t.Fatal(err)
	}

	// The only failure under the tainted profile is nodes-system-taint.
	r, rep := verifyValid(t, kc, "--profile", tainted, "--skip", unseeded)
	if got := plugintest.ByID(rep)["nodes-system-taint"]; r.Code != 1 || got.Status != result.Fail || rep.Summary.Fail != 1 {
		t.Fatalf("tainted profile: want exit 1 and one failure (nodes-system-taint)\n%s%s", plugintest.Describe(rep), r.Stderr)
	}
	if rep.ClusterID != string(kubeSystem.UID) {
		t.Errorf("clusterID %q, want the kube-system UID %s", rep.ClusterID, kubeSystem.UID)
	}
	for _, res := range rep.Results {
		if len(res.Controls) == 0 {
			t.Errorf("%s carries no PCI DSS requirement", res.ID)
		}
	}

	t.Run("waived", func(t *testing.T) {
		w := waiversFile(t, "  - check: nodes-system-taint\n    objects: [\"aks-npsystem-*\"]\n    reason: System pool taint waits for the next maintenance window\n    ticket: CHG-1042\n    approvedBy: jane.doe@contoso.com\n    expires: 2099-12-31\n")
		r, rep := verifyValid(t, kc, "--profile", tainted, "--skip", unseeded, "--waivers", w)
		got := plugintest.ByID(rep)["nodes-system-taint"]
		if r.Code != 0 || got.Status != result.Waived || got.Waiver == nil || got.Waiver.Ticket != "CHG-1042" || got.Waiver.Reason == "" || rep.Summary.Waived != 1 {
			t.Errorf("want exit 0 and nodes-system-taint waived with its waiver\n%+v\n%s", got, r)
		}
		text := runVerify(t, "verify", "--kubeconfig", kc, "--profile", tainted, "--skip", unseeded, "--waivers", w)
		if text.Code != 0 || !strings.Contains(text.Stdout, "waived") {
			t.Errorf("text: want exit 0 and the waived result printed\n%s", text)
		}
		junit := runVerify(t, "verify", "--kubeconfig", kc, "--profile", tainted, "--skip", unseeded, "--waivers", w, "-o", "junit")
		if !strings.Contains(junit.Stdout, "<skipped") || !strings.Contains(junit.Stdout, "maintenance window") {
			t.Errorf("JUnit: want a skipped case with the reason\n%s", junit.Stdout)
		}
	})

	t.Run("waiver in the profile", func(t *testing.T) {
		b, err := os.ReadFile(tainted)
		if err != nil {
			t.Fatal(err)
		}
		p := tempFile(t, "profile.yaml", string(b)+"waivers:\n  - check: nodes-system-taint\n    reason: in the profile\n    expires: 2099-12-31\n")
		r, rep := verifyValid(t, kc, "--profile", p, "--skip", unseeded)
		if r.Code != 0 || plugintest.ByID(rep)["nodes-system-taint"].Status != result.Waived {
			t.Errorf("want the profile's waiver applied\n%s", r)
		}
		bad := tempFile(t, "profile.yaml", string(b)+"waivers:\n  - check: nodes-system-taint\n    reason: no expiry\n")
		lines := strings.Count(string(b), "\n") + 2
		if r := runVerify(t, "verify", "--kubeconfig", kc, "--profile", bad); r.Code != 2 || !strings.Contains(r.Stderr, fmt.Sprintf("%s:%d:", bad, lines)) || !strings.Contains(r.Stderr, "expires") {
			t.Errorf("want exit 2 with %s:%d naming expires\n%s", bad, lines, r)
		}
	})

	t.Run("expired and stale", func(t *testing.T) {
		w := waiversFile(t, "  - check: nodes-system-taint\n    reason: was accepted\n    expires: 2020-01-31\n  - check: nodes-ready\n    reason: nothing to cover\n    expires: 2099-12-31\n")
		r, rep := verifyValid(t, kc, "--profile", tainted, "--skip", unseeded, "--waivers", w)
		if r.Code != 1 || plugintest.ByID(rep)["nodes-system-taint"].Status != result.Fail {
			t.Errorf("an expired waiver must not cover: want exit 1 and a failure\n%s", r)
		}
		if !strings.Contains(r.Stderr, "⚠") || !strings.Contains(r.Stderr, "expired on 2020-01-31") || !strings.Contains(r.Stderr, w+":4") {
			t.Errorf("want a warning naming the expired waiver and its date\n%s", r.Stderr)
		}
		if !strings.Contains(r.Stderr, "stale") || !strings.Contains(r.Stderr, w+":7") {
			t.Errorf("want the waiver that covered nothing reported stale\n%s", r.Stderr)
		}
		kinds := map[string]bool{}
		for _, w := range rep.Warnings {
			kinds[w.Kind] = w.Waiver != nil
		}
		if !kinds["expired"] || !kinds["stale"] {
			t.Errorf("the JSON report's warnings lack the expired or stale waiver: %+v", rep.Warnings)
		}
	})

	t.Run("drift", func(t *testing.T) {
		prev := tempFile(t, "previous.json", r.Stdout)
		r2, rep := verifyValid(t, kc, "--profile", tainted, "--skip", unseeded, "--baseline", prev, "--fail-on", "new")
		if r2.Code != 0 || plugintest.ByID(rep)["nodes-system-taint"].Drift != result.DriftUnchanged || rep.Drift == nil {
			t.Errorf("a known failure with --fail-on new: want exit 0 and it unchanged\n%s", r2)
		}
		undo := add(placeholderPod())(t, c)
		r3, rep := verifyValid(t, kc, "--profile", tainted, "--skip", unseeded, "--baseline", prev, "--fail-on", "new")
		undo()
		got := plugintest.ByID(rep)
		if r3.Code != 1 || got["images-placeholders"].Drift != result.DriftNew || got["nodes-system-taint"].Drift != result.DriftUnchanged {
			t.Errorf("a new failure with --fail-on new: want exit 1, it new and the known one unchanged\n%s", r3)
		}
		withPod := tempFile(t, "with-pod.json", r3.Stdout)
		text := runVerify(t, "verify", "--kubeconfig", kc, "--profile", tainted, "--skip", unseeded, "--baseline", withPod)
		if !strings.Contains(text.Stdout, "resolved") || !strings.Contains(text.Stdout, "images-placeholders") {
			t.Errorf("text with a baseline: want images-placeholders resolved\n%s", text.Stdout)
		}
		// Another cluster: the shared control plane has its own kube-system.
		other := runVerify(t, "verify", "--kubeconfig", shared.Kubeconfig, "-o", "json", "--baseline", prev)
		if other.Code != 2 || !strings.Contains(other.Stderr, "another cluster") {
			t.Errorf("a baseline of another cluster: want exit 2 and a plain message\n%s", other)
		}
		forced := runVerify(t, "verify", "--kubeconfig", shared.Kubeconfig, "-o", "json", "--baseline", prev, "--baseline-any-cluster")
		if forced.Code == 2 {
			t.Errorf("--baseline-any-cluster compares anyway\n%s", forced)
		}
		validJSON(t, forced)
		// --force replaces an evidence bundle; it no longer grants this too.
		ev := filepath.Join(t.TempDir(), "evidence")
		if r := runVerify(t, "verify", "--kubeconfig", shared.Kubeconfig, "--baseline", prev, "--evidence", ev, "--force"); r.Code != 2 || !strings.Contains(r.Stderr, "--baseline-any-cluster") {
			t.Errorf("--force with a baseline of another cluster: want it refused naming --baseline-any-cluster\n%s", r)
		}
	})

	t.Run("views", func(t *testing.T) {
		r := runVerify(t, "verify", "--kubeconfig", kc, "--by-control")
		if !strings.Contains(r.Stdout, "not verifiable from the cluster") || !strings.Contains(r.Stdout, "10.5.1") {
			t.Errorf("--by-control: want the requirements and the not-verifiable rows\n%s", r.Stdout)
		}
		h := runVerify(t, "verify", "--kubeconfig", kc, "-o", "html", "--skip", unseeded)
		if h.Code != 0 || !strings.HasPrefix(h.Stdout, "<!DOCTYPE html>") || !strings.Contains(h.Stdout, `data-check="nodes-ready"`) {
			t.Errorf("-o html: want the page on stdout\n%.400s", h.Stdout)
		}
		l := runVerify(t, "verify", "--list", "-o", "json")
		var entries []struct {
			ID       string   `json:"id"`
			Controls []string `json:"controls"`
		}
		if err := json.Unmarshal([]byte(l.Stdout), &entries); err != nil || len(entries) != len(check.All()) {
			t.Fatalf("--list -o json: %v\n%s", err, l.Stdout)
		}
		for _, e := range entries {
			if len(e.Controls) == 0 {
				t.Errorf("--list: %s shows no requirement", e.ID)
			}
		}
	})

	t.Run("evidence", func(t *testing.T) { testEvidence(t, c, kc, kubeSystem) })
}

// testEvidence writes a bundle from the seeded cluster, with a sentinel
// Secret and markup in a status message, and checks it as an assessor and
// an attacker would.
func testEvidence(t *testing.T, c client.Client, kc string, kubeSystem *corev1.Namespace) {
	ctx := ctxT(t)
	sec := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "ingress-nginx", Name: "ingress-tls-csi"}, sec); err != nil {
		t.Fatal(err)
	}
	if sec.Data == nil {
		sec.Data = map[string][]byte{}
	}
	sec.Data["sentinel"] = []byte(sentinel)
	if err := c.Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ingress-nginx", Name: "sentinel"}, Data: map[string]string{"k": sentinel}}
	if err := c.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	_, ks := sim.EraWorkloadIdentity.SyncNames()
	setStatus(t, c, obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", ks), map[string]any{"conditions": []any{map[string]any{
		"type": "Ready", "status": "False", "reason": "BuildFailed", "message": hostile, "lastTransitionTime": "2026-11-25T12:00:00Z"}}})

	w := waiversFile(t, "  - check: nodes-system-taint\n    reason: System pool taint waits for the next maintenance window\n    expires: 2099-12-31\n")
	dir := filepath.Join(t.TempDir(), "evidence")
	r := runVerify(t, "verify", "--kubeconfig", kc, "--waivers", w, "--evidence", dir)
	if r.Code != 1 || !strings.Contains(r.Stderr, filepath.Join(dir, "report.html")) {
		t.Fatalf("want exit 1 (flux-sync-ready fails) and the report's path on stderr\n%s", r)
	}
	for _, f := range []string{evidence.ReportJSON, evidence.ReportHTML, evidence.ProfileYAML, evidence.WaiversYAML, evidence.InventoryJSON, evidence.ClusterJSON, evidence.ToolJSON, evidence.Sums} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the bundle lacks %s", f)
		}
	}
	sha256sum(t, dir)
	noSecrets(t, dir, kc, r)

	rj, err := os.ReadFile(filepath.Join(dir, evidence.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.ValidateAs(rj, result.Kind); err != nil {
		t.Errorf("report.json does not validate: %v", err)
	}
	var cl evidence.Cluster
	readJSON(t, filepath.Join(dir, evidence.ClusterJSON), &cl)
	if cl.KubeSystemUID != string(kubeSystem.UID) || cl.KubernetesVersion == "" || cl.Server == "" {
		t.Errorf("cluster.json: %+v", cl)
	}
	var inv struct {
		Items []evidence.InventoryItem `json:"items"`
	}
	readJSON(t, filepath.Join(dir, evidence.InventoryJSON), &inv)
	seen := map[string]evidence.InventoryItem{}
	for _, it := range inv.Items {
		seen[it.Kind+"/"+it.Namespace+"/"+it.Name] = it
		// A Secret is read as a table row only (no metadata): it is named
		// without uid and resourceVersion.
		if it.APIVersion == "" || it.Kind != "Secret" && (it.UID == "" || it.ResourceVersion == "") {
			t.Errorf("inventory item without identity: %+v", it)
		}
	}
	for _, k := range []string{"Secret/ingress-nginx/ingress-tls-csi", "Namespace//kube-system", "Kustomization/flux-system/" + ks} {
		if _, ok := seen[k]; !ok {
			t.Errorf("inventory.json lacks %s", k)
		}
	}
	// The seeded pods' names end in generated suffixes: look for the
	// ingress controller's by prefix.
	ingressPod := false
	for k := range seen {
		ingressPod = ingressPod || strings.HasPrefix(k, "Pod/ingress-nginx/ingress-nginx-controller-")
	}
	if !ingressPod {
		t.Errorf("inventory.json lacks the ingress controller's pods (Pod/ingress-nginx/ingress-nginx-controller-*)")
	}
	if it := seen["Secret/ingress-nginx/ingress-tls-csi"]; it.UID != "" || it.ResourceVersion != "" {
		t.Errorf("the Secret's inventory entry carries metadata verify must not have read: %+v", it)
	}

	t.Run("browser", func(t *testing.T) { browse(t, filepath.Join(dir, evidence.ReportHTML)) })

	t.Run("non-empty refused", func(t *testing.T) {
		r := runVerify(t, "verify", "--kubeconfig", kc, "--evidence", dir)
		if r.Code != 2 || !strings.Contains(r.Stderr, "not empty") {
			t.Errorf("want exit 2 for a non-empty folder\n%s", r)
		}
		r = runVerify(t, "verify", "--kubeconfig", kc, "--evidence", dir, "--force")
		if r.Code != 1 {
			t.Errorf("--force replaces the bundle: exit %d\n%s", r.Code, r)
		}
		sha256sum(t, dir)
		if _, err := os.Stat(filepath.Join(dir, evidence.WaiversYAML)); err == nil {
			t.Error("the replaced bundle kept the old waivers.yaml")
		}
	})

	// CI mounts a volume at /evidence, or runs in the folder it keeps: a
	// folder that cannot be renamed is written into; a link to one stays.
	t.Run("the working folder and a link to it", func(t *testing.T) {
		parent := t.TempDir()
		vol, link := filepath.Join(parent, "volume"), filepath.Join(parent, "evidence")
		if err := os.Mkdir(vol, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(vol, link); err != nil {
			t.Fatal(err)
		}
		r := plugintest.Run(t, plugintest.Cmd{Name: plugin, Dir: vol, Args: []string{"verify", "--kubeconfig", kc, "--evidence", "."}})
		if r.Code != 1 {
			t.Errorf("--evidence . : exit %d\n%s", r.Code, r)
		}
		sha256sum(t, vol)
		r = runVerify(t, "verify", "--kubeconfig", kc, "--evidence", link, "--force")
		if r.Code != 1 {
			t.Errorf("--evidence LINK --force: exit %d\n%s", r.Code, r)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced (%v)", err)
		}
		sha256sum(t, vol)
		if r := evidenceVerify(t, link, "--allow-unsigned"); r.Code != 0 {
			t.Errorf("evidence verify LINK: %s", r)
		}
	})

	t.Run("contexts", func(t *testing.T) {
		two := eastWest(t, kc)
		dir := filepath.Join(t.TempDir(), "fleet")
		r := runVerify(t, "verify", "--kubeconfig", two, "--contexts", "east,west", "--evidence", dir, "-o", "json")
		if err := schema.ValidateAs([]byte(r.Stdout), result.ListKind); err != nil {
			t.Errorf("the list does not validate: %v\n%s", err, r)
		}
		for _, f := range []string{"contexts/east/report.json", "contexts/west/report.html", evidence.IndexJSON, evidence.IndexHTML, evidence.Sums} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("the fleet bundle lacks %s\n%s", f, r.Stderr)
			}
		}
		sha256sum(t, dir)
		noSecrets(t, dir, two, r)
	})
}

// requiredTaint is the built-in regulated profile with the system-pool
// taint required: on the reference cluster, which leaves it off, that is
// the one failure.
func requiredTaint(t *testing.T) string {
	t.Helper()
	b, err := profile.BuiltinSource("regulated")
	if err != nil {
		t.Fatal(err)
	}
	const off = "    required: false                                # the reference leaves the taint commented out\n"
	if !strings.Contains(string(b), off) {
		t.Fatal("the regulated profile no longer leaves the taint off as this test expects")
	}
	return tempFile(t, "tainted.yaml", strings.Replace(string(b), off, "    required: true\n", 1))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// sha256sum runs the real sha256sum -c, as an assessor would.
func sha256sum(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("sha256sum", "--strict", "-c", evidence.Sums)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c in %s: %v\n%s", dir, err, out)
	}
}

// noSecrets searches every file of the bundle, and what verify printed, for
// the sentinel (plain and base64) and the kubeconfig's credentials.
func noSecrets(t *testing.T, dir, kubeconfig string, r plugintest.Result) {
	t.Helper()
	needles := []string{sentinel, base64.StdEncoding.EncodeToString([]byte(sentinel))}
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range cfg.AuthInfos {
		if u.Token != "" {
			needles = append(needles, u.Token)
		}
		if len(u.ClientKeyData) > 0 {
			needles = append(needles, base64.StdEncoding.EncodeToString(u.ClientKeyData)[:40])
			for _, line := range strings.Split(string(u.ClientKeyData), "\n") {
				if len(line) > 40 && !strings.HasPrefix(line, "-----") {
					needles = append(needles, line)
					break
				}
			}
		}
	}
	if len(needles) < 3 {
		t.Fatal("the kubeconfig holds no credential to search for")
	}
	if files := leaktest.Files(t, dir, needles...); files < 8 {
		t.Fatalf("searched %d files", files)
	}
	for _, n := range needles {
		if strings.Contains(r.Stdout+r.Stderr, n) {
			t.Errorf("verify printed a secret (%.12s…)", n)
		}
	}
}

// browse renders the bundle's report from the seeded cluster in headless
// chromium: rows and statuses in the DOM, the cluster's markup as text, no
// request from the page, and a screenshot kept for a person.
func browse(t *testing.T, page string) {
	bin := browsertest.Chromium(t)
	out := browsertest.Artifacts(t, "evidence-html")
	url := "file://" + filepath.ToSlash(page)
	dom, reqs := browsertest.DumpDOM(t, bin, url)
	browsertest.HasAll(t, dom,
		`data-check="flux-sync-ready" data-status="fail"`,
		`data-check="nodes-system-taint" data-status="waived"`,
		`data-check="nodes-ready" data-status="pass"`,
		`data-requirement="10.5.1" data-state="not verifiable"`,
		`id="verdict">failed<`,
		"&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;boom&lt;/b&gt;",
	)
	if n := strings.Count(dom, `class="check `); n != len(check.All()) {
		t.Errorf("%d checks rendered, want %d", n, len(check.All()))
	}
	if strings.Contains(dom, "<b>boom</b>") || strings.Contains(dom, "<img src=") {
		t.Error("markup from the cluster became elements in the browser")
	}
	if len(reqs) != 0 {
		t.Errorf("the report requested %v", reqs)
	}
	shot := browsertest.Screenshot(t, bin, out, url)
	t.Logf("screenshot %s", shot)
}
