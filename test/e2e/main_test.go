package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/go-logr/logr"
	"os"
	"os/exec"
	"path/filepath"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/report"
	"github.com/aksbaseline/kubectl-aksbaseline/test/kwokcluster"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testbin"
)

var (
	// plugin is the binary built from the working tree for this run.
	plugin string
	// repoRoot holds demo/, the cluster-manifests every era syncs.
	repoRoot string
)

func TestMain(m *testing.M) {
	// The suite's own client reads CRDs as typed objects through client-go's scheme.
	utilruntime.Must(apiextensionsv1.AddToScheme(scheme.Scheme))
	// simcluster uses controller-runtime's client, which logs nothing worth reading here.
	ctrllog.SetLogger(logr.Discard())
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := testbin.Check(append(kwokcluster.Binaries, "source-controller", "kustomize-controller")...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var err error
	if repoRoot, err = testbin.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, cleanup, err := testbin.BuildPlugin()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	plugin = filepath.Join(dir, "kubectl-aksbaseline")
	return m.Run()
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// tool runs the built plugin in a clean environment (PATH and an empty HOME
// only), in dir when it is not empty.
func tool(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plugin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %s: %v", plugin, strings.Join(args, " "), err)
	}
	return result{code, out.String(), errb.String()}
}

// verify runs 'verify -o json' with args and decodes the report.
func verify(t *testing.T, kubeconfig string, args ...string) (result, *report.Report) {
	t.Helper()
	r := tool(t, "", append([]string{"verify", "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify printed no report: %v\n%s", err, r)
	}
	return r, &rep
}

func byID(rep *report.Report) map[string]check.Result {
	m := map[string]check.Result{}
	for _, r := range rep.Results {
		m[r.ID] = r
	}
	return m
}

func describe(rep *report.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "  %-5s %s: %s\n", r.Status, r.ID, r.Message)
	}
	return b.String()
}

// catalogue is 'verify --list -o json': the checks the suite must break.
func catalogue(t *testing.T) []check.Result {
	t.Helper()
	r := tool(t, "", "verify", "--list", "-o", "json")
	if r.code != 0 {
		t.Fatalf("verify --list: %s", r)
	}
	var list []check.Result
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		// Tolerate a wrapping document with an items list.
		var doc struct {
			Items  []check.Result `json:"items"`
			Checks []check.Result `json:"checks"`
		}
		if err2 := json.Unmarshal([]byte(r.stdout), &doc); err2 != nil {
			t.Fatalf("verify --list -o json is not a list of checks: %v\n%s", err, r.stdout)
		}
		list = append(doc.Items, doc.Checks...)
	}
	if len(list) == 0 {
		t.Fatalf("verify --list -o json lists no checks:\n%s", r.stdout)
	}
	return list
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
