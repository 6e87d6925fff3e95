package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/testenv"
)

var binary string

func TestMain(m *testing.M) { os.Exit(plugintest.MainPlugin(m, &binary)) }

// run runs 'bootstrap --kubeconfig kubeconfig args...' with the built binary.
func run(t *testing.T, kubeconfig string, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.Run(t, plugintest.Cmd{Name: binary, Args: append([]string{"bootstrap", "--kubeconfig", kubeconfig}, args...)})
}

func newClient(t *testing.T, env *testenv.Env) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = apiextensionsv1.AddToScheme(s)
	c, err := client.New(env.Config, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// changeSet parses the stdout change set into subject → action.
func changeSet(t *testing.T, stdout string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		i := strings.LastIndex(line, " ")
		if i < 0 {
			t.Fatalf("change set line %q has no action", line)
		}
		out[line[:i]] = line[i+1:]
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	return plugintest.WriteFile(t, filepath.Join(dir, name), content)
}

func unstructuredFrom(obj map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: obj}
}
