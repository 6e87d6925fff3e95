package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result/schema"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/version"
	"github.com/aksbaseline/kubectl-aksbaseline/test/leaktest"
)

// sentinel stands for a Secret value, a token or a password: it is planted
// in every input that holds one and must appear nowhere in a bundle.
const sentinel = "S3NT1NEL-do-not-leak-7f3a"

var tool = version.Info{Version: "v0.4.0", Commit: "4f3c2b1", BuildDate: "2026-11-20T10:00:00Z", GoVersion: "go1.26.0", Platform: "linux/amd64"}

// fixture builds a bundle the way the engine will: from the objects it
// read (a Secret and a ConfigMap among them) and the kubeconfig it used.
func fixture(t testing.TB, ctxName, uid string) Bundle {
	t.Helper()
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ingress-nginx", Name: "ingress-tls-csi", UID: "1111", ResourceVersion: "42",
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"tls.key":"` + sentinel + `"}}`},
			Labels:      map[string]string{"token": sentinel}},
		Data:       map[string][]byte{"tls.key": []byte(sentinel)},
		StringData: map[string]string{"password": sentinel},
	}
	node := cluster.Node{Name: "aks-npsystem-0", Meta: cluster.Meta{UID: "3333", ResourceVersion: "9"}}
	// A snapshot as a careless reader could leave it, Secret data and all:
	// the inventory still names the objects only.
	snap := cluster.NewSnapshot()
	snap.Secrets = []corev1.Secret{*secret}
	snap.Nodes = []cluster.Node{node}
	kubeconfig := clientcmdapi.Config{
		CurrentContext: ctxName,
		Contexts:       map[string]*clientcmdapi.Context{ctxName: {Cluster: "c", AuthInfo: "u"}},
		Clusters:       map[string]*clientcmdapi.Cluster{"c": {Server: "https://admin:" + sentinel + "@aks-prod.privatelink.centralus.azmk8s.io:443?token=" + sentinel}},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{"u": {Token: sentinel, Password: sentinel,
			Exec: &clientcmdapi.ExecConfig{Command: "kubelogin", Env: []clientcmdapi.ExecEnvVar{{Name: "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", Value: sentinel}}}}},
	}
	results := []result.Result{
		{ID: "secrets-tls-secret", Category: "secrets", Severity: result.Critical, Title: "The TLS Secret synced from Key Vault is present", Status: result.Pass,
			Message: "Secret ingress-nginx/ingress-tls-csi present", Objects: []string{"Secret/ingress-nginx/ingress-tls-csi"}, Controls: []string{"4.2.1"}},
		{ID: "nodes-ready", Category: "nodes", Severity: result.Critical, Title: "Every node is Ready", Status: result.Fail, Message: "1 node not Ready", Objects: []string{"Node/aks-npsystem-0"}},
	}
	r := result.New(ctxName, "https://aks-prod.privatelink.centralus.azmk8s.io:443", "regulated", time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), time.Second, results)
	r.ClusterID = uid
	return Bundle{
		Report:  r,
		Cluster: ClusterOf(kubeconfig, "", "v1.33.2", uid),
		Profile: []byte("apiVersion: aksbaseline.io/v1alpha1\nkind: VerifyProfile\nname: regulated\n"),
		Waivers: []byte("apiVersion: aksbaseline.io/v1alpha1\nkind: Waivers\nwaivers: []\n"),
		Inventory: append(Inventory(snap),
			InventoryItem{APIVersion: "v1", Kind: "ConfigMap", Namespace: "kube-system", Name: "container-azm-ms-agentconfig", UID: "2222", ResourceVersion: "7"}),
	}
}

func sha256sumCheck(t *testing.T, dir string) {
	t.Helper()
	bin, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Fatalf("sha256sum (coreutils) is needed: %v", err)
	}
	cmd := exec.Command(bin, "-c", "--strict", Sums)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c in %s: %v\n%s", dir, err, out)
	}
}

func noLeak(t *testing.T, dir string) {
	t.Helper()
	if n := leaktest.Files(t, dir, sentinel); n == 0 {
		t.Fatalf("walked %d files", n)
	}
}

func siblings(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteOne(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "evidence")
	if err := Write(context.Background(), dir, []Bundle{fixture(t, "aks-prod", "6f1d2c3b")}, Options{Tool: tool}); err != nil {
		t.Fatal(err)
	}
	want := []string{Sums, ClusterJSON, InventoryJSON, ProfileYAML, ReportHTML, ReportJSON, ToolJSON, WaiversYAML}
	if got := siblings(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", got, want)
	}
	if got := siblings(t, parent); len(got) != 1 {
		t.Errorf("temporary folders left beside the bundle: %v", got)
	}
	sha256sumCheck(t, dir)
	noLeak(t, dir)

	b, _ := os.ReadFile(filepath.Join(dir, ReportJSON))
	if err := schema.Validate(b); err != nil {
		t.Errorf("report.json: %v", err)
	}
	var cl struct {
		Kind string `json:"kind"`
		Cluster
	}
	b, _ = os.ReadFile(filepath.Join(dir, ClusterJSON))
	if err := json.Unmarshal(b, &cl); err != nil {
		t.Fatal(err)
	}
	if cl.Kind != "Cluster" || cl.Server != "https://aks-prod.privatelink.centralus.azmk8s.io:443" || cl.Context != "aks-prod" || cl.KubernetesVersion != "v1.33.2" || cl.KubeSystemUID != "6f1d2c3b" {
		t.Errorf("cluster.json: %+v", cl)
	}
	var inv inventoryDoc
	b, _ = os.ReadFile(filepath.Join(dir, InventoryJSON))
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	if len(inv.Items) != 3 || inv.Items[0] != (InventoryItem{APIVersion: "v1", Kind: "ConfigMap", Namespace: "kube-system", Name: "container-azm-ms-agentconfig", UID: "2222", ResourceVersion: "7"}) {
		t.Errorf("inventory: %+v", inv.Items)
	}
	var ti version.Info
	b, _ = os.ReadFile(filepath.Join(dir, ToolJSON))
	if err := json.Unmarshal(b, &ti); err != nil || ti != tool {
		t.Errorf("tool.json: %+v %v", ti, err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, ReportHTML))
	if !strings.Contains(string(page), `data-check="nodes-ready" data-status="fail"`) {
		t.Error("report.html lacks the results")
	}
}

func TestNoWaiversFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	b := fixture(t, "aks-prod", "u")
	b.Waivers = nil
	if err := Write(context.Background(), dir, []Bundle{b}, Options{Tool: tool}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, WaiversYAML)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("waivers.yaml written without waivers")
	}
}

func TestSeveralContexts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "evidence")
	bundles := []Bundle{fixture(t, "aks-prod", "a"), fixture(t, "arn:aws/dr cluster", "b"), fixture(t, "aks-prod", "c")}
	if err := Write(context.Background(), dir, bundles, Options{Tool: tool}); err != nil {
		t.Fatal(err)
	}
	want := []string{Sums, ContextsDir, IndexHTML, IndexJSON}
	if got := siblings(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("entries %v, want %v", got, want)
	}
	want = []string{"aks-prod", "aks-prod-2", "arn_aws_dr_cluster"}
	if got := siblings(t, filepath.Join(dir, ContextsDir)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("context folders %v, want %v", got, want)
	}
	sha256sumCheck(t, dir)
	sha256sumCheck(t, filepath.Join(dir, ContextsDir, "arn_aws_dr_cluster"))
	sums, _ := os.ReadFile(filepath.Join(dir, Sums))
	if !strings.Contains(string(sums), "  contexts/aks-prod-2/report.html\n") || !strings.Contains(string(sums), "  contexts/aks-prod/SHA256SUMS\n") {
		t.Errorf("the top SHA256SUMS does not cover the sub-folders:\n%s", sums)
	}
	noLeak(t, dir)
	var idx struct {
		Kind  string       `json:"kind"`
		Items []indexEntry `json:"items"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, IndexJSON))
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Kind != "EvidenceIndex" || len(idx.Items) != 3 || idx.Items[1].Dir != "contexts/arn_aws_dr_cluster" || idx.Items[1].Context != "arn:aws/dr cluster" || idx.Items[0].Verdict != "failed" {
		t.Errorf("index.json: %+v", idx)
	}
	page, _ := os.ReadFile(filepath.Join(dir, IndexHTML))
	if !strings.Contains(string(page), `<a href="contexts/arn_aws_dr_cluster/report.html">arn:aws/dr cluster</a>`) {
		t.Errorf("index.html does not link the reports:\n%s", page)
	}
}

