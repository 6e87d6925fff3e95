package configure

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// Values that pass validation, used by every test that substitutes.
const (
	testACR      = "acraksabc123def"
	testGitHub   = "contoso-gitops"
	testVault    = "kv-aks-abc123def"
	testTenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClientID = "0e7c1d5b-3a4f-4b2e-9c8d-6f5a4b3c2d1e"
)

// prepareAll plans configuring dir with allValues, failing t when it cannot.
func prepareAll(ctx context.Context, t *testing.T, dir string) *Plan {
	t.Helper()
	p, err := Prepare(ctx, dir, allValues())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func allValues() map[string]string {
	return map[string]string{
		"REPLACE_ME_WITH_YOUR_ACRNAME":           testACR,
		"REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME": testGitHub,
		"KEYVAULT_NAME":                          testVault,
		"KEYVAULT_TENANT":                        testTenant,
		"INGRESS_CONTROLLER_WORKLOAD_IDENTITY_CLIENT_ID_BU0001A0005_01": testClientID,
	}
}

// copyTree copies testdata/<era>/cluster-manifests into a fresh temporary
// folder and returns the copy's cluster-manifests path.
func copyTree(t *testing.T, era string) string {
	t.Helper()
	src := filepath.Join("testdata", era, "cluster-manifests")
	dst := filepath.Join(t.TempDir(), "cluster-manifests")
	plugintest.CopyTree(t, src, dst)
	return dst
}

type entry struct {
	Mode fs.FileMode
	Data string // content, or link target for symlinks
}

// snapshot records every path under dir with its mode and content, without
// following symlinks, so a test can prove a tree did not change at all.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		e := entry{Mode: info.Mode()}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			e.Data, err = os.Readlink(p)
		case info.Mode().IsRegular():
			var b []byte
			b, err = os.ReadFile(p)
			e.Data = string(b)
		}
		out[rel] = e
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertUnchanged(t *testing.T, before, after map[string]entry) {
	t.Helper()
	if reflect.DeepEqual(before, after) {
		return
	}
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		} else if a != b {
			t.Errorf("%s changed: mode %v → %v, content changed: %v", p, b.Mode, a.Mode, a.Data != b.Data)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}
