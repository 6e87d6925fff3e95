package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/testbin"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

var (
	// plugin runs the binary built from the working tree for this run,
	// without colour so its output reads as plain text in failures.
	plugin plugintest.Cmd
	// repoRoot holds demo/, the cluster-manifests every era syncs.
	repoRoot string
)

func TestMain(m *testing.M) {
	// The suite's own client reads CRDs as typed objects through client-go's scheme.
	utilruntime.Must(apiextensionsv1.AddToScheme(scheme.Scheme))
	// The seeding uses controller-runtime's client, which logs nothing worth reading here.
	ctrllog.SetLogger(logr.Discard())
	os.Exit(plugintest.Main(m, func(dir string) (func(), error) {
		if err := testbin.Check(append(kwok.Binaries, "source-controller", "kustomize-controller")...); err != nil {
			return nil, err
		}
		var err error
		if repoRoot, err = testbin.RepoRoot(); err != nil {
			return nil, err
		}
		plugin = plugintest.Cmd{Name: filepath.Join(dir, "kubectl-aksbaseline"), Env: []string{"NO_COLOR=1"}}
		return nil, nil
	}))
}

// tool runs the built plugin, in dir when it is not empty.
func tool(t *testing.T, dir string, args ...string) plugintest.Result {
	t.Helper()
	c := plugin
	c.Dir, c.Args = dir, args
	return plugintest.Run(t, c)
}

// verify runs 'verify -o json' with args and decodes the report.
func verify(t *testing.T, kubeconfig string, args ...string) (plugintest.Result, *result.Report) {
	t.Helper()
	return plugintest.VerifyJSON(t, plugin, kubeconfig, args...)
}

// catalogue is 'verify --list -o json': the checks the suite must break.
func catalogue(t *testing.T) []result.Result {
	t.Helper()
	r := tool(t, "", "verify", "--list", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("verify --list: %s", r)
	}
	var list []result.Result
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		// Tolerate a wrapping document with an items list.
		var doc struct {
			Items  []result.Result `json:"items"`
			Checks []result.Result `json:"checks"`
		}
		if err2 := json.Unmarshal([]byte(r.Stdout), &doc); err2 != nil {
			t.Fatalf("verify --list -o json is not a list of checks: %v\n%s", err, r.Stdout)
		}
		list = append(doc.Items, doc.Checks...)
	}
	if len(list) == 0 {
		t.Fatalf("verify --list -o json lists no checks:\n%s", r.Stdout)
	}
	return list
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