func TestPreflight(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		dir  string
		want string
	}{
		"a file":           {file, "is a file"},
		"under a file":     {filepath.Join(file, "evidence"), "cannot be written"},
		"missing parent":   {filepath.Join(parent, "no", "such", "evidence"), "cannot be written"},
		"empty name":       {"", "needs a folder"},
		"new folder is ok": {filepath.Join(parent, "new"), ""},
	} {
		err := Preflight(c.dir, false)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if got := siblings(t, parent); len(got) != 1 {
		t.Errorf("Preflight left %v", got)
	}
}

func TestFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "evidence")
	bad := []Bundle{fixture(t, "aks-prod", "a"), {Report: nil}}
	if err := Write(context.Background(), dir, bad, Options{Tool: tool}); err == nil {
		t.Fatal("a bundle without a report was written")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, dir, []Bundle{fixture(t, "aks-prod", "a")}, Options{Tool: tool}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if got := siblings(t, parent); len(got) != 0 {
		t.Errorf("a failed or interrupted run left %v", got)
	}
}

// An engine may fill Cluster itself: the URL is cleaned on the way out too.
func TestClusterURLCleaned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	b := fixture(t, "aks-prod", "u")
	b.Cluster = Cluster{Server: "https://admin:" + sentinel + "@aks-prod:443", Context: "aks-prod"}
	if err := Write(context.Background(), dir, []Bundle{b}, Options{Tool: tool}); err != nil {
		t.Fatal(err)
	}
	noLeak(t, dir)
}

// BenchmarkWrite writes the bundle of a 5,000-node cluster with 50,000
// pods, the size 'make bench' verifies, to keep --evidence's cost in view.
func BenchmarkWrite(b *testing.B) {
	bundle := bigFixture(b)
	parent := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		if err := Write(context.Background(), filepath.Join(parent, strconv.Itoa(i)), []Bundle{bundle}, Options{Tool: tool}); err != nil {
			b.Fatal(err)
		}
	}
}

// bigFixture is the bundle of a 5,000-node cluster with 50,000 pods.
func bigFixture(b testing.TB) Bundle {
	bundle := fixture(b, "aks-prod", "u")
	for i := range 55_000 {
		kind, ns := "Pod", "a0005-i"
		if i < 5_000 {
			kind, ns = "Node", ""
		}
		bundle.Inventory = append(bundle.Inventory, InventoryItem{APIVersion: "v1", Kind: kind, Namespace: ns,
			Name: "object-" + strconv.Itoa(i), UID: "0b6f6c1e-7d1a-4c1e-9a53-" + strconv.Itoa(100000000000+i), ResourceVersion: strconv.Itoa(i)})
	}
	return bundle
}
