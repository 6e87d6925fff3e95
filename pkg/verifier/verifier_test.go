package verifier

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
)

func files(t *testing.T) map[string][]byte {
	t.Helper()
	p, _, err := profile.Load("")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Files(Options{Every: time.Hour, Tag: "v1.2.3", APIServerCIDR: DefaultAPIServerCIDR}, p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCronJobHardened: the reference's controls and this tool's image
// checks hold for the verifier's own pod.
func TestCronJobHardened(t *testing.T) {
	var cj batchv1.CronJob
	if err := yaml.UnmarshalStrict(files(t)["cronjob.yaml"], &cj); err != nil {
		t.Fatal(err)
	}
	if cj.Spec.Schedule != "0 * * * *" || cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("schedule %q, concurrency %s", cj.Spec.Schedule, cj.Spec.ConcurrencyPolicy)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	c := pod.Containers[0]
	sc := c.SecurityContext
	switch {
	case !strings.HasPrefix(c.Image, "REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/") || !strings.HasSuffix(c.Image, ":v1.2.3"):
		t.Errorf("image %s: want the ACR's live/ repository", c.Image)
	case pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot || *pod.SecurityContext.RunAsUser == 0:
		t.Error("the pod must run as non-root")
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem, sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation,
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}), sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault":
		t.Errorf("container security context %+v", sc)
	case pod.NodeSelector["pci-scope"] != "out-of-scope":
		t.Error("the verifier belongs on the out-of-scope pool")
	case !slices.Equal(c.Args, []string{"verify", "--report-to-cluster", "--report-interval=1h0m0s"}):
		t.Errorf("args %v", c.Args)
	}
	if lim := c.Resources.Limits.Memory(); lim.Cmp(resource.MustParse("256Mi")) > 0 || c.Resources.Requests.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("resources %+v: requests set, memory limit at most 256Mi", c.Resources)
	}
}

// TestVerbs lists every verb the folder grants: reading (get by name,
// list) and the report's create and patch by name; nothing else, no
// wildcard verb, no Secret listed.
func TestVerbs(t *testing.T) {
	docs := strings.Split(string(files(t)["rbac.yaml"]), "\n---\n")
	got := map[string]bool{}
	for _, d := range docs {
		var r struct {
			Kind  string              `json:"kind"`
			Rules []rbacv1.PolicyRule `json:"rules"`
		}
		if err := yaml.Unmarshal([]byte(d), &r); err != nil {
			t.Fatal(err)
		}
		for _, rule := range r.Rules {
			for _, v := range rule.Verbs {
				key := r.Kind + " " + v
				if len(rule.ResourceNames) > 0 {
					key += " by name"
				}
				got[key] = true
				if v == "*" || v == "list" && slices.Contains(rule.Resources, "secrets") {
					t.Errorf("%s grants %s on %v", r.Kind, v, rule.Resources)
				}
			}
		}
	}
	want := []string{"ClusterRole create by name", "ClusterRole get by name", "ClusterRole list", "ClusterRole patch by name", "Role get by name"}
	if keys := sortedKeys(got); !slices.Equal(keys, want) {
		t.Errorf("verbs %v, want %v", keys, want)
	}
}

func TestKustomizationListsEveryFile(t *testing.T) {
	f := files(t)
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(f["kustomization.yaml"], &k); err != nil {
		t.Fatal(err)
	}
	if len(k.Resources) != len(f)-1 {
		t.Errorf("kustomization lists %d of %d files", len(k.Resources), len(f)-1)
	}
}

func TestSchedule(t *testing.T) {
	for every, want := range map[time.Duration]string{time.Hour: "0 * * * *", 6 * time.Hour: "0 */6 * * *"} {
		if got, err := (Options{Every: every}).Schedule(); err != nil || got != want {
			t.Errorf("%s: %q %v", every, got, err)
		}
	}
	for _, bad := range []time.Duration{0, 30 * time.Minute, 25 * time.Hour, 90 * time.Minute} {
		if _, err := (Options{Every: bad}).Schedule(); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestWrite: a second write changes nothing; an edited file stops it
// before anything is written.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	f := files(t)
	w, err := Write(dir, f, false)
	if err != nil || len(w) != len(f) || w[0].Action != "created" {
		t.Fatalf("first write: %v %v", w, err)
	}
	w, err = Write(dir, f, false)
	if err != nil || w[0].Action != "unchanged" {
		t.Fatalf("second write: %v %v", w, err)
	}
	if err := os.WriteFile(filepath.Join(dir, Folder, "cronjob.yaml"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, Folder, "namespace.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, f, false); err == nil || !strings.Contains(err.Error(), "cronjob.yaml") {
		t.Errorf("an edited file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, Folder, "namespace.yaml")); err == nil {
		t.Error("a refused write wrote a file")
	}
}
