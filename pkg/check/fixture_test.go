package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster/clustertest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// caseSpec is the first document of a broken-variant fixture: which healthy
// era it starts from, what it removes or changes, and what it expects.
type caseSpec struct {
	Kind           string                      `json:"kind"`
	Description    string                      `json:"description"`
	Base           string                      `json:"base"`
	Profile        string                      `json:"profile"`
	Remove         []string                    `json:"remove"`
	Meta           map[string]any              `json:"meta"`
	KubeletVersion string                      `json:"kubeletVersion"`
	Expect         map[string]result.Status    `json:"expect"`
	Messages       map[string]string           `json:"messages"`
	Outcomes       map[cluster.Resource]string `json:"outcomes"`
}

func objKey(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// loadEra returns the meta and objects of a healthy era fixture.
func loadEra(t testing.TB, era string) (clustertest.Meta, []*unstructured.Unstructured) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "eras", era+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := cluster.DecodeObjects(b)
	if err != nil {
		t.Fatalf("%s: %v", era, err)
	}
	var meta clustertest.Meta
	var rest []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == clustertest.Kind {
			if err := convert(o.Object, &meta); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rest = append(rest, o)
	}
	return meta, rest
}

func convert(in any, out any) error {
	b, err := yaml.Marshal(in)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(b, out)
}

func mustSnapshot(t *testing.T, meta clustertest.Meta, objs []*unstructured.Unstructured) *cluster.Snapshot {
	t.Helper()
	s, err := clustertest.FromObjects(meta, objs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadProfile(t testing.TB, name string) *profile.Profile {
	t.Helper()
	if name == "" {
		name = profile.Default
	}
	if p, err := profile.Builtin(name); err == nil {
		return p
	}
	path := filepath.Join("testdata", "profiles", name+".yaml")
	p, _, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadCase applies a case file to its base era.
func loadCase(t *testing.T, path string) (caseSpec, *cluster.Snapshot, *profile.Profile) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := cluster.DecodeObjects(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(docs) == 0 || docs[0].GetKind() != "Case" {
		t.Fatalf("%s: the first document must be kind: Case", path)
	}
	var spec caseSpec
	if err := convert(docs[0].Object, &spec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(spec.Expect) == 0 {
		t.Fatalf("%s: expect is empty", path)
	}
	meta, objs := loadEra(t, spec.Base)
	if spec.Meta != nil {
		merged := map[string]any{}
		if err := convert(meta, &merged); err != nil {
			t.Fatal(err)
		}
		for k, v := range spec.Meta {
			merged[k] = v
		}
		if err := convert(merged, &meta); err != nil {
			t.Fatal(err)
		}
	}
	if spec.Outcomes != nil {
		meta.Outcomes = spec.Outcomes
	}
	byKey := map[string]int{}
	for i, o := range objs {
		byKey[objKey(o)] = i
	}
	removed := map[string]bool{}
	for _, k := range spec.Remove {
		if _, ok := byKey[k]; !ok {
			t.Fatalf("%s: remove %s: no such object in era %s", path, k, spec.Base)
		}
		removed[k] = true
	}
	for _, o := range docs[1:] {
		if i, ok := byKey[objKey(o)]; ok {
			objs[i] = o
		} else {
			objs = append(objs, o)
		}
	}
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if removed[objKey(o)] {
			continue
		}
		if spec.KubeletVersion != "" && o.GetKind() == "Node" {
			o = o.DeepCopy()
			_ = unstructured.SetNestedField(o.Object, spec.KubeletVersion, "status", "nodeInfo", "kubeletVersion")
		}
		out = append(out, o)
	}
	return spec, mustSnapshot(t, meta, out), loadProfile(t, spec.Profile)
}

func byID(rs []result.Result) map[string]result.Result {
	m := map[string]result.Result{}
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

func describe(rs []result.Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %-5s %s: %s\n", r.Status, r.ID, r.Message)
	}
	return b.String()
}
