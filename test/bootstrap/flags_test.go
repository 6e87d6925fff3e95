package bootstrap

import (
	"strings"
	"testing"
)

// TestBadFlagsExit2 checks that flag errors are refused with exit 2 and a
// message naming the problem, before any cluster access (the kubeconfig
// points nowhere).
func TestBadFlagsExit2(t *testing.T) {
	kubeconfig := writeFile(t, t.TempDir(), "kubeconfig", "apiVersion: v1\nkind: Config\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "needs a repository to sync"},
		{[]string{"-k", "a", "-f", "b"}, "-k and -f cannot be combined"},
		{[]string{"--github-account", "contoso", "--components", "helm-controller"}, "--components must include source-controller"},
		{[]string{"--github-account", "contoso", "--components", "source-controller,kustomize-controller,image-reflector-controller"}, `unknown component "image-reflector-controller"`},
		{[]string{"--github-account", "contoso", "-o", "xml"}, "--output must be json or yaml"},
		{[]string{"--github-account", "-bad-"}, "invalid --github-account"},
		{[]string{"--url", "ftp://example.com/repo"}, "the scheme must be https, http or ssh"},
		{[]string{"--github-account", "contoso", "--dry-run", "--export"}, "are alternatives"},
		{[]string{"--github-account", "contoso", "--registry", "https://myacr.azurecr.io"}, "without a scheme"},
		{[]string{"-f", "/does/not/exist.yaml"}, "/does/not/exist.yaml"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := run(t, kubeconfig, tc.args...)
			if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) || r.Stdout != "" {
				t.Errorf("want exit 2 mentioning %q and empty stdout:\n%s", tc.want, r)
			}
		})
	}
}
